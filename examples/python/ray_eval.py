"""Evaluate a policy on ShopOps across a Ray cluster: one `VectorEnv` per Ray actor.

    pip install "./python" "ray==2.60.0"
    python examples/python/ray_eval.py --seeds 1000 --actors 2 --num-envs 64

The seeds 1..N of every task are split into one contiguous block per actor; each actor plays
its block `num_envs` episodes at a time in one numeric `VectorEnv` (stepped in Rust) and
returns one record per episode (task, seed, grade, return, length). The driver prints, per
task, the mean grade with a 95 % confidence interval and the throughput.

Without `--address` this starts a local Ray instance; `--address auto` joins the cluster of
the machine (`ray start --head` on one node, `ray start --address=HEAD:6379` on the others,
then run this script on any node): the same code then spreads the actors over every node.
Every node needs the `shopops` package installed (or pass it in a `runtime_env`).

The policy is `masked_random`: uniform over the actions the scenario's rules accept now, its
generator seeded by the episode's seed, so an episode's actions depend on its seed alone (not
on the actor or the batch it ran in) and a run is reproducible. Put a trained policy in its
place: it receives the `(n, observation_size)` float32 observations, the `(n, actions)` masks
and the per-episode generators, and returns `n` action indices.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import ray

import shopops

Policy = Callable[[np.ndarray, np.ndarray, Sequence[np.random.Generator]], np.ndarray]
"""Observations, masks and per-episode generators → one action index per episode."""


def masked_random(
    observations: np.ndarray, masks: np.ndarray, rngs: Sequence[np.random.Generator]
) -> np.ndarray:
    """Pick uniformly among the rule-valid actions of each episode."""
    del observations
    return np.array(
        [rng.choice(np.flatnonzero(mask)) for mask, rng in zip(masks, rngs, strict=True)]
    )


def play_block(
    env: shopops.VectorEnv, seeds: Sequence[int], policy: Policy = masked_random
) -> list[dict[str, Any]]:
    """Play one episode per seed (at most `env.num_envs` seeds) and return their records.

    Sub-environments without a seed, and those whose episode has ended, keep stepping (their
    results ignored) until the last episode of the block ends.
    """
    seeds = list(seeds)
    padded: list[int | None] = [*seeds, *([None] * (env.num_envs - len(seeds)))]
    observations, _ = env.reset(seed=padded)
    rngs = [np.random.default_rng(s if s is not None else 0) for s in padded]
    records: list[dict[str, Any] | None] = [None] * len(seeds)
    while any(r is None for r in records):
        actions = policy(observations, env.action_masks(), rngs)
        observations, _, terminated, truncated, infos = env.step(actions)
        for i in np.flatnonzero(terminated | truncated):
            if i < len(seeds) and records[i] is None:
                records[i] = {
                    "task": env.task,
                    "seed": seeds[i],
                    "grade": float(infos["grade"][i]),
                    "return": float(infos["episode_return"][i]),
                    "length": int(infos["episode_length"][i]),
                }
    return [r for r in records if r is not None]


@ray.remote
class Evaluator:
    """A Ray actor holding one numeric `VectorEnv` per task it is asked about."""

    def __init__(self, num_envs: int) -> None:
        """Make an evaluator of `num_envs` episodes at a time."""
        self.num_envs = num_envs
        self.envs: dict[str, shopops.VectorEnv] = {}

    def evaluate(self, task: str, seeds: list[int]) -> list[dict[str, Any]]:
        """Play `task` on every seed, `num_envs` at a time; return one record per episode."""
        if task not in self.envs:
            self.envs[task] = shopops.VectorEnv(task, self.num_envs, encoding="numeric")
        env = self.envs[task]
        records: list[dict[str, Any]] = []
        for start in range(0, len(seeds), self.num_envs):
            records += play_block(env, seeds[start : start + self.num_envs])
        return records


def evaluators(actors: int, num_envs: int) -> list[Any]:
    """Start `actors` Ray actors of `num_envs` episodes at a time (Ray must be initialised)."""
    return [Evaluator.remote(num_envs) for _ in range(actors)]  # type: ignore[attr-defined]


def evaluate(tasks: Sequence[str], seeds: Sequence[int], actors: list[Any]) -> list[dict[str, Any]]:
    """Evaluate every task on every seed, one contiguous block of seeds per actor.

    Returns one record per (task, seed), in task then seed order.
    """
    per_actor = math.ceil(len(seeds) / len(actors))
    blocks = [list(seeds[a * per_actor : (a + 1) * per_actor]) for a in range(len(actors))]
    futures = [
        actor.evaluate.remote(task, block)
        for task in tasks
        for actor, block in zip(actors, blocks, strict=True)
        if block
    ]
    records = [record for result in ray.get(futures) for record in result]
    return sorted(records, key=lambda r: (list(tasks).index(r["task"]), r["seed"]))


def summary(records: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    """Mean grade (95 % confidence interval), mean return, steps, evaluated steps per second.

    The wall time includes the steps of sub-environments waiting for the last episode of
    their block (played and discarded) and the masks the policy asks for every step.
    """
    grades = np.array([r["grade"] for r in records])
    half = 1.96 * grades.std(ddof=1) / math.sqrt(len(grades)) if len(grades) > 1 else 0.0
    steps = sum(r["length"] for r in records)
    return {
        "episodes": len(records),
        "mean_grade": float(grades.mean()),
        "ci95": float(half),
        "mean_return": float(np.mean([r["return"] for r in records])),
        "steps": steps,
        "steps_per_second": steps / seconds,
    }


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the evaluation from the command line; return the summaries by task."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="*", default=None, help="default: every shipped task")
    parser.add_argument("--seeds", type=int, default=256, help="evaluate seeds 1..N")
    parser.add_argument("--actors", type=int, default=2)
    parser.add_argument("--num-envs", type=int, default=64)
    parser.add_argument("--address", default=None, help="a Ray cluster ('auto': this node's)")
    parser.add_argument("--json", action="store_true", help="print the summaries as JSON")
    args = parser.parse_args(argv)
    if not ray.is_initialized():
        ray.init(address=args.address)
    tasks = args.tasks or shopops.load().ids()
    actors = evaluators(args.actors, args.num_envs)
    evaluate(tasks, range(1, 2), actors)  # warm up: start the actors and build their envs
    results = {}
    for task in tasks:
        started = time.perf_counter()
        records = evaluate([task], range(1, args.seeds + 1), actors)
        results[task] = summary(records, time.perf_counter() - started)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for task, s in results.items():
            print(
                f"{task:<24} {s['episodes']:>6} episodes  grade {s['mean_grade']:.3f} "
                f"± {s['ci95']:.3f}  return {s['mean_return']:+.3f}  "
                f"{s['steps_per_second']:>9,.0f} steps/s"
            )
    return results


if __name__ == "__main__":
    main()
