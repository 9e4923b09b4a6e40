"""`RemoteEnv`: `Env`'s API over a `shopops serve` WebSocket session (the OpenEnv `/ws` route).

One connection is one server session and holds one episode at a time. `RemoteScenarios` and
`RemoteGame` stand in for the in-process `Scenarios` and `Game` (the same methods, answered by
the server), so `Env`'s own reset and step logic runs unchanged on top of them, and the TRL
tool environment uses them for its remote mode.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from contextlib import ExitStack
from typing import Any, cast

from shopops._catalog import ScenarioPaths
from shopops._core import Scenarios, shift_start_of, system_prompt_of, tool_result_of
from shopops._env import Env, info_of

try:
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import ClientConnection, connect

    HAVE_WEBSOCKETS = True
except ImportError:  # pragma: no cover - exercised only without the extra
    HAVE_WEBSOCKETS = False

Observation = dict[str, Any]


class RemoteError(RuntimeError):
    """An error frame from the server that is not about the request's content."""

    def __init__(self, code: str, message: str) -> None:
        """Keep the frame's `code` and `message`."""
        super().__init__(f"{message} (code: {code})")
        self.code = code


def _urls(url: str) -> tuple[str, str]:
    """Return the (http, ws) base URLs of a server given as `http(s)://` or `ws(s)://`."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path.rstrip("/")
    if path.endswith("/ws"):
        path = path[: -len("/ws")]
    secure = parts.scheme in ("https", "wss")
    if parts.scheme not in ("http", "https", "ws", "wss"):
        raise ValueError(f"the server URL must be http(s):// or ws(s)://, got {url!r}")
    http = urllib.parse.urlunsplit(("https" if secure else "http", parts.netloc, path, "", ""))
    ws = urllib.parse.urlunsplit(("wss" if secure else "ws", parts.netloc, path + "/ws", "", ""))
    return http, ws


class Session:
    """One WebSocket session with the server: one reply per request, in order."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        """Connect to the server at `url` (`http://host:port` or `ws://host:port/ws`)."""
        if not HAVE_WEBSOCKETS:
            raise ImportError("RemoteEnv needs `websockets`: pip install 'shopops[remote]'")
        self.http_url, self.ws_url = _urls(url)
        self.timeout = timeout
        self._stack = ExitStack()
        self._socket: ClientConnection | None = self._connect()
        self.generation = 0
        """How many resets this session has made: a `RemoteGame` of an older one is stale."""

    def _connect(self) -> ClientConnection:
        """Open the WebSocket (no compression: the server sends none).

        Entered as a context manager (websockets 17 deprecates a bare `connect()`) whose exit
        `close` runs; a reconnection first closes the old one.
        """
        self._stack.close()
        opening = connect(
            self.ws_url, open_timeout=self.timeout, max_size=16 * 2**20, compression=None
        )
        return self._stack.enter_context(opening)

    def request(self, kind: str, data: Any = None) -> Any:
        """Send one message and return the reply's `data`; error frames raise.

        A reset on a connection the server has closed (its idle timeout, a restart)
        reconnects once: a reset starts afresh anyway. Any other request raises.
        """
        if self._socket is None:
            raise RuntimeError("the session is closed")
        message: dict[str, Any] = {"type": kind}
        if data is not None:
            message["data"] = data
        try:
            self._socket.send(json.dumps(message))
            text = self._socket.recv(timeout=self.timeout)
        except ConnectionClosed:
            if kind != "reset":
                raise
            self._socket = self._connect()
            self._socket.send(json.dumps(message))
            text = self._socket.recv(timeout=self.timeout)
        reply = json.loads(text)
        if reply.get("type") == "error":
            error = reply.get("data", {})
            code, text = str(error.get("code")), str(error.get("message"))
            if code == "VALIDATION_ERROR":
                items = error.get("errors") or []
                if any("task" in item.get("loc", []) for item in items):
                    raise KeyError(text)
                raise ValueError("; ".join(str(i.get("msg")) for i in items) or text)
            raise RemoteError(code, text)
        return reply.get("data")

    def scenarios(self) -> list[dict[str, Any]]:
        """Return the server's `GET /scenarios` list (id, title, difficulty, status, ...)."""
        return cast("list[dict[str, Any]]", self.http("/scenarios"))

    def http(self, path: str, body: dict[str, Any] | None = None) -> Any:
        """Return the JSON reply of `GET path`, or of `POST path` with a JSON `body`."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.http_url}{path}", data=data)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=self.timeout) as reply:
            return json.load(reply)

    def close(self) -> None:
        """End the session (a `close` message, then the connection)."""
        if self._socket is not None:
            try:
                self._socket.send(json.dumps({"type": "close"}))
            except ConnectionClosed:
                pass
            finally:
                self._stack.close()
                self._socket = None


def _observation(envelope: dict[str, Any]) -> Observation:
    """Return the observation dict of a reply: the envelope's body with reward and done."""
    return {**envelope["observation"], "reward": envelope["reward"], "done": envelope["done"]}


