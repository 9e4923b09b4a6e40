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

def parse_action(action: dict[str, Any]) -> dict[str, Any]:
    """Return the action as the engine reads it (defaults left out); `ValueError` if malformed."""

def is_observation(value: object) -> bool:
    """Whether `value` is a wire observation dict (exactly its fields, each of its type)."""

def function_tools() -> list[dict[str, Any]]:
    """Return the actions as OpenAI-style function tools, in the spec's order."""
