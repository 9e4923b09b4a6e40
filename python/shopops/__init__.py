"""ShopOps: an online shop's operations desk as a reinforcement-learning environment.

The Rust engine runs in-process: `load` checks and compiles scenario files, `Env` is one task
with Gymnasium's API (every shipped task is registered as `shopops/<task id>`), `VectorEnv`
steps N episodes together in Rust (wire dicts or a numeric encoding), `RemoteEnv` is `Env` on a
`shopops serve` server, `tasks` lists dataset rows, and `shopops.trl.ShopOpsToolEnv` is a tool
environment for TRL's GRPOTrainer (in-process or remote).
See docs/python.md.
"""

from __future__ import annotations

import gymnasium

from shopops._action import ACTION_TYPES, ESCALATION_REASONS, Action, ActionType, EscalationReason
from shopops._catalog import SHIPPED, TaskRow, load, tasks
from shopops._core import Game, Games, ScenarioError, Scenarios
from shopops._env import Env
from shopops._remote import RemoteEnv
from shopops._spaces import ActionSpace, ObservationSpace
from shopops._vector import VectorEnv

__all__ = [
    "ACTION_TYPES",
    "ESCALATION_REASONS",
    "SHIPPED",
    "Action",
    "ActionSpace",
    "ActionType",
    "Env",
    "EscalationReason",
    "Game",
    "Games",
    "ObservationSpace",
    "RemoteEnv",
    "ScenarioError",
    "Scenarios",
    "TaskRow",
    "VectorEnv",
    "load",
    "tasks",
]


def _register() -> None:
    """Register every shipped task with Gymnasium as `shopops/<task id>`."""
    for task in load().ids():
        env_id = f"shopops/{task}"
        if env_id not in gymnasium.registry:
            gymnasium.register(id=env_id, entry_point="shopops._env:Env", kwargs={"task": task})


_register()
