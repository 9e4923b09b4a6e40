#!/usr/bin/env python3
"""Full ShopOps episodes through the official OpenEnv client.

Plays every shipped task to `done` with `openenv.core.GenericEnvClient`, once with the sync
wrapper and once with the async client (the async episodes run concurrently, one WebSocket
session each), using a simple deterministic policy: per case, inspect order, policy and history,
escalate, close; then switch to the next case that is not closed. It need not score well. Checks:

* reset: reward null, done false, `episode_id` echoed by the observation and by `state`;
* every step: reward a finite number in [-1, 1], done a boolean, `state.step_count` equal to the
  steps taken, `observation.step_index` too, at most `metadata.max_steps` steps;
* the terminal step: `metadata.grade.inference_score` strictly inside (0, 1), `state.done` true;
  a further step is refused with EXECUTION_ERROR and counts nothing;
* the sync and async episodes of a task (same seed) are identical.

Usage: client_episodes.py --url http://127.0.0.1:8000 [--seed 1] [--task ID ...]
Exit 0 when every check passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import uuid
from typing import Any

from openenv.core import GenericEnvClient

TASKS = ("refund_policy_recovery", "sla_queue_juggle", "fraud_stockout_cascade")
REWARD_RANGE = (-1.0, 1.0)
FAILURES: list[str] = []


def log(status: str, check: str, detail: str = "") -> None:
    if status == "FAIL":
        FAILURES.append(f"{check}: {detail}")
    print(f"{status:<5} {check}" + (f"  -- {detail}" if detail else ""), flush=True)


def policy(obs: dict[str, Any]) -> dict[str, Any]:
    """A deterministic action for this observation (reaches done; scoring is not the point)."""
    active = obs["active_case"]
    meta = obs.get("metadata") or {}
    if active["status"] == "closed":
        target = next((q["case_id"] for q in obs["queue"] if q["status"] != "closed"),
                      active["case_id"])  # nothing left open: hold (should not happen)
        return {"action_type": "switch_case", "case_id": target}
    checks = set(active.get("completed_checks") or [])
    for check, action in (("order", "inspect_order"), ("policy", "inspect_policy"),
                          ("history", "inspect_customer_history")):
        if check not in checks:
            return {"action_type": action}
    if active["status"] != "resolved" and meta.get("last_action_error_code") != "already_resolved":
        return {"action_type": "escalate_risk", "escalation_reason": "policy_exception"}
    return {"action_type": "close_case"}


class Episode:
    """Checks one episode as it is played; records what the sync/async comparison needs."""

    def __init__(self, task: str, mode: str, seed: int):
        self.task, self.mode, self.seed = task, mode, seed
        self.label = f"{mode}.{task}"
        self.episode_id = f"conformance-{mode}-{task}-{uuid.uuid4().hex[:8]}"
        self.steps = 0
        self.max_steps = 0
        self.trace: list[tuple] = []
        self.ok = True
        self.invalid: list[str] = []
        self.done = False
        self.grade: dict[str, Any] | None = None

    def fail(self, what: str) -> None:
        self.ok = False
        log("FAIL", self.label, what)

    def reset_kwargs(self) -> dict[str, Any]:
        return {"task": self.task, "seed": self.seed, "episode_id": self.episode_id}

    def on_reset(self, res: Any, state: dict[str, Any]) -> dict[str, Any]:
        obs = res.observation if isinstance(res.observation, dict) else {}
        meta = obs.get("metadata") or {}
        if res.reward is not None:
            self.fail(f"reset reward must be null, got {res.reward!r}")
        if res.done is not False:
            self.fail(f"reset done must be false, got {res.done!r}")
        if obs.get("episode_id") != self.episode_id:
            self.fail(f"observation.episode_id {obs.get('episode_id')!r} != {self.episode_id!r}")
        if obs.get("current_task") != self.task:
            self.fail(f"current_task {obs.get('current_task')!r} != {self.task!r}")
        if state.get("episode_id") != self.episode_id or state.get("step_count") != 0:
            self.fail(f"state after reset {state!r}")
        max_steps = meta.get("max_steps")
        if not isinstance(max_steps, int) or isinstance(max_steps, bool) or max_steps < 1:
            self.fail(f"metadata.max_steps missing or not a positive integer: {max_steps!r}")
            max_steps = 100
        self.max_steps = max_steps
        return obs

    def on_step(self, action: dict[str, Any], res: Any, state: dict[str, Any]) -> dict[str, Any]:
        self.steps += 1
        obs = res.observation if isinstance(res.observation, dict) else {}
        meta = obs.get("metadata") or {}
        where = f"step {self.steps} {action['action_type']}"
        r = res.reward
        if not (isinstance(r, (int, float)) and not isinstance(r, bool) and math.isfinite(r)
                and REWARD_RANGE[0] <= r <= REWARD_RANGE[1]):
            self.fail(f"{where}: reward {r!r} not a finite number in {list(REWARD_RANGE)}")
        if not isinstance(res.done, bool):
            self.fail(f"{where}: done {res.done!r} not a boolean")
        if state.get("step_count") != self.steps:
            self.fail(f"{where}: state.step_count {state.get('step_count')!r} != {self.steps}")
        if state.get("episode_id") != self.episode_id:
            self.fail(f"{where}: state.episode_id {state.get('episode_id')!r} != {self.episode_id!r}")
        if obs.get("step_index") != self.steps:
            self.fail(f"{where}: observation.step_index {obs.get('step_index')!r} != {self.steps}")
        if res.metadata is not None and res.metadata != meta:
            self.fail(f"{where}: top-level metadata differs from observation.metadata")
        if meta.get("last_action_error"):
            self.invalid.append(f"{where}: {meta['last_action_error']}")
        self.trace.append((action["action_type"], r, bool(res.done)))
        if res.done:
            self.done = True
            self.grade = meta.get("grade")
            score = (self.grade or {}).get("inference_score")
            if not (isinstance(score, (int, float)) and not isinstance(score, bool)
                    and 0.0 < score < 1.0):
                self.fail(f"{where}: terminal metadata.grade.inference_score {score!r} not inside (0, 1)")
            if not meta.get("termination_reason"):
                self.fail(f"{where}: terminal metadata has no termination_reason")
            if "done" in state and state["done"] is not True:
                self.fail(f"{where}: state.done {state['done']!r} after the terminal step")
        return obs

    def after_done(self, exc: BaseException | None, state: dict[str, Any]) -> None:
        if exc is None:
            self.fail("a step after done was accepted (expected EXECUTION_ERROR episode_done)")
        elif "EXECUTION_ERROR" not in str(exc):
            self.fail(f"a step after done raised {exc!r}, expected code EXECUTION_ERROR")
        if state.get("step_count") != self.steps:
            self.fail(f"the refused step after done changed step_count to {state.get('step_count')!r}")

    def finish(self) -> None:
        if not self.done:
            self.fail(f"not done after {self.steps} steps (max_steps {self.max_steps})")
        for line in self.invalid:
            log("WARN", self.label, f"rule-invalid action (policy or engine?): {line}")
        if self.ok:
            g = self.grade or {}
            log("PASS", self.label, f"done in {self.steps}/{self.max_steps} steps, "
                f"return {sum(t[1] for t in self.trace):.4f}, score {g.get('score')}, "
                f"inference_score {g.get('inference_score')}")


def play_sync(url: str, task: str, seed: int) -> Episode:
    ep = Episode(task, "sync", seed)
    try:
        with GenericEnvClient(base_url=url).sync() as env:
            obs = ep.on_reset(env.reset(**ep.reset_kwargs()), env.state())
            while not ep.done and ep.steps < ep.max_steps:
                action = policy(obs)
                obs = ep.on_step(action, env.step(action), env.state())
            if ep.done:
                try:
                    env.step({"action_type": "inspect_order"})
                    exc = None
                except RuntimeError as e:
                    exc = e
                ep.after_done(exc, env.state())
    except Exception as exc:
        ep.fail(f"{type(exc).__name__}: {exc}")
    ep.finish()
    return ep


async def play_async(url: str, task: str, seed: int) -> Episode:
    ep = Episode(task, "async", seed)
    try:
        async with GenericEnvClient(base_url=url) as env:
            res = await env.reset(**ep.reset_kwargs())
            obs = ep.on_reset(res, await env.state())
            while not ep.done and ep.steps < ep.max_steps:
                action = policy(obs)
                res = await env.step(action)
                obs = ep.on_step(action, res, await env.state())
            if ep.done:
                try:
                    await env.step({"action_type": "inspect_order"})
                    exc = None
                except RuntimeError as e:
                    exc = e
                ep.after_done(exc, await env.state())
    except Exception as exc:
        ep.fail(f"{type(exc).__name__}: {exc}")
    ep.finish()
    return ep


async def play_all_async(url: str, tasks: list[str], seed: int) -> list[Episode]:
    return list(await asyncio.wait_for(
        asyncio.gather(*(play_async(url, t, seed) for t in tasks)), timeout=300))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", required=True, help="server root, e.g. http://127.0.0.1:8000")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--task", action="append", dest="tasks", help="task id (default: all three)")
    args = p.parse_args()
    tasks = args.tasks or list(TASKS)

    print(f"# client episodes -> {args.url} (seed {args.seed})", flush=True)
    sync_eps = {t: play_sync(args.url, t, args.seed) for t in tasks}
    async_eps = {ep.task: ep for ep in asyncio.run(play_all_async(args.url, tasks, args.seed))}
    for task in tasks:
        a, b = sync_eps[task], async_eps[task]
        if a.done and b.done:
            same = a.trace == b.trace and (a.grade or {}).get("score") == (b.grade or {}).get("score")
            log("PASS" if same else "FAIL", f"determinism.{task}",
                "sync and async episodes with the same seed are identical" if same else
                f"same seed, different episodes: sync {a.trace} grade {(a.grade or {}).get('score')} "
                f"vs async {b.trace} grade {(b.grade or {}).get('score')}")

    print(f"client_episodes: {len(FAILURES)} failure(s)", flush=True)
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
