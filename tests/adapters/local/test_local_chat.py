"""LocalChat, the web chat's store behind the `Chat` port."""

from __future__ import annotations

import threading

from adapters.local.chat import LocalChat
from core.chat import Chat, MessageRef
from core.clock import AdjustableClock
from core.config import Config
from core.messages import Button, ButtonAction, Message


def test_is_a_chat_port_that_reaches_everyone(config: Config) -> None:
    chat = LocalChat()
    assert isinstance(chat, Chat)
    assert all(chat.can_reach(p) for p in config.people)


def test_direct_messages_in_order_and_updates_in_place(
    config: Config, clock: AdjustableClock
) -> None:
    chat = LocalChat(clock)
    ana, finn = config.people_by_id["ana"], config.people_by_id["finn"]
    first = chat.send(person=ana, message=Message(header="one"))
    chat.send(person=finn, message=Message(header="for finn"))
    chat.send(person=ana, message=Message(header="two"))
    before = chat.revision
    chat.update(ref=first, message=Message(header="one", status="Accepted by Ana Lopez"))
    assert chat.revision > before
    posts = chat.direct_messages("ana")
    assert [p.message.header for p in posts] == ["one", "two"]
    assert posts[0].version == 2 and posts[0].message.status == "Accepted by Ana Lopez"
    assert posts[0].sent_at == clock.now()
    assert [p.message.header for p in chat.direct_messages("finn")] == ["for finn"]


def test_channel_posts_are_kept_apart(config: Config) -> None:
    chat = LocalChat()
    chat.post_to_channel(channel="sop-decisions", message=Message(header="Daily digest"))
    chat.send(person=config.people_by_id["ana"], message=Message(header="dm"))
    assert [(p.to, p.message.header) for p in chat.channel_posts()] == [
        ("#sop-decisions", "Daily digest")
    ]


def test_a_reference_from_an_earlier_process_is_recreated(config: Config) -> None:
    """The demo restarted on the same data directory: updates must not fail."""
    chat = LocalChat()
    ref = MessageRef(platform="local", channel="dm-ana", message_id="old-7")
    chat.update(ref=ref, message=Message(header="decided", status="Accepted"))
    assert [p.message.status for p in chat.direct_messages("ana")] == ["Accepted"]
    new = chat.send(person=config.people_by_id["ana"], message=Message(header="new"))
    assert new.message_id != "old-7"
    assert len(chat.direct_messages("ana")) == 2


def test_needing_action_counts_messages_with_buttons(config: Config) -> None:
    chat = LocalChat()
    ana = config.people_by_id["ana"]
    chat.send(person=ana, message=Message(header="info"))
    assert chat.needing_action("ana") == 0
    accept = Button(action=ButtonAction.ACCEPT, label="Accept", recommendation_id=1)
    chat.send(person=ana, message=Message(header="rec", buttons=[accept]))
    entry = Message(header="entry", buttons=[accept])
    chat.send(person=ana, message=Message(header="Your daily digest", items=[entry]))
    assert chat.needing_action("ana") == 2


def test_wait_for_change_wakes_on_a_new_message(config: Config) -> None:
    chat = LocalChat()
    since = chat.revision
    timer = threading.Timer(
        0.05, lambda: chat.send(person=config.people_by_id["ana"], message=Message(header="x"))
    )
    timer.start()
    assert chat.wait_for_change(since, timeout=5) == since + 1
    timer.join()
    assert chat.wait_for_change(chat.revision, timeout=0.01) == since + 1
