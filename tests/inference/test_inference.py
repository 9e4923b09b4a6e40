"""End-to-end test of `inference.py` against a running ShopOps server and a stub model.

Usage (with a Python that has `openai` installed)::

    python tests/inference/test_inference.py --env-url http://127.0.0.1:PORT

The stub (`stub_openai.py`) runs in-process on a free port; `inference.py` runs as a subprocess
once per scenario: scripted replies (valid, fenced, with prose and unknown keys, rule-breaking,
schema-invalid, unusable), a model outage from the start, an outage mid-episode, an unreachable
model, an unreachable ShopOps server and a missing token. Every stdout line is checked against
the format of `../shared/spec/inference.md`. Exit status 0 when every check passes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import unittest
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

import stub_openai  # noqa: E402 (found through the path set above)

TASKS = ("refund_policy_recovery", "sla_queue_juggle", "fraud_stockout_cascade")
MODEL = "stub-model"
RUN_TIMEOUT_SECONDS = 100

REWARD = r"-?\d+\.\d{2}"
START_RE = re.compile(r"\[START\] task=(?P<task>\S+) env=shopops model=(?P<model>\S+)")
STEP_RE = re.compile(
    r"\[STEP\] step=(?P<step>[1-9]\d*) action=(?P<action>\{.*\}) "
    rf"reward=(?P<reward>{REWARD}) done=(?P<done>true|false) error=(?P<error>\S.*)"
)
END_RE = re.compile(
    r"\[END\] success=(?P<success>true|false) steps=(?P<steps>\d+) "
    rf"score=(?P<score>0\.\d{{3}}) rewards=(?P<rewards>(?:{REWARD}(?:,{REWARD})*)?)"
)
SUMMARY_RE = re.compile(r"summary: model calls ok=(\d+) failed=(\d+), fallback actions used=(\d+)")

ENV_URL = ""  # set from --env-url before the tests run


# --------------------------------------------------------------------------------------------
# Running inference.py and reading its log
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str

    def context(self) -> str:
        """The whole output, for failure messages."""
        return (
            f"\nexit status {self.returncode}\n--- stdout\n{self.stdout}--- stderr\n{self.stderr}"
        )


@dataclass
class Step:
    number: int
    action: dict[str, Any]
    reward: str
    done: bool
    error: str | None


@dataclass
class TaskLog:
    task: str
    steps: list[Step] = field(default_factory=list)
    success: bool = False
    score: float = 0.0
    end_steps: int = -1
    end_rewards: list[str] = field(default_factory=list)


def free_port() -> int:
    """A loopback port nobody listens on (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def inference_env(**settings: str) -> dict[str, str]:
    """The process environment for a run: no inherited keys, then the given settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("HF_TOKEN", "API_KEY", "API_BASE_URL", "MODEL_NAME", "ENV_URL", "SEED")
    }
    env.update(settings)
    return env


def start_inference(**settings: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "inference.py")],
        cwd=ROOT,
        env=inference_env(**settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> Result:
    stdout, stderr = process.communicate(timeout=RUN_TIMEOUT_SECONDS)
    return Result(process.returncode, stdout, stderr)


def run_inference(**settings: str) -> Result:
    return finish(start_inference(**settings))


def parse_log(test: unittest.TestCase, result: Result) -> list[TaskLog]:
    """Check every stdout line against the format and the START/STEP/END structure."""
    logs: list[TaskLog] = []
    current: TaskLog | None = None
    for line in result.stdout.splitlines():
        if match := START_RE.fullmatch(line):
            test.assertIsNone(current, f"[START] before the previous [END]: {line}")
            test.assertEqual(match["model"], MODEL, line)
            current = TaskLog(match["task"])
        elif match := STEP_RE.fullmatch(line):
            test.assertIsNotNone(current, f"[STEP] outside a task: {line}")
            action = json.loads(match["action"])
            test.assertEqual(json.dumps(action, separators=(",", ":")), match["action"], line)
            test.assertEqual(int(match["step"]), len(current.steps) + 1, f"step count: {line}")
            error = None if match["error"] == "null" else match["error"]
            current.steps.append(
                Step(int(match["step"]), action, match["reward"], match["done"] == "true", error)
            )
        elif match := END_RE.fullmatch(line):
            test.assertIsNotNone(current, f"[END] outside a task: {line}")
            current.success = match["success"] == "true"
            current.score = float(match["score"])
            current.end_steps = int(match["steps"])
            current.end_rewards = match["rewards"].split(",") if match["rewards"] else []
            logs.append(current)
            current = None
        else:
            test.fail(f"stdout line matches no format: {line!r}" + result.context())
    test.assertIsNone(current, "a task has no [END]" + result.context())
    test.assertEqual([log.task for log in logs], list(TASKS), "one START/END per task, in order")
    for log in logs:
        check_consistent(test, log)
    return logs


def check_consistent(test: unittest.TestCase, log: TaskLog) -> None:
    """`[END]` agrees with the task's `[STEP]` lines; the score is strictly inside (0, 1)."""
    test.assertEqual(log.end_steps, len(log.steps), f"{log.task}: steps= vs [STEP] lines")
    test.assertEqual(log.end_rewards, [step.reward for step in log.steps], f"{log.task}: rewards")
    test.assertTrue(0.0 < log.score < 1.0, f"{log.task}: score {log.score}")
    test.assertFalse(
        any(step.done for step in log.steps[:-1]), f"{log.task}: done before the last step"
    )
    done = bool(log.steps) and log.steps[-1].done
    if not done:
        test.assertEqual(log.score, 0.001, f"{log.task}: score without done")
    test.assertEqual(log.success, done and log.score >= 0.5, f"{log.task}: success")


def summary(test: unittest.TestCase, result: Result) -> tuple[int, int, int]:
    """(model calls ok, failed, fallbacks) from the stderr summary line."""
    matches = SUMMARY_RE.findall(result.stderr)
    test.assertEqual(len(matches), 1, "one summary line on stderr" + result.context())
    ok, failed, fallbacks = matches[0]
    return int(ok), int(failed), int(fallbacks)


def action_schema() -> dict[str, Any]:
    with urllib.request.urlopen(f"{ENV_URL}/schema", timeout=10) as response:
        return json.load(response)["action"]


# --------------------------------------------------------------------------------------------
# The tests
# --------------------------------------------------------------------------------------------


class InferenceTest(unittest.TestCase):
    stub: stub_openai.StubServer
    unreachable_server: subprocess.Popen[str]

    @classmethod
    def setUpClass(cls) -> None:
        cls.stub = stub_openai.start()
        # Waiting 30 s for a server that never answers runs beside the other tests.
        cls.unreachable_server = start_inference(
            **cls.settings(ENV_URL=f"http://127.0.0.1:{free_port()}")
        )

    @classmethod
    def tearDownClass(cls) -> None:
        cls.stub.shutdown()
        cls.stub.server_close()
        if cls.unreachable_server.poll() is None:
            cls.unreachable_server.kill()
            cls.unreachable_server.communicate()

    @classmethod
    def settings(cls, **overrides: str) -> dict[str, str]:
        base = {
            "API_BASE_URL": f"http://127.0.0.1:{cls.stub.port}/v1",
            "MODEL_NAME": MODEL,
            "HF_TOKEN": "x",
            "ENV_URL": ENV_URL,
        }
        base.update(overrides)
        return {key: value for key, value in base.items() if value}

    def run_with_stub(self, mode: str, **overrides: str) -> Result:
        self.stub.clear()
        self.stub.mode = mode
        return run_inference(**self.settings(**overrides))

    def test_scripted_replies(self) -> None:
        result = self.run_with_stub("script")
        self.assertEqual(result.returncode, 0, "every episode reaches done" + result.context())
        logs = parse_log(self, result)
        for log in logs:
            with self.subTest(task=log.task):
                self.check_scripted_steps(log, result)
        ok, failed, fallbacks = summary(self, result)
        self.assertEqual(ok, sum(len(log.steps) for log in logs), "one model call per step")
        self.assertEqual(failed, 0)
        self.assertEqual(fallbacks, result.stderr.count("fallback at task="))
        self.check_requests()

    def check_scripted_steps(self, log: TaskLog, result: Result) -> None:
        self.assertTrue(log.steps and log.steps[-1].done, "the episode reaches done")
        first, refund, rejected, policy = log.steps[:4]
        # A fenced JSON action is sent as is.
        self.assertEqual(first.action, {"action_type": "inspect_order"})
        self.assertIsNone(first.error)
        # A game-rule error comes from observation.metadata.last_action_error.
        self.assertEqual(refund.action, {"action_type": "issue_refund"})
        self.assertTrue(refund.error and refund.error.startswith("refund_amount_required: "))
        self.assertEqual(refund.reward, "-0.05")
        # A schema-invalid action is rejected (HTTP 422): reward 0.00, the server's message.
        self.assertEqual(rejected.action["escalation_reason"], "boredom")
        self.assertEqual((rejected.reward, rejected.done), ("0.00", False))
        self.assertTrue(rejected.error and rejected.error.startswith("HTTP 422: "), rejected)
        self.assertIn("escalation_reason", rejected.error)
        # Prose around the JSON is ignored; unknown keys and null fields are dropped.
        self.assertEqual(policy.action, {"action_type": "inspect_policy"})
        self.assertIsNone(policy.error)
        # Unusable replies (no JSON, unknown action type) are replaced and reported.
        for step in (5, 6):
            self.assertIn(f"fallback at task={log.task} step={step}: ", result.stderr)
        self.assertNotIn("refund_everything", json.dumps([s.action for s in log.steps]))

    def check_requests(self) -> None:
        """The model calls follow the contract; the prompt lists the schema's action fields."""
        fields = action_schema()["properties"]
        self.assertTrue(self.stub.requests)
        for request in self.stub.requests:
            self.assertEqual(request["model"], MODEL)
            self.assertEqual((request["temperature"], request["max_tokens"]), (0, 200))
            roles = [message["role"] for message in request["messages"]]
            self.assertEqual(roles, ["system", "user"])
            system = request["messages"][0]["content"]
            for name in fields:
                self.assertIn(name, system, f"field {name} missing from the system prompt")
        users = [request["messages"][1]["content"] for request in self.stub.requests]
        self.assertTrue(any("refund_amount_required" in user for user in users), "last error")

    def test_model_outage(self) -> None:
        result = self.run_with_stub("outage")
        self.assertEqual(result.returncode, 1, result.context())
        for log in parse_log(self, result):
            self.assertEqual(log.steps, [], f"{log.task}: no action without the model")
            self.assertFalse(log.success)
        self.assertEqual(result.stderr.count("model call failed"), len(TASKS), result.context())
        self.assertEqual(summary(self, result)[:2], (0, len(TASKS)))

    def test_model_outage_mid_episode(self) -> None:
        # API_KEY instead of HF_TOKEN, as evaluators inject it.
        result = self.run_with_stub("flaky", HF_TOKEN="", API_KEY="x")
        self.assertEqual(result.returncode, 1, result.context())
        for log in parse_log(self, result):
            self.assertEqual(len(log.steps), stub_openai.FLAKY_OK_CALLS, log.task)
            self.assertFalse(log.success)
        self.assertEqual(result.stderr.count("model call failed"), len(TASKS), result.context())

    def test_model_unreachable(self) -> None:
        result = run_inference(**self.settings(API_BASE_URL=f"http://127.0.0.1:{free_port()}/v1"))
        self.assertEqual(result.returncode, 1, result.context())
        for log in parse_log(self, result):
            self.assertEqual(log.steps, [], log.task)
        self.assertIn("model call failed", result.stderr)

    def test_server_unreachable(self) -> None:
        result = finish(self.unreachable_server)
        self.assertEqual(result.returncode, 1, result.context())
        for log in parse_log(self, result):
            self.assertEqual((log.steps, log.success), ([], False), log.task)
        self.assertIn("server unreachable", result.stderr)

    def test_missing_token(self) -> None:
        result = run_inference(**self.settings(HF_TOKEN=""))
        self.assertEqual(result.returncode, 2, result.context())
        self.assertEqual(result.stdout, "")
        self.assertIn("missing HF_TOKEN (or API_KEY)", result.stderr)


def main() -> int:
    global ENV_URL
    parser = argparse.ArgumentParser(description="End-to-end test of inference.py.")
    parser.add_argument("--env-url", required=True, help="base URL of a running ShopOps server")
    arguments, rest = parser.parse_known_args()
    ENV_URL = arguments.env_url.rstrip("/")
    program = unittest.main(argv=[sys.argv[0], *rest], exit=False, verbosity=2)
    return 0 if program.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
