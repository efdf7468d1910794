"""Renderers turn a Digest (or one Analysis) into Markdown, Slack Block Kit or Telegram HTML."""
