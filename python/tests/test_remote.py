"""`RemoteEnv` and the TRL class's remote mode against a real `shopops serve`: the same
episodes as in-process and as `shopops run`, and the same API."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gymnasium
import pytest
from conftest import EASY, TASKS
from gymnasium.utils.env_checker import check_env
from gymnasium.utils.env_match import check_environments_match
from gymnasium.wrappers import Autoreset
from server import BINARY, serve, shopops_run
from test_trl import play_easy
from websockets.exceptions import ConnectionClosed

import shopops
from shopops.trl import ShopOpsToolEnv

pytestmark = pytest.mark.skipif(not BINARY, reason="SHOPOPS_BIN (the `shopops` binary) is not set")


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with serve() as running:
        yield running


def play(env: shopops.Env, actions: list[dict[str, Any]], seed: int) -> list[Any]:
    """Every observation, reward, flag, info and transcript line of an episode."""
    observation, info = env.reset(seed=seed, options={"episode_id": f"run-{seed}"})
    trace: list[Any] = [(observation, info, env.render())]
    for action in actions:
        step = env.step(action)
        trace.append((*step, env.render()))
        if step[2] or step[3]:
            break
    return trace


@pytest.mark.parametrize("task", TASKS)
def test_in_process_remote_and_shopops_run_play_the_same_episode(url: str, task: str) -> None:
    seed = 17
    local = shopops.Env(task, render_mode="ansi")
    local.action_space.seed(seed)
    actions = [local.action_space.sample() for _ in range(25)]
    remote = shopops.RemoteEnv(url, task, render_mode="ansi")
    try:
        here, there = play(local, actions, seed), play(remote, actions, seed)
    finally:
        remote.close()
    assert len(here) > 3
    assert here == there

    path = Path(local.scenarios.info(task)["path"])
    played = actions[: len(here) - 1]
    assert shopops_run(path, seed, played) == [step[0] for step in there]


@pytest.mark.parametrize("task", TASKS)
def test_gymnasiums_environment_match_holds_over_many_episodes(url: str, task: str) -> None:
    """Gymnasium's own check_environments_match, with Autoreset: unseeded resets draw from
    each environment's generator, seeded alike, so both play the same seeds."""
    local = Autoreset(shopops.Env(task, render_mode="ansi"))
    remote = Autoreset(shopops.RemoteEnv(url, task, render_mode="ansi"))
    try:
        check_environments_match(local, remote, num_steps=150, seed=5)
    finally:
        remote.close()


def test_check_env_passes_on_the_remote_env(url: str) -> None:
    env_id = "shopops-remote-test/easy"
    kwargs = {"url": url, "task": EASY}
    gymnasium.register(id=env_id, entry_point="shopops._remote:RemoteEnv", kwargs=kwargs)
    env = gymnasium.make(env_id)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            check_env(env.unwrapped)
    finally:
        env.close()
        del gymnasium.registry[env_id]


def test_the_remote_env_raises_as_the_in_process_one(url: str) -> None:
    with pytest.raises(KeyError, match="nope"):
        shopops.RemoteEnv(url, "nope")
    env = shopops.RemoteEnv(url, EASY)
    try:
        with pytest.raises(gymnasium.error.ResetNeeded):
            env.step({"action_type": "inspect_order"})
        env.reset(seed=3)
        with pytest.raises(ValueError, match="action_type"):
            env.step({"action_type": "bogus"})
        assert env.step({"action_type": "inspect_order"})[0]["step_index"] == 1
        for _ in range(11):
            _, _, terminated, truncated, info = env.step({"action_type": "inspect_inventory"})
        assert (terminated, truncated) == (False, True)
        assert env.game is not None and env.game.grade() == info["grade"]
        with pytest.raises(gymnasium.error.ResetNeeded):
            env.step({"action_type": "inspect_order"})
        assert env.game.state()["step_count"] == 12
    finally:
        env.close()


@pytest.mark.parametrize("seed", [1, 2])
def test_a_scripted_trl_episode_through_the_server_grades_one(url: str, seed: int) -> None:
    with ShopOpsToolEnv(url=url) as remote:
        local = ShopOpsToolEnv()
        first = remote.reset(task=EASY, seed=seed)
        assert first == local.reset(task=EASY, seed=seed)
        assert play_easy(remote) == play_easy(local)
        assert (remote.done, remote.grade) == (True, 1.0)
        assert remote.get_reward() == local.get_reward() == pytest.approx(1.13)


def test_a_reset_reconnects_a_closed_connection_and_a_step_does_not(url: str) -> None:
    env = shopops.RemoteEnv(url, EASY)
    try:
        env.reset(seed=4)
        assert env.session._socket is not None
        env.session._socket.close()  # as the server's idle timeout would
        with pytest.raises(ConnectionClosed):
            env.step({"action_type": "inspect_order"})
        observation, _ = env.reset(seed=4)
        assert observation == shopops.Env(EASY).reset(seed=4)[0]
        assert env.step({"action_type": "inspect_order"})[0]["step_index"] == 1
    finally:
        env.close()


def test_splits_play_the_same_seeds_remotely(url: str) -> None:
    local, remote = shopops.Env(EASY), shopops.RemoteEnv(url, EASY)
    try:
        assert remote.scenarios.splits(EASY) == local.scenarios.splits(EASY)
        for options in ({"split": "test", "index": 12}, {"split": "train", "index": 0}):
            assert remote.reset(options=options)[0] == local.reset(options=options)[0]
        with pytest.raises(KeyError, match="unknown split"):
            remote.reset(options={"split": "nope", "index": 0})
        assert remote.reset(seed=250, options={"split": "train"})[0]["metadata"]["seed"] == 250
        with pytest.raises(ValueError, match="not in split"):
            remote.reset(seed=3, options={"split": "train"})
    finally:
        remote.close()
