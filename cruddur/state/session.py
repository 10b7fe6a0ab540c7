"""Who is signed in, in this tab — learned from the connection, never from the page.

The session handle lives in an HttpOnly cookie (`cruddur/browser_sessions.py`): this tab's
websocket handshake carried it, or this connection signed in or out since. Nothing in this
state (which the state manager keeps, in Redis with several workers) can sign anyone in: a tab
token copied elsewhere comes with another connection, and that connection's cookie decides.

Pages load through a background event that resumes the session first (`load_page`), because
resuming may wait on Cognito; handlers that need the viewer later ask `_verified_viewer`, which
reuses that verification for the rest of the page load and is bounded well under the state
lock's expiry otherwise.
"""

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Generic, TypeVar
from urllib.parse import quote

import reflex as rx

from cruddur import runtime
from cruddur.auth.errors import friendly
from cruddur.auth.session_policy import UNREACHABLE
from cruddur.auth.session_seal import handle_hash
from cruddur.browser_sessions import parse_cookies
from cruddur.services.accounts import AccountError, Viewer
from cruddur.services.feed_cache import newest_profiles_cache
from cruddur.services.profiles import ProfileView
from cruddur.services.sessions import Client

# A handler holding the state lock waits at most this long for a session check that needs
# Cognito (the lock expires after 10 s under Redis); past it the check counts as unavailable.
BOUNDED_CHECK_SECONDS = 4.0
CHOOSE_HANDLE = "/welcome"
T = TypeVar("T")


def route_of(state: rx.State) -> str:
    """The page's route: a page loaded directly has a trailing slash (/forgot/), one reached
    by a link has none (/forgot)."""
    return str(state.router.url.path).rstrip("/") or "/"


def connection_handle(state: rx.State) -> str:
    """The session handle of this tab's connection ("" for none)."""
    settings = runtime.current().settings
    cookie = parse_cookies(state.router.headers.cookie).get(settings.session_cookie, "")
    return runtime.current().connections.handle_of(state.router.session.session_id, cookie)


def connection_device(state: rx.State) -> str:
    return parse_cookies(state.router.headers.cookie).get(runtime.current().settings.device_cookie, "")


def connection_client(state: rx.State) -> Client:
    return Client(
        address=state.router.session.client_ip,
        user_agent=state.router.headers.user_agent,
        browser=connection_device(state),
    )


def browser_call(function: str, *args: str) -> rx.event.EventSpec:
    """Calls one of `assets/session.js`'s functions in the page."""
    return rx.call_script(f"window.cruddurSession.{function}({', '.join(json.dumps(a) for a in args)})")


@dataclass(frozen=True)
class PageLoad:
    """What a page load knew under the state lock, before resuming the session off it."""

    handle: str  # this connection's session handle ("" for none)
    was_signed_in: bool
    shown_sub: str  # the person the tab shows ("" for none): kept while Cognito is unreachable
    route: str


@dataclass
class Resumed(Generic[T]):
    """What resuming found, and the page's own read for the person it left."""

    viewer: Viewer | None = None
    refused: AccountError | None = None  # resume raised: ended, or unreachable (kept)
    suggested: list[ProfileView] = field(default_factory=list)
    page: T | None = None
    failed: Exception | None = None  # the page's read raised; re-raised once the session is shown


def resume_and_read(load: PageLoad, read: Callable[[str | None], T] | None = None) -> Resumed[T]:
    """Blocking (resuming may wait on Cognito: `load_off_the_loop` runs it): the session resumed
    as the policy says, people to follow, then `read(sub)` for whoever that leaves this tab
    showing — one hop off the loop for the whole page load."""
    rt, resumed = runtime.current(), Resumed[T]()
    reader = None
    if load.handle:
        try:
            resumed.viewer = rt.accounts.resume(load.handle)
        except AccountError as error:
            resumed.refused = error
            if error.code == UNREACHABLE:  # not verifiable now: the tab stays as it was shown
                reader = load.shown_sub or None
    if resumed.viewer is not None:
        reader = resumed.viewer.sub
        resumed.suggested = rt.database.run(newest_profiles_cache.suggested, reader)
    if read is not None:
        try:
            resumed.page = read(reader)
        except Exception as error:  # noqa: BLE001 - handed back, raised after the session is shown
            resumed.failed = error
    return resumed


async def load_off_the_loop(load: PageLoad, read: Callable[[str | None], T] | None = None) -> Resumed[T]:
    """`resume_and_read` on the identity threads when there is a session to resume (it may wait
    on Cognito), else on the loop's default executor: a public page never queues behind
    identity calls that hang (`auth/identity.py`)."""
    if load.handle:
        return await runtime.current().identity.run(resume_and_read, load, read)
    return await rx.run_in_thread(partial(resume_and_read, load, read))


