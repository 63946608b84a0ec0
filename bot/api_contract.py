"""The published contract's answers: the one error shape every API error has, and the
responses each route documents, so /openapi.json says what the server really does."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from core.config import Config
from core.limits import YEAR_PATTERN
from workflows.decisions import NOTE_MAX


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
    404: "No such recommendation (for outcomes: `index` names each unknown one)",
    409: "Already decided, or withdrawn",
    413: "The body is over the 5 MB limit",
    410: "The cursor is older than the feed's retention: events after it were dropped; "
    "start again without `after` (and reconcile from an export)",
    415: "The body is not JSON",
    422: "A value is refused; `field` names it (and `index` the batch item)",
    500: "An unexpected error; `message` has a reference to the server log",
    503: "The database is busy or out of reach: retry after `Retry-After` seconds",
}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds to wait before retrying",
        "schema": {"type": "integer", "minimum": 1},
    }
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The error answers a route gives, each in the project's error shape; every route
    may also answer 500 and 503 (it works on the database)."""
    answers: dict[int | str, dict[str, Any]] = {
        code: {"model": ErrorBody, "description": _MEANING[code]} for code in (*codes, 500)
    }
    answers[503] = {"model": ErrorBody, "description": _MEANING[503], "headers": _RETRY_AFTER}
    return answers


_DAY = r"(0[1-9]|1[0-9]|2[0-8])"  # days every month has: any match is a real date
_OFFSET = r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
_TIME = r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?"
MOMENT_PATTERN = YEAR_PATTERN.removesuffix("-") + rf"-(0[1-9]|1[0-2])-{_DAY}{_TIME}{_OFFSET}$"
# The models strip Unicode whitespace first, so blank text is empty; spelt out, since
# JSON Schema's \s may mean ASCII whitespace only.
NON_BLANK = r"[^\s\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"


def _variants(prop: dict[str, Any]) -> list[dict[str, Any]]:
    return prop.get("anyOf", [prop])


def _tighten_properties(model: dict[str, Any], *, strips: bool) -> None:
    for prop in model.get("properties", {}).values():
        for variant in _variants(prop):
            if variant.get("format") == "date-time":
                variant["pattern"] = MOMENT_PATTERN
            elif (
                strips
                and variant.get("type") == "string"
                and variant.get("minLength")
                and "pattern" not in variant
            ):
                variant["pattern"] = NON_BLANK


def _codes_by_note(config: Config) -> list[tuple[bool, list[str]]]:
    """(needs a note, its reason codes), leaving out a group with no codes."""
    groups = [
        (needs, sorted(r.code for r in config.reason_codes if r.note_required == needs))
        for needs in (True, False)
    ]
    return [(needs, codes) for needs, codes in groups if codes]


def _decision_schema(config: Config) -> dict[str, Any]:
    """A decision as the server takes it, one shape per action: an override needs a
    reason code the configuration knows (and a note where that code asks for one); a
    reassignment a known person and a note."""
    people = sorted(config.people_by_id)
    note = {"type": "string", "maxLength": NOTE_MAX, "pattern": NON_BLANK}
    value = {"type": ["number", "null"], "description": "the alternative value (optional)"}
    optional_note = {"type": ["string", "null"], "maxLength": NOTE_MAX}
    common = {
        "actor": {
            "type": "string",
            "enum": people,
            "description": "person id from the configuration",
        }
    }

    def shape(action: str, required: list[str], **props: Any) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["actor", "action", *required],
            "properties": {**common, "action": {"type": "string", "enum": [action]}, **props},
        }

    return {
        "title": "DecisionIn",
        "oneOf": [
            shape("accept", [], note=optional_note),
            # Two override shapes: reason codes that need a note, and those that don't.
            *(
                shape(
                    "override",
                    ["reason_code", "note"] if needs_note else ["reason_code"],
                    note=note if needs_note else optional_note,
                    value=value,
                    reason_code={"type": "string", "enum": codes},
                )
                for needs_note, codes in _codes_by_note(config)
            ),
            shape("reassign", ["to", "note"], note=note, to={"type": "string", "enum": people}),
        ],
    }


def tighten(document: dict[str, Any], config: Config) -> dict[str, Any]:
    """What pydantic's JSON schema cannot say but the server checks: the configured
    recommendation types, people and reason codes, the year range of times, that
    stripped text must not be blank, and each decision action's required fields."""
    schemas = document["components"]["schemas"]
    _tighten_properties(schemas["RecommendationIn"], strips=True)
    for name in ("Driver", "Link"):
        _tighten_properties(schemas[name], strips=True)
    _tighten_properties(schemas["OutcomeIn"], strips=False)
    schemas["RecommendationIn"]["properties"]["type"]["enum"] = sorted(config.recommendation_types)
    schemas["DecisionIn"] = _decision_schema(config)
    for parameter in document["paths"]["/api/v1/reports/overrides"]["get"]["parameters"]:
        if parameter["name"] == "type":
            parameter["schema"]["enum"] = list(config.recommendation_types)
    return document
