"""GRPO on ShopOps with TRL: one in-process ShopOps episode per generation, played with tools.

Not run in CI (it needs torch and a model). Setup and run:

    pip install ./python trl datasets torch
    python examples/python/trl_grpo.py --model Qwen/Qwen3-0.6B --seeds 64

Each dataset row names a task and a seed; TRL calls `ShopOpsToolEnv.reset(**row)`, appends the
returned text (the handbook, limits and the desk) to the row's user message, and exposes the
twelve actions as tools. The environment's `get_reward()` (the episode's return) is the reward;
`grade_reward` below adds the final grade (0 for an episode the model did not finish).
"""

from __future__ import annotations

import argparse
from typing import Any

from datasets import Dataset
from trl import GRPOConfig, GRPOTrainer

import shopops
from shopops.trl import ShopOpsToolEnv


def grade_reward(environments: list[ShopOpsToolEnv], **_: Any) -> list[float]:
    """Return each episode's final grade score (0 when it did not end)."""
    return [env.grade or 0.0 for env in environments]


def main() -> None:
    """Train on every shipped task with seeds 0..N-1."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="Qwen/Qwen3-0.6B")
    parser.add_argument("--seeds", type=int, default=64)
    args = parser.parse_args()

    rows = shopops.tasks(range(args.seeds))
    instruction = "Work the queue of the shift below until every case is closed."
    dataset = Dataset.from_list(
        [{"prompt": [{"role": "user", "content": instruction}], **row} for row in rows]
    )
    trainer = GRPOTrainer(
        model=args.model,
        train_dataset=dataset,
        reward_funcs=[grade_reward],
        args=GRPOConfig(
            chat_template_kwargs={"enable_thinking": False},
            max_completion_length=4096,
            max_tool_calling_iterations=40,
            log_completions=True,
        ),
        environment_factory=ShopOpsToolEnv,
    )
    trainer.train()


if __name__ == "__main__":
    main()
