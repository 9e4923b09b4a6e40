"""A tiny OpenAI-compatible chat endpoint with scripted replies, for testing `inference.py`.

`POST /v1/chat/completions` answers like the real API. What it answers depends on the mode:

* ``script``: the replies of `SCRIPT`, in order, for each episode (told apart by the
  ``"episode_id"`` in the user prompt's observation), then `UNUSABLE` for every later call, so
  the agent's fallback policy finishes the episode.
* ``outage``: HTTP 500 for every call (the client retries, then gives up).
* ``flaky``: the first `FLAKY_OK_CALLS` script replies of each episode, then HTTP 500.

Tests start it in-process with `start()` and switch `mode` between runs; standalone:
``python tests/inference/stub_openai.py --port 8001 --mode script``.
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODES = ("script", "outage", "flaky")

# One episode's replies, in order; each is chosen to exercise one path of the agent.
SCRIPT = (
    # A valid action inside a code fence.
    '```json\n{"action_type": "inspect_order"}\n```',
    # Well-formed but refused by the game: `refund_amount_required` in last_action_error.
    '{"action_type": "issue_refund"}',
    # Schema-invalid (bad enum value): the server rejects the request with HTTP 422.
    '{"action_type": "escalate_risk", "escalation_reason": "boredom"}',
    # Surrounding prose, a null field and unknown keys (dropped by the agent).
    'Next I review the policy. {"action_type": "inspect_policy", "case_id": null, '
    '"confidence": 0.9, "reasoning": "policy first"} That should help.',
    # Unusable: prose without JSON.
    "I am not sure what to do with this case.",
    # Unusable: an action type the game does not have.
    '{"action_type": "refund_everything"}',
)
UNUSABLE = "Let me think about the queue before acting."
FLAKY_OK_CALLS = 2

EPISODE_ID = re.compile(r'"episode_id":"([^"]*)"')


def completion(model: str, text: str) -> dict[str, Any]:
    """A chat completion object carrying one assistant message."""
    return {
        "id": f"chatcmpl-stub-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


class StubServer(ThreadingHTTPServer):
    """The stub: its mode, the requests it received and a call counter per episode."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], mode: str = "script") -> None:
        super().__init__(address, StubHandler)
        self.mode = mode
        self.requests: list[dict[str, Any]] = []
        self._calls: dict[str, int] = {}
        self._lock = threading.Lock()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def clear(self) -> None:
        """Forget earlier requests, as before a new run."""
        with self._lock:
            self.requests.clear()
            self._calls.clear()

    def record(self, body: dict[str, Any]) -> int:
        """Store a request; return its index among the calls of its episode."""
        messages = body.get("messages") or [{}]
        match = EPISODE_ID.search(str(messages[-1].get("content", "")))
        episode = match.group(1) if match else ""
        with self._lock:
            self.requests.append(body)
            index = self._calls.get(episode, 0)
            self._calls[episode] = index + 1
        return index

    def reply(self, index: int) -> str | None:
        """The scripted reply for a call, or None for an HTTP 500."""
        if self.mode == "outage" or (self.mode == "flaky" and index >= FLAKY_OK_CALLS):
            return None
        return SCRIPT[index] if index < len(SCRIPT) else UNUSABLE


class StubHandler(BaseHTTPRequestHandler):
    server: StubServer

    def do_POST(self) -> None:
        if self.path.rstrip("/") != "/v1/chat/completions":
            self.send_json(404, {"error": {"message": f"no route {self.path}"}})
            return
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        text = self.server.reply(self.server.record(body))
        if text is None:
            # A short retry-after keeps the client's retries fast in tests.
            error = {"message": "stub outage", "type": "server_error"}
            self.send_json(500, {"error": error}, {"retry-after-ms": "20"})
        else:
            self.send_json(200, completion(str(body.get("model")), text))

    def send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read only the agent's output."""


def start(mode: str = "script", host: str = "127.0.0.1", port: int = 0) -> StubServer:
    """Serve in a daemon thread (port 0: a free port, see `StubServer.port`)."""
    server = StubServer((host, port), mode)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--mode", choices=MODES, default="script")
    arguments = parser.parse_args()
    server = StubServer((arguments.host, arguments.port), arguments.mode)
    print(f"stub listening on http://{arguments.host}:{server.port}/v1", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
