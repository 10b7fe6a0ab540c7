"""The Cruddur app: its pages, the routes they live at, and what starts with the backend.

The settings are read once, here; a half-configured user pool stops the app before anything
starts (`settings.identity_source`). The runtime — user pool, database, sessions — is built
in the backend's lifespan (`cruddur.runtime`).
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable

import reflex as rx
from reflex.constants import Dirs
from reflex.utils.prerequisites import get_web_dir
from reflex_base.config import get_config
from starlette.applications import Starlette
from starlette.types import ASGIApp

from cruddur import runtime
from cruddur.api import api
from cruddur.auth.jwt import KeysUnavailableError
from cruddur.avatar_route import avatar_routes
from cruddur.browser_sessions import session_routes, with_browser_cookies
from cruddur.federation_routes import federation_routes
from cruddur.http_headers import SecurityHeaders, page_policy
from cruddur.pages.account import account
from cruddur.pages.choose_handle import choose_handle
from cruddur.pages.confirm import confirm
from cruddur.pages.forgot import forgot
from cruddur.pages.home import home
from cruddur.pages.inbox import messages, notifications
from cruddur.pages.mailbox import mailbox
from cruddur.pages.more import more
from cruddur.pages.profile import profile
from cruddur.pages.signin import signin, signin_link
from cruddur.pages.signup import signup
from cruddur.settings import ConfigurationError, IdentitySource, load_settings
from cruddur.state.account import AccountState
from cruddur.state.auth import AuthState
from cruddur.state.feed import FeedState
from cruddur.state.mailbox import MailboxState
from cruddur.state.notifications import NotificationsState
from cruddur.state.passwordless import PasswordlessState
from cruddur.state.session import CHOOSE_HANDLE, SessionState

log = logging.getLogger(__name__)
try:
    settings = load_settings()
    identity_source = settings.identity_source()
    settings.federation(identity_source)  # a half-configured federation stops the app too
except ConfigurationError as refused:
    raise SystemExit(f"cruddur: {refused}") from None


async def _redeem_ticket(ticket: str, device: str) -> str | None:
    rt = runtime.current()
    return await rt.identity.run(rt.sessions.redeem_ticket, ticket, device)


async def _end_session(handle: str) -> None:
    rt = runtime.current()
    await rt.identity.run(rt.accounts.sign_out, handle)


def in_front(outer: Starlette) -> Callable[[ASGIApp], ASGIApp]:
    """`outer`'s routes in front of the app, given to Reflex as a plain transformer: Reflex adds
    its CORS middleware to every Starlette app it is handed, on top of the one on its own top
    app, and each added one more `Vary: Origin` to every answer."""

    def mount(inner: ASGIApp) -> ASGIApp:
        outer.mount("", inner)
        return outer

    return mount


def with_security_headers(backend: ASGIApp) -> ASGIApp:
    """Security headers on everything the backend serves, production pages included. Reflex
    calls this as the backend starts, after `reflex run --env prod` has built the pages whose
    inline scripts the policy hashes."""
    return SecurityHeaders(backend, page_policy(get_web_dir() / Dirs.STATIC, get_config().api_url))


app = rx.App(
    stylesheets=["/cruddur.css"],
    # Where session.js finds the backend (the dev server's pages are served from elsewhere).
    head_components=[rx.el.meta(name="cruddur-backend", content=get_config().api_url), rx.script(src="/session.js")],
    api_transformer=[
        in_front(api),
        in_front(avatar_routes()),
        in_front(session_routes(settings, _redeem_ticket, _end_session)),
        in_front(federation_routes(settings)),
        with_browser_cookies(settings),
        with_security_headers,
    ],
)


@contextlib.asynccontextmanager
async def run_runtime():
    """Build the runtime (it may start the embedded provider) and fetch the keys, off the loop."""
    started = await asyncio.to_thread(runtime.start, settings)
    try:
        await started.identity.verifier.awarm()
    except KeysUnavailableError:
        log.warning("signing keys unavailable at start-up; they will be fetched on first need")
    yield
    await asyncio.to_thread(runtime.stop)


app.register_lifespan_task(run_runtime)

# Each page's one on_load event resumes the session first (a background event: it may wait on
# Cognito), then loads what the page shows.
app.add_page(home, route="/", title="Home — Cruddur", on_load=FeedState.load_home)
app.add_page(more, route="/more", title="More — Cruddur", on_load=SessionState.load_page)
app.add_page(notifications, route="/notifications", title="Notifications — Cruddur", on_load=NotificationsState.load)
app.add_page(messages, route="/messages", title="Messages — Cruddur", on_load=SessionState.load_signed_in_page)
app.add_page(account, route="/account", title="Your account — Cruddur", on_load=AccountState.load)
# Profiles live at /@handle; Reflex routes cannot start a segment with "@", so the segment is
# the argument and FeedState.load_profile reads the handle from the path.
app.add_page(profile, route="/[handle]", title="Profile — Cruddur", on_load=FeedState.load_profile)
forms = [AuthState.open_form, SessionState.load_page]
app.add_page(signup, route="/signup", title="Sign up — Cruddur", on_load=forms)
app.add_page(confirm, route="/confirm", title="Confirm your email — Cruddur", on_load=forms)
app.add_page(signin, route="/signin", title="Sign in — Cruddur", on_load=[*forms, PasswordlessState.offer_autofill])
app.add_page(signin_link, route="/signin/link", title="Connect your sign-in — Cruddur", on_load=forms)
app.add_page(forgot, route="/forgot", title="Reset your password — Cruddur", on_load=forms)
app.add_page(
    choose_handle,
    route=CHOOSE_HANDLE,
    title="Choose your username — Cruddur",
    on_load=[AuthState.open_form, SessionState.load_signed_in_page],
)
if identity_source is IdentitySource.EMBEDDED:
    app.add_page(
        mailbox, route="/dev/mailbox", title="Mailbox — Cruddur", on_load=[SessionState.load_page, MailboxState.load]
    )
