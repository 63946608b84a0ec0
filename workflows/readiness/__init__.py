"""The go-live check: the five readiness gates, the evidence each rests on, their daily
record, and the dossier a steering committee signs."""

from workflows.readiness.assess import READINESS_JOB_SECONDS, assess
from workflows.readiness.dossier import Dossier, DossierFormat, render_dossier
from workflows.readiness.gates import Readiness, check_readiness, readiness_text

__all__ = [
    "READINESS_JOB_SECONDS",
    "Dossier",
    "DossierFormat",
    "Readiness",
    "assess",
    "check_readiness",
    "readiness_text",
    "render_dossier",
]
