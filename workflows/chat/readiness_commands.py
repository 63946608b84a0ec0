"""The chat words that give the readiness gates their evidence, for the registry in
workflows.chat.commands: `criteria [approve HASH]` (function leads agree to the success
criteria, as they sign off the matrix) and `reviewed TYPE [note]` (the override reviewer
says the last period's review of TYPE was read)."""

from __future__ import annotations

from core.messages import Message
from workflows.chat.request import CommandRequest
from workflows.ownership.signoffs import Subject, approve, signoff_summary
from workflows.review.acknowledgements import acknowledge_review
from workflows.service import Services


def criteria_reply(services: Services, request: CommandRequest) -> Message:
    args = request.args
    if args and args[0].lower() == "approve":
        return approve(
            services,
            lead_id=request.person_id,
            seen_hash=args[1] if len(args) > 1 else "",
            channel=request.platform,
            subject=Subject.CRITERIA,
        )
    with services.database.read() as session:
        return signoff_summary(
            session, config=services.config, reader_id=request.person_id, subject=Subject.CRITERIA
        )


def reviewed_reply(services: Services, request: CommandRequest) -> Message:
    args = request.args
    return acknowledge_review(
        services,
        person_id=request.person_id,
        type_name=args[0] if args else None,
        note=" ".join(args[1:]) or None,
        channel=request.platform,
    )