class RemoteGame:
    """One episode on the server, with `Game`'s methods."""

    def __init__(self, session: Session, reset: Observation) -> None:
        """Wrap the episode `session` just reset, whose first observation is `reset`."""
        self._session = session
        self._generation = session.generation
        self._reset = reset
        self._current = reset
        self._last_action: dict[str, Any] | None = None

    @property
    def done(self) -> bool:
        """Whether the episode has ended."""
        return bool(self._current["done"])

    def observation(self) -> Observation:
        """Return the current observation."""
        return self._current

    def info(self) -> dict[str, Any]:
        """Return `Env`'s info of the current observation (copies of its metadata entries)."""
        return info_of(self._current)

    def step(self, action: dict[str, Any]) -> Observation:
        """Take one step on the server and return the new observation.

        A malformed action raises `ValueError` (the server's validation messages) and is not a
        step; stepping an ended episode raises `RuntimeError`.
        """
        if self._generation != self._session.generation:
            raise RuntimeError("this episode was replaced by a later reset of its session")
        if self.done:
            raise RuntimeError("episode_done: the episode has ended; call reset")
        self._current = _observation(self._session.request("step", action))
        self._last_action = action
        return self._current

    def state(self) -> dict[str, Any]:
        """Return the episode state (the server's `state` reply)."""
        return cast("dict[str, Any]", self._session.request("state"))

    def grade(self) -> dict[str, Any] | None:
        """Return the grade report once the episode has ended, else None."""
        return cast("dict[str, Any] | None", self._current["metadata"].get("grade"))

    def summary(self) -> dict[str, Any] | None:
        """Return the episode summary once the episode has ended, else None."""
        return cast("dict[str, Any] | None", self._current["metadata"].get("episode_summary"))

    def system_prompt(self) -> str:
        """Return the system prompt of `shopops eval --agent openai` (tool mode)."""
        return system_prompt_of(self._reset)

    def prompt(self) -> str:
        """Return what a model reads after the last step (or at the start of the shift)."""
        if self._last_action is None:
            return shift_start_of(self._reset)
        return tool_result_of(self._last_action, self._current)


_PAGE = 1_000
"""Rows the server's `task_range` lists at most per request."""


def _ranges(seeds: list[int]) -> list[tuple[int, int]]:
    """Return seeds listed in order as ranges `(first, last)` of consecutive seeds."""
    ranges: list[tuple[int, int]] = []
    for seed in seeds:
        if ranges and seed == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], seed)
        else:
            ranges.append((seed, seed))
    return ranges


