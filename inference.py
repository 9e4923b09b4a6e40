"""Baseline agent for ShopOps: plays the three tasks with an LLM and logs them for evaluators.

Usage: ``python inference.py`` against a running ``shopops serve`` (contract:
``../shared/spec/inference.md``; wire protocol: ``../shared/spec/openenv-protocol.md``).

Configuration comes from the environment: ``API_BASE_URL``, ``MODEL_NAME``, ``HF_TOKEN`` (or
``API_KEY``), ``ENV_URL`` and ``SEED``. Stdout carries only the ``[START]`` / ``[STEP]`` /
``[END]`` lines evaluators parse; every diagnostic goes to stderr.

Failures are reported, never faked: when the model cannot be reached the episode ends there, and
when the server cannot be reached each affected task prints ``[START]`` and an unsuccessful
``[END]``. A reply that holds no usable action is replaced by a fallback action from a simple
deterministic desk procedure (the game's ``rule`` baseline over the public observation), and the
replacement is reported on stderr.

Exit status: 0 when every episode reached ``done``, 1 when any was cut short, 2 for a
configuration error.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from openai import APIError, OpenAI

Json = dict[str, Any]

TASKS = ("refund_policy_recovery", "sla_queue_juggle", "fraud_stockout_cascade")
ENV_NAME = "shopops"

DEFAULT_API_BASE_URL = "https://router.huggingface.co/v1"
DEFAULT_MODEL_NAME = "Qwen/Qwen2.5-72B-Instruct"
DEFAULT_ENV_URL = "http://localhost:8000"
DEFAULT_SEED = 42

DEADLINE_SECONDS = 18 * 60
HEALTH_WAIT_SECONDS = 30.0
HEALTH_POLL_SECONDS = 0.5
HTTP_TIMEOUT_SECONDS = 30.0
MODEL_TIMEOUT_SECONDS = 30.0
MODEL_MAX_RETRIES = 2
MAX_TOKENS = 200

MIN_SCORE = 0.001
MAX_SCORE = 0.999
SUCCESS_SCORE = 0.5


class ConfigError(Exception):
    """The environment variables do not allow a run (exit status 2)."""


class ServerError(Exception):
    """The ShopOps server could not be reached or answered outside the protocol."""


class ModelError(Exception):
    """The model endpoint could not be reached (after the client's retries)."""


class DeadlineReached(Exception):
    """The run's time budget is spent."""


# --------------------------------------------------------------------------------------------
# Configuration and logging
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    """Run settings read from the environment."""

    api_base_url: str
    model_name: str
    token: str
    env_url: str
    seed: int


def load_config() -> Config:
    """Read the configuration; raise `ConfigError` when it is unusable."""
    token = os.environ.get("HF_TOKEN") or os.environ.get("API_KEY")
    if not token:
        raise ConfigError("missing HF_TOKEN (or API_KEY)")
    seed_text = os.environ.get("SEED", str(DEFAULT_SEED))
    try:
        seed = int(seed_text)
    except ValueError:
        raise ConfigError(f"SEED must be an integer, got {seed_text!r}") from None
    if seed < 0:
        raise ConfigError(f"SEED must not be negative, got {seed}")
    return Config(
        api_base_url=os.environ.get("API_BASE_URL") or DEFAULT_API_BASE_URL,
        model_name=os.environ.get("MODEL_NAME") or DEFAULT_MODEL_NAME,
        token=token,
        env_url=(os.environ.get("ENV_URL") or DEFAULT_ENV_URL).rstrip("/"),
        seed=seed,
    )


def emit(line: str) -> None:
    """Print one evaluator line on stdout, flushed at once."""
    print(line, flush=True)


def note(message: str) -> None:
    """Print one diagnostic line on stderr."""
    print(one_line(message), file=sys.stderr, flush=True)


def one_line(text: str) -> str:
    """Newlines become spaces, so a message stays on its log line."""
    return re.sub(r"[\r\n]+", " ", text)


def format_reward(reward: float | None) -> str:
    """Two decimals, sign kept; a null reward prints 0.00 (and never -0.00)."""
    text = f"{reward or 0.0:.2f}"
    return "0.00" if text == "-0.00" else text


def compact(value: Any) -> str:
    """Compact JSON, as the log prints actions and the prompt carries observations."""
    return json.dumps(value, separators=(",", ":"))


# --------------------------------------------------------------------------------------------
# Episode record and its log lines
# --------------------------------------------------------------------------------------------


@dataclass
class Episode:
    """What the log reports about one task."""

    task: str
    rewards: list[float | None] = field(default_factory=list)
    done: bool = False
    score: float = MIN_SCORE

    @property
    def success(self) -> bool:
        return self.done and self.score >= SUCCESS_SCORE

    def record_step(
        self, action: Json, reward: float | None, done: bool, error: str | None
    ) -> None:
        """Log one `/step` request and remember its reward."""
        self.rewards.append(reward)
        error_text = one_line(error) if error else "null"
        emit(
            f"[STEP] step={len(self.rewards)} action={compact(action)} "
            f"reward={format_reward(reward)} done={str(done).lower()} error={error_text}"
        )

    def log_end(self) -> None:
        rewards = ",".join(format_reward(reward) for reward in self.rewards)
        emit(
            f"[END] success={str(self.success).lower()} steps={len(self.rewards)} "
            f"score={self.score:.3f} rewards={rewards}"
        )


# --------------------------------------------------------------------------------------------
# ShopOps server over HTTP
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepOutcome:
    """The server's answer to one `/step` request (200 or 422)."""

    observation: Json | None  # None when the request was rejected
    reward: float | None
    done: bool
    error: str | None


def detail_message(payload: Any) -> str:
    """The readable part of an error body (`{"detail": str | [{loc, msg, type, ...}]}`)."""
    detail = payload.get("detail") if isinstance(payload, dict) else payload
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list) and all(isinstance(item, dict) for item in detail):
        return "; ".join(
            f"{'.'.join(str(part) for part in item.get('loc', []))}: "
            f"{item.get('msg')} [{item.get('type')}]"
            for item in detail
        )
    return compact(payload)


