"""The go-live check: the five readiness gates and what each rests on."""

from workflows.readiness.gates import Readiness, check_readiness, readiness_text

__all__ = ["Readiness", "check_readiness", "readiness_text"]
