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
from urllib.parse import quote

import reflex as rx

from cruddur import runtime
from cruddur.auth.errors import friendly
from cruddur.auth.session_policy import UNREACHABLE
from cruddur.auth.session_seal import handle_hash
from cruddur.browser_sessions import parse_cookies
from cruddur.services.accounts import AccountError, Viewer
from cruddur.services.profiles import ProfileView, suggested_profiles
from cruddur.services.sessions import Client

# A handler holding the state lock waits at most this long for a session check that needs
# Cognito (the lock expires after 10 s under Redis); past it the check counts as unavailable.
BOUNDED_CHECK_SECONDS = 4.0
CHOOSE_HANDLE = "/welcome"


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


def _resume(handle: str) -> tuple[Viewer | None, list[ProfileView]]:
    """Blocking: the viewer (resumed, refreshed when due) and people they might follow."""
    rt = runtime.current()
    viewer = rt.accounts.resume(handle)
    if viewer is None:
        return None, []
    return viewer, rt.database.run(suggested_profiles, exclude_sub=viewer.sub)


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

    async def _resume_for_page(self) -> list:
        """From a background event, outside `async with`: resumes this connection's session off
        the lock and shows who it is. Returns the events to send (a notice, a redirect)."""
        async with self:
            handle = connection_handle(self)
            if not handle:
                self._become("", None)
            was_signed_in = self.signed_in
            route = route_of(self)
        events: list = []
        if handle:
            try:
                viewer, suggested = await runtime.current().identity.run(_resume, handle)
            except AccountError as error:
                async with self:
                    self.auth_checked = True
                    # Unreachable: keep the session for the next try, shown as it was.
                    return self._ended(was_signed_in) if error.code != UNREACHABLE else []
            async with self:
                if viewer is None:
                    events = self._ended(was_signed_in)
                else:
                    self._become(handle, viewer)
                    self.suggested = suggested
        async with self:
            self.auth_checked = True
            if self.needs_handle and route != CHOOSE_HANDLE:
                events.append(rx.redirect(CHOOSE_HANDLE))
        return events

    async def _guard_for_page(self) -> list:
        """`_resume_for_page` for a page for signed-in people: off to sign in, and back after."""
        events = await self._resume_for_page()
        async with self:
            if not self.signed_in:
                events.append(rx.redirect("/signin?next=" + quote(route_of(self))))
        return events

    @rx.event(background=True)
    async def load_page(self):
        """The on_load of pages without data of their own."""
        for event in await self._resume_for_page():
            yield event

    @rx.event(background=True)
    async def load_signed_in_page(self):
        for event in await self._guard_for_page():
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