class EnvClient:
    """The HTTP routes of the OpenEnv protocol that an agent needs."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def _request(
        self,
        method: str,
        path: str,
        body: Json | None = None,
        timeout: float = HTTP_TIMEOUT_SECONDS,
    ) -> tuple[int, Any]:
        """Send one request; return its status and JSON body, or raise `ServerError`."""
        request = urllib.request.Request(
            self.base_url + path,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        except (OSError, http.client.HTTPException) as error:
            reason = getattr(error, "reason", None) or error
            raise ServerError(f"{method} {path} failed: {reason}") from error
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            raise ServerError(
                f"{method} {path}: HTTP {status} with a body that is not JSON"
            ) from None

    def _expect_ok(self, method: str, path: str, body: Json | None = None) -> Any:
        status, payload = self._request(method, path, body)
        if status != 200:
            raise ServerError(f"{method} {path}: HTTP {status}: {detail_message(payload)}")
        return payload

    def wait_healthy(self, seconds: float) -> None:
        """Poll `GET /health` until it answers 200, for at most `seconds`."""
        give_up_at = time.monotonic() + seconds
        while True:
            try:
                status, _ = self._request("GET", "/health", timeout=HEALTH_POLL_SECONDS * 4)
                if status == 200:
                    return
                problem = f"HTTP {status}"
            except ServerError as error:
                problem = str(error)
            if time.monotonic() >= give_up_at:
                raise ServerError(
                    f"no healthy answer from {self.base_url}/health "
                    f"within {seconds:.0f} s ({problem})"
                )
            time.sleep(HEALTH_POLL_SECONDS)

    def action_schema(self) -> Json:
        """The JSON Schema of an action, from `GET /schema`."""
        schema = self._expect_ok("GET", "/schema")
        if not isinstance(schema, dict) or not isinstance(schema.get("action"), dict):
            raise ServerError("GET /schema: no `action` schema in the answer")
        return schema["action"]

    def reset(self, task: str, seed: int) -> Json:
        """Start an episode; return its first observation."""
        envelope = self._expect_ok("POST", "/reset", {"task": task, "seed": seed})
        return envelope["observation"]

    def step(self, action: Json, episode_id: str) -> StepOutcome:
        """Send one action. A 422 is a rejected action; any other non-200 is a `ServerError`."""
        status, payload = self._request(
            "POST", "/step", {"action": action, "episode_id": episode_id}
        )
        if status == 422:
            return StepOutcome(None, None, False, f"HTTP 422: {detail_message(payload)}")
        if status != 200:
            raise ServerError(f"POST /step: HTTP {status}: {detail_message(payload)}")
        observation = payload["observation"]
        return StepOutcome(
            observation=observation,
            reward=payload.get("reward"),
            done=bool(payload.get("done")),
            error=observation.get("metadata", {}).get("last_action_error"),
        )


# --------------------------------------------------------------------------------------------
# Action schema: prompt text and validation of model replies
# --------------------------------------------------------------------------------------------


def resolve(node: Json, root: Json) -> Json:
    """Follow local `$ref`s (`#/...`) inside one self-contained schema."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        target: Any = root
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def describe_type(node: Json, root: Json) -> str:
    """A short human description of a schema's accepted values."""
    node = resolve(node, root)
    if "enum" in node:
        return "one of " + ", ".join(compact(value) for value in node["enum"])
    if "const" in node:
        return compact(node["const"])
    for key in ("anyOf", "oneOf"):
        if key in node:
            return " or ".join(describe_type(option, root) for option in node[key])
    kind = node.get("type", "any value")
    return " or ".join(kind) if isinstance(kind, list) else str(kind)


