"""Whether the bot can post to the escalation channel (the configuration's `channel`).

Slack lets a bot post only where it is a member: until someone invites it, every
escalation copy is refused `not_in_channel`, found only when the first item is overdue.
So the membership is asked for once (conversations.info) by `sopbot serve --check` and
at start, and a missing one is said in one line that tells what to do."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

INVITE = "invite the bot there (in the channel: /invite @sopbot)"


def channel_problem(*, client: WebClient, channel: str) -> str | None:
    """One line saying why escalation copies cannot reach `channel`, or None if the bot
    is a member (or Slack cannot say: a network error is reported, not guessed at)."""
    named = f"the escalation channel '{channel}' (configuration `channel`)"
    try:
        answer = client.conversations_info(channel=channel.lstrip("#"))
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown_error")
        if error == "channel_not_found":
            return (
                f"Slack not_in_channel: {named} was not found; it is private and the bot "
                f"is not in it, or it is named rather than given by id (C...): {INVITE}, "
                "and set `channel` to the channel id"
            )
        return f"Slack could not check {named}: {error}"
    except (SlackClientError, OSError) as exc:
        return f"Slack could not check {named}: {exc}"
    found = answer.get("channel") or {}
    if found.get("is_member", True) is False:
        return (
            f"Slack not_in_channel: the bot is not a member of {named}, so escalation "
            f"copies to it fail: {INVITE}"
        )
    return None
