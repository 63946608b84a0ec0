"""The JSON of `slack_sdk.models` blocks, exactly as their `to_dict()` gives it, for a
third of the CPU.

Every message the outbox sends is serialised here, and `to_dict()` was a tenth of a
`sopbot serve`'s CPU at a burst of reminders (bench/delivery.py): for each nested object
it lists the instance's attributes to look for validators, then walks the nested
result a second time. The validators are methods of the class (slack_sdk's
`JsonValidator` decorates them), so they are found once per class and run for every
object as before: Slack's limits are enforced exactly as `to_dict()` enforces them,
raising the same `SlackObjectFormationError`. A class with its own serialisation rules
(`ConfirmObject`, metadata ...) is asked for its own `to_dict()`; `Option`, three in
every message with a snooze menu, is drawn here in the one shape blocks use.
tests/adapters/slack/test_block_dicts.py holds this equal to `to_dict()` for every block we draw
and for generated ones."""

from __future__ import annotations

from enum import Enum
from functools import cache
from typing import Any

from slack_sdk.models.basic_objects import EMPTY_ALLOWED_TYPE_AND_PROPERTY_LIST, JsonObject
from slack_sdk.models.blocks import Option, PlainTextObject

# (type, property) pairs Slack accepts as an empty list (rich text), as slack_sdk has them
_EMPTY_ALLOWED = frozenset((e["type"], e["property"]) for e in EMPTY_ALLOWED_TYPE_AND_PROPERTY_LIST)
_SERIALISATION = ("to_dict", "validate_json", "get_non_null_attributes", "get_object_attribute")
_SCALARS = (str, int, float, bool, type(None))
_TEXT_OR_NUMBER = frozenset((str, int, float, bool))  # exact types: a subclass takes the long way


class _Kind(Enum):
    SCALAR = "scalar"
    SEQUENCE = "sequence"
    PLAIN_OBJECT = "plain object"  # JsonObject's own rules: walked here
    OPTION = "option"  # a menu choice in a block: Option.to_dict()'s block shape, drawn here
    OWN_RULES = "own rules"  # anything else with a to_dict(): asked for it


@cache
def _kind(cls: type) -> _Kind:
    if issubclass(cls, _SCALARS):
        return _Kind.SCALAR
    if issubclass(cls, (list, tuple)):
        return _Kind.SEQUENCE
    if cls is Option:  # exactly: a subclass may have rules of its own
        return _Kind.OPTION
    if issubclass(cls, JsonObject) and all(
        getattr(cls, name) is getattr(JsonObject, name) for name in _SERIALISATION
    ):
        return _Kind.PLAIN_OBJECT
    return _Kind.OWN_RULES if callable(getattr(cls, "to_dict", None)) else _Kind.SCALAR


@cache
def _validators(cls: type) -> tuple[str, ...]:
    """The names of `cls`'s validators, in the (sorted) order `validate_json` runs them."""
    return tuple(
        sorted(
            name
            for name in dir(cls)
            if not name.startswith("__")
            and callable(method := getattr(cls, name, None))
            and hasattr(method, "validator")
        )
    )


_KEYS: dict[type, tuple[str, ...]] = {}  # a class's sorted attribute names (see _keys)


def _keys(value: JsonObject) -> tuple[str, ...]:
    """`value.attributes`, sorted. slack_sdk computes the set on every access (each class
    adds its own to its parent's) though it depends on the class alone: kept per class."""
    cls = type(value)
    keys = _KEYS.get(cls)
    if keys is None:
        keys = _KEYS[cls] = tuple(sorted(value.attributes))
    return keys


def _option(value: Option) -> dict[str, Any]:
    """What `Option.to_dict()` gives in a block (its default shape; the dialog and
    attachment shapes are not used in blocks): its validators, then the text (the label
    as plain text when no text object was given), the value, and the description and url
    when set. A snooze menu has three; the SDK's generic validation was a third of a
    message's serialisation."""
    for name in _validators(Option):
        getattr(value, name)()
    text = value._text or PlainTextObject.from_str(value.label)  # noqa: SLF001 - as to_dict reads it
    out: dict[str, Any] = {"text": plain(text), "value": value.value}
    if value._block_description:  # noqa: SLF001
        out["description"] = plain(value._block_description)  # noqa: SLF001
    if value.url:
        out["url"] = value.url
    return out


def plain(value: Any) -> Any:
    """`value` as `JsonObject.get_non_null_attributes` turns a member into JSON, after
    running each object's validators."""
    kind = _kind(type(value))
    if kind is _Kind.SCALAR:
        return value
    if kind is _Kind.SEQUENCE:
        return [plain(item) for item in value]
    if kind is _Kind.OWN_RULES:
        return {key: plain(item) for key, item in value.to_dict().items()}
    if kind is _Kind.OPTION:
        return _option(value)
    for name in _validators(type(value)):
        getattr(value, name)()
    block_type = getattr(value, "type", None)
    out: dict[str, Any] = {}
    for key in _keys(value):
        item = getattr(value, key, None)
        if item is None:
            continue
        if type(item) in _TEXT_OR_NUMBER:  # most members: no call, no lookup
            if item == "" and (block_type, key) not in _EMPTY_ALLOWED:
                continue
            out[key] = item
            continue
        if (block_type, key) not in _EMPTY_ALLOWED and hasattr(item, "__len__") and not len(item):
            continue
        out[key] = plain(item)
    return out
