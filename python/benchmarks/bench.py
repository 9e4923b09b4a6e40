"""Steps per second of every way to play ShopOps from Python, measured side by side in one run.

    SHOPOPS_BIN=target/release/shopops target/python-venv/bin/python python/benchmarks/bench.py

(after `bash python/test.sh`, which builds both). Every front end plays the same loop: the
task's actions sampled by its seeded `ActionSpace` (so most are legal, many rule-invalid, as
random play is), a reset with the next seed whenever an episode ends; steps count, resets
cost time. Measured:

- `Env`: in-process, one episode, wire dicts;
- `VectorEnv` of 64 episodes: numeric (random table indices; also on 2 threads), numeric with
  `action_masks()` every step, and dicts (also on 2 threads, and with `gc.freeze()` after
  setup);
- `RemoteEnv` over a WebSocket to a release `shopops serve` started here on loopback;
- OpenEnv 0.10's official client (`GenericEnvClient(...).sync()`, which speaks WebSocket: 0.10
  has no HTTP client) and a plain HTTP/1.1 keep-alive loop (`POST /reset`, `/step` with the
  episode id), both run from `target/conformance-venv` (made by tests/conformance/run.sh).

The server and the client share the machine's cores.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parents[2]
OPENENV_PYTHON = ROOT / "target" / "conformance-venv" / "bin" / "python"


def sampled(task: str, count: int, seed: int = 0) -> list[dict[str, Any]]:
    """Return `count` actions of `task` drawn by its seeded action space."""
    import shopops

    space = shopops.Env(task).action_space
    space.seed(seed)
    drawn = (space.sample() for _ in range(count))
    return [a.to_dict() if isinstance(a, shopops.Action) else a for a in drawn]


def rate(steps: int, started: float) -> float:
    """Return the steps per second since `started`."""
    return steps / (time.perf_counter() - started)


def bench_env(env: Any, actions: list[dict[str, Any]]) -> float:
    """Play `actions` through a Gymnasium env, resetting with the next seed at each end."""
    seed = 0
    env.reset(seed=seed)
    started = time.perf_counter()
    for action in actions:
        _, _, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            seed += 1
            env.reset(seed=seed)
    return rate(len(actions), started)


def bench_vector(
    task: str,
    encoding: Literal["dict", "numeric"],
    batches: int,
    masks: bool = False,
    threads: int = 1,
    frozen: bool = False,
) -> float:
    """Measure a 64-episode `VectorEnv` (numeric: random table indices).

    `frozen`: `gc.freeze()` once the environment is made, as a trainer may after its setup
    (docs/python.md), so the cyclic collector's full passes skip what the imports made.
    """
    import numpy as np
    from gymnasium.spaces import Discrete

    import shopops

    env = shopops.VectorEnv(task, 64, encoding=encoding, threads=threads)
    env.reset(seed=0)
    if encoding == "numeric":
        table = env.single_action_space
        assert isinstance(table, Discrete)
        rng = np.random.default_rng(0)
        plan: list[Any] = list(rng.integers(0, int(table.n), size=(batches, 64)))
    else:
        actions = sampled(task, batches * 64)
        plan = [actions[b * 64 : (b + 1) * 64] for b in range(batches)]
    if frozen:
        gc.freeze()
    try:
        started = time.perf_counter()
        for actions in plan:
            if masks:
                env.action_masks()
            env.step(actions)
        return rate(batches * 64, started)
    finally:
        if frozen:
            gc.unfreeze()


def openenv_client(url: str, task: str, actions: list[dict[str, Any]]) -> float:
    """Play the loop through OpenEnv's official client (run in the conformance venv)."""
    # Installed in target/conformance-venv only, where this function runs.
    from openenv.core import GenericEnvClient  # type: ignore[import-not-found]

    with GenericEnvClient(base_url=url).sync() as client:
        seed = 0
        client.reset(task=task, seed=seed)
        started = time.perf_counter()
        for action in actions:
            if client.step(action).done:
                seed += 1
                client.reset(task=task, seed=seed)
        return rate(len(actions), started)


