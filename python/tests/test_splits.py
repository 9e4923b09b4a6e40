"""Seed splits from Python: `shopops.tasks(split=...)` rows and `Env.reset(options=...)`."""

from __future__ import annotations

import pytest
from conftest import EASY, TASKS

import shopops
from shopops.trl import ShopOpsToolEnv

MEDIUM = "sla_queue_juggle"


def test_every_shipped_task_declares_test_validation_and_train() -> None:
    for task in TASKS:
        assert shopops.load().splits(task) == {
            "test": [(1, 100)],
            "validation": [(101, 200)],
            "train": [(201, 10_000)],
        }


def test_split_rows_are_every_seed_of_every_task_declaring_it() -> None:
    rows = shopops.tasks(split="test")
    assert len(rows) == 100 * len(TASKS)
    assert rows[0] == {"task": TASKS[0], "split": "test", "seed": 1}
    assert rows[99] == {"task": TASKS[0], "split": "test", "seed": 100}
    assert rows[100] == {"task": TASKS[1], "split": "test", "seed": 1}
    assert len(shopops.tasks(split="train")) == 9_800 * len(TASKS)
    # The server's task list has the same order: /shopops/task {"split": "test", "index": 250}.
    assert rows[250] == {"task": MEDIUM, "split": "test", "seed": 51}


def test_unknown_split_and_seeds_with_a_split_are_refused() -> None:
    with pytest.raises(
        KeyError, match="unknown split `dev`; the splits declared are test, validation, train"
    ):
        shopops.tasks(split="dev")
    with pytest.raises(ValueError, match="seeds or a split, not both"):
        shopops.tasks(range(3), split="test")


def test_reset_by_split_and_index_plays_that_seed() -> None:
    env = shopops.Env(MEDIUM)
    by_index, _ = env.reset(options={"split": "test", "index": 50})
    by_seed, _ = shopops.Env(MEDIUM).reset(seed=51)
    assert by_index == by_seed
    assert by_index["metadata"]["seed"] == 51
    validation, _ = env.reset(options={"split": "validation", "index": 0, "task": EASY})
    assert (validation["current_task"], validation["metadata"]["seed"]) == (EASY, 101)


def test_reset_by_split_alone_draws_a_seed_of_the_split_reproducibly() -> None:
    env = shopops.Env(MEDIUM)
    first, _ = env.reset(seed=7, options={"split": "test"})
    assert first["metadata"]["seed"] == 7  # a given seed of the split is played as is
    drawn = [env.reset(options={"split": "train"})[0]["metadata"]["seed"] for _ in range(20)]
    assert all(201 <= seed <= 10_000 for seed in drawn)
    again = shopops.Env(MEDIUM)
    again.reset(seed=7, options={"split": "test"})
    assert [
        again.reset(options={"split": "train"})[0]["metadata"]["seed"] for _ in range(20)
    ] == drawn


def test_bad_split_options_raise_with_the_splits_named() -> None:
    env = shopops.Env(MEDIUM)
    with pytest.raises(KeyError, match="the splits of `sla_queue_juggle` are test, validation"):
        env.reset(options={"split": "dev", "index": 0})
    with pytest.raises(IndexError, match="index 100 is out of range: the split has 100 seeds"):
        env.reset(options={"split": "test", "index": 100})
    with pytest.raises(ValueError, match="seed 500 is not in split `test`"):
        env.reset(seed=500, options={"split": "test"})
    with pytest.raises(ValueError, match="give 'split' too"):
        env.reset(options={"index": 3})
    with pytest.raises(ValueError, match="not both"):
        env.reset(seed=5, options={"split": "test", "index": 2})


def test_split_rows_reset_the_tool_environment_and_the_env_alike() -> None:
    row = shopops.tasks(split="validation")[150]
    tool = ShopOpsToolEnv()
    tool.reset(**row)
    env = shopops.Env(row["task"])
    observation, _ = env.reset(seed=row["seed"], options=dict(row))
    assert tool.game is not None
    assert tool.game.observation() == observation
    assert observation["metadata"]["seed"] == 151
