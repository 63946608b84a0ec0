"""Prometheus metrics of this process (prometheus_client), counted as things happen.

Counters and the decision-time summary are kept in memory by this process as the
workflows report committed facts (workflows.metering); each replica exposes its own and
Prometheus adds them up (`sum(rate(...))`), resetting to zero on restart as counters do.
The one number that must be the same on every replica, the open recommendations, is a
gauge read from the database at scrape time by one indexed count.

`/metrics` is unauthenticated, so every label value comes from the configuration (types)
or from enums (tiers, actions, outcomes): never a person, a title or a note."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Summary,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from core.config import Config
from core.domain import DecisionKind, IngestStatus, OutboxKind, Tier

disable_created_metrics()  # `_created` series per label set only add scrape weight

CONTENT_TYPE = CONTENT_TYPE_LATEST
OTHER_TYPE = "other"  # never expected: every stored type is validated against the config
OUTCOMES = ("sent", "retried", "failed")
CLOCK_STEPS = ("reminder", "escalation", "digest")


class _OpenRecommendations(Collector):
    """The open count, read when scraped so every replica reports the same figure."""

    def __init__(self, count_open: Callable[[], int]) -> None:
        self._count_open = count_open

    def describe(self) -> Iterable[Metric]:
        return [self._family()]

    def collect(self) -> Iterable[Metric]:
        family = self._family()
        family.add_metric([], self._count_open())
        return [family]

    @staticmethod
    def _family() -> GaugeMetricFamily:
        return GaugeMetricFamily(
            "sopbot_open_recommendations", "Recommendations waiting for a decision."
        )


class PrometheusMeter:
    """The workflows' Meter, backed by prometheus_client in a registry of its own."""

    def __init__(self, *, config: Config, count_open: Callable[[], int]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._types = frozenset(config.recommendation_types)
        registry = self.registry
        self._ingested = Counter(
            "sopbot_recommendations_ingested",
            "Recommendations stored, by type and tier.",
            ["type", "tier"],
            registry=registry,
        )
        self._items = Counter(
            "sopbot_ingest_items",
            "Items of committed batches, by outcome (created, duplicate, ...).",
            ["status"],
            registry=registry,
        )
        self._decisions = Counter(
            "sopbot_decisions",
            "Final decisions, by action and type.",
            ["action", "type"],
            registry=registry,
        )
        self._time = Summary(
            "sopbot_time_to_decision_seconds",
            "Time from arrival to decision.",
            ["action", "type"],
            registry=registry,
        )
        self._steps = Counter(
            "sopbot_sla_steps",
            "Reminders, escalations and digest entries the SLA clock queued.",
            ["step"],
            registry=registry,
        )
        self._deliveries = Counter(
            "sopbot_outbox_deliveries",
            "Outbox rows handled, by kind and result.",
            ["kind", "result"],
            registry=registry,
        )
        registry.register(_OpenRecommendations(count_open))
        self._zero_every_series()

    def _zero_every_series(self) -> None:
        """Every label set exists from the start at 0, so a rate() has a baseline."""
        actions = [DecisionKind.ACCEPT, DecisionKind.OVERRIDE, DecisionKind.AUTO]
        for type_ in self._types:
            for tier in Tier:
                self._ingested.labels(type=type_, tier=tier)
            for action in actions:
                self._decisions.labels(action=action, type=type_)
                self._time.labels(action=action, type=type_)
        for status in IngestStatus:
            self._items.labels(status=status)
        for step in CLOCK_STEPS:
            self._steps.labels(step=step)
        for kind in OutboxKind:
            for result in OUTCOMES:
                self._deliveries.labels(kind=kind, result=result)

    def _type(self, type_: str) -> str:
        return type_ if type_ in self._types else OTHER_TYPE

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

    # --- workflows.metering.Meter ------------------------------------------------------

    def ingested(self, *, type_: str, tier: str, status: str) -> None:
        self._items.labels(status=IngestStatus(status)).inc()
        if status == IngestStatus.CREATED:
            self._ingested.labels(type=self._type(type_), tier=Tier(tier)).inc()

    def decided(self, *, action: str, type_: str, seconds: float) -> None:
        labels = {"action": DecisionKind(action), "type": self._type(type_)}
        self._decisions.labels(**labels).inc()
        self._time.labels(**labels).observe(max(0.0, seconds))

    def clock_steps(self, *, step: str, count: int) -> None:
        if step in CLOCK_STEPS:
            self._steps.labels(step=step).inc(count)

    def delivered(self, *, kind: str, result: str) -> None:
        if result in OUTCOMES:
            self._deliveries.labels(kind=OutboxKind(kind), result=result).inc()