def http_loop(url: str, task: str, actions: list[dict[str, Any]]) -> float:
    """Play the loop over plain HTTP/1.1 keep-alive (one connection, stored episodes)."""
    host = url.removeprefix("http://")
    connection = http.client.HTTPConnection(host, timeout=30)

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        connection.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        reply = connection.getresponse()
        data: dict[str, Any] = json.loads(reply.read())
        if reply.status != 200:
            raise RuntimeError(f"{path}: {reply.status} {data}")
        return data

    seed = 0
    episode = f"bench-{seed}"
    post("/reset", {"task": task, "seed": seed, "episode_id": episode})
    started = time.perf_counter()
    for action in actions:
        if post("/step", {"action": action, "episode_id": episode})["done"]:
            seed += 1
            episode = f"bench-{seed}"
            post("/reset", {"task": task, "seed": seed, "episode_id": episode})
    return rate(len(actions), started)


def remote_figures(url: str, task: str, actions: list[dict[str, Any]]) -> dict[str, float]:
    """Measure RemoteEnv here, OpenEnv's client and the HTTP loop in the conformance venv."""
    import shopops

    remote = shopops.RemoteEnv(url, task)
    try:
        figures = {"RemoteEnv (WebSocket)": bench_env(remote, actions)}
    finally:
        remote.close()
    if not OPENENV_PYTHON.exists():
        print(f"(no {OPENENV_PYTHON}: run tests/conformance/run.sh for the OpenEnv figures)")
        return figures
    for mode, label in (("openenv", "OpenEnv client (WebSocket)"), ("http", "plain HTTP")):
        child = subprocess.run(
            [str(OPENENV_PYTHON), __file__, "--child", mode, url, task],
            input=json.dumps(actions),
            capture_output=True,
            text=True,
            check=True,
        )
        figures[label] = float(child.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    """Measure every front end on every task and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20_000, help="steps per in-process figure")
    parser.add_argument("--remote-steps", type=int, default=4_000, help="steps per remote one")
    parser.add_argument("--batches", type=int, default=400, help="VectorEnv batches of 64")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, url, task = args.child
        actions = json.load(sys.stdin)
        print(
            openenv_client(url, task, actions)
            if mode == "openenv"
            else http_loop(url, task, actions)
        )
        return

    sys.path.insert(0, str(ROOT / "python" / "tests"))
    from server import serve

    import shopops

    tasks = shopops.load().ids()
    rows: dict[str, dict[str, float]] = {}
    with serve() as url:
        for task in tasks:
            actions = sampled(task, args.steps)
            figures = {
                "Env (in-process)": bench_env(shopops.Env(task), actions),
                "VectorEnv 64, numeric": bench_vector(task, "numeric", args.batches),
                "VectorEnv 64, numeric, 2 threads": bench_vector(
                    task, "numeric", args.batches, threads=2
                ),
                "VectorEnv 64, numeric + masks": bench_vector(task, "numeric", args.batches, True),
                "VectorEnv 64, dict": bench_vector(task, "dict", args.batches // 4),
                "VectorEnv 64, dict, 2 threads": bench_vector(
                    task, "dict", args.batches // 4, threads=2
                ),
                "VectorEnv 64, dict, 2 threads, gc.freeze()": bench_vector(
                    task, "dict", args.batches // 4, threads=2, frozen=True
                ),
            }
            figures |= remote_figures(url, task, actions[: args.remote_steps])
            for label, figure in figures.items():
                rows.setdefault(label, {})[task] = figure
    print(f"\nsteps/s, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end\n")
    print("| Front end | " + " | ".join(tasks) + " |")
    print("|---|" + "---:|" * len(tasks))
    for label, by_task in rows.items():
        print(f"| {label} | " + " | ".join(f"{by_task[t]:,.0f}" for t in tasks) + " |")


if __name__ == "__main__":
    main()
