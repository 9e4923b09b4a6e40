"""The Gymnasium spaces of ShopOps: the wire observations and the wire actions, as dicts.

An observation is text-heavy, nested, nullable wire data whose `metadata` keys vary over an
episode, which no composition of Gymnasium's standard spaces contains exactly. Both spaces are
therefore `gymnasium.spaces.Space` subclasses whose membership is the engine's own reading of
the wire format: `contains` holds exactly for what the engine would emit (observations) or
accept (actions). Neither has a numeric encoding (`flatten` does not apply).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from gymnasium import spaces

from shopops import _core
from shopops._action import ACTION_TYPES, ESCALATION_REASONS, Action


class ObservationSpace(spaces.Space[dict[str, Any]]):
    """Every wire observation: a dict with exactly the observation's fields, each of its type."""

    def __init__(self, seed: int | np.random.Generator | None = None) -> None:
        """Create the space (`seed` is accepted for Gymnasium's API; nothing is sampled)."""
        super().__init__(shape=None, dtype=None, seed=seed)

    @property
    def is_np_flattenable(self) -> bool:
        """No: observations are not encoded as arrays."""
        return False

    def contains(self, x: Any) -> bool:
        """Whether `x` is a wire observation, as the engine reads one."""
        return isinstance(x, dict) and _core.is_observation(x)

    def sample(self, mask: Any = None, probability: Any = None) -> dict[str, Any]:
        """Not supported: an observation only comes from an episode."""
        raise NotImplementedError("observations come from episodes; reset an Env to get one")

    def __eq__(self, other: object) -> bool:
        """Whether `other` is also the observation space."""
        return isinstance(other, ObservationSpace)

    def __repr__(self) -> str:
        """Name the space."""
        return "ObservationSpace()"


class ActionSpace(spaces.Space[dict[str, Any]]):
    """Every wire action: a dict (or `Action`) that the engine accepts as a step request.

    `sample` draws an action type uniformly, then its arguments: a case of the task for
    `switch_case`, an amount up to the task's budget, a reason, a note code, an expedite flag.
    Most samples are legal but rule-invalid in context, as random play is.
    """

    def __init__(
        self,
        case_ids: Sequence[str],
        budget_usd: float,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        """Create the space of a task with these cases and this budget (used by `sample`)."""
        super().__init__(shape=None, dtype=None, seed=seed)
        self.case_ids = tuple(case_ids)
        self.budget_usd = float(budget_usd)

    @property
    def is_np_flattenable(self) -> bool:
        """No: actions are not encoded as arrays."""
        return False

    def contains(self, x: Any) -> bool:
        """Whether `x` is an `Action`, or a dict the engine accepts as one."""
        if isinstance(x, Action):
            return True
        if not isinstance(x, dict):
            return False
        try:
            _core.parse_action(x)
        except ValueError:
            return False
        return True

    def sample(self, mask: Any = None, probability: Any = None) -> dict[str, Any]:
        """Draw an action with `self.np_random` (masks are not supported)."""
        if mask is not None or probability is not None:
            raise NotImplementedError("ActionSpace.sample takes no mask or probability")
        rng = self.np_random
        action_type = ACTION_TYPES[int(rng.integers(len(ACTION_TYPES)))]
        action: dict[str, Any] = {"action_type": action_type}
        if action_type == "switch_case" and self.case_ids:
            action["case_id"] = self.case_ids[int(rng.integers(len(self.case_ids)))]
        elif action_type == "issue_refund":
            action["refund_amount_usd"] = round(float(rng.uniform(0.0, self.budget_usd)), 2)
        elif action_type == "ship_replacement":
            action["expedite"] = bool(rng.integers(2))
        elif action_type == "escalate_risk":
            reason = ESCALATION_REASONS[int(rng.integers(len(ESCALATION_REASONS)))]
            action["escalation_reason"] = reason
        elif action_type == "add_internal_note":
            action["note_code"] = f"note_{int(rng.integers(100))}"
        return action

    def __eq__(self, other: object) -> bool:
        """Whether `other` is the action space of the same cases and budget."""
        return (
            isinstance(other, ActionSpace)
            and other.case_ids == self.case_ids
            and other.budget_usd == self.budget_usd
        )

    def __repr__(self) -> str:
        """Name the space and its task's cases and budget."""
        return f"ActionSpace(case_ids={list(self.case_ids)}, budget_usd={self.budget_usd})"
