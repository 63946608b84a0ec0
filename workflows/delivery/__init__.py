"""Out: the outbox worker, its batches and per-recipient send lanes, claims as leases,
the daily cap, reaching a person on several platforms, failures and fallbacks, and
retention."""

from workflows.delivery.reach import Reach
from workflows.delivery.retention import Pruner
from workflows.delivery.worker import OutboxWorker

__all__ = ["OutboxWorker", "Pruner", "Reach"]
