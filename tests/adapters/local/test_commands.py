"""The web chat's command box answers the same words as `/sopbot` in Slack and the Teams
text commands, through the one registry in workflows/chat/commands.py."""

from __future__ import annotations

import httpx

from adapters.local import LocalChat
from core.config import Config
from workflows.chat.commands import COMMANDS, parse_command


def test_help_arrives_as_a_direct_message(client: httpx.Client, local_chat: LocalChat) -> None:
    response = client.post("/chat/ana/command", data={"text": "help"})
    [post] = local_chat.direct_messages("ana")
    assert response.status_code == 303  # the page opens at the answer
    assert response.headers["location"] == f"/chat/ana?view=messages#m-{post.ref.message_id}"
    assert post.message.header == "sopbot commands"
    lines = post.message.sections[0].lines
    assert len(lines) == len(COMMANDS) and lines[0].startswith("queue:")
    assert post.message.context[0] == "You typed: help"
    assert "sopbot commands" in client.get("/chat/ana").text


def test_queue_opens_the_queue_tab(client: httpx.Client, local_chat: LocalChat) -> None:
    response = client.post("/chat/ana/command", data={"text": "Queue"})
    assert response.headers["location"] == "/chat/ana?view=queue"
    assert local_chat.direct_messages("ana") == []


def test_an_unknown_word_is_named_with_the_help(
    client: httpx.Client, local_chat: LocalChat
) -> None:
    client.post("/chat/ana/command", data={"text": "frobnicate now"})
    [post] = local_chat.direct_messages("ana")
    assert "I don't know the command 'frobnicate'." in post.message.context


def test_an_overlong_command_is_refused_naming_the_field(client: httpx.Client) -> None:
    response = client.post("/chat/ana/command", data={"text": "x" * 501})
    assert response.status_code == 422 and "text" in response.text


def test_mentions_resolve_to_people_by_id_or_email(config: Config) -> None:
    text = "Interview @Ana suppliers @ben@nordwind.example @nobody"
    request = parse_command(config, person_id="greta", platform="local", text=text)
    assert request.word == "interview" and request.person_id == "greta"
    assert request.args == ("@Ana", "suppliers", "@ben@nordwind.example", "@nobody")
    assert request.people == ("ana", "ben")
