"""Slack: slash commands, reactions and posts through slack-bolt (HTTP mode or Socket Mode)."""

from bot.slack.adapter import SlackAdapter

__all__ = ["SlackAdapter"]
