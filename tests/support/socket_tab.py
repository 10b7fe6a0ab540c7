"""Browsers and their tabs, without a browser: Reflex's Socket.IO protocol spoken as the compiled
frontend (`reflex_base/.templates/web/utils/state.js`) and `assets/session.js` speak it.

    browser = Browser(origin="https://cruddur.example")
    tab = browser.tab()
    await tab.connect(backend_url, "/signin")          # the test picks the backend: the balancer
    mark = await tab.send(AuthState.sign_in, form={"email": ..., "password": ...})
    await tab.wait_for(lambda t: t.redirects_since(mark), "the sign-in to finish")
    await browser.settled()                             # session.js has adopted the ticket

A `Browser` holds what a browser keeps for the site: its cookie jar (which only the backend's
answers change: the HttpOnly device cookie from `POST /_session/hello`, the session cookie from
`/_session/adopt`, cleared by `/_session/end`), its localStorage, and the Origin its pages send.
A `Tab` holds its sessionStorage (Reflex's tab token and the app's `rx.SessionStorage` vars)
and a copy of the state merged from the deltas it is sent. It connects with the hydrate event
in the CONNECT packet and the jar's `Cookie` header, takes a `new_token`, records redirects,
toasts and scripts, and does what session.js does with `cruddurSession.adopt`/`forget`: POSTs
to the backend with the jar and the Origin, then writes the localStorage marker, on which the
browser's other tabs reload (new connections: new handshake cookies).

Differences from a browser, on purpose: the first connect sends no state hashes, so the tab is
sent the full state (as on a browser's reconnect); redirects are recorded, not followed (the
test navigates); and a dropped tab reconnects only when told to, to the backend it is told
(a reload on session.js's marker goes to the backend the tab was on).
"""

import asyncio
import contextlib
import json
import re
import time
import uuid
from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import aiohttp
import httpx
import reflex as rx
import socketio
from reflex.compiler.utils import compile_client_storage
from reflex.state import OnLoadInternalState, UpdateVarsInternalState
from reflex_base.event import EventHandler

# The app's states, imported so that the client storage below is the compiled app's.
import cruddur.state.feed
import cruddur.state.mailbox
import cruddur.state.notifications  # noqa: F401

ROOT = rx.State.get_full_name()
HYDRATE = f"{ROOT}.hydrate_and_load"
UPDATE_VARS = f"{UpdateVarsInternalState.get_full_name()}.update_vars_internal"
ON_LOAD = f"{OnLoadInternalState.get_full_name()}.on_load_internal"
# Where the compiled frontend keeps which var: {state key: {"name": storage name}} per area.
CLIENT_STORAGE = compile_client_storage(rx.State)
TOKEN_KEY = "token"  # state.js keeps the tab token in sessionStorage under this name
DEVICE_MARKER = "cruddur_browser_set"  # session.js asks /_session/hello while this is missing
SIGNED_IN_MARKER = "cruddur_signed_in_at"  # session.js writes it; other tabs reload on it
ERROR_TOAST = "An error occurred."  # Reflex's toast for an exception raised in a handler
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 socket-tab"
EVENT_TIMEOUT_S = 20.0

_SESSION_CALL = re.compile(r"^window\.cruddurSession\.(\w+)\((.*)\)$", re.S)
_TOAST_CALL = re.compile(r"""refs\['__toast'\]\?\.\["(\w+)"\]\(("(?:[^"\\]|\\.)*")""")


def event_name(handler: EventHandler | str) -> str:
    """`<state full name>.<handler>` for an event handler; a string is taken as it is (a test
    may send names no handler has)."""
    if isinstance(handler, str):
        return handler
    return f"{handler.state.get_full_name()}.{handler.fn.__name__}"


def state_name(state: type[rx.State] | str) -> str:
    return state if isinstance(state, str) else state.get_full_name()


def router_data(path: str) -> dict:
    """What `withRouterData` in state.js sends for the page at `path`."""
    parts = urlsplit(path)
    data = {"pathname": parts.path, "asPath": path}
    if query := dict(parse_qsl(parts.query)):
        data["query"] = query
    return data


def toast_of(event: dict) -> tuple[str, str] | None:
    """(level, message) of an `rx.toast` call the backend sent, else None."""
    if event.get("name") != "_call_function":
        return None
    match = _TOAST_CALL.search(str((event.get("payload") or {}).get("function", "")))
    return (match[1], json.loads(match[2])) if match else None