class RemoteScenarios:
    """The tasks a server serves, with the methods of `Scenarios` that play them."""

    def __init__(self, session: Session) -> None:
        """Serve episodes over `session`."""
        self.session = session
        self._info: dict[str, dict[str, Any]] = {}
        self._splits: dict[str, dict[str, list[tuple[int, int]]]] | None = None

    def ids(self) -> list[str]:
        """Return the ids of the tasks the server plays."""
        return [row["id"] for row in self.session.scenarios() if row.get("status") == "ok"]

    def info(self, task: str) -> dict[str, Any]:
        """Return a task's id, title, difficulty, version and limits (one probe reset)."""
        if task not in self._info:
            rows = {row["id"]: row for row in self.session.scenarios()}
            if task not in rows:
                raise KeyError(f"unknown task `{task}`; the tasks are {', '.join(rows)}")
            meta = self.game(task, 0, f"{task}-probe").observation()["metadata"]
            self._info[task] = {
                "id": task,
                "title": rows[task].get("title", ""),
                "difficulty": meta["difficulty"],
                "version": meta["scenario_version"],
                "path": f"{self.session.http_url}/scenarios/{task}",
                "max_steps": meta["max_steps"],
                "time_limit_minutes": meta["time_limit_minutes"],
                "invalid_action_limit": meta["invalid_action_limit"],
                "budget_usd": meta["budget_limit_usd"],
            }
        return self._info[task]

    def splits(self, task: str) -> dict[str, list[tuple[int, int]]]:
        """Return `task`'s seed splits as `Scenarios.splits` does: each split's seed ranges.

        Read once per session from the server's task API (`/{env}/splits`, then every row of
        each split through `/{env}/task_range`, a page of 1,000 at a time).
        """
        if self._splits is None:
            self._splits = self._read_splits()
        return self._splits.get(task, {})

    def _read_splits(self) -> dict[str, dict[str, list[tuple[int, int]]]]:
        """Every task's splits, from the server's task API."""
        env = self.session.http("/list_environments")[0]
        seeds: dict[str, dict[str, list[int]]] = {}
        for split in self.session.http(f"/{env}/splits"):
            name, count = split["name"], split["num_tasks"]
            for start in range(0, count, _PAGE):
                body = {"split": name, "start": start, "stop": min(start + _PAGE, count)}
                for row in self.session.http(f"/{env}/task_range", body)["tasks"]:
                    seeds.setdefault(row["task"], {}).setdefault(name, []).append(row["seed"])
        return {
            task: {name: _ranges(listed) for name, listed in by_split.items()}
            for task, by_split in seeds.items()
        }

    def game(self, task: str, seed: int, episode_id: str) -> RemoteGame:
        """Reset the session to a new episode of `task` with `seed`, labelled `episode_id`."""
        data = {"task": task, "seed": seed, "episode_id": episode_id}
        reset = _observation(self.session.request("reset", data))
        self.session.generation += 1
        return RemoteGame(self.session, reset)


class RemoteEnv(Env):
    """`Env` played on a `shopops serve` server over its WebSocket: the same API.

    Observations, rewards, `terminated`/`truncated`, `info` and `render()` are exactly
    `Env`'s for the same seed and actions (the server runs the same engine; the tests compare
    whole episodes). The connection is opened here and is one server session (sticky to one
    server process); `close()` ends it. Creating the environment plays one probe reset of
    `task` (seed 0) to learn its cases and budget, as `Env` does in-process.
    """

    def __init__(
        self,
        url: str,
        task: str,
        render_mode: str | None = None,
        max_episode_steps: int | None = None,
        timeout: float = 30.0,
    ) -> None:
        """Connect to the server at `url` and make `task` the task of the episodes.

        Args:
            url: The server, `http://host:port` (or `ws://host:port/ws`).
            task: The task id, as the server serves it.
            render_mode: None, or "ansi" (the transcript line of the last step).
            max_episode_steps: A step cap below the task's own (a truncation).
            timeout: Seconds to wait for the connection and for each reply.

        """
        self.session = Session(url, timeout)
        try:
            super().__init__(task, None, render_mode, max_episode_steps)
        except BaseException:
            self.session.close()
            raise

    def _load(self, scenarios: Scenarios | ScenarioPaths | None) -> Scenarios:
        """Return the server's tasks (stand-ins with the methods of `Scenarios` Env calls)."""
        return cast("Scenarios", RemoteScenarios(self.session))

    def close(self) -> None:
        """End the server session and close the connection."""
        self.session.close()
        super().close()
