"""Loading scenarios: the shipped set (package data) or any files and directories."""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TypedDict

from shopops._core import Scenarios

SHIPPED = Path(__file__).resolve().parent / "scenarios"
"""The shipped scenarios: the repository's `scenarios/` folder, installed with the package."""

ScenarioPaths = str | os.PathLike[str] | Iterable[str | os.PathLike[str]]
"""A scenario file or directory, or several."""


class TaskRow(TypedDict):
    """A dataset row: one task and one seed."""

    task: str
    seed: int


def load(paths: ScenarioPaths | None = None) -> Scenarios:
    """Check and compile scenario files: a file, a directory, or several; the shipped set if None.

    Raises `ScenarioError` (with `.report` and `.diagnostics`) when they do not check. The
    shipped set is loaded once per process; other paths are read anew on every call.
    """
    if paths is None:
        return shipped()
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return Scenarios([os.fspath(p) for p in paths])


@lru_cache(maxsize=1)
def shipped() -> Scenarios:
    """Return the shipped scenarios, loaded on first use."""
    return Scenarios([SHIPPED])


def tasks(
    seeds: Iterable[int] = range(1), scenarios: Scenarios | ScenarioPaths | None = None
) -> list[TaskRow]:
    """Return dataset rows `{"task": id, "seed": n}`: every task with every seed, task by task.

    A row is what `ShopOpsToolEnv.reset(**row)` takes, and `Env.reset(seed=row["seed"],
    options=row)`. Splits (train and eval seed ranges) are not defined yet.
    """
    served = scenarios if isinstance(scenarios, Scenarios) else load(scenarios)
    seeds = list(seeds)
    return [TaskRow(task=task, seed=seed) for task in served.ids() for seed in seeds]
