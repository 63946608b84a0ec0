"""What one delivery run did, counted: the worker and its batched path both add to it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    lost: int = 0  # claims that ran out before the send (another worker sends those)
    digested: int = 0  # first deliveries over the daily cap, listed in the digest instead
