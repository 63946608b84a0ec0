"""The menus of the Override and Reassign forms, built once per configuration.

Every message a planner may act on carries both forms, and the outbox draws hundreds of
messages a second in a burst of reminders: building the reason and colleague options
anew for each was a quarter of drawing a message (bench/delivery.py). The options
depend on the configuration alone (the colleagues also on who owns the item), so they
are kept per configuration object; a reloaded configuration is a new object and gets
its own. The `Option`s are shared and never changed; each form gets its own list."""

from __future__ import annotations

import threading

from core.config import Config, ReasonCode
from core.messages import Option

KEPT = 8  # configurations kept (one in a deployment; tests make many)


def reason_label(reason: ReasonCode) -> str:
    """As a person reads it in the menu itself: the ones that need a note are marked."""
    return f"{reason.label} *" if reason.note_required else reason.label


class FormChoices:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.reasons = tuple(
            Option(value=r.code, label=reason_label(r)) for r in config.reason_codes
        )
        self._people = tuple((p.id, Option(value=p.id, label=p.name)) for p in config.people)
        self._colleagues: dict[str | None, tuple[Option, ...]] = {}

    def colleagues(self, owner_id: str | None) -> tuple[Option, ...]:
        """Everyone an item owned by `owner_id` may be handed over to."""
        kept = self._colleagues.get(owner_id)
        if kept is None:
            kept = tuple(option for person_id, option in self._people if person_id != owner_id)
            self._colleagues[owner_id] = kept
        return kept


_kept: dict[int, FormChoices] = {}
_lock = threading.Lock()


def form_choices(config: Config) -> FormChoices:
    choices = _kept.get(id(config))
    if choices is not None and choices.config is config:
        return choices
    with _lock:
        if len(_kept) >= KEPT:
            _kept.clear()
        choices = _kept[id(config)] = FormChoices(config)
    return choices