class SessionState(rx.State):
    signed_in: bool = False
    viewer_handle: str = ""
    viewer_name: str = ""
    auth_checked: bool = False
    suggested: list[ProfileView] = []
    # Which session the shown viewer was verified for (its handle's hash), on which connection, when.
    _session_key: str = ""
    _viewer_sub: str = ""
    _verified_sid: str = ""
    _verified_at: float = 0.0

    @rx.var
    def viewer_initial(self) -> str:
        return self.viewer_name[:1].upper()

    @rx.var
    def needs_handle(self) -> bool:
        return self.signed_in and not self.viewer_handle

    def _become(self, handle: str, viewer: Viewer | None) -> None:
        """Shows `viewer` as this tab's person (None: signed out), verified just now."""
        self.signed_in = viewer is not None
        self._session_key = handle_hash(handle) if viewer else ""
        self._viewer_sub = viewer.sub if viewer else ""
        self._verified_at = time.time() if viewer else 0.0
        self._verified_sid = self.router.session.session_id if viewer else ""
        self.viewer_handle = viewer.handle if viewer else ""
        self.viewer_name = viewer.display_name if viewer else ""
        if viewer is None:
            self.suggested = []

    def _reusable(self, handle: str) -> bool:
        """Whether this connection verified this session moments ago (in this page load)."""
        policy = runtime.current().sessions.policy
        fresh = time.time() - self._verified_at < policy.reuse.total_seconds()
        same = self._verified_sid == self.router.session.session_id and self._session_key == handle_hash(handle)
        return bool(handle) and fresh and same

    def _ended(self, was_signed_in: bool) -> list:
        """Signed out because the session ended: say so, and let the browser drop the cookie."""
        self._become("", None)
        notice = [rx.toast.warning(friendly("SessionExpired").message)] if was_signed_in else []
        return [*notice, browser_call("forget")]

    def _begin_page_load(self) -> PageLoad:
        """Under the state lock: what resuming this connection's session needs."""
        handle = connection_handle(self)
        if not handle:
            self._become("", None)
        shown = self._viewer_sub if self.signed_in else ""
        return PageLoad(handle, self.signed_in, shown, route_of(self))

    def _finish_page_load(self, load: PageLoad, resumed: Resumed, *, signed_in_only: bool = False) -> list:
        """Under the state lock: shows who resuming found. Returns the events to send (a
        notice, a redirect)."""
        self.auth_checked = True
        events: list = []
        if resumed.refused is not None:
            # Unreachable: keep the session for the next try, shown as it was.
            if resumed.refused.code != UNREACHABLE:
                events = self._ended(load.was_signed_in)
        else:
            if load.handle and resumed.viewer is None:
                events = self._ended(load.was_signed_in)
            elif resumed.viewer is not None:
                self._become(load.handle, resumed.viewer)
                self.suggested = resumed.suggested
            if self.needs_handle and load.route != CHOOSE_HANDLE:
                events.append(rx.redirect(CHOOSE_HANDLE))
        if signed_in_only and not self.signed_in:
            events.append(rx.redirect("/signin?next=" + quote(load.route)))
        return events

    async def _resume_for_page(self, *, signed_in_only: bool = False) -> list:
        """From a background event, outside `async with`: resumes this connection's session off
        the lock and shows who it is; `signed_in_only`, off to sign in (and back after) when
        no one is. Returns the events to send."""
        async with self:
            load = self._begin_page_load()
        resumed = await load_off_the_loop(load)
        async with self:
            return self._finish_page_load(load, resumed, signed_in_only=signed_in_only)

    @rx.event(background=True)
    async def load_page(self):
        """The on_load of pages without data of their own."""
        for event in await self._resume_for_page():
            yield event

    @rx.event(background=True)
    async def load_signed_in_page(self):
        for event in await self._resume_for_page(signed_in_only=True):
            yield event

    async def _verified_viewer(self, *, writing: bool = False) -> str | None:
        """This tab's verified person, for a handler that reads or writes per-user data: the
        page load's verification when it is moments old (for a write, once the session is seen
        to be still open), else the session resumed again — waiting at most
        BOUNDED_CHECK_SECONDS, since the caller holds the state lock."""
        handle = connection_handle(self)
        if not handle:
            if self.signed_in:
                self._become("", None)
            return None
        rt = runtime.current()
        if self._reusable(handle):
            if not writing or await rx.run_in_thread(lambda: rt.sessions.is_open(handle)):
                return self._viewer_sub
            self._become("", None)
            return None
        try:
            viewer = await asyncio.wait_for(rt.identity.run(rt.accounts.resume, handle), BOUNDED_CHECK_SECONDS)
        except (AccountError, TimeoutError) as error:
            if isinstance(error, TimeoutError) or error.code == UNREACHABLE:
                return None  # not verifiable for now; the session stays for the next request
            viewer = None
        self._become(handle, viewer)
        return viewer.sub if viewer else None

    @rx.event(background=True)
    async def sign_out(self):
        async with self:
            handle = connection_handle(self)
            rt = runtime.current()
            rt.connections.bind(self.router.session.session_id, "")
            self._become("", None)
        if handle:
            await rt.identity.run(rt.accounts.sign_out, handle)
        if rt.federation is not None:  # managed login's own session (at the pool's domain) ends too
            yield browser_call("forget", rt.federation.login.logout_url())
            return
        yield browser_call("forget")
        yield rx.toast.success("You're signed out.")
        yield rx.redirect("/")
