"""The TRL tool environment: its tools as TRL extracts them, and a scripted episode."""

from __future__ import annotations

import inspect

import pytest
from conftest import EASY, REVIEWS, easy_plan
from transformers.utils import get_json_schema

import shopops
from shopops.trl import ShopOpsToolEnv, ToolError


def tools(env: object) -> dict[str, object]:
    """The tools TRL's GRPOTrainer makes of an environment (trl/trainer/grpo_trainer.py)."""
    return {
        name: member
        for name, member in inspect.getmembers(env, predicate=inspect.ismethod)
        if name not in ("reset", "get_reward") and not name.startswith("_")
    }


def test_one_tool_per_action_type_with_a_schema() -> None:
    env = ShopOpsToolEnv()
    found = tools(env)
    assert sorted(found) == sorted(shopops.ACTION_TYPES)
    schemas = {name: get_json_schema(method)["function"] for name, method in found.items()}
    for name, schema in schemas.items():
        assert schema["name"] == name
        assert schema["description"], name
    assert schemas["issue_refund"]["parameters"] == {
        "type": "object",
        "properties": {
            "amount_usd": {
                "type": "number",
                "description": "The amount to refund, in USD (at least 0, cents at most).",
            }
        },
        "required": ["amount_usd"],
    }
    reason = schemas["escalate_risk"]["parameters"]["properties"]["reason"]
    assert reason["enum"] == list(shopops.ESCALATION_REASONS)
    assert schemas["ship_replacement"]["parameters"].get("required") is None
    assert schemas["switch_case"]["parameters"]["required"] == ["case_id"]
    assert schemas["add_internal_note"]["parameters"]["required"] == ["note_code"]
    assert schemas["inspect_order"]["parameters"] == {"type": "object", "properties": {}}


def play_easy(env: ShopOpsToolEnv) -> str:
    text = ""
    for action in REVIEWS:
        text = getattr(env, action["action_type"])()
    refund, note, _ = easy_plan(lambda: env.game.observation())
    env.issue_refund(amount_usd=refund["refund_amount_usd"])
    env.add_internal_note(note_code=note["note_code"])
    return text + env.close_case()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_scripted_episode_grades_one(seed: int) -> None:
    env = ShopOpsToolEnv()
    first = env.reset(**{"task": EASY, "seed": seed, "prompt": [{"role": "user", "content": ""}]})
    assert first.startswith("You work the operations desk")
    assert "The shift starts: 1 case(s) in the queue, active case RPR-1." in first
    last = play_easy(env)
    assert "The shift is over." in last
    assert (env.done, env.grade) == (True, 1.0)
    assert env.grade_report is not None and env.grade_report["score"] == 1.0
    assert env.get_reward() == env.reward == pytest.approx(1.13)
    with pytest.raises(ToolError, match="the shift is over"):
        env.inspect_order()


def test_rule_invalid_actions_are_tool_errors_the_model_reads() -> None:
    env = ShopOpsToolEnv()
    env.reset(**shopops.tasks([4])[1])
    with pytest.raises(ToolError) as refused:
        env.close_case()
    message = str(refused.value)
    assert message.startswith("Step 1: close_case on RPR-1, reward -0.05.")
    assert "Error: cannot_close_with_blockers" in message
    assert '"step_index":1' in message
    assert env.reward == pytest.approx(-0.05)
    with pytest.raises(ValueError, match="escalation_reason must be one of"):
        env.escalate_risk(reason="because")  # type: ignore[arg-type]
    assert env.game is not None and env.game.observation()["step_index"] == 1


def test_reset_starts_afresh() -> None:
    env = ShopOpsToolEnv(task=EASY)
    env.reset(seed=1)
    play_easy(env)
    env.reset(seed=2)
    assert (env.done, env.grade, env.reward) == (False, None, 0.0)
    assert "Step 1: inspect_order" in env.inspect_order()
