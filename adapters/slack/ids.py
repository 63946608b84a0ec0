"""Every Slack action_id, block_id and callback_id sopbot uses, in one place, so a
listener and the block that triggers it can never drift apart."""

from __future__ import annotations

from enum import StrEnum

from core.messages import ButtonAction


class ActionId(StrEnum):
    """Buttons on messages and the App Home, and the inputs inside modals."""

    ACCEPT = "sopbot_accept"
    OVERRIDE = "sopbot_override"
    REASSIGN = "sopbot_reassign"
    SNOOZE = "sopbot_snooze"  # one select holding every snooze choice
    EXTEND = "sopbot_extend"
    QUEUE_PREVIOUS = "sopbot_queue_previous"  # paging the `/sopbot queue` answer
    QUEUE_NEXT = "sopbot_queue_next"
    REASON_CODE_INPUT = "sopbot_reason_code"
    NOTE_INPUT = "sopbot_note"
    VALUE_INPUT = "sopbot_value"
    TO_INPUT = "sopbot_to"
    DUE_AT_INPUT = "sopbot_due_at"
    REASON_INPUT = "sopbot_reason"


class BlockId(StrEnum):
    """Blocks that a listener reads or that a validation error points at. A modal's
    input blocks are named after the neutral form's input names, so a workflow's
    `InvalidInput.field` names the block directly."""

    DECISION_ACTIONS = "sopbot_decision_actions"
    STATUS = "sopbot_status"
    CONTEXT = "sopbot_context"
    QUEUE_NAV = "sopbot_queue_nav"
    REASON_CODE = "reason_code"
    NOTE = "note"
    VALUE = "value"
    TO = "to"
    DUE_AT = "due_at"
    REASON = "reason"


class CallbackId(StrEnum):
    """Modals (their submissions come back with this id) and the Home tab view."""

    OVERRIDE = "sopbot_override_modal"
    REASSIGN = "sopbot_reassign_modal"
    EXTEND = "sopbot_extend_modal"
    HOME = "sopbot_home"


BUTTON_ACTIONS: dict[ButtonAction, ActionId] = {
    ButtonAction.ACCEPT: ActionId.ACCEPT,
    ButtonAction.OVERRIDE: ActionId.OVERRIDE,
    ButtonAction.REASSIGN: ActionId.REASSIGN,
    ButtonAction.SNOOZE: ActionId.SNOOZE,
    ButtonAction.EXTEND: ActionId.EXTEND,
}

FORM_CALLBACKS: dict[ButtonAction, CallbackId] = {
    ButtonAction.OVERRIDE: CallbackId.OVERRIDE,
    ButtonAction.REASSIGN: CallbackId.REASSIGN,
    ButtonAction.EXTEND: CallbackId.EXTEND,
}

# A neutral form input's name -> the block holding it and the element inside.
FORM_INPUTS: dict[str, tuple[BlockId, ActionId]] = {
    "reason_code": (BlockId.REASON_CODE, ActionId.REASON_CODE_INPUT),
    "note": (BlockId.NOTE, ActionId.NOTE_INPUT),
    "value": (BlockId.VALUE, ActionId.VALUE_INPUT),
    "to": (BlockId.TO, ActionId.TO_INPUT),
    "due_at": (BlockId.DUE_AT, ActionId.DUE_AT_INPUT),
    "reason": (BlockId.REASON, ActionId.REASON_INPUT),
}
