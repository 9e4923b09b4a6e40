"""Shared fixtures: the shipped tasks and the scripted optimal play of the easy task."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import shopops

TASKS = shopops.load().ids()
EASY = "refund_policy_recovery"


@pytest.fixture(params=TASKS)
def task(request: pytest.FixtureRequest) -> str:
    return request.param


def easy_plan(observe: Callable[[], dict[str, Any]]) -> list[dict[str, Any]]:
    """The rest of the spec's optimal plan on the easy task, once its three reviews are done.

    As tests/engine.rs plays it: refund the top of the band minus the goodwill already paid,
    add the note the record asks for, close.
    """
    observation = observe()
    facts = observation["metadata"]["known_facts"]
    cents = round(observation["active_case"]["order_value_usd"] * 100)
    top = (cents * facts["refund_max_pct"] * 100 + 5000) // 10_000
    refund = top - round(facts["prior_credit_usd"] * 100)
    return [
        {"action_type": "issue_refund", "refund_amount_usd": refund / 100},
        {"action_type": "add_internal_note", "note_code": facts["note_code"]},
        {"action_type": "close_case"},
    ]


REVIEWS = [
    {"action_type": "inspect_order"},
    {"action_type": "inspect_policy"},
    {"action_type": "inspect_customer_history"},
]
