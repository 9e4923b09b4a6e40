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


class _Row(TypedDict):
    task: str
    seed: int


class TaskRow(_Row, total=False):
    """A dataset row: one task and one seed (and the split it was drawn from, if any)."""

    split: str


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
    seeds: Iterable[int] | None = None,
    scenarios: Scenarios | ScenarioPaths | None = None,
    *,
    split: str | None = None,
) -> list[TaskRow]:
    """Return dataset rows: every task with every seed, task by task (tasks in load order).

    Without `split`, the rows are `{"task": id, "seed": n}` for the `seeds` given (default:
    seed 0 only). With `split`, they are `{"task": id, "split": name, "seed": n}` for every
    seed of that split of every task that declares it, in the split's order (so the row of a
    task's `index`-th seed is what `Env.reset(options={"split": name, "index": index})` plays);
    `seeds` may not be given too. Raises `KeyError` naming the splits when no task declares it.

    A row is what `ShopOpsToolEnv.reset(**row)` takes, and `Env.reset(seed=row["seed"],
    options=row)`.
    """
    served = scenarios if isinstance(scenarios, Scenarios) else load(scenarios)
    if split is None:
        chosen = list(range(1) if seeds is None else seeds)
        return [TaskRow(task=task, seed=seed) for task in served.ids() for seed in chosen]
    if seeds is not None:
        raise ValueError("give seeds or a split, not both")
    rows: list[TaskRow] = []
    for task in served.ids():
        ranges = served.splits(task).get(split)
        for first, last in ranges or []:
            rows.extend(TaskRow(task=task, split=split, seed=s) for s in range(first, last + 1))
    if not rows:
        declared = list(dict.fromkeys(n for task in served.ids() for n in served.splits(task)))
        names = ", ".join(declared) if declared else "none"
        raise KeyError(f"unknown split `{split}`; the splits declared are {names}")
    return rows


def split_ranges(scenarios: Scenarios, task: str, split: str) -> list[tuple[int, int]]:
    """Return the seed ranges of `task`'s split; `KeyError` naming its splits if it has none."""
    splits = scenarios.splits(task)
    if split not in splits:
        names = ", ".join(splits) if splits else "none"
        raise KeyError(f"unknown split `{split}`; the splits of `{task}` are {names}")
    return splits[split]


def split_len(ranges: list[tuple[int, int]]) -> int:
    """Return the number of seeds in a split's ranges."""
    return sum(last - first + 1 for first, last in ranges)


def split_seed(ranges: list[tuple[int, int]], index: int) -> int:
    """Return a split's `index`-th seed (from 0); `IndexError` when it has fewer."""
    rest = index
    if rest >= 0:
        for first, last in ranges:
            if rest <= last - first:
                return first + rest
            rest -= last - first + 1
    count = split_len(ranges)
    raise IndexError(
        f"index {index} is out of range: the split has {count} seeds (0 to {count - 1})"
    )
