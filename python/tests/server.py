"""A real `shopops serve` on a free loopback port, for the remote tests (and the Ray example's)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

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
