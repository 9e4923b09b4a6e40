"""The numeric encoding: its layout, its action table against the wire actions it stands for,
its values read back against the wire observation, masks, threads, and an optimal episode."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import EASY
from gymnasium.wrappers.vector import NormalizeObservation, RecordEpisodeStatistics

import shopops

N = 4
DOCS = Path(__file__).resolve().parents[2] / "docs" / "python.md"


def field(env: shopops.VectorEnv, name: str, case: str | None = None) -> slice:
    for f in env.layout:
        if f["name"] == name and f["case"] == case:
            return slice(f["start"], f["stop"])
    raise KeyError(name)


def test_the_layout_tiles_the_vector_and_the_docs_name_every_field(task: str) -> None:
    env = shopops.VectorEnv(task, 1, encoding="numeric")
    layout = env.layout
    assert [f["start"] for f in layout] == [0] + [f["stop"] for f in layout[:-1]]
    assert layout[-1]["stop"] == env.single_observation_space.shape[0]
    cases = env.scenarios.game(task, 0, "p").observation()["queue"]
    assert {f["case"] for f in layout} == {None} | {c["case_id"] for c in cases}
    docs = DOCS.read_text()
    for f in layout:
        generic = "case.<response>" if f["meaning"].startswith("a response") else f["name"]
        assert f"`{generic}`" in docs, f"docs/python.md does not describe {generic}"
        assert f["labels"] == [] or len(f["labels"]) == f["stop"] - f["start"]


def test_numeric_steps_are_the_wire_actions_they_stand_for(task: str) -> None:
    """A numeric and a dict VectorEnv fed the same actions: same rewards, flags and seeds,
    and the numeric observation says what the wire observation says."""
    numeric = shopops.VectorEnv(task, N, encoding="numeric")
    wire = shopops.VectorEnv(task, N)
    numbers, _ = numeric.reset(seed=7)
    dicts, _ = wire.reset(seed=7)
    rng = np.random.default_rng(0)
    ended = np.zeros(N, dtype=np.bool_)
    for _ in range(80):
        check_numeric_view(numeric, numbers, dicts, ended)
        mask = numeric.action_masks()
        indices = np.array(
            [
                rng.choice(np.flatnonzero(m)) if rng.random() < 0.8 else rng.integers(len(m))
                for m in mask
            ]
        )
        actions = [numeric.decode_action(i, int(a)) for i, a in enumerate(indices)]
        numbers, rewards, terminated, truncated, infos = numeric.step(indices)
        dicts, want_rewards, want_terminated, want_truncated, want_infos = wire.step(actions)
        np.testing.assert_array_equal(rewards, want_rewards)
        np.testing.assert_array_equal(terminated, want_terminated)
        np.testing.assert_array_equal(truncated, want_truncated)
        assert numeric.seeds() == wire.seeds()
        done = terminated | truncated
        if done.any():
            np.testing.assert_array_equal(infos["_grade"], done)
            ends = zip(dicts, done, strict=True)
            grades = [d["metadata"]["grade"]["score"] for d, e in ends if e]
            np.testing.assert_allclose(infos["grade"][done], grades)
        refused = numbers[:, field(numeric, "last_refused")][:, 0]
        for i in range(N):
            if not ended[i]:
                assert refused[i] == (want_infos["last_action_error"][i] is not None)
                assert refused[i] == (not mask[i, indices[i]])
        ended = done


def check_numeric_view(
    env: shopops.VectorEnv, numbers: np.ndarray, dicts: tuple[Any, ...], ended: np.ndarray
) -> None:
    meta = dicts[0]["metadata"]
    for i, observation in enumerate(dicts):
        row = numbers[i]
        resources = observation["resources"]
        assert row[field(env, "time_used")][0] == pytest.approx(
            resources["time_used_minutes"] / meta["time_limit_minutes"], rel=1e-6
        )
        assert row[field(env, "steps")][0] == pytest.approx(
            observation["step_index"] / meta["max_steps"], rel=1e-6
        )
        active = observation["active_case"]
        cases = [f["case"] for f in env.layout if f["name"] == "case.status"]
        assert cases[int(np.argmax(row[field(env, "active_case")]))] == active["case_id"]
        labels = next(f for f in env.layout if f["name"] == "case.status")
        for item in observation["queue"]:
            status = row[field(env, "case.status", item["case_id"])]
            assert labels["labels"][int(np.argmax(status))] == item["status"]
        blockers = next(f for f in env.layout if f["name"] == "case.blockers")["labels"]
        shown = row[field(env, "case.blockers", active["case_id"])]
        assert [b for b, x in zip(blockers, shown, strict=True) if x] == sorted(
            active["blockers"], key=blockers.index
        )
        facts = next(f for f in env.layout if f["name"] == "case.facts")["labels"]
        known = row[field(env, "case.facts_known", active["case_id"])]
        values = row[field(env, "case.facts", active["case_id"])]
        shown_facts = {f for f, k in zip(facts, known, strict=True) if k}
        assert shown_facts == set(observation["metadata"]["known_facts"])
        for name, value in observation["metadata"]["known_facts"].items():
            got = values[facts.index(name)]
            if isinstance(value, bool):
                assert got == float(value)
            elif isinstance(value, (int, float)):
                assert got == pytest.approx(value, rel=1e-6)
            else:
                assert env.names[int(got) - 1] == value


def test_masked_in_actions_are_never_refused_and_threads_change_nothing(task: str) -> None:
    one = shopops.VectorEnv(task, 8, encoding="numeric")
    two = shopops.VectorEnv(task, 8, encoding="numeric", threads=2)
    a, _ = one.reset(seed=1)
    b, _ = two.reset(seed=1)
    rng = np.random.default_rng(1)
    for _ in range(50):
        mask = one.action_masks()
        np.testing.assert_array_equal(mask, two.action_masks())
        indices = np.array([rng.choice(np.flatnonzero(m)) for m in mask])
        a, ra, _ta, _ua, _ = one.step(indices)
        b, rb, _tb, _ub, _ = two.step(indices)
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(ra, rb)
        assert not a[:, field(one, "last_refused")].any()


def test_an_index_outside_the_table_raises_and_nothing_is_stepped() -> None:
    env = shopops.VectorEnv(EASY, 2, encoding="numeric")
    first, _ = env.reset(seed=1)
    with pytest.raises(ValueError, match="not in the action table"):
        env.step(np.array([0, env.single_action_space.n]))
    again = env.step(np.array([0, 0]))[0]
    np.testing.assert_allclose(again[:, field(env, "steps")], [[1 / 12], [1 / 12]], rtol=1e-6)
    with pytest.raises(ValueError, match="action 1: action_type must be one of"):
        shopops.VectorEnv(EASY, 2).step([{"action_type": "inspect_order"}, {"action_type": "x"}])
    assert first.shape == again.shape


def test_gymnasiums_vector_wrappers_run_on_it(task: str) -> None:
    env = RecordEpisodeStatistics(
        NormalizeObservation(shopops.VectorEnv(task, N, encoding="numeric"))
    )
    env.reset(seed=0)
    episodes = 0
    for _ in range(60):
        *_, infos = env.step(env.action_space.sample())
        if "episode" in infos:
            episodes += int(infos["_episode"].sum())
            assert (infos["grade"][infos["_grade"]] >= 0).all()
    assert episodes > 0


def test_a_numeric_agent_can_play_the_easy_task_to_grade_one() -> None:
    """The optimal plan of the easy task through the action table, read off the encoding."""
    env = shopops.VectorEnv(EASY, 1, encoding="numeric", refund_levels=200)
    labels = env.action_labels
    for seed in range(1, 6):
        observations, _ = env.reset(seed=seed)
        for name in ("inspect_order", "inspect_policy", "inspect_customer_history"):
            observations, *_ = env.step([labels.index(name)])
        row = observations[0]
        case = next(f["case"] for f in env.layout if f["case"])
        facts = next(f for f in env.layout if f["name"] == "case.facts")["labels"]
        values = dict(zip(facts, row[field(env, "case.facts", case)], strict=True))
        budget = env.scenarios.info(EASY)["budget_usd"]
        value = row[field(env, "case.order_value", case)][0] * budget
        low = value * values["refund_min_pct"] / 100 - values["prior_credit_usd"]
        high = value * values["refund_max_pct"] / 100 - values["prior_credit_usd"]
        level = next(k for k in range(200, 0, -1) if low <= value * k / 200 <= high)
        note = next(i for i, label in enumerate(labels) if label.startswith("add_internal_note"))
        plan = [
            labels.index(f"issue_refund {level / 2:.1f}% of the order value"),
            note,
            labels.index("close_case"),
        ]
        for action in plan:
            assert env.action_masks()[0, action]
            *_, terminated, truncated, infos = env.step([action])
        assert (terminated[0], truncated[0]) and infos["grade"][0] == 1.0


def test_the_docs_list_the_easy_tasks_slices_as_they_are() -> None:
    env = shopops.VectorEnv(EASY, 1, encoding="numeric")
    parts = []
    for f in env.layout:
        size = f["stop"] - f["start"]
        where = "(none)" if size == 0 else str(f["start"])
        parts.append(f"`{f['name']}` {where}" + (f"\u2013{f['stop'] - 1}" if size > 1 else ""))
    assert ", ".join(parts) in " ".join(DOCS.read_text().split())
