"""The observation and info dicts are exactly the wire JSON: every field and its type (an int is
not a float, a bool not an int), over random episodes played to their end on every task, from
`Env` and from `VectorEnv`'s dict mode (autoresets included), against the observations
`shopops run` prints. (Key order is not compared: `shopops run` prints keys sorted, the dicts
hold them in the order of the engine's `Observation` fields.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import TASKS
from server import BINARY, shopops_run

import shopops
from shopops._env import INFO_KEYS

pytestmark = pytest.mark.skipif(not BINARY, reason="SHOPOPS_BIN (the `shopops` binary) is not set")

N = 4


def exact(value: Any) -> str:
    """`value` as JSON text with sorted keys: equal texts mean equal keys, equal types and
    equal values (floats printed to round trip)."""
    return json.dumps(value, sort_keys=True)


def wire_info(observation: dict[str, Any]) -> dict[str, Any]:
    """`Env`'s info of a wire observation: its metadata entries in `INFO_KEYS`, in that order."""
    meta = observation["metadata"]
    return {key: meta[key] for key in INFO_KEYS if key in meta}


def path_of(task: str) -> Path:
    return Path(shopops.load().info(task)["path"])


@pytest.mark.parametrize("task", TASKS)
def test_env_dicts_are_exactly_shopops_runs_json(task: str) -> None:
    env = shopops.Env(task)
    for seed in (3, 4, 5):
        env.action_space.seed(seed)
        observation, info = env.reset(seed=seed, options={"episode_id": f"run-{seed}"})
        observations, infos, actions = [observation], [info], []
        while not observations[-1]["done"]:
            actions.append(env.action_space.sample())
            observation, _, _, _, info = env.step(actions[-1])
            observations.append(observation)
            infos.append(info)
        wire = shopops_run(path_of(task), seed, actions)
        assert [exact(o) for o in observations] == [exact(w) for w in wire]
        assert [exact(i) for i in infos] == [exact(wire_info(w)) for w in wire]
        assert "grade" in infos[-1]


@pytest.mark.parametrize("task", TASKS)
def test_vector_dicts_and_infos_are_exactly_shopops_runs_json(task: str) -> None:
    """Every sub-episode that ends within the steps played, with the infos of each step
    unbatched (the `_key` masks say which sub-environments have an entry)."""
    env = shopops.VectorEnv(task, N)
    env.action_space.seed(1)
    observations, infos = env.reset(seed=20)
    running: list[dict[str, Any]] = [
        {"seed": seed, "observations": [observations[i]], "infos": [unbatch(infos, i)]}
        for i, seed in enumerate(env.seeds())
    ]
    ended = [False] * N
    checked = 0
    for _ in range(120):
        actions = env.action_space.sample()
        observations, _, terminated, truncated, infos = env.step(actions)
        for i in range(N):
            if ended[i]:  # the autoreset step: a new episode's first observation
                running[i] = {"seed": env.seeds()[i], "observations": [], "infos": []}
            else:
                running[i].setdefault("actions", []).append(actions[i])
            running[i]["observations"].append(observations[i])
            running[i]["infos"].append(unbatch(infos, i))
            ended[i] = bool(terminated[i] or truncated[i])
            if ended[i]:
                check_episode(task, running[i])
                checked += 1
    assert checked >= N


def unbatch(infos: dict[str, Any], i: int) -> dict[str, Any]:
    """Sub-environment `i`'s info out of Gymnasium's batched infos (its `_key` masks)."""
    single: dict[str, Any] = {}
    for key, value in infos.items():
        if key.startswith("_") or not infos[f"_{key}"][i]:
            continue
        single[key] = unbatch(value, i) if isinstance(value, dict) else value[i]
    return single


def check_episode(task: str, episode: dict[str, Any]) -> None:
    seed, actions = episode["seed"], episode.get("actions", [])
    wire = shopops_run(path_of(task), seed, actions)
    for w in wire:
        w["episode_id"] = f"{task}-{seed}"
    assert [exact(o) for o in episode["observations"]] == [exact(w) for w in wire]
    for info, w in zip(episode["infos"], wire, strict=True):
        # Batched arrays hold numpy scalars: compare them as the Python values they batch.
        assert json.dumps(info, sort_keys=True, default=lambda x: x.item()) == exact(wire_info(w))