def enum_values(node: Json, root: Json) -> set[Any]:
    """Every value an `enum` (possibly inside `anyOf`/`oneOf`) allows."""
    node = resolve(node, root)
    values = set(node.get("enum", []))
    for key in ("anyOf", "oneOf"):
        for option in node.get(key, []):
            values |= enum_values(option, root)
    return values


def describe_fields(schema: Json) -> str:
    """One line per action field: name, accepted values, default, description."""
    required = set(schema.get("required", []))
    lines = []
    for name, node in schema.get("properties", {}).items():
        parts = [
            f"- {name}{' (required)' if name in required else ''}: {describe_type(node, schema)}"
        ]
        if "default" in node:
            parts.append(f"default {compact(node['default'])}")
        description = node.get("description") or resolve(node, schema).get("description")
        if description:
            parts.append(one_line(description))
        lines.append("; ".join(parts))
    return "\n".join(lines)


def system_prompt(schema: Json, brief: str | None) -> str:
    """The instructions: the desk handbook (when the task has one) and the action fields."""
    sections = [
        "You work the operations desk of an online shop in the ShopOps environment. Each turn "
        "you see the current observation as JSON and reply with exactly one action.",
    ]
    if brief:
        sections.append(f"Desk handbook:\n{brief}")
    sections.append(
        f"Action fields (JSON object; leave out fields you do not need):\n{describe_fields(schema)}"
    )
    sections.append(
        'Reply with one JSON object and nothing else, for example {"action_type": "inspect_order"}.'
    )
    return "\n\n".join(sections)


def user_prompt(observation: Json, last_error: str | None) -> str:
    """The current observation as compact JSON plus the last error."""
    return (
        f"Observation: {compact(observation)}\n"
        f"Last error: {last_error or 'none'}\n"
        "Your action (one JSON object):"
    )


def first_json_object(text: str) -> Json | None:
    """The first JSON object in the text (code fences and surrounding prose allowed)."""
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


@dataclass(frozen=True)
class ActionSpec:
    """What the server accepts as an action, from `GET /schema`."""

    schema: Json

    @property
    def fields(self) -> set[str]:
        return set(self.schema.get("properties", {}))

    @property
    def action_types(self) -> set[Any]:
        return enum_values(self.schema.get("properties", {}).get("action_type", {}), self.schema)

    def parse(self, reply: str) -> tuple[Json | None, str]:
        """The action in a model reply, or None and why there is none.

        Unknown keys are dropped; null fields are left out (null means the field's default).
        """
        candidate = first_json_object(reply)
        if candidate is None:
            return None, f"no JSON object in the reply {reply[:80]!r}"
        action = {
            key: value
            for key, value in candidate.items()
            if key in self.fields and value is not None
        }
        action_type = action.get("action_type")
        if not isinstance(action_type, str) or (
            self.action_types and action_type not in self.action_types
        ):
            return None, f"no valid action_type in {compact(candidate)[:120]}"
        return action, ""


# --------------------------------------------------------------------------------------------
# Fallback: a simple version of the game's `rule` baseline over the public observation
# --------------------------------------------------------------------------------------------

PRIORITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}
WAITING_STATUSES = {"waiting_customer", "waiting_carrier"}
REVIEWS = (
    ("order_review_required", "inspect_order"),
    ("policy_review_required", "inspect_policy"),
    ("history_review_required", "inspect_customer_history"),
    ("inventory_review_required", "inspect_inventory"),
)


def switch_to(case_id: str) -> Json:
    """`switch_case` to a case; to the active case it is a hold (waits 5 minutes)."""
    return {"action_type": "switch_case", "case_id": case_id}


def workable(status: str) -> bool:
    return status != "closed" and status not in WAITING_STATUSES


