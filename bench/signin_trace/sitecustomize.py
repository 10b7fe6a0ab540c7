"""Bench-only timings of the served app's sign-in, for `bench/bench_signin.py`; no product code.

`bench_signin.py` serves the app with this directory on PYTHONPATH and CRUDDUR_BENCH_TRACE set to a
file. Python imports this module at start-up in every process of the app; it wraps, as each
module is imported, the functions a press of "Sign in" goes through, and appends one JSON line
per call: what, and `time.time()` at its start and end (the bench compares them with the page's
marks on `Date.now()` and Chromium's wall clock, on the same machine). Without the
variable it does nothing. Nothing a call takes or returns is written, only names and times.
"""

import asyncio
import functools
import importlib.abc
import importlib.machinery
import json
import os
import sys
import time

TRACE = os.environ.get("CRUDDUR_BENCH_TRACE", "")
# With --detail: also note each spell the event loop could not run for over LOOP_BLOCKED seconds.
LOOP_PROBE = os.environ.get("CRUDDUR_BENCH_LOOP_PROBE") == "1"
LOOP_BLOCKED = 0.004
_probing = False


def _write(record: dict) -> None:
    line = (json.dumps(record) + "\n").encode()
    fd = os.open(TRACE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)  # one write per line, O_APPEND: lines of concurrent calls do not mix
    finally:
        os.close(fd)


def _span(what: str, function):
    """`function`, timed: one line per call (raised or returned)."""

    @functools.wraps(function)
    def timed(*args, **kwargs):
        start = time.time()
        try:
            return function(*args, **kwargs)
        finally:
            _write({"what": what, "t0": start, "t1": time.time()})

    return timed


def _update_summary(update) -> dict:
    """What an update the server sends a tab says, as far as the bench needs: its events' names
    and how many cruds a feed delta holds (-1: none in it)."""
    cruds = -1
    for values in (getattr(update, "delta", None) or {}).values():
        if isinstance(values, dict) and isinstance(values.get("cruds_rx_state_"), list):
            cruds = len(values["cruds_rx_state_"])
    return {"events": [getattr(event, "name", "") for event in getattr(update, "events", None) or []], "cruds": cruds}


def _patch_reflex_app(module) -> None:
    namespace = module.EventNamespace
    on_event, emit_update = namespace.on_event, namespace.emit_update

    @functools.wraps(on_event)
    async def traced_on_event(self, sid, data):
        global _probing
        name = data.get("name", "") if isinstance(data, dict) else ""
        _write({"what": "event_in", "t0": time.time(), "name": name})
        if LOOP_PROBE and not _probing:
            _probing = True
            asyncio.get_running_loop().create_task(_probe_loop())
        return await on_event(self, sid, data)

    @functools.wraps(emit_update)
    async def traced_emit_update(self, update, token):
        start = time.time()
        try:
            return await emit_update(self, update, token)
        finally:
            _write({"what": "update_out", "t0": start, "t1": time.time(), **_update_summary(update)})

    namespace.on_event, namespace.emit_update = traced_on_event, traced_emit_update


async def _probe_loop() -> None:
    while True:
        start = time.time()
        await asyncio.sleep(0.001)
        if time.time() - start > 0.001 + LOOP_BLOCKED:
            _write({"what": "loop_blocked", "t0": start, "t1": time.time()})


def _patch_engineio_asgi(module) -> None:
    """When a frame is handed to the ASGI server (after engine.io's queue)."""
    send = module.WebSocket.send

    @functools.wraps(send)
    async def traced_send(self, message):
        _write({"what": "ws_write", "t0": time.time()})
        return await send(self, message)

    module.WebSocket.send = traced_send


def _patch_methods(owner: str, names: dict[str, str]):
    def patch(module) -> None:
        cls = getattr(module, owner)
        for name, what in names.items():
            setattr(cls, name, _span(what, getattr(cls, name)))

    return patch


def _patch_functions(names: dict[str, str]):
    def patch(module) -> None:
        for name, what in names.items():
            setattr(module, name, _span(what, getattr(module, name)))

    return patch


def _patch_feed_caches(module) -> None:
    _patch_methods("HomeFeedCache", {"page": "feed_query"})(module)
    _patch_methods("NewestProfilesCache", {"suggested": "suggested"})(module)


PATCHES = {
    "reflex.app": _patch_reflex_app,
    "engineio.async_drivers.asgi": _patch_engineio_asgi,
    # The exchange with the pool, client and provider: InitiateAuth + RespondToAuthChallenge.
    "cruddur.auth.cognito": _patch_methods(
        "CognitoClient",
        {
            "sign_in": "cognito",
            "answer_mfa_code": "cognito",
            "sign_in_by_choice": "cognito",
            "answer_challenge": "cognito",
        },
    ),
    "cruddur.services.accounts": _patch_methods("Accounts", {"open_session": "session_write", "resume": "resume"}),
    "cruddur.services.sessions": _patch_methods("SessionStore", {"issue_ticket": "session_write"}),
    # The page load's first page (one worker: from the process's cache, refilled by a query when
    # due) and the people it suggests, both read through these caches.
    "cruddur.services.feed_cache": _patch_feed_caches,
}


class _PatchAfterImport(importlib.abc.MetaPathFinder):
    """Finds the modules of PATCHES as Python would, and patches each once it has run."""

    def find_spec(self, name, path, target=None):
        if name not in PATCHES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            PATCHES[name](module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


if TRACE:
    sys.meta_path.insert(0, _PatchAfterImport())
