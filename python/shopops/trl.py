"""`ShopOpsToolEnv`: ShopOps as a tool environment for TRL's `GRPOTrainer(environment_factory=...)`.

TRL (trl/trainer/grpo_trainer.py) makes one instance per rollout and reuses it across batches:
it calls `reset(**row)` with the dataset row and appends the returned text to the prompt's last
user message; every public method but `reset` and `get_reward` becomes a tool, its schema read
from the type hints and the Google-style docstring (`transformers.utils.get_json_schema`); an
exception raised by a tool reaches the model as `{"error": "<message>"}`, counted as a tool
failure; and `get_reward()` is called once per finished rollout as an extra reward source.
"""

from __future__ import annotations

from typing import Any, cast

from shopops._action import EscalationReason
from shopops._catalog import ScenarioPaths, load
from shopops._core import Game, Scenarios
from shopops._remote import RemoteScenarios, Session


class ToolError(ValueError):
    """A rule-invalid action (taken and penalised), or a call after the episode's end."""


class ShopOpsToolEnv:
    """One ShopOps episode per rollout, played through one tool per action type.

    Each tool takes the action on the active case (`switch_case` changes it) and returns what
    `shopops eval --agent openai` shows a model: the step's result, then the desk as JSON. A
    rule-invalid action is still a step (penalised): the tool raises `ToolError` with that
    same text, which TRL hands to the model as a tool error. Malformed arguments raise
    `ValueError` and are not a step.

    With `url=`, the episodes are played on a `shopops serve` server over one WebSocket
    session per instance: the same tools, texts, rewards and grade (`with ShopOpsToolEnv(url=
    ...) as env:` ends the session).

    For reward functions: `reward` is the episode's return so far (the sum of step rewards,
    also what `get_reward()` returns), `grade` the final grade score in [0, 1] once the episode
    has ended (`grade_report` the whole report), and `done` whether it has.
    """

    def __init__(
        self,
        scenarios: Scenarios | ScenarioPaths | None = None,
        task: str | None = None,
        url: str | None = None,
    ) -> None:
        """Create the environment (`task` is the default of rows that name none).

        Args:
            scenarios: Loaded `Scenarios`, or scenario files and directories; the shipped set
                if None. Not with `url`.
            task: The task of `reset` calls without one; the first easy task if None.
            url: Play on a `shopops serve` server at this URL (`http://host:port`) over one
                WebSocket session per instance, instead of in-process.

        """
        self.session: Session | None = None
        if url is not None:
            if scenarios is not None:
                raise ValueError("give scenarios or url, not both")
            self.session = Session(url)
            self.scenarios = cast("Scenarios", RemoteScenarios(self.session))
            rows = [r for r in self.session.scenarios() if r.get("status") == "ok"]
            ids = [r["id"] for r in rows]
            easy = [r["id"] for r in rows if r.get("difficulty") == "easy"]
        else:
            self.scenarios = scenarios if isinstance(scenarios, Scenarios) else load(scenarios)
            ids = self.scenarios.ids()
            easy = [t for t in ids if self.scenarios.info(t)["difficulty"] == "easy"]
        self.default_task = task if task is not None else (easy or ids)[0]
        self.game: Game | None = None
        self.reward = 0.0
        self.grade: float | None = None
        self.grade_report: dict[str, Any] | None = None
        self.done = False

    def reset(
        self,
        task: str | None = None,
        seed: int = 0,
        episode_id: str | None = None,
        **row: Any,
    ) -> str:
        """Start the episode of a dataset row and return its first observation as text.

        The text is the system prompt of `shopops eval` (role, handbook, limits) and the desk at
        the start of the shift. Other columns of the row (`prompt`, ...) are ignored.
        """
        task = task if task is not None else self.default_task
        seed = int(seed)
        label = episode_id if episode_id is not None else f"{task}-{seed}"
        self.game = self.scenarios.game(task, seed, label)
        self.reward = 0.0
        self.grade = None
        self.grade_report = None
        self.done = False
        return f"{self.game.system_prompt()}\n\n{self.game.prompt()}"

    def __enter__(self) -> ShopOpsToolEnv:
        """Use the environment in a `with` block that ends its server session (remote mode)."""
        return self

    def __exit__(self, *exc: object) -> None:
        """End the server session of the remote mode (not a tool: TRL skips dunders)."""
        if self.session is not None:
            self.session.close()

    def get_reward(self) -> float:
        """Return the episode's return so far: the sum of its step rewards."""
        return self.reward

    def _act(self, action: dict[str, Any]) -> str:
        """Take `action`; return the model's text, or raise `ToolError` if it was refused."""
        if self.game is None:
            raise ToolError("no episode: reset first")
        if self.done:
            raise ToolError("the shift is over: no more actions")
        observation = self.game.step(action)
        self.reward += float(observation["reward"])
        if observation["done"]:
            self.done = True
            self.grade_report = self.game.grade()
            self.grade = None if self.grade_report is None else self.grade_report["score"]
        text = self.game.prompt()
        if observation["metadata"]["last_action_error"] is not None:
            raise ToolError(text)
        return text

    def inspect_order(self) -> str:
        """Review the order record of the active case (4 minutes).

        Returns:
            The step's result, then the desk as JSON.

        """
        return self._act({"action_type": "inspect_order"})

    def inspect_policy(self) -> str:
        """Review the policy that applies to the active case (4 minutes).

        Returns:
            The step's result, then the desk as JSON.

        """
        return self._act({"action_type": "inspect_policy"})

    def inspect_inventory(self) -> str:
        """Check stock for the active case's replacement SKU (3 minutes).

        Returns:
            The step's result, then the desk as JSON.

        """
        return self._act({"action_type": "inspect_inventory"})

    def inspect_customer_history(self) -> str:
        """Review the active case's customer history (4 minutes).

        Returns:
            The step's result, then the desk as JSON.

        """
        return self._act({"action_type": "inspect_customer_history"})

    def request_evidence(self) -> str:
        """Ask the customer for evidence; the answer arrives later (3 minutes).

        Returns:
            The step's result, then the desk as JSON.

        """
        return self._act({"action_type": "request_evidence"})

    def contact_carrier(self) -> str:
        """Ask the carrier for a trace; the answer arrives later (6 minutes).

        Returns:
            The step's result, then the desk as JSON.

        """
        return self._act({"action_type": "contact_carrier"})

    def issue_refund(self, amount_usd: float) -> str:
        """Refund the active case's customer (5 minutes).

        Args:
            amount_usd: The amount to refund, in USD (at least 0, cents at most).

        Returns:
            The step's result, then the desk as JSON.

        """
        return self._act({"action_type": "issue_refund", "refund_amount_usd": amount_usd})

    def ship_replacement(self, expedite: bool = False) -> str:
        """Ship one replacement unit for the active case (8 minutes).

        Args:
            expedite: Whether to ship it expedited.

        Returns:
            The step's result, then the desk as JSON.

        """
        return self._act({"action_type": "ship_replacement", "expedite": expedite})

    def escalate_risk(self, reason: EscalationReason) -> str:
        """Escalate the active case (5 minutes).

        Args:
            reason: Why: suspected fraud (never pay out), a policy exception (a claim the
                policy does not cover), an SLA risk, or a VIP recovery.

        Returns:
            The step's result, then the desk as JSON.

        """
        return self._act({"action_type": "escalate_risk", "escalation_reason": reason})

    def add_internal_note(self, note_code: str) -> str:
        """Add an internal note to the active case (2 minutes).

        Args:
            note_code: The note's code, lowercase letters, digits and underscores.

        Returns:
            The step's result, then the desk as JSON.

        """
        return self._act({"action_type": "add_internal_note", "note_code": note_code})

    def close_case(self) -> str:
        """Close the active case (2 minutes).

        Returns:
            The step's result, then the desk as JSON.

        """
        return self._act({"action_type": "close_case"})

    def switch_case(self, case_id: str) -> str:
        """Make another case the active case (1 minute); naming the active case waits 5 minutes.

        Args:
            case_id: The id of the case to work on, as the queue lists it.

        Returns:
            The step's result, then the desk as JSON.

        """
        return self._act({"action_type": "switch_case", "case_id": case_id})
