"""A click is checked and performed with the plain workflow context (no adapter's
Services needed): what it queued is handed to the context's `kick` hook, which a job
or test leaves a no-op and the composition root points at the outbox worker."""

from __future__ import annotations

from core.clock import AdjustableClock
from core.config import Config
from storage.db import Database
from tests.support.data import make_rec
from workflows.base import WorkflowContext
from workflows.decisions.click import Click, ClickAction, check_click, perform_click
from workflows.intake.ingestion import ingest
from workflows.intake.validation import validate_batch


def test_a_snooze_click_through_a_workflow_context_kicks_its_outbox(
    database: Database, config: Config, clock: AdjustableClock
) -> None:
    kicks: list[str] = []
    ctx = WorkflowContext.of(database=database, config=config, clock=clock)
    ctx.kick = lambda: kicks.append("kick")
    [item] = ingest(ctx, items=validate_batch(config=config, raw_items=[make_rec()]))
    click = Click(
        action=ClickAction.SNOOZE,
        recommendation_id=item.id,
        channel="local",
        actor_id=item.owner,
        values={"value": "1h"},
    )
    performed = perform_click(ctx, check_click(ctx, click))
    assert performed.snoozed is not None and kicks == ["kick"]
    # Left alone, the hook does nothing: a job's context needs no outbox.
    plain = WorkflowContext.of(database=database, config=config, clock=clock)
    plain.kick()
