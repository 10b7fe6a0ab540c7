"""A browser tab of the Cruddur app, driven at the Socket.IO level (no browser).

It speaks the protocol the compiled frontend speaks (see REFLEX-NOTES "Socket.IO event
protocol"): the tab token travels as `?token=`, the hydrate event rides in the CONNECT packet
with the browser's client-storage values, deltas are merged into a local copy of the state, the
session handle (localStorage) and the draft (sessionStorage) are kept as the browser keeps them, and a `new_token`
from the backend replaces the tab token as the browser does. Which backend a (re)connect goes
to is the caller's choice: that is how a test plays the load balancer.
"""

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any

import socketio

ROOT = "reflex___state____state"
SESSION = f"{ROOT}.cruddur___state___session____session_state"
AUTH = f"{ROOT}.cruddur___state___auth____auth_state"
FEED = f"{ROOT}.cruddur___state___feed____feed_state"
HANDLE_VAR = f"{SESSION}.session_handle_rx_state_"  # localStorage, shared by a browser's tabs
DRAFT_VAR = f"{FEED}.draft_rx_state_"  # sessionStorage, the tab's own
HYDRATE = f"{ROOT}.hydrate_and_load"
UPDATE_VARS = f"{ROOT}.reflex___state____update_vars_internal_state.update_vars_internal"
ON_LOAD = f"{ROOT}.reflex___state____on_load_internal_state.on_load_internal"

EVENT_TIMEOUT_S = 20.0


class Tab:
    """One tab: a token (sessionStorage in a browser) and a shared `local_storage` dict."""

    def __init__(self, local_storage: dict[str, str] | None = None, token: str | None = None):
        self.token = token or str(uuid.uuid4())
        self.local_storage = local_storage if local_storage is not None else {}
        self.session_storage: dict[str, str] = {}
        self.path = "/"
        self.state: dict[str, dict[str, Any]] = {}
        self.snapshot: dict[str, dict[str, Any]] = {}  # the first delta of the last (re)connect
        self.redirects: list[str] = []
        self.new_tokens: list[str] = []
        self._sio: socketio.AsyncClient | None = None
        self._changed = asyncio.Event()
        self._disconnected = asyncio.Event()

    # -- connection --------------------------------------------------------------------------

    async def connect(self, base_url: str, path: str = "/", origin: str | None = None) -> None:
        """(Re)connects this tab to one backend and hydrates `path`, as a page load does."""
        await self.close()
        self.path, self.state, self.snapshot = path, {}, {}
        sio = socketio.AsyncClient(reconnection=False)
        sio.on("event", self._on_event, namespace="/_event")
        sio.on("new_token", self._on_new_token, namespace="/_event")
        sio.on("disconnect", self._on_disconnect, namespace="/_event")
        self._disconnected.clear()
        boot = {"name": HYDRATE, "payload": self._storage_payload(), "router_data": self._router_data()}
        await sio.connect(
            f"{base_url}?token={self.token}",
            socketio_path="_event",
            transports=["websocket"],
            namespaces=["/_event"],
            auth={"event": boot},
            headers={"Origin": origin} if origin else {},
            wait_timeout=EVENT_TIMEOUT_S,
        )
        self._sio = sio
        await self.wait_for(lambda s: s.get(ROOT, {}).get("is_hydrated_rx_state_") is True, "hydrated")

    async def close(self) -> None:
        """A clean disconnect (the tab closes, or its socket is moved to another backend)."""
        if self._sio is not None:
            sio, self._sio = self._sio, None
            if sio.connected:
                await sio.disconnect()
            await sio.shutdown()

    async def wait_dropped(self, timeout: float = EVENT_TIMEOUT_S) -> None:
        """Waits until the backend side of the socket is gone (e.g. its worker was killed)."""
        await asyncio.wait_for(self._disconnected.wait(), timeout)
        await self.close()

    @property
    def connected(self) -> bool:
        return self._sio is not None and self._sio.connected

    # -- events ------------------------------------------------------------------------------

    async def send(self, handler: str, **payload: Any) -> None:
        """Sends `<state full name>.<handler>` as the frontend does."""
        assert self._sio is not None, "the tab is not connected"
        await self._sio.emit(
            "event", {"name": handler, "payload": payload, "router_data": self._router_data()}, namespace="/_event"
        )

    async def navigate(self, path: str) -> None:
        """A client-side navigation: the page's on_load events, with the client storage values."""
        self.path = path
        self.set(ROOT, is_hydrated_rx_state_=False)
        if vars_ := self._storage_payload().get("vars"):
            await self.send(UPDATE_VARS, vars=vars_)
        await self.send(ON_LOAD)
        await self.wait_for(lambda s: s[ROOT].get("is_hydrated_rx_state_") is True, f"loaded {path}")

    async def wait_for(self, predicate: Callable[[dict], Any], what: str, timeout: float = EVENT_TIMEOUT_S) -> Any:
        """Waits until `predicate(state)` is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            self._changed.clear()
            try:
                if value := predicate(self.state):
                    return value
            except (KeyError, IndexError, TypeError):
                pass
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out waiting for {what}; state: {self.brief()}")
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except TimeoutError:
                pass

    def var(self, state: str, name: str) -> Any:
        return self.state.get(state, {}).get(f"{name}_rx_state_")

    def set(self, state: str, **values: Any) -> None:
        self.state.setdefault(state, {}).update(values)

    def brief(self) -> dict:
        session = {k: v for k, v in self.state.get(SESSION, {}).items() if k != "suggested_rx_state_"}
        feed = self.state.get(FEED, {})
        messages = [c["message"] for c in feed.get("cruds_rx_state_", [])][:5]
        return {
            "session": session,
            "feed": messages,
            "compose_error": feed.get("compose_error_rx_state_"),
            "auth_error": self.var(AUTH, "error"),
            "redirects": self.redirects,
        }

    # -- what the browser does with what the backend sends ---------------------------------------

    async def _on_event(self, update: dict) -> None:
        delta = update.get("delta") or {}
        if not self.snapshot:
            self.snapshot = {name: dict(values) for name, values in delta.items()}
        for name, values in delta.items():
            self.state.setdefault(name, {}).update(values)
        if self.state.get(ROOT, {}).get("is_hydrated_rx_state_"):
            for var, storage in ((HANDLE_VAR, self.local_storage), (DRAFT_VAR, self.session_storage)):
                state_name, field = var.rsplit(".", 1)
                if field in delta.get(state_name, {}):
                    storage[var] = delta[state_name][field]
        for event in update.get("events") or []:
            if event.get("name") == "_redirect":
                self.redirects.append(event["payload"]["path"])
        self._changed.set()

    async def _on_new_token(self, token: str) -> None:
        self.new_tokens.append(token)
        self.token = token

    async def _on_disconnect(self, *_reason) -> None:
        self._disconnected.set()
        self._changed.set()

    def _storage_payload(self) -> dict:
        stored = {k: v for k, v in (self.local_storage | self.session_storage).items() if v}
        return {"vars": stored} if stored else {}

    def _router_data(self) -> dict:
        return {"pathname": self.path, "asPath": self.path}
