"""Webhook deliveries in /metrics, read from the subscriptions' cursors at scrape time:
the counts live in the database (a delivery may be finished by another replica), so
every replica reports the same totals. Labels are the configured subscription names."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from workflows.events import HookStatus


class WebhookCollector(Collector):
    def __init__(self, statuses: Callable[[], list[HookStatus]]) -> None:
        self._statuses = statuses

    def describe(self) -> Iterable[Metric]:
        return self._families([])

    def collect(self) -> Iterable[Metric]:
        return self._families(self._statuses())

    @staticmethod
    def _families(statuses: list[HookStatus]) -> list[Metric]:
        deliveries = CounterMetricFamily(
            "sopbot_webhook_deliveries",
            "Webhook events per subscription: delivered (2xx) or failed (gave up).",
            labels=["subscription", "result"],
        )
        behind = GaugeMetricFamily(
            "sopbot_webhook_behind_events",
            "Feed events not yet delivered to the subscription.",
            labels=["subscription"],
        )
        for status in statuses:
            deliveries.add_metric([status.name, "delivered"], status.delivered)
            deliveries.add_metric([status.name, "failed"], status.failed)
            behind.add_metric([status.name], status.behind)
        return [deliveries, behind]
