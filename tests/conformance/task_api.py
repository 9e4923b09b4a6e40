#!/usr/bin/env python3
"""OpenEnv 0.10's task API against a running ShopOps server, read as OpenEnv reads it.

Checks:

* `openenv.yaml`, parsed by openenv's own validator parser (`OpenEnvYamlParser`), declares
  `capabilities.task_api` and a `declared_task_count` equal, split by split, to what the server
  discovers (`POST /{env}/num_tasks`): the comparison of OpenEnv's
  `runtime.task_declaration_accuracy` check (#778 test #35), which 0.10 only runs in Docker;
* `GET /list_environments` names the manifest's environment, `GET /{env}/splits` lists
  `{"name", "type"}` entries as OpenEnv's `_normalize_split` would make them;
* `POST /{env}/task` answers every split's first and last index, 400 one past the end;
  `/{env}/task_range` agrees with `/{env}/task`;
* the official client (`GenericEnvClient`, over WebSocket) resets with `split` and `index` (as
  the `TaskProvider` docs say: `env.reset(split="test", index=12)`) and plays the spec's task
  and seed.

Usage: task_api.py --url http://127.0.0.1:8000 [--package DIR]
Exit 0 when every check passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from openenv.core import GenericEnvClient
from openenv.validation.parsers.openenv_yaml import OpenEnvYamlParser

FAILURES: list[str] = []
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def check(ok: bool, what: str, detail: Any = "") -> None:
    if not ok:
        FAILURES.append(f"{what}: {detail}")
    print(f"{'PASS' if ok else 'FAIL':<5} {what}" + (f"  -- {detail}" if not ok else ""), flush=True)


def http(url: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="GET" if body is None else "POST")
    request.add_header("content-type", "application/json")
    try:
        with OPENER.open(request, timeout=10) as reply:
            return reply.status, json.load(reply)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def normalized(split: Any) -> dict[str, Any]:
    """What openenv's HTTP server makes of a split descriptor (`_normalize_split`, 0.10)."""
    if isinstance(split, str):
        kind = split if split in {"train", "validation", "test"} else "validation"
        return {"name": split, "type": kind}
    return dict(split)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--package", default=".", help="directory holding openenv.yaml")
    args = parser.parse_args()
    url = args.url.rstrip("/")

    parsed = OpenEnvYamlParser().parse(Path(args.package))
    manifest = parsed.capabilities
    env = parsed.name
    check(manifest.task_api, "openenv.yaml declares capabilities.task_api")

    status, names = http(f"{url}/list_environments")
    check(status == 200 and names == [env], "/list_environments names the manifest's env", names)
    status, splits = http(f"{url}/{env}/splits")
    check(status == 200 and isinstance(splits, list) and splits, f"/{env}/splits", splits)
    served = [s["name"] for s in splits]
    for split in splits:
        check(
            {k: split[k] for k in ("name", "type")} == normalized(split["name"]),
            f"split {split.get('name')} normalised as OpenEnv does",
            split,
        )

    discovered = {}
    for name in served:
        status, reply = http(f"{url}/{env}/num_tasks", {"split": name})
        discovered[name] = reply.get("num_tasks") if status == 200 else None
    check(
        manifest.declared_task_count == discovered,
        "declared_task_count equals the discovered counts (runtime.task_declaration_accuracy)",
        f"declared {manifest.declared_task_count}, discovered {discovered}",
    )

    specs: list[dict[str, Any]] = []
    for name, count in discovered.items():
        if not count:
            continue
        for index in (0, count - 1):
            status, reply = http(f"{url}/{env}/task", {"split": name, "index": index})
            ok = status == 200 and reply["task"]["index"] == index and reply["task"]["split"] == name
            check(ok, f"/{env}/task {name}[{index}]", reply)
            if ok:
                specs.append(reply["task"])
        status, reply = http(f"{url}/{env}/task", {"split": name, "index": count})
        check(status == 400, f"/{env}/task {name}[{count}] (one past the end) is 400", (status, reply))
        status, reply = http(f"{url}/{env}/task_range", {"split": name, "start": count - 1})
        ok = status == 200 and [t["index"] for t in reply["tasks"]] == [count - 1]
        check(ok, f"/{env}/task_range {name}[{count - 1}:]", reply)

    with GenericEnvClient(base_url=url).sync() as client:
        for spec in specs:
            result = client.reset(split=spec["split"], index=spec["index"])
            meta = result.observation.get("metadata") or {}
            check(
                (meta.get("task"), meta.get("seed")) == (spec["task"], spec["seed"]),
                f"client reset(split={spec['split']!r}, index={spec['index']}) plays {spec['id']}",
                meta.get("task"),
            )

    print(f"task API: {len(FAILURES)} failure(s)")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
