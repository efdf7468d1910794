"""What every chat platform shares: command handling, posting, votes and taste, free of Slack and Telegram.

bot/slack/ and bot/telegram/ use this package; it never imports them."""
