"""Reading state for people: the neutral message of a recommendation, its forms and
menus, the lookups drawn beside it, and the queries behind queues and lists."""

from workflows.views.message import Purpose, purpose_of
from workflows.views.queries import (
    RecommendationView,
    count_open,
    list_recommendations,
    recommendation_detail,
    summary_view,
)

__all__ = [
    "Purpose",
    "RecommendationView",
    "count_open",
    "list_recommendations",
    "purpose_of",
    "recommendation_detail",
    "summary_view",
]
