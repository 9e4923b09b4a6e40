"""Type stubs of `shopops._core`, the engine's native extension module."""

from os import PathLike
from typing import Any, TypedDict

class Diagnostic(TypedDict):
    """One diagnostic, as `shopops check --format json` prints it."""

    code: str
    severity: str
    message: str
    file: str
    line: int
    column: int
    labels: list[dict[str, Any]]
    help: str | None

class TaskInfo(TypedDict):
    """A task's id, title, difficulty, version, file and limits."""

    id: str
    title: str
    difficulty: str
    version: str
    path: str
    max_steps: int
    time_limit_minutes: int
    invalid_action_limit: int
    budget_usd: float

class ScenarioError(Exception):
    """Scenario files that do not check."""

    report: str
    """The rendered text of `shopops check`."""
    diagnostics: list[Diagnostic]
    """Every diagnostic of the check."""

class Scenarios:
    """Scenario files, checked and compiled: every task they declare, ready to play."""

    def __init__(self, paths: list[str | PathLike[str]]) -> None:
        """Check and compile every scenario file under `paths` (files or directories).

        Raises `ScenarioError` on any error diagnostic or when no file declares a scenario,
        and `OSError` when a path cannot be read.
        """
    def ids(self) -> list[str]:
        """Return the task ids, in load order (files sorted by path)."""
    def info(self, task: str) -> TaskInfo:
        """Return one task's id, title, difficulty, version, file and limits.

        Raises `KeyError` for an unknown task.
        """
    def splits(self, task: str) -> dict[str, list[tuple[int, int]]]:
        """Return `task`'s seed splits: each split's seed ranges `(first, last)`, both included.

        Splits in declaration order, ranges in the order written (the order a split's seeds are
        indexed in). Raises `KeyError` for an unknown task.
        """
    def diagnostics(self) -> list[Diagnostic]:
        """Return the warnings of the check."""
    def game(self, task: str, seed: int, episode_id: str) -> Game:
        """Start a new episode of `task` with `seed`, labelled `episode_id`."""

class Game:
    """One episode of a task; observations are wire observation dicts."""

    @property
    def done(self) -> bool:
        """Whether the episode has ended."""
    def observation(self) -> dict[str, Any]:
        """Return the current observation."""
    def info(self) -> dict[str, Any]:
        """Return `Env`'s info of the current observation (objects of its own)."""
    def step(self, action: dict[str, Any]) -> dict[str, Any]:
        """Take one step and return the new observation.

        A rule-invalid action is a step (see `metadata.last_action_error`); a malformed one
        raises `ValueError` and is not a step; stepping an ended episode raises `RuntimeError`.
        """
    def state(self) -> dict[str, Any]:
        """Return the episode state (as `GET /state` serves it)."""
    def grade(self) -> dict[str, Any] | None:
        """Return the grade report once the episode has ended."""
    def summary(self) -> dict[str, Any] | None:
        """Return the episode summary once the episode has ended."""
    def system_prompt(self) -> str:
        """Return the system prompt of `shopops eval --agent openai` (tool mode)."""
    def prompt(self) -> str:
        """Return what a model reads after the last step (or at the start of the shift)."""

INFO_KEYS: tuple[str, ...]
"""The observation's `metadata` entries copied into `info` (the last three at the end only)."""

def parse_action(action: dict[str, Any]) -> dict[str, Any]:
    """Return the action as the engine reads it (defaults left out); `ValueError` if malformed."""

def is_observation(value: object) -> bool:
    """Whether `value` is a wire observation dict (exactly its fields, each of its type)."""

def function_tools() -> list[dict[str, Any]]:
    """Return the actions as OpenAI-style function tools, in the spec's order."""

class FieldInfo(TypedDict):
    """One field of the numeric observation."""

    name: str
    case: str | None
    start: int
    stop: int
    meaning: str
    scale: str
    labels: list[str]

BatchInfos = tuple[
    list[str], bytearray, list[str | None], list[str | None], list[tuple[int, dict[str, Any]]]
]
"""`Env`'s infos of a batch: the reward groups, the breakdown (group-major little-endian f64s,
one per group and sub-environment), each sub-environment's `last_action_error` and its code, and
`(index, entries)` of the episodes that ended (`termination_reason`, `episode_summary`, `grade`)."""

class Games:
    """N episodes of one task, stepped together in Rust with the GIL released.

    After an episode ends, the next step of that sub-environment starts a new one and ignores
    its action. Sub-environment `i` reset with seed `s` plays `s`, `s + N`, `s + 2N`, ...
    """

    def __init__(
        self,
        scenarios: Scenarios,
        task: str,
        num_envs: int,
        refund_levels: int = 40,
        threads: int = 1,
        numeric: bool = False,
    ) -> None:
        """Create `num_envs` episodes of `task` (seeded 0..num_envs until reset).

        `numeric`: stepped by `step_numeric` only, keeping no step reports (then `step` and
        `observations` raise `ValueError`); else by `step` only.
        """
    @property
    def num_envs(self) -> int:
        """The number of sub-environments."""
    @property
    def observation_size(self) -> int:
        """Floats in one numeric observation."""
    @property
    def num_actions(self) -> int:
        """Entries of the numeric action table."""
    @property
    def task(self) -> str:
        """The task id."""
    def action_labels(self) -> list[str]:
        """Return the action table's entries as readable labels, in index order."""
    def names(self) -> list[str]:
        """Return the names a text fact's code indexes (code = 1 + index)."""
    def layout(self) -> list[FieldInfo]:
        """Return the fields of the numeric observation, in order."""
    def seeds(self) -> list[int]:
        """Return the seed of every sub-environment's current episode."""
    def reset(self, seeds: list[int | None]) -> None:
        """Start a new episode in every sub-environment given a seed (None: leave it)."""
    def observations_numeric(self) -> bytearray:
        """Return the numeric observations as little-endian float32 bytes."""
    def observations(self) -> tuple[list[dict[str, Any]], BatchInfos]:
        """Return the wire observation dicts and `Env`'s infos of them (not numeric)."""
    def step_numeric(self, actions: bytes) -> tuple[bytearray, bytearray]:
        """Step with action-table indices (little-endian int64 bytes).

        Returns the observations' bytes, then the outcome bytes: `num_envs` little-endian
        values each of rewards, then of the episodes that ended (0 for the others) grade and
        return (f64) and length (i64), then terminated, truncated and ended (u8).
        """
    def step(
        self, actions: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], bytearray, BatchInfos]:
        """Step with wire action dicts (not numeric).

        Returns the observation dicts, the outcome bytes (as `step_numeric`'s) and `Env`'s infos
        of the sub-environments in columns (objects of their own, not the observations').
        """
    def action_masks(self) -> bytearray:
        """Return 1 per (sub-environment, table entry) the rules accept now, else 0."""
    def grade(self, index: int) -> dict[str, Any] | None:
        """Return the grade report of sub-environment `index` once its episode has ended."""
    def action(self, index: int, entry: int) -> dict[str, Any]:
        """Return the wire action that table entry `entry` stands for in episode `index` now."""

def system_prompt_of(reset: dict[str, Any]) -> str:
    """Return the system prompt (tool mode) of the episode whose reset observation is `reset`."""

def shift_start_of(reset: dict[str, Any]) -> str:
    """Return the desk at the start of the shift, from the reset observation."""

def tool_result_of(action: dict[str, Any], observation: dict[str, Any]) -> str:
    """Return what a model reads after `action` led to `observation`."""
