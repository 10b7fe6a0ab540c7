"""What a person does in a socket tab (`tests/support/socket_tab.py`) — open a page, sign up,
sign in, load the feed, post, sign out — through the app's own handlers, each as an `Outcome`
with its timing, so a scenario can record a failure instead of raising.

A page counts as loaded when its one on_load event has finished: the feed (home, profiles) or
the notifications arrived, else the session check ended (`SessionState.auth_checked`, which
every page load sets last, also to the value it had).
"""

import time
from dataclasses import dataclass

from cruddur.state.auth import AuthState
from cruddur.state.feed import FeedState
from cruddur.state.notifications import NotificationsState
from cruddur.state.session import SessionState
from tests.support.mailbox import latest_code
from tests.support.socket_tab import EVENT_TIMEOUT_S, Tab, delta_has


@dataclass
class Outcome:
    ok: bool
    seconds: float
    error: str = ""
    field: str = ""


def page_loaded(tab: Tab, mark: int) -> bool:
    """Whether the page's on_load event finished since `mark`."""
    path = tab.path.split("?", 1)[0].rstrip("/") or "/"
    messages = tab.since(mark)
    if path == "/" or path.startswith("/@"):
        return delta_has(messages, FeedState, "loaded", True)
    if path == "/notifications":
        return delta_has(messages, NotificationsState, "loaded", True)
    return delta_has(messages, SessionState, "auth_checked", True)


async def open_page(tab: Tab, backend: str, path: str = "/", timeout: float = EVENT_TIMEOUT_S) -> float:
    """A page load on `backend`; seconds until the page's data is there."""
    # Counted after the hydrate's first message: the whole state as the state manager had it,
    # done-flags of the last page load included.
    started, mark = time.perf_counter(), len(tab.messages) + 1
    await tab.connect(backend, path, timeout)
    await tab.wait_for(lambda t: page_loaded(t, mark), f"{path} to load", timeout)
    return time.perf_counter() - started


async def go(tab: Tab, path: str, timeout: float = EVENT_TIMEOUT_S) -> None:
    """A client-side navigation, until the new page's data is there."""
    mark = len(tab.messages)
    await tab.navigate(path, timeout)
    await tab.wait_for(lambda t: page_loaded(t, mark), f"{path} to load", timeout)


def signed_in(tab: Tab) -> bool:
    return tab.var(SessionState, "signed_in") is True


async def submit(tab: Tab, handler, form: dict, timeout: float) -> tuple[int, float, bool]:
    """Presses a form's button: (mark, seconds, finished) — finished once the handler sent the
    browser on (a redirect) or un-busied the form with an error shown."""
    started = time.perf_counter()
    mark = await tab.send(handler, form=form)
    finished = await tab.until(
        lambda t: (
            t.redirects_since(mark)
            or (delta_has(t.since(mark), AuthState, "busy", False) and t.var(AuthState, "error"))
        ),
        timeout,
    )
    return mark, time.perf_counter() - started, bool(finished)


async def sign_in(tab: Tab, email: str, password: str, timeout: float = 60) -> Outcome:
    """Presses "Sign in" on the open sign-in page: signed in, with the session cookie adopted by
    the browser (as session.js does), or the form's error."""
    _, seconds, finished = await submit(tab, AuthState.sign_in, {"email": email, "password": password}, timeout)
    if not finished:
        return Outcome(False, seconds, "timeout")
    await tab.browser.settled()
    ok = signed_in(tab) and bool(tab.adoptions) and tab.adoptions[-1] and bool(tab.browser.cookie("cruddur_session"))
    return Outcome(ok, seconds, tab.var(AuthState, "error", ""), tab.var(AuthState, "error_field", ""))


async def sign_up(
    tab: Tab, backend: str, mailbox_url: str, *, name: str, email: str, handle: str, password: str
) -> None:
    """Sign-up and e-mail confirmation through the app's forms, ending on the sign-in page."""
    await open_page(tab, backend, "/signup")
    form = {"name": name, "email": email, "handle": handle, "password": password}
    mark, _, _ = await submit(tab, AuthState.sign_up, form, EVENT_TIMEOUT_S)
    assert tab.redirects_since(mark) == ["/confirm"], f"sign-up refused: {tab.brief()}"
    await go(tab, "/confirm")
    mark, _, _ = await submit(
        tab, AuthState.confirm, {"email": email, "code": latest_code(mailbox_url, email)}, EVENT_TIMEOUT_S
    )
    assert tab.redirects_since(mark) == ["/signin"], f"confirming refused: {tab.brief()}"
    await go(tab, "/signin")


async def load_home(tab: Tab, timeout: float = 30) -> Outcome:
    """FeedState.load_home, as the home page's on_load runs it."""
    started = time.perf_counter()
    mark = await tab.send(FeedState.load_home)
    finished = await tab.until(lambda t: delta_has(t.since(mark), FeedState, "loaded", True), timeout)
    ok = bool(finished) and bool(tab.var(FeedState, "cruds"))
    return Outcome(ok, time.perf_counter() - started, "" if finished else "timeout")


async def post(tab: Tab, message: str, timeout: float = 30) -> Outcome:
    """Types `message` as the draft and presses "Crud"."""
    started = time.perf_counter()
    mark = await tab.send(FeedState.set_draft, value=message)
    await tab.until(lambda t: delta_has(t.since(mark), FeedState, "draft", message), timeout)
    mark = await tab.send(FeedState.post)
    finished = await tab.until(
        lambda t: delta_has(t.since(mark), FeedState, "posting", False) or t.var(FeedState, "compose_error"), timeout
    )
    cruds = tab.var(FeedState, "cruds") or []
    error = tab.var(FeedState, "compose_error", "")
    ok = bool(finished) and bool(cruds) and cruds[0]["message"] == message and not error
    return Outcome(ok, time.perf_counter() - started, error if finished else "timeout")


async def sign_out(tab: Tab, timeout: float = EVENT_TIMEOUT_S) -> None:
    """Presses "Sign out": the browser drops the session cookie (session.js's forget)."""
    mark = await tab.send(SessionState.sign_out)
    await tab.wait_for(lambda t: t.redirects_since(mark), "the sign-out to finish", timeout)
    await tab.browser.settled()
