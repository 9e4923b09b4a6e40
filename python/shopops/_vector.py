"""`VectorEnv`: N episodes of one task stepped together by the Rust engine, GIL released.

Two encodings: `"dict"` (the wire observation dicts and action dicts of `Env`) and
`"numeric"` (fixed-size float32 observations, a `Discrete` action table and action masks, for
agents that do not read text). See docs/python.md for both, field by field.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from gymnasium import spaces
from gymnasium.vector import AutoresetMode
from gymnasium.vector import VectorEnv as GymVectorEnv
from gymnasium.vector.utils import batch_space

from shopops._action import Action
from shopops._catalog import ScenarioPaths, load
from shopops._core import Games, Scenarios
from shopops._spaces import ActionSpace, ObservationSpace

if TYPE_CHECKING:
    from shopops._core import BatchInfos, FieldInfo

Encoding = Literal["dict", "numeric"]
"""How observations and actions cross to Python."""

_END_KEYS = ("termination_reason", "episode_summary", "grade")
"""`Env`'s info keys of an episode's last step (all three or none)."""

_END_INFOS = (("grade", "<f8"), ("episode_return", "<f8"), ("episode_length", "<i8"))
"""Numeric mode's info keys of an episode's last step, in the order of the outcome bytes."""

_SEED_BOUND = 2**63
"""Seeds drawn for sub-environments reset without one are below this."""


class VectorEnv(GymVectorEnv[Any, Any, Any]):
    """`num_envs` episodes of one task, with Gymnasium's vector API, stepped in Rust.

    Autoreset is Gymnasium's next-step mode (`metadata["autoreset_mode"]`): the step that
    ends a sub-environment's episode returns its last observation with `terminated` or
    `truncated` set; its next step ignores the action and returns the first observation of a
    new episode, reward 0, neither flag set.

    Seeds: `reset(seed=s)` gives sub-environment `i` the seed `s + i` (as `SyncVectorEnv`
    does), and its later, automatic resets play `s + i + N`, `s + i + 2N`, ... (N =
    `num_envs`): together the sub-environments play seeds `s, s + 1, s + 2, ...` once each.
    A list of seeds gives sub-environment `i` the seed `seeds[i]`, then `seeds[i] + N`, ...; a
    missing seed is drawn from the vector environment's own generator.

    Encodings:

    - `"dict"`: observations are a tuple of wire observation dicts (as `Env`'s), actions a
      sequence of wire action dicts or `Action`s; `infos` holds `Env`'s info keys in
      Gymnasium's vector convention (arrays with `_key` masks).
    - `"numeric"`: observations are a `(num_envs, observation_size)` float32 array, actions
      indices into the task's action table (`action_labels`); `action_masks()` tells which
      the scenario's rules accept now. `infos` holds, for sub-environments whose episode
      ended on this step, `grade`, `episode_return` and `episode_length` (with `_key` masks).
    """

    metadata = {"autoreset_mode": AutoresetMode.NEXT_STEP, "render_modes": []}  # noqa: RUF012

    def __init__(
        self,
        task: str,
        num_envs: int,
        scenarios: Scenarios | ScenarioPaths | None = None,
        encoding: Encoding = "dict",
        refund_levels: int = 40,
        threads: int = 1,
    ) -> None:
        """Create `num_envs` sub-environments of `task`.

        Args:
            task: The task id.
            num_envs: The number of sub-environments (at least 1).
            scenarios: Loaded `Scenarios`, or scenario files and directories; the shipped set
                if None.
            encoding: "dict" (wire dicts) or "numeric" (arrays, an action table, masks).
            refund_levels: In the numeric action table, `issue_refund` amounts are `k /
                refund_levels` of the active case's order value, `k = 1..refund_levels`.
            threads: Threads that step the sub-environments (1: a plain loop in Rust, which
                measured fastest on 2 shared cores; see docs/python.md).

        """
        if encoding not in ("dict", "numeric"):
            raise ValueError(f"encoding must be 'dict' or 'numeric', got {encoding!r}")
        if threads < 1:
            raise ValueError(f"threads must be at least 1, got {threads}")
        self.scenarios = scenarios if isinstance(scenarios, Scenarios) else load(scenarios)
        self.task = task
        self.encoding: Encoding = encoding
        self.num_envs = num_envs
        self._games = Games(
            self.scenarios, task, num_envs, refund_levels, threads, encoding == "numeric"
        )
        self.render_mode = None
        if encoding == "numeric":
            size = self._games.observation_size
            self.single_observation_space: spaces.Space[Any] = spaces.Box(
                -np.inf, np.inf, shape=(size,), dtype=np.float32
            )
            self.single_action_space: spaces.Space[Any] = spaces.Discrete(self._games.num_actions)
        else:
            info = self.scenarios.info(task)
            cases = self.scenarios.game(task, 0, "probe").observation()["queue"]
            self.single_observation_space = ObservationSpace()
            self.single_action_space = ActionSpace(
                [c["case_id"] for c in cases], info["budget_usd"]
            )
        self.observation_space = batch_space(self.single_observation_space, num_envs)
        self.action_space = batch_space(self.single_action_space, num_envs)

    @property
    def action_labels(self) -> list[str]:
        """The numeric action table: a readable label per index."""
        return self._games.action_labels()

    @property
    def layout(self) -> list[FieldInfo]:
        """The numeric observation's fields: name, case, start, stop, meaning, scale, labels."""
        return self._games.layout()

    @property
    def names(self) -> list[str]:
        """The names a text fact's code stands for: code `k` is `names[k - 1]`."""
        return self._games.names()

    def seeds(self) -> list[int]:
        """Return the seed of every sub-environment's current episode."""
        return self._games.seeds()

    def reset(
        self,
        *,
        seed: int | Sequence[int | None] | None = None,
        options: dict[str, Any] | None = None,
    ) -> tuple[Any, dict[str, Any]]:
        """Start new episodes in every sub-environment (or those of `options["reset_mask"]`).

        `seed` is an int (sub-environment `i` gets `seed + i`), a list of per-environment
        seeds (None: drawn), or None (all drawn from this environment's generator).
        """
        super().reset(seed=seed if isinstance(seed, int) else None)
        options = dict(options or {})
        mask = options.pop("reset_mask", None)
        if options:
            raise ValueError(f"unknown reset options {sorted(options)}; only reset_mask is")
        if seed is None or isinstance(seed, int):
            seeds: list[int | None] = [
                None if seed is None else seed + i for i in range(self.num_envs)
            ]
        else:
            seeds = list(seed)
            if len(seeds) != self.num_envs:
                raise ValueError(f"expected {self.num_envs} seeds, got {len(seeds)}")
        drawn = [int(self.np_random.integers(_SEED_BOUND)) if s is None else int(s) for s in seeds]
        selected = np.ones(self.num_envs, dtype=np.bool_) if mask is None else np.asarray(mask)
        if selected.shape != (self.num_envs,) or selected.dtype != np.bool_:
            raise ValueError(f"reset_mask must be a bool array of shape ({self.num_envs},)")
        self._games.reset([s if m else None for s, m in zip(drawn, selected, strict=True)])
        if self.encoding == "numeric":
            return self._numeric(self._games.observations_numeric()), {}
        observations, infos = self._games.observations()
        return tuple(observations), self._dict_infos(infos, selected)

    def step(self, actions: Any) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Step every sub-environment; return observations, rewards, flags and infos.

        Rewards are a float64 array, `terminated` and `truncated` bool arrays. A malformed
        action (dict mode) or an index outside the table (numeric) raises `ValueError` before
        any sub-environment is stepped.
        """
        n = self.num_envs
        if self.encoding == "numeric":
            indices = np.asarray(actions, dtype="<i8").reshape(n)
            raw, outcome = self._games.step_numeric(indices.tobytes())
            observations: Any = self._numeric(raw)
        else:
            wire = [a.to_dict() if isinstance(a, Action) else a for a in actions]
            dicts, outcome, single_infos = self._games.step(wire)
            observations = tuple(dicts)
        # The outcome bytes: rewards, grades, returns (f8), lengths (i8), then three u8 flags.
        rewards = np.frombuffer(outcome, "<f8", n).astype(np.float64, copy=False)
        flags = np.frombuffer(outcome, np.bool_, 3 * n, 32 * n)
        terminated, truncated, ended = flags[:n], flags[n : 2 * n], flags[2 * n :]
        if self.encoding == "dict":
            infos = self._dict_infos(single_infos, np.ones(n, dtype=np.bool_))
        else:
            infos = {}
            if ended.any():
                for k, (key, dtype) in enumerate(_END_INFOS, start=1):
                    values = np.frombuffer(outcome, dtype, n, 8 * n * k)
                    infos[key] = values.astype(dtype[1:], copy=False)
                    infos[f"_{key}"] = ended.copy()
        return observations, rewards, terminated, truncated, infos

    def action_masks(self) -> np.ndarray:
        """Return which action indices the scenario's rules accept now: `(num_envs, n)` bools.

        A masked-out action would be refused as rule-invalid (still a penalised step). A
        sub-environment about to autoreset accepts all. Computed on demand (it evaluates
        every rule for every entry of the table), in Rust with the GIL released; the name is
        sb3-contrib's MaskablePPO convention. Numeric encoding only.
        """
        if self.encoding != "numeric":
            raise ValueError("action masks index the numeric action table: use encoding='numeric'")
        raw = self._games.action_masks()
        return np.frombuffer(raw, dtype=np.uint8).reshape(self.num_envs, -1).astype(np.bool_)

    def decode_action(self, index: int, action: int) -> dict[str, Any]:
        """Return the wire action that table index `action` stands for in episode `index` now.

        A refund's amount follows that episode's active case (a fraction of its order value).
        """
        return self._games.action(index, action)

    def grade(self, index: int) -> dict[str, Any] | None:
        """Return the grade report of sub-environment `index`'s episode once it has ended."""
        return self._games.grade(index)

    def _dict_infos(self, infos: BatchInfos, selected: np.ndarray) -> dict[str, Any]:
        """Return `Env`'s infos of the `selected` sub-environments, batched as `_add_info` does.

        `infos` are the engine's columns: the reward groups, the breakdown (a float64 row per
        group), the errors and their codes, and the end-of-episode entries of the episodes that
        ended (fresh objects, not shared with the observations), which go through Gymnasium's
        `_add_info`.
        """
        if not selected.any():
            return {}
        groups, breakdown_bytes, errors, codes, endings = infos
        n, unselected = self.num_envs, ~selected
        rows = np.frombuffer(breakdown_bytes, "<f8").reshape(len(groups), n)
        rows = rows.astype(np.float64, copy=False)
        rows[:, unselected] = 0.0
        breakdown: dict[str, Any] = {}
        for key, row in zip(groups, rows, strict=True):
            breakdown[key], breakdown[f"_{key}"] = row, selected.copy()
        batched: dict[str, Any] = {
            "reward_breakdown": breakdown,
            "_reward_breakdown": selected.copy(),
        }
        for key, entries in (("last_action_error", errors), ("last_action_error_code", codes)):
            column = np.empty(n, dtype=object)
            column[:] = entries
            column[unselected] = None
            batched[key], batched[f"_{key}"] = column, selected.copy()
        for i, ending in endings:
            if selected[i]:
                batched = self._add_info(batched, ending, i)
        return batched

    def _numeric(self, raw: bytearray) -> np.ndarray:
        """Return the observations' bytes as a `(num_envs, observation_size)` float32 array.

        A view of the bytearray (writable, no copy).
        """
        return np.frombuffer(raw, "<f4").astype(np.float32, copy=False).reshape(self.num_envs, -1)
