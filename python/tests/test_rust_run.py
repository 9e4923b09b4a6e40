"""In-process episodes equal the Rust CLI's: `shopops run --seed S` with JSON actions on stdin."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TASKS
from server import BINARY, shopops_run

import shopops


@pytest.mark.skipif(not BINARY, reason="SHOPOPS_BIN (the `shopops` binary) is not set")
@pytest.mark.parametrize("task", TASKS)
def test_in_process_equals_shopops_run(task: str) -> None:
    seed = 17
    env = shopops.Env(task)
    env.action_space.seed(seed)
    observation, _ = env.reset(seed=seed, options={"episode_id": f"run-{seed}"})
    observations, actions = [observation], []
    while not observations[-1]["done"] and len(actions) < 25:
        actions.append(env.action_space.sample())
        observations.append(env.step(actions[-1])[0])

    path = Path(env.scenarios.info(task)["path"])
    assert shopops_run(path, seed, actions) == observations