def delta_has(messages: list[dict], state: type[rx.State] | str, var: str, value: Any = ...) -> bool:
    """Whether any of these messages set `state.var` (to `value`, when given)."""
    key = var + "_rx_state_"
    for message in messages:
        values = (message.get("delta") or {}).get(state_name(state), {})
        if key in values and (value is ... or values[key] == value):
            return True
    return False


class Browser:
    """One browser profile: cookies, localStorage and the Origin of the site's pages."""

    def __init__(self, origin: str):
        self.origin = origin
        self.cookies: dict[str, str] = {}
        self.local_storage: dict[str, str] = {}
        self.tabs: list[Tab] = []
        self._chores: set[asyncio.Task] = set()  # session.js calls and reloads under way

    def tab(self, token: str | None = None) -> "Tab":
        """A new tab; `token`: the tab token its sessionStorage holds (a duplicated tab's)."""
        tab = Tab(self, token)
        self.tabs.append(tab)
        return tab

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def cookie(self, suffix: str) -> str:
        """The value of the cookie whose name ends with `suffix` ("cruddur_session" finds the
        `__Host-` name too), or ""."""
        return next((value for name, value in self.cookies.items() if name.endswith(suffix)), "")

    async def post(self, backend: str, path: str, body: dict | None = None) -> httpx.Response:
        """A `fetch(..., {credentials: "include"})` from one of this browser's pages."""
        headers = {"Origin": self.origin, "Cookie": self.cookie_header, "User-Agent": USER_AGENT}
        async with httpx.AsyncClient(timeout=EVENT_TIMEOUT_S) as http:
            answer = await http.post(backend + path, json=body or {}, headers=headers)
        self.take_cookies(answer)
        return answer

    def take_cookies(self, answer: httpx.Response) -> None:
        for header in answer.headers.get_list("set-cookie"):
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] in ("0", 0):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    async def hello(self, backend: str) -> None:
        """What session.js does before the page's scripts run when the device marker is missing."""
        if DEVICE_MARKER not in self.cookies:
            (await self.post(backend, "/_session/hello")).raise_for_status()

    def tell_other_tabs(self, source: "Tab") -> None:
        """session.js's marker write: a `storage` event in every other tab, each of which reloads."""
        self.local_storage[SIGNED_IN_MARKER] = str(int(time.time() * 1000))
        for tab in self.tabs:
            if tab is not source and tab.connected:
                self.run_chore(tab.reload())

    def run_chore(self, work) -> None:
        task = asyncio.create_task(work)
        self._chores.add(task)
        task.add_done_callback(self._chores.discard)

    async def settled(self) -> None:
        """Waits until what session.js started (adopt, forget, other tabs' reloads) is done."""
        while self._chores:
            await asyncio.gather(*self._chores)

    async def close(self) -> None:
        await self.settled()
        await asyncio.gather(*(tab.close() for tab in self.tabs))


