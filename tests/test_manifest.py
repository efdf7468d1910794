from pathlib import Path

import yaml

from bot.shared.commands import COMMANDS

ROOT = Path(__file__).resolve().parents[1]


def test_the_manifest_registers_every_command_scope_and_event() -> None:
    manifest = yaml.safe_load((ROOT / "slack-manifest.yml").read_text(encoding="utf-8"))
    commands = {c["command"].lstrip("/") for c in manifest["features"]["slash_commands"]}
    assert commands == set(COMMANDS)
    # least privilege: reactions need reactions:read only (no message history); channels:read and
    # groups:read let /subscribe see whether the bot is in the channel (conversations.info)
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "chat:write", "commands", "reactions:read", "channels:read", "groups:read"}
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {"reaction_added", "reaction_removed"}
    assert all(c["url"].endswith("/slack/events") for c in manifest["features"]["slash_commands"])
