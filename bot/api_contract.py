"""The published contract's answers: the one error shape every API error has, and the
responses each route documents, so /openapi.json says what the server really does."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorItem(BaseModel):
    field: str | None = Field(default=None, description="the input the problem belongs to")
    message: str
    index: int | None = Field(default=None, description="the item of a batch (0-based)")


class ErrorBody(BaseModel):
    detail: list[ErrorItem]


class OutcomesRecorded(BaseModel):
    recorded: int
    recommendation_ids: list[int]


_MEANING = {
    401: "No bearer token, a wrong one, or the API is closed (no token configured)",
    403: "The token (or the person) may not do this",
    404: "No such recommendation",
    409: "Already decided, or withdrawn",
    413: "The body is over the 5 MB limit",
    415: "The body is not JSON",
    422: "A value is refused; `field` names it (and `index` the batch item)",
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The error answers a route gives, each in the project's error shape."""
    return {code: {"model": ErrorBody, "description": _MEANING[code]} for code in codes}
