"""A browser tab as the Reflex handlers see it, for tests that call handlers on real state
objects: its connection's router data (the handshake's cookies, the socket id, the client
address), and the browser's cookie jar, which only the backend's answers change.

    tab = Tab()                              # a new browser: a device cookie, no session
    events = await tab.run(AuthState.sign_in, {"email": ..., "password": ...})
    tab.take_cookies(events)                 # what the page's session.js does with the ticket
    tab.reconnect()                          # a reload: a new connection with the cookies now
"""

import json
import re
import secrets
import uuid

import reflex as rx
from reflex.istate.data import RouterData

from cruddur import runtime

_BROWSER_CALL = re.compile(r"window\.cruddurSession\.(\w+)\((.*)\)$")
_PASSKEY_CALL = re.compile(r"window\.cruddurPasskeys\.(\w+)\((.*)\)$", re.S)


def _listed(yielded) -> list:
    return yielded if isinstance(yielded, list) else [yielded]


async def run(handler, state, *args) -> list:
    """Drives an event handler as Reflex would, returning what it yielded or returned."""
    result = handler.fn(state, *args)
    if hasattr(result, "__aiter__"):
        # A yielded list is several events in one update: Reflex sends each of them.
        return [event async for yielded in result for event in _listed(yielded) if event is not None]
    result = await result if hasattr(result, "__await__") else result
    return [result] if result is not None else []


def _event_args(event) -> dict:
    args = getattr(event, "args", ())  # a handler yielded as a follow-up event has none
    return {name._js_expr: value._var_value for name, value in args if hasattr(value, "_var_value")}


def redirects(events) -> list[str]:
    """Where the handler sent the browser: the path of each rx.redirect it produced."""
    return [_event_args(e)["path"] for e in events if getattr(e, "handler", e).fn.__qualname__ == "_redirect"]


def browser_calls(events) -> list[tuple[str, list]]:
    """The `session.js` functions the handler asked the page to call, with their arguments."""
    calls = []
    for event in events:
        code = _event_args(event).get("javascript_code", "")
        if match := _BROWSER_CALL.search(code):
            calls.append((match[1], json.loads(f"[{match[2]}]")))
    return calls


def passkey_ceremony(events) -> tuple[str, dict]:
    """The passkey ceremony the handler asked the page for (`register` or `signIn`) and its options."""
    for event in events:
        if match := _PASSKEY_CALL.search(_event_args(event).get("javascript_code", "")):
            return match[1], json.loads(match[2])
    raise AssertionError(f"no passkey ceremony in {events}")


def toasts(events) -> str:
    return " ".join(str(e) for e in events if "toast" in str(e).lower())


class Tab:
    def __init__(
        self, path: str = "/", address: str = "127.0.0.1", cookies: dict[str, str] | None = None, peer: str = ""
    ):
        """`address` is the client address Reflex reports (from X-Forwarded-For behind trusted
        proxies); `peer` the socket's own peer address, the same unless given."""
        settings = runtime.current().settings
        self.address, self.peer = address, peer or address
        # The handshake middleware gives a new browser its device cookie on first connect.
        self.cookies = cookies if cookies is not None else {settings.device_cookie: secrets.token_urlsafe(32)}
        self.root = rx.State()
        self.sid = ""
        self.path, self.query = path, ""
        self.reconnect()

    def state(self, cls):
        return self.root.get_substate(cls.get_full_name().split(".")[1:])

    def reconnect(self) -> None:
        """A new connection (a reload, a new tab): a new socket id, the cookies the browser has now."""
        self.sid = uuid.uuid4().hex
        self._route()

    def navigate(self, path: str, query: str = "") -> None:
        """A client-side navigation: same connection, another route."""
        self.path, self.query = path, query
        self._route()

    def _route(self) -> None:
        as_path = self.path + (f"?{self.query}" if self.query else "")
        router = RouterData.from_router_data({
            "pathname": self.path,
            "asPath": as_path,
            "sid": self.sid,
            "ip": self.address,
            "headers": {
                "cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 tests",
                "asgi-scope-client": self.peer,
            },
        })  # fmt: skip
        for state in (self.root, *self.root.substates.values()):
            state.router = router
            for substate in state.substates.values():
                substate.router = router

    async def run(self, handler, *args) -> list:
        state = self.state(handler.state)
        events = await run(handler, state, *args)
        self.take_cookies(events)
        return events

    def take_cookies(self, events) -> None:
        """Does what `assets/session.js` does: a ticket is exchanged for the session cookie (as
        `/_session/adopt` answers), and "forget" clears it (as `/_session/end` does)."""
        rt = runtime.current()
        name, device = rt.settings.session_cookie, self.cookies.get(rt.settings.device_cookie, "")
        for function, args in browser_calls(events):
            if function == "adopt":
                handle = rt.sessions.redeem_ticket(args[0], device)
                assert handle, "the ticket did not open a session for this browser"
                self.cookies[name] = handle
            elif function == "forget" and (handle := self.cookies.pop(name, "")):
                rt.accounts.sign_out(handle)

    @property
    def session_cookie(self) -> str:
        return self.cookies.get(runtime.current().settings.session_cookie, "")
