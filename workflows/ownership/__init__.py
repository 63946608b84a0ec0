"""Who owns what: the ownership matrix applied to a recommendation (routing), who may
decide it (permissions), the matrix as a table with its gaps, and its sign-off by the
function leads."""

from workflows.ownership.absences import Away, absences
from workflows.ownership.leave import clear_absence, end_expired, set_absence
from workflows.ownership.matrix import matrix_gaps, matrix_rows
from workflows.ownership.routing import route
from workflows.ownership.signoffs import config_hash, signoff_statuses

__all__ = [
    "Away",
    "absences",
    "clear_absence",
    "end_expired",
    "set_absence",
    "config_hash",
    "matrix_gaps",
    "matrix_rows",
    "route",
    "signoff_statuses",
]
