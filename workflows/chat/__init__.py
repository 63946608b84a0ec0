"""What people type and ask in chat: the command registry, queues and the inbox,
identities and account links."""

from workflows.chat.commands import COMMANDS, QUEUE, answer_command, parse_command
from workflows.chat.context_commands import start_interview, templates_message
from workflows.chat.identities import find_person_by_external_id, get_link, save_link
from workflows.chat.inbox import (
    QueuePage,
    digest_part_for,
    queue_count,
    queue_messages,
    queue_page,
    recommendation_for,
)
from workflows.chat.links import WHERE, link_person, refuse_activity

__all__ = [
    "COMMANDS",
    "QUEUE",
    "QueuePage",
    "WHERE",
    "answer_command",
    "digest_part_for",
    "find_person_by_external_id",
    "get_link",
    "start_interview",
    "link_person",
    "parse_command",
    "queue_count",
    "queue_messages",
    "queue_page",
    "recommendation_for",
    "refuse_activity",
    "save_link",
    "templates_message",
]
