"""The Ray example (examples/python/ray_eval.py) on a local Ray cluster started here."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import TASKS

import shopops

ray = pytest.importorskip("ray", reason="ray is not installed (python/test.sh installs it)")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "python"
sys.path.insert(0, str(EXAMPLES))
import ray_eval  # noqa: E402  (the example, importable once its folder is on the path)


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    """A local Ray instance of 2 CPUs; its workers import the example as the driver does."""
    patch = pytest.MonkeyPatch()
    path = os.pathsep.join(p for p in (str(EXAMPLES), os.environ.get("PYTHONPATH")) if p)
    patch.setenv("PYTHONPATH", path)
    patch.setenv("RAY_AUTH_MODE", "disabled")  # a local test cluster: no token file written
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield
    finally:
        ray.shutdown()
        patch.undo()


def test_every_seed_is_evaluated_once_as_if_played_alone(cluster: None) -> None:
    seeds = range(1, 21)
    records = ray_eval.evaluate(TASKS, seeds, ray_eval.evaluators(2, num_envs=8))
    assert [(r["task"], r["seed"]) for r in records] == [(t, s) for t in TASKS for s in seeds]
    for task in TASKS:
        alone = shopops.VectorEnv(task, 1, encoding="numeric")
        for seed in (1, 8, 9, 20):
            [record] = ray_eval.play_block(alone, [seed])
            assert record in records
    assert all(0.0 <= r["grade"] <= 1.0 and r["length"] > 0 for r in records)


def test_the_command_line_summarises_by_task(cluster: None) -> None:
    results = ray_eval.main(["--seeds", "16", "--actors", "2", "--num-envs", "4", "--json"])
    assert list(results) == TASKS
    for summary in results.values():
        assert summary["episodes"] == 16
        assert summary["steps_per_second"] > 0
        assert summary["ci95"] >= 0
