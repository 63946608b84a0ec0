"""`/sopbot report`, `/sopbot readiness` and `/sopbot matrix [approve HASH]` answered in
chat (every platform, through workflows.chat.commands). Kept short enough for Slack's and
Teams' message limits: a few lines per section, each line bounded; the full HTML report
one click away behind a short-lived signed link (workflows.review.links)."""

from __future__ import annotations

from core.messages import Message, Section, Tone
from workflows.ownership.signoffs import approve_matrix, matrix_summary
from workflows.readiness.assess import assess
from workflows.review.links import LINK_LIFETIME, report_url
from workflows.review.report import UnknownType, headline_findings, review_for
from workflows.service import Services

MAX_LINES = 6
MAX_LINE = 280
MATRIX_LINES = 30  # a lead approves what they read: the whole matrix, within reason


def _bounded(lines: list[str], more: str, limit: int = MAX_LINES) -> list[str]:
    shown = [line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…" for line in lines]
    if len(shown) > limit:
        hidden = len(shown) - (limit - 1)
        shown = shown[: limit - 1] + [f"{hidden} more: {more}"]
    return shown


def report_reply(services: Services, *, args: tuple[str, ...]) -> Message:
    type_name = args[0] if args else None
    try:
        review = review_for(services, type_=type_name, with_rows=False)
    except UnknownType as exc:
        return Message(header="Override review", text=str(exc), tone=Tone.WARNING)
    sections = [
        Section(
            title=review.labels[scope],
            lines=_bounded(headline_findings(review, scope), "see the full report"),
        )
        for scope in review.scopes
    ]
    if not type_name:  # everything: the overall picture and one line per type
        sections = sections[:1] + [
            Section(
                title="By type",
                lines=_bounded(
                    [
                        f"{review.labels[s]}: {headline_findings(review, s)[0]}"
                        for s in list(review.scopes)[1:]
                    ],
                    "type `report TYPE`",
                ),
            )
        ]
    now = services.clock.now()
    with services.database.transaction() as session:
        link = report_url(session, base_url=services.public_url, type_name=type_name, now=now)
    minutes = int(LINK_LIFETIME.total_seconds() // 60)
    return Message(
        header="Override review: everything so far",
        sections=sections,
        context=[f"Full report (link valid {minutes} minutes): {link}", review.privacy],
    )


def readiness_reply(services: Services) -> Message:
    result = assess(services)
    sections = []
    for gate in result.gates:
        mark = "pass" if gate.passed else ("FAIL" if gate.hard else "open (soft)")
        lines = _bounded(gate.missing, "run `sopbot readiness`") or ["nothing missing"]
        sections.append(Section(title=f"{gate.id}. {gate.name}: {mark}", lines=lines))
    header = "Ready to go live" if result.ready else "Not ready to go live"
    return Message(
        header=header,
        sections=sections,
        tone=Tone.GOOD if result.ready else Tone.WARNING,
        context=["Every hard gate must pass. Details: sopbot readiness, or GET /api/v1/readiness"],
    )


def matrix_reply(
    services: Services, *, person_id: str, args: tuple[str, ...], platform: str
) -> Message:
    if args and args[0].lower() == "approve":
        seen = args[1] if len(args) > 1 else ""
        return approve_matrix(services, lead_id=person_id, seen_hash=seen, channel=platform)
    with services.database.transaction() as session:
        message = matrix_summary(session, config=services.config, reader_id=person_id)
    routes = message.sections[0]
    routes.lines = _bounded(
        routes.lines, "run `sopbot matrix check` for the full table", MATRIX_LINES
    )
    return message
