"""Facts in: recommendations validated, routed and stored (with revisions and
withdrawals), outcomes matched to them, and files imported in whatever encoding they
come."""

from workflows.intake.file_import import (
    ImportReport,
    count_rows,
    import_outcomes,
    import_recommendations,
)
from workflows.intake.ingestion import ingest
from workflows.intake.outcomes import UnknownRecommendations, record_outcomes
from workflows.intake.validation import (
    CONTENT_COLUMNS,
    BatchRejected,
    IngestResult,
    ItemError,
    validate_batch,
)

__all__ = [
    "CONTENT_COLUMNS",
    "BatchRejected",
    "ImportReport",
    "IngestResult",
    "ItemError",
    "UnknownRecommendations",
    "count_rows",
    "import_outcomes",
    "import_recommendations",
    "ingest",
    "record_outcomes",
    "validate_batch",
]
