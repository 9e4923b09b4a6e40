"""The `shopops` binary (`SHOPOPS_BIN`): a real `shopops serve` on a free loopback port, for the
remote tests (and the Ray example's), and `shopops run` for comparisons with the CLI."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import shopops

BINARY = os.environ.get("SHOPOPS_BIN")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve() -> Iterator[str]:
    """Start the binary on the installed package's scenarios; yield its URL; stop it."""
    assert BINARY, "SHOPOPS_BIN (the `shopops` binary) is not set"
    port = free_port()
    command = [BINARY, "serve", "--host", "127.0.0.1", "--port", str(port), str(shopops.SHIPPED)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    stderr = process.stderr.read().decode() if process.stderr else ""
                    raise RuntimeError(f"shopops serve did not come up: {stderr}") from None
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def shopops_run(path: Path, seed: int, actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The observations `shopops run PATH --seed SEED` prints for `actions` on stdin, each with
    its envelope's `reward` and `done` put back, as `Env` returns them (the reset's first)."""
    assert BINARY, "SHOPOPS_BIN (the `shopops` binary) is not set"
    lines = "".join(json.dumps(action) + "\n" for action in actions)
    run = subprocess.run(
        [BINARY, "run", str(path), "--seed", str(seed)],
        input=lines,
        capture_output=True,
        text=True,
        check=True,
    )
    envelopes = [json.loads(line) for line in run.stdout.splitlines()]
    return [{**e["observation"], "reward": e["reward"], "done": e["done"]} for e in envelopes]
