"""The Gymnasium environment: Gymnasium's own checker, determinism, the engine's flags."""

from __future__ import annotations

import warnings

import gymnasium
import pytest
from conftest import EASY, REVIEWS, TASKS, easy_plan
from gymnasium.utils.env_checker import check_env

import shopops


def test_the_installed_package_carries_the_shipped_scenarios() -> None:
    assert not shopops.SHIPPED.is_symlink(), "run the tests against the installed wheel"
    assert sorted(p.name for p in shopops.SHIPPED.glob("*.shop")) == sorted(
        [f"{task}.shop" for task in TASKS] + ["prelude.shop"]
    )


def test_every_shipped_task_is_registered() -> None:
    assert TASKS == ["fraud_stockout_cascade", "refund_policy_recovery", "sla_queue_juggle"]
    for task in TASKS:
        assert f"shopops/{task}" in gymnasium.registry


def test_check_env_passes_without_a_warning(task: str) -> None:
    env = gymnasium.make(f"shopops/{task}")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(env.unwrapped)


def play(task: str, seed: int, steps: int) -> list[tuple[object, ...]]:
    """Observations, rewards and flags of `steps` sampled actions (the space seeded too)."""
    env = shopops.Env(task)
    env.action_space.seed(seed)
    observation, info = env.reset(seed=seed)
    trace: list[tuple[object, ...]] = [(observation, info)]
    for _ in range(steps):
        step = env.step(env.action_space.sample())
        trace.append(step)
        if step[2] or step[3]:
            break
    return trace


def test_same_seed_and_actions_give_identical_episodes(task: str) -> None:
    first = play(task, 11, 30)
    assert len(first) > 5
    assert first == play(task, 11, 30)
    assert first[0][0] != play(task, 12, 0)[0][0]


def test_unseeded_resets_follow_the_seeded_generator() -> None:
    env = shopops.Env(EASY)
    env.reset(seed=5)
    second, _ = env.reset()
    env.reset(seed=5)
    assert env.reset()[0] == second


def test_observations_are_wire_observations_and_info_has_the_breakdown() -> None:
    env = shopops.Env(EASY)
    observation, info = env.reset(seed=1)
    assert observation in env.observation_space
    assert observation["reward"] is None and observation["done"] is False
    assert {"reward_breakdown", "last_action_error"} <= info.keys()
    assert {**observation, "extra": 1} not in env.observation_space
    assert {**observation, "step_index": "one"} not in env.observation_space


def test_the_easy_task_played_optimally_terminates_with_grade_one() -> None:
    env = shopops.Env(EASY, render_mode="ansi")
    for seed in range(1, 6):
        env.reset(seed=seed)
        total = 0.0
        for action in REVIEWS:
            total += float(env.step(shopops.Action(**action))[1])
        for action in easy_plan(lambda: env.game.observation()):
            _, reward, terminated, truncated, info = env.step(action)
            total += float(reward)
        assert (terminated, truncated) == (True, False)
        assert info["grade"]["score"] == 1.0
        assert info["termination_reason"] == info["episode_summary"]["termination_reason"]
        assert total == pytest.approx(1.13)
        assert "close_case" in env.render()


def test_truncated_and_terminated_are_the_engines() -> None:
    env = shopops.Env(EASY)
    env.reset(seed=3)
    for _ in range(12):
        _, _, terminated, truncated, info = env.step({"action_type": "inspect_inventory"})
    assert (terminated, truncated) == (False, True)
    assert info["termination_reason"] == "step_limit"
    with pytest.raises(gymnasium.error.ResetNeeded):
        env.step({"action_type": "inspect_order"})


def test_max_episode_steps_truncates_early() -> None:
    env = shopops.Env(EASY, max_episode_steps=2)
    env.reset(seed=1)
    assert env.step({"action_type": "inspect_order"})[2:4] == (False, False)
    assert env.step({"action_type": "inspect_policy"})[2:4] == (False, True)


def test_a_rule_invalid_action_is_a_penalised_step() -> None:
    env = shopops.Env(EASY)
    env.reset(seed=1)
    observation, reward, _, _, info = env.step({"action_type": "close_case"})
    assert float(reward) < 0
    assert observation["step_index"] == 1
    assert info["last_action_error"].startswith("cannot_close_with_blockers")


def test_a_malformed_action_raises_and_is_not_a_step() -> None:
    env = shopops.Env(EASY)
    env.reset(seed=1)
    with pytest.raises(ValueError, match="action_type must be one of the 12 action types"):
        env.step({"action_type": "bogus"})
    with pytest.raises(ValueError, match="refund_amount_usd must be a finite number >= 0"):
        shopops.Action("issue_refund", refund_amount_usd=-1.0)
    assert {"action_type": "bogus"} not in env.action_space
    assert env.step({"action_type": "inspect_order"})[0]["step_index"] == 1


def test_options_switch_task_and_label_the_episode() -> None:
    env = shopops.Env(EASY)
    observation, _ = env.reset(seed=2, options={"task": TASKS[0], "episode_id": "mine"})
    assert (observation["current_task"], observation["episode_id"]) == (TASKS[0], "mine")
    assert env.action_space.contains(env.action_space.sample())


def test_tasks_rows() -> None:
    rows = shopops.tasks(range(2))
    assert rows[:2] == [{"task": TASKS[0], "seed": 0}, {"task": TASKS[0], "seed": 1}]
    assert len(rows) == 2 * len(TASKS)


def test_the_native_action_types_are_the_typed_ones() -> None:
    names = [tool["function"]["name"] for tool in shopops._core.function_tools()]
    assert tuple(names) == shopops.ACTION_TYPES
