"""`Env`: one ShopOps task as a Gymnasium environment, stepped in-process by the Rust engine."""

from __future__ import annotations

from typing import Any, SupportsFloat

import gymnasium

from shopops._action import Action
from shopops._catalog import ScenarioPaths, load, split_len, split_ranges, split_seed
from shopops._core import INFO_KEYS, Game, Scenarios
from shopops._spaces import ActionSpace, ObservationSpace

Observation = dict[str, Any]
"""A wire observation: the envelope's `observation` with its `reward` and `done`."""


class Env(gymnasium.Env[Observation, "Observation | Action"]):
    """One task of a scenario set, with Gymnasium's API.

    Observations are wire observation dicts (as `shopops run` prints them, `reward` and `done`
    included) in an `ObservationSpace`; actions are wire action dicts or `Action`s in an
    `ActionSpace`. `terminated` and `truncated` are the engine's; `info` holds the step's
    `reward_breakdown`, `last_action_error` (and its code) and, at the end, the `grade`,
    `episode_summary` and `termination_reason`.

    A rule-invalid action is a step (penalised; its error in `info`); a malformed one raises
    `ValueError` and is not a step.
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 4}  # noqa: RUF012 (Gymnasium's API)

    def __init__(
        self,
        task: str,
        scenarios: Scenarios | ScenarioPaths | None = None,
        render_mode: str | None = None,
        max_episode_steps: int | None = None,
    ) -> None:
        """Create the environment of `task`.

        Args:
            task: The task id (the scenario's name).
            scenarios: Loaded `Scenarios`, or scenario files and directories; the shipped set
                if None.
            render_mode: None, or "ansi": `render()` returns the transcript line of the last
                step (the episode's header after a reset).
            max_episode_steps: A step cap below the task's own: the step that reaches it
                reports `truncated=True` unless the engine ended the episode.

        """
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be None or 'ansi', got {render_mode!r}")
        if max_episode_steps is not None and max_episode_steps < 1:
            raise ValueError(f"max_episode_steps must be at least 1, got {max_episode_steps}")
        self.scenarios = self._load(scenarios)
        self.render_mode = render_mode
        self.max_episode_steps = max_episode_steps
        self.observation_space = ObservationSpace()
        self._use(task)
        self._game: Game | None = None
        self._steps = 0
        self._ended = False
        self._line: str | None = None

    def _load(self, scenarios: Scenarios | ScenarioPaths | None) -> Scenarios:
        """Return the scenarios the episodes are played on (`RemoteEnv`: the server's)."""
        return scenarios if isinstance(scenarios, Scenarios) else load(scenarios)

    def _use(self, task: str) -> None:
        """Make `task` the task of the next episodes (its action space included)."""
        info = self.scenarios.info(task)
        cases = self.scenarios.game(task, 0, "probe").observation()["queue"]
        self.task = task
        self.action_space = ActionSpace([c["case_id"] for c in cases], info["budget_usd"])

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Observation, dict[str, Any]]:
        """Start an episode and return its first observation and info.

        With a `seed`, the engine plays that seed (as `shopops run --seed`); without one, the
        seed is drawn from the environment's generator. `options` may carry `task` (switch
        task), `episode_id` (the episode's label; default `<task>-<seed>`), and `split` with
        `index`: the task's `split NAME SEEDS`, and which of its seeds to play (from 0; as the
        server's `reset {"split", "index"}` and `shopops run --split --index`). A `split`
        without `index` plays the given `seed`, which must be in the split, or else a seed of
        the split drawn from the environment's generator. Unknown split: `KeyError`; index out
        of range: `IndexError`; a seed outside the split, or an index without a split or with a
        seed: `ValueError`. Other keys (a dataset row's) are ignored.
        """
        super().reset(seed=seed)
        options = options or {}
        if options.get("task", self.task) != self.task:
            self._use(options["task"])
        engine_seed = self._seed(seed, options.get("split"), options.get("index"))
        episode_id = str(options.get("episode_id", f"{self.task}-{engine_seed}"))
        self._game = self.scenarios.game(self.task, engine_seed, episode_id)
        self._steps = 0
        self._ended = False
        observation = self._game.observation()
        meta = observation["metadata"]
        self._line = (
            f"{self.task} ({observation['difficulty']}) · seed {engine_seed} · "
            f"version {meta['scenario_version']}"
        )
        return observation, self._game.info()

    def _seed(self, seed: int | None, split: str | None, index: int | None) -> int:
        """Return the seed a reset plays: given, chosen from a split, or drawn."""
        if split is None:
            if index is not None:
                raise ValueError("options['index'] selects a seed of a split: give 'split' too")
            return seed if seed is not None else int(self.np_random.integers(2**63))
        ranges = split_ranges(self.scenarios, self.task, split)
        if index is not None:
            if seed is not None:
                raise ValueError("give a seed or options['index'], not both")
            return split_seed(ranges, int(index))
        if seed is None:
            return split_seed(ranges, int(self.np_random.integers(split_len(ranges))))
        if not any(first <= seed <= last for first, last in ranges):
            raise ValueError(f"seed {seed} is not in split `{split}` of `{self.task}`")
        return seed

    def step(
        self, action: Observation | Action
    ) -> tuple[Observation, SupportsFloat, bool, bool, dict[str, Any]]:
        """Take one action; return the observation, reward, terminated, truncated and info."""
        if self._game is None or self._ended:
            raise gymnasium.error.ResetNeeded("the episode has ended (or never started): reset")
        wire = action.to_dict() if isinstance(action, Action) else action
        observation = self._game.step(wire)
        self._steps += 1
        meta = observation["metadata"]
        terminated = bool(meta.get("terminated", False))
        truncated = bool(meta.get("truncated", False))
        capped = self.max_episode_steps is not None and self._steps >= self.max_episode_steps
        truncated = truncated or (capped and not terminated)
        self._ended = terminated or truncated
        reward = float(observation["reward"])
        if self.render_mode is not None:
            self._line = _transcript_line(wire, observation, reward)
        return observation, reward, terminated, truncated, self._game.info()

    def render(self) -> str | None:
        """Return the transcript line of the last step (mode "ansi"); None without a mode."""
        if self.render_mode is None:
            return None
        return self._line

    @property
    def game(self) -> Game | None:
        """The running episode (its grade, summary, state and prompts), once reset."""
        return self._game


def info_of(observation: Observation) -> dict[str, Any]:
    """Return the `info` of an observation: copies of its metadata entries in `INFO_KEYS`."""
    meta = observation["metadata"]
    return {key: _copy(meta[key]) for key in INFO_KEYS if key in meta}


def _copy(value: Any) -> Any:
    """Return a copy of JSON data (dicts, lists and scalars), sharing nothing mutable."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _transcript_line(action: dict[str, Any], observation: Observation, reward: float) -> str:
    """One step as `shopops run --policy` prints it: step, action, reward, clock, case, what."""
    result = observation["latest_tool_result"]
    error = observation["metadata"].get("last_action_error")
    label = str(action.get("action_type"))
    if action.get("case_id") is not None:
        label += f" {action['case_id']}"
    if action.get("refund_amount_usd") is not None:
        label += f" ${float(action['refund_amount_usd']):.2f}"
    for key in ("escalation_reason", "note_code"):
        if action.get(key) is not None:
            label += f" {action[key]}"
    if action.get("expedite"):
        label += " expedite"
    what = f"refused: {error}" if error else result["outcome"]
    return (
        f"{observation['step_index']:>4}  {label:<36} {reward:>+8.4f} "
        f"{observation['resources']['time_used_minutes']:>6}  {result['target_case_id']:<8} {what}"
    )