def urgency_order(queue: list[Json]) -> list[Json]:
    """Priority descending, then SLA minutes remaining ascending, then queue position."""
    return sorted(
        queue,
        key=lambda item: (-PRIORITY_RANK.get(item["priority"], 0), item["sla_minutes_remaining"]),
    )


def to_cents(usd: float) -> int:
    return round(usd * 100)


def pct(cents: int, basis_points: int) -> int:
    """`pct(x, bp) = (x·bp + 5000) div 10000`, the game's half-up percentage."""
    return (cents * basis_points + 5000) // 10000


def fallback_action(observation: Json) -> Json:
    """The first matching rule of the desk procedure for the active case."""
    case = observation["active_case"]
    active = case["case_id"]
    queue = observation["queue"]
    blockers = set(observation.get("unresolved_blockers") or [])
    facts = observation.get("metadata", {}).get("known_facts") or {}
    next_case = next((item for item in urgency_order(queue) if workable(item["status"])), None)
    move_on = switch_to(next_case["case_id"] if next_case else active)

    if not workable(case["status"]):
        if next_case is not None:
            return move_on
        not_closed = [item for item in urgency_order(queue) if item["status"] != "closed"]
        if case["status"] == "closed" and not_closed:
            return switch_to(not_closed[0]["case_id"])
        return switch_to(active)
    for blocker, inspection in REVIEWS:
        if blocker in blockers:
            return {"action_type": inspection}
    if "customer_evidence_pending" in blockers:
        return (
            {"action_type": "request_evidence"}
            if case["evidence_status"] == "not_requested"
            else move_on
        )
    if "carrier_confirmation_pending" in blockers:
        return (
            {"action_type": "contact_carrier"}
            if case["carrier_status"] == "not_contacted"
            else move_on
        )
    if "resolution_not_recorded" in blockers:
        return resolution(observation, facts)
    if "internal_note_required" in blockers and isinstance(facts.get("note_code"), str):
        return {"action_type": "add_internal_note", "note_code": facts["note_code"]}
    return {"action_type": "close_case"}


def resolution(observation: Json, facts: Json) -> Json:
    """Escalate fraud or a denied claim, ship when stock allows, otherwise refund."""
    case = observation["active_case"]
    if (
        case["case_type"] == "fraud_signal"
        or case["fraud_signal"] == "high"
        or facts.get("fraud_pattern") is True
        or case["evidence_status"] == "insufficient"
    ):
        return {"action_type": "escalate_risk", "escalation_reason": "suspected_fraud"}
    if case["carrier_status"] == "denied":
        return {"action_type": "escalate_risk", "escalation_reason": "policy_exception"}
    units = observation["resources"]["inventory_units"].get(case.get("replacement_sku") or "", 0)
    if units > 0 and facts.get("replacement_eligible") is not False:
        return {
            "action_type": "ship_replacement",
            "expedite": case["priority"] in ("high", "critical"),
        }
    order_cents = to_cents(case["order_value_usd"])
    max_pct = facts.get("refund_max_pct")
    if isinstance(max_pct, (int, float)) and not isinstance(max_pct, bool):
        amount = pct(order_cents, round(100 * max_pct))
    elif case.get("requested_compensation_usd") is not None:
        amount = to_cents(case["requested_compensation_usd"])
    else:
        amount = order_cents
    return {"action_type": "issue_refund", "refund_amount_usd": amount / 100}


# --------------------------------------------------------------------------------------------
# The agent: model call, parsing, fallback
# --------------------------------------------------------------------------------------------


@dataclass
class Stats:
    """Counters for the summary line on stderr."""

    calls_ok: int = 0
    calls_failed: int = 0
    fallbacks: int = 0

    def summary(self) -> str:
        return (
            f"summary: model calls ok={self.calls_ok} failed={self.calls_failed}, "
            f"fallback actions used={self.fallbacks}"
        )


@dataclass(frozen=True)
class Agent:
    """Asks the model for each action; falls back on the desk procedure for unusable replies."""

    client: OpenAI
    model_name: str
    spec: ActionSpec
    stats: Stats

    def ask(self, system: str, user: str) -> str:
        """One chat completion; raise `ModelError` when the endpoint cannot be reached."""
        try:
            completion = self.client.chat.completions.create(
                model=self.model_name,
                messages=[
                    {"role": "system", "content": system},
                    {"role": "user", "content": user},
                ],
                temperature=0,
                max_tokens=MAX_TOKENS,
            )
        except APIError as error:
            self.stats.calls_failed += 1
            raise ModelError(one_line(str(error))) from error
        self.stats.calls_ok += 1
        choices = completion.choices or []
        return (choices[0].message.content or "") if choices else ""

    def next_action(
        self, task: str, step: int, system: str, observation: Json, last_error: str | None
    ) -> Json:
        """The model's action for this observation, or the fallback action."""
        reply = self.ask(system, user_prompt(observation, last_error))
        action, problem = self.spec.parse(reply)
        if action is not None:
            return action
        self.stats.fallbacks += 1
        note(f"fallback at task={task} step={step}: {problem}")
        return fallback_action(observation)


