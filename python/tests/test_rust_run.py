"""In-process episodes equal the Rust CLI's: `shopops run --seed S` with JSON actions on stdin."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import TASKS

import shopops

BINARY = os.environ.get("SHOPOPS_BIN")


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
    lines = "".join(json.dumps(action) + "\n" for action in actions)
    run = subprocess.run(
        [str(BINARY), "run", str(path), "--seed", str(seed)],
        input=lines,
        capture_output=True,
        text=True,
        check=True,
    )
    envelopes = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(envelopes) == len(observations)
    for envelope, observation in zip(envelopes, observations, strict=True):
        wire = {**envelope["observation"], "reward": envelope["reward"], "done": envelope["done"]}
        assert wire == observation