class Tab:
    """One tab of a `Browser`, connected to one backend at a time."""

    def __init__(self, browser: Browser, token: str | None = None):
        self.browser = browser
        self.session_storage: dict[str, str] = {TOKEN_KEY: token or str(uuid.uuid4())}
        self.backend = ""
        self.path = "/"
        self.state: dict[str, dict[str, Any]] = {}
        self.snapshot: dict[str, dict[str, Any]] = {}  # the first delta of the last (re)connect
        self.messages: list[dict] = []
        self.redirects: list[str] = []
        self.toasts: list[tuple[str, str]] = []
        self.scripts: list[str] = []
        self.adoptions: list[bool] = []  # whether /_session/adopt took each ticket
        self.new_tokens: list[str] = []
        self.disconnects = 0
        self._sio: socketio.AsyncClient | None = None
        self._changed = asyncio.Event()
        self._dropped = asyncio.Event()

    @property
    def token(self) -> str:
        return self.session_storage[TOKEN_KEY]

    # -- connection --------------------------------------------------------------------------

    async def connect(self, backend: str, path: str = "/", timeout: float = EVENT_TIMEOUT_S) -> float:
        """Opens `path` on `backend` (a page load): the device cookie first, then the websocket
        with the hydrate event; returns the seconds until the state says it is hydrated."""
        started = time.perf_counter()
        await self.close()
        await self.browser.hello(backend)
        self.backend, self.path, self.state, self.snapshot = backend, path, {}, {}
        sio = socketio.AsyncClient(reconnection=False)
        sio.on("event", self._on_event, namespace="/_event")
        sio.on("new_token", self._on_new_token, namespace="/_event")
        sio.on("disconnect", self._on_disconnect, namespace="/_event")
        self._dropped.clear()
        payload = {"vars": stored} if (stored := self._client_storage()) else {}
        await sio.connect(
            f"{backend}?token={self.token}",
            socketio_path="_event",
            transports=["websocket"],
            namespaces=["/_event"],
            auth={"event": {"name": HYDRATE, "payload": payload, "router_data": router_data(path)}},
            headers={"Origin": self.browser.origin, "Cookie": self.browser.cookie_header, "User-Agent": USER_AGENT},
            wait_timeout=timeout,
        )
        self._sio = sio
        await self.wait_for(lambda t: t.var(ROOT, "is_hydrated") is True, f"{path} hydrated", timeout)
        return time.perf_counter() - started

    async def reload(self) -> float:
        """The page reloaded, to the backend it was on: same tab token and sessionStorage, a
        new connection with the cookies the browser has now."""
        return await self.connect(self.backend, self.path)

    async def close(self) -> None:
        """A clean disconnect (the tab closes, or its socket is moved to another backend)."""
        if self._sio is not None:
            sio, self._sio = self._sio, None
            with contextlib.suppress(socketio.exceptions.SocketIOError, aiohttp.ClientError, OSError):
                if sio.connected:
                    await sio.disconnect()
                await sio.shutdown()

    async def wait_dropped(self, timeout: float = EVENT_TIMEOUT_S) -> None:
        """Waits until the backend side of the socket is gone (e.g. its worker was killed)."""
        await asyncio.wait_for(self._dropped.wait(), timeout)
        await self.close()

    @property
    def connected(self) -> bool:
        return self._sio is not None and self._sio.connected

    # -- events ------------------------------------------------------------------------------

    async def send(self, handler: EventHandler | str, payload: Any = None, **args: Any) -> int:
        """Sends an event as the frontend does: `payload` as given (a test may send anything),
        else the keyword arguments. Returns the mark of the messages that follow it."""
        assert self._sio is not None, "the tab is not connected"
        mark = len(self.messages)
        event = {"name": event_name(handler), "payload": args if payload is None else payload}
        await self._sio.emit("event", event | {"router_data": router_data(self.path)}, namespace="/_event")
        return mark

    async def navigate(self, path: str, timeout: float = EVENT_TIMEOUT_S) -> None:
        """A client-side navigation (`onLoadInternalEvent`): the client storage values, then
        the page's on_load events."""
        self.path = path
        self.state.setdefault(ROOT, {})["is_hydrated_rx_state_"] = False
        if stored := self._client_storage():
            await self.send(UPDATE_VARS, vars=stored)
        await self.send(ON_LOAD)
        await self.wait_for(lambda t: t.var(ROOT, "is_hydrated") is True, f"{path} loaded", timeout)

    async def until(self, predicate: Callable[["Tab"], Any], timeout: float = EVENT_TIMEOUT_S) -> Any:
        """`predicate(tab)` once it is truthy, or None after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            self._changed.clear()
            with contextlib.suppress(KeyError, IndexError, TypeError):
                if value := predicate(self):
                    return value
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), left)

    async def wait_for(self, predicate: Callable[["Tab"], Any], what: str, timeout: float = EVENT_TIMEOUT_S) -> Any:
        """`until`, failing the test with the tab's state when it times out."""
        value = await self.until(predicate, timeout)
        if not value:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; tab: {self.brief()}")
        return value

    def var(self, state: type[rx.State] | str, name: str, default: Any = None) -> Any:
        return self.state.get(state_name(state), {}).get(f"{name}_rx_state_", default)

    def since(self, mark: int) -> list[dict]:
        return self.messages[mark:]

    def redirects_since(self, mark: int) -> list[str]:
        return [
            e["payload"]["path"] for m in self.since(mark) for e in m.get("events") or [] if e["name"] == "_redirect"
        ]

    @property
    def error_toasts(self) -> int:
        return sum(1 for _, message in self.toasts if message == ERROR_TOAST)

    def brief(self) -> dict:
        """What a failure message shows of the tab."""
        return {
            "backend": self.backend,
            "path": self.path,
            "state": {
                name.rsplit(".", 1)[-1]: {k.removesuffix("_rx_state_"): str(v)[:80] for k, v in values.items()}
                for name, values in self.state.items()
                if "cruddur" in name
            },
            "redirects": self.redirects[-5:],
            "toasts": self.toasts[-5:],
            "cookies": sorted(self.browser.cookies),
        }

    # -- what the page does with what the backend sends ------------------------------------------

    async def _on_event(self, update: dict) -> None:
        delta = update.get("delta") or {}
        if not self.snapshot:
            self.snapshot = {name: dict(values) for name, values in delta.items()}
        for name, values in delta.items():
            self.state.setdefault(name, {}).update(values)
        self._store_client_storage(delta)
        for event in update.get("events") or []:
            self._apply(event)
        self.messages.append(update)
        self._changed.set()

    def _apply(self, event: dict) -> None:
        payload = event.get("payload") or {}
        if event.get("name") == "_redirect":
            self.redirects.append(payload["path"])
        elif event.get("name") == "_call_script":
            self.scripts.append(code := payload["javascript_code"])
            if call := _SESSION_CALL.match(code):
                self.browser.run_chore(self._session_js(call[1], json.loads(f"[{call[2]}]")))
        elif toast := toast_of(event):
            self.toasts.append(toast)

    async def _session_js(self, function: str, args: list) -> None:
        """`window.cruddurSession[function](...args)` from assets/session.js."""
        if function == "adopt":
            adopted = (await self.browser.post(self.backend, "/_session/adopt", {"ticket": args[0]})).is_success
            self.adoptions.append(adopted)
            if adopted:
                self.browser.tell_other_tabs(self)
        elif function == "forget":
            await self.browser.post(self.backend, "/_session/end")
            self.browser.tell_other_tabs(self)
        else:
            raise AssertionError(f"session.js has no {function}()")
        self._changed.set()

    def _store_client_storage(self, delta: dict) -> None:
        """`applyClientStorageDelta`: browser storage follows the vars kept there, except in
        a delta that says the page is not hydrated yet."""
        if (delta.get(ROOT) or {}).get("is_hydrated_rx_state_") is False:
            return
        for area, storage in self._storage_areas():
            for key, options in CLIENT_STORAGE[area].items():
                state, var = key.rsplit(".", 1)
                if var in delta.get(state, {}):
                    storage[options.get("name") or key] = delta[state][var]

    def _client_storage(self) -> dict:
        """`hydrateClientStorage`: the values browser storage holds, by state key."""
        return {
            key: storage[options.get("name") or key]
            for area, storage in self._storage_areas()
            for key, options in CLIENT_STORAGE[area].items()
            if (options.get("name") or key) in storage
        }

    def _storage_areas(self) -> list[tuple[str, dict]]:
        return [("local_storage", self.browser.local_storage), ("session_storage", self.session_storage)]

    async def _on_new_token(self, token: str) -> None:
        self.new_tokens.append(token)
        self.session_storage[TOKEN_KEY] = token

    async def _on_disconnect(self, *_reason) -> None:
        self.disconnects += 1
        self._dropped.set()
        self._changed.set()