# --------------------------------------------------------------------------------------------
# Episodes and the run
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """Everything an episode needs."""

    config: Config
    env: EnvClient
    agent: Agent
    deadline: float  # time.monotonic() value

    def check_deadline(self, task: str) -> None:
        if time.monotonic() >= self.deadline:
            raise DeadlineReached(
                f"deadline of {DEADLINE_SECONDS // 60} minutes reached at task={task}"
            )


def play(run: Run, episode: Episode) -> None:
    """Reset the task and step it until `done` (or the step-limit guard)."""
    task = episode.task
    run.check_deadline(task)
    observation = run.env.reset(task, run.config.seed)
    episode_id = observation["episode_id"]
    max_steps = int(observation["metadata"]["max_steps"])
    brief = (observation.get("latest_tool_result") or {}).get("details", {}).get("brief")
    system = system_prompt(run.agent.spec.schema, brief)
    last_error: str | None = None
    while len(episode.rewards) < max_steps:
        run.check_deadline(task)
        step = len(episode.rewards) + 1
        action = run.agent.next_action(task, step, system, observation, last_error)
        try:
            outcome = run.env.step(action, episode_id)
        except ServerError as error:
            episode.record_step(action, None, False, str(error))
            raise
        episode.record_step(action, outcome.reward, outcome.done, outcome.error)
        if outcome.done:
            episode.done = True
            episode.score = final_score(outcome.observation, task)
            return
        observation = outcome.observation or observation
        last_error = outcome.error
    note(f"step limit of {max_steps} reached at task={task} without done")


def final_score(observation: Json | None, task: str) -> float:
    """`metadata.grade.inference_score` of the last step, kept strictly inside (0, 1)."""
    grade = ((observation or {}).get("metadata") or {}).get("grade") or {}
    score = grade.get("inference_score")
    if not isinstance(score, (int, float)) or isinstance(score, bool):
        note(f"no metadata.grade.inference_score at the end of task={task}; score {MIN_SCORE}")
        return MIN_SCORE
    return min(max(float(score), MIN_SCORE), MAX_SCORE)


def run_episode(run: Run, task: str) -> Episode:
    """One task from `[START]` to `[END]`; the `[END]` line is printed whatever happens."""
    episode = Episode(task)
    emit(f"[START] task={task} env={ENV_NAME} model={run.config.model_name}")
    try:
        play(run, episode)
    except ModelError as error:
        note(f"model call failed: {error} (task={task}; episode ended)")
    except ServerError as error:
        note(f"server error at task={task}: {error}")
    except DeadlineReached as error:
        note(str(error))
    except Exception as error:  # a malformed answer or a bug: report it, never fake a result
        note(f"unexpected error at task={task}: {error!r}")
    finally:
        episode.log_end()
    return episode


def report_unreachable_server(config: Config, reason: str) -> None:
    """Every task gets its `[START]` and an unsuccessful `[END]`."""
    note(f"server unreachable: {reason}")
    for task in TASKS:
        emit(f"[START] task={task} env={ENV_NAME} model={config.model_name}")
        Episode(task).log_end()


def play_all(config: Config, stats: Stats) -> int:
    """Wait for the server, then play every task; the exit status."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    env = EnvClient(config.env_url)
    try:
        env.wait_healthy(HEALTH_WAIT_SECONDS)
        schema = env.action_schema()
    except ServerError as error:
        report_unreachable_server(config, str(error))
        return 1
    client = OpenAI(
        base_url=config.api_base_url,
        api_key=config.token,
        timeout=MODEL_TIMEOUT_SECONDS,
        max_retries=MODEL_MAX_RETRIES,
    )
    run = Run(config, env, Agent(client, config.model_name, ActionSpec(schema), stats), deadline)
    episodes = [run_episode(run, task) for task in TASKS]
    return 0 if all(episode.done for episode in episodes) else 1


def main() -> int:
    try:
        config = load_config()
    except ConfigError as error:
        note(str(error))
        return 2
    stats = Stats()
    try:
        return play_all(config, stats)
    finally:
        note(stats.summary())


if __name__ == "__main__":
    sys.exit(main())
