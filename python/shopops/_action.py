"""The typed action: `Action`, with the action types and escalation reasons as literals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

from shopops import _core

ActionType = Literal[
    "inspect_order",
    "inspect_policy",
    "inspect_inventory",
    "inspect_customer_history",
    "request_evidence",
    "contact_carrier",
    "issue_refund",
    "ship_replacement",
    "escalate_risk",
    "add_internal_note",
    "close_case",
    "switch_case",
]
"""The 12 action types, in the spec's order."""

EscalationReason = Literal["suspected_fraud", "policy_exception", "sla_risk", "vip_recovery"]
"""Why a case is escalated (`escalate_risk`)."""

ACTION_TYPES: tuple[ActionType, ...] = get_args(ActionType)
ESCALATION_REASONS: tuple[EscalationReason, ...] = get_args(EscalationReason)


@dataclass(frozen=True)
class Action:
    """One action, checked on construction as the server checks a step request.

    `switch_case` names its target in `case_id`; every other action acts on the active case.
    """

    action_type: ActionType
    case_id: str | None = None
    refund_amount_usd: float | None = None
    expedite: bool = False
    escalation_reason: EscalationReason | None = None
    note_code: str | None = None

    def __post_init__(self) -> None:
        """Raise `ValueError` with every violation when the action is malformed."""
        _core.parse_action(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        """Return the action as its wire dict, fields left at their defaults omitted."""
        fields: dict[str, Any] = {"action_type": self.action_type}
        if self.case_id is not None:
            fields["case_id"] = self.case_id
        if self.refund_amount_usd is not None:
            fields["refund_amount_usd"] = self.refund_amount_usd
        if self.expedite:
            fields["expedite"] = True
        if self.escalation_reason is not None:
            fields["escalation_reason"] = self.escalation_reason
        if self.note_code is not None:
            fields["note_code"] = self.note_code
        return fields
