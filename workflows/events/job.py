"""The `events` timer job of `serve`: stamp what committed, rewrite stored bodies of
another privacy setting, notice readiness changes, deliver webhooks, and now and then
drop feed events past their retention."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from workflows.base import WorkflowContext
from workflows.events.privacy import EventPeople
from workflows.events.readiness_watch import record_readiness_change
from workflows.events.sequencer import Sequencer, Stamped
from workflows.events.webhooks import WebhookDeliverer

READINESS_EVERY = 300.0  # seconds: the gates read a week of data; minutes are plenty
PRUNE_EVERY = 3600.0


@dataclass(kw_only=True, eq=False)
class EventsJob(WorkflowContext):
    deliverer: WebhookDeliverer | None = None
    _last: dict[str, float] = field(default_factory=dict)
    _people: EventPeople | None = field(default=None, init=False)

    def _due(self, name: str, every: float) -> bool:
        now = time.monotonic()
        if now - self._last.get(name, -every) < every:
            return False
        self._last[name] = now
        return True

    def close(self) -> None:
        """Release the webhook HTTP client's connections (Runtime.stop)."""
        if self.deliverer is not None:
            self.deliverer.client.close()

    def run_once(self) -> Stamped:
        sequencer = Sequencer(
            database=self.database,
            config=self.config,
            calendars=self.calendars,
            clock=self.clock,
            people=self._people,
        )
        self._people = sequencer.event_people()
        if self._due("readiness", READINESS_EVERY):
            with self.database.transaction() as session:
                record_readiness_change(session, config=self.config, now=self.clock.now())
        stamped = sequencer.run_once()
        sequencer.refresh()  # bodies of another privacy setting, or stamped before bodies
        if self.deliverer is not None:
            self.deliverer.run_once()
        if self._due("prune", PRUNE_EVERY):
            sequencer.prune()
        return stamped