class RawSocket:
    """A websocket speaking Engine.IO/Socket.IO by hand, so that it can send anything at all
    (frames no client library would build). It answers pings and counts error toasts."""

    def __init__(self, backend: str, token: str):
        self.url = backend.replace("http://", "ws://") + f"/_event/?EIO=4&transport=websocket&token={token}"
        self.error_toasts = 0

    @staticmethod
    def frame(event: Any) -> str:
        """An "event" message in the `/_event` namespace, as `socket.emit("event", ...)` sends it."""
        return "42/_event," + json.dumps(["event", event])

    async def open(self, session: aiohttp.ClientSession, path: str = "/signin") -> None:
        self.ws = await session.ws_connect(self.url, max_msg_size=0, timeout=aiohttp.ClientWSTimeout(ws_close=5))
        await self.ws.receive(timeout=10)  # the Engine.IO open packet
        hydrate = {"event": {"name": HYDRATE, "payload": {}, "router_data": router_data(path)}}
        await self.ws.send_str("40/_event," + json.dumps(hydrate))  # CONNECT, with the hydrate
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            if message.data == "2":
                await self.ws.send_str("3")  # pong
                continue
            if ERROR_TOAST in message.data:
                self.error_toasts += 1

    @property
    def open_(self) -> bool:
        return not self.ws.closed and not self.reader.done()

    async def send(self, frame: str | bytes) -> None:
        """Sends one frame; a text with record separators (\x1e) as several, one after another."""
        for part in frame.split("\x1e") if isinstance(frame, str) else [frame]:
            if isinstance(part, bytes):
                await self.ws.send_bytes(part)
            else:
                await self.ws.send_str(part)

    async def close(self) -> None:
        await self.ws.close()
        self.reader.cancel()
