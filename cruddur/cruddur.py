"""The Cruddur app: its pages, the routes they live at, and what starts with the backend."""

import asyncio
import contextlib
import logging

import reflex as rx
from reflex.constants import Dirs
from reflex.utils.prerequisites import get_web_dir
from starlette.types import ASGIApp

from cruddur.api import api
from cruddur.auth import identity
from cruddur.auth.jwt import KeysUnavailableError
from cruddur.http_headers import SecurityHeaders, page_policy
from cruddur.pages.confirm import confirm
from cruddur.pages.forgot import forgot
from cruddur.pages.home import home
from cruddur.pages.inbox import messages, notifications
from cruddur.pages.mailbox import mailbox
from cruddur.pages.more import more
from cruddur.pages.profile import profile
from cruddur.pages.signin import signin
from cruddur.pages.signup import signup
from cruddur.settings import get_settings
from cruddur.state.auth import AuthState
from cruddur.state.feed import FeedState
from cruddur.state.mailbox import MailboxState
from cruddur.state.notifications import NotificationsState
from cruddur.state.session import SessionState

log = logging.getLogger(__name__)


def with_security_headers(backend: ASGIApp) -> ASGIApp:
    """Security headers on everything the backend serves, production pages included. Reflex
    calls this as the backend starts, after `reflex run --env prod` has built the pages whose
    inline scripts the policy hashes."""
    return SecurityHeaders(backend, page_policy(get_web_dir() / Dirs.STATIC, rx.config.get_config().api_url))


app = rx.App(stylesheets=["/cruddur.css"], api_transformer=[api, with_security_headers])


@contextlib.asynccontextmanager
async def start_identity():
    """Start the embedded provider (if no real pool) and fetch the signing keys, off the loop."""
    try:
        await asyncio.to_thread(lambda: identity.get_verifier().warm())
    except KeysUnavailableError:
        log.warning("signing keys unavailable at start-up; they will be fetched on first need")
    yield
    await asyncio.to_thread(identity.stop_local_provider)


app.register_lifespan_task(start_identity)

restore = SessionState.restore
app.add_page(home, route="/", title="Home — Cruddur", on_load=[restore, FeedState.load_home])
app.add_page(more, route="/more", title="More — Cruddur", on_load=restore)
signed_in_only = [restore, SessionState.require_sign_in]
app.add_page(
    notifications,
    route="/notifications",
    title="Notifications — Cruddur",
    on_load=[*signed_in_only, NotificationsState.load],
)
app.add_page(messages, route="/messages", title="Messages — Cruddur", on_load=signed_in_only)
# Profiles live at /@handle; Reflex routes cannot start a segment with "@", so the segment is
# the argument and FeedState.load_profile reads the handle from the path.
app.add_page(profile, route="/[handle]", title="Profile — Cruddur", on_load=[restore, FeedState.load_profile])
app.add_page(signup, route="/signup", title="Sign up — Cruddur", on_load=[restore, AuthState.open_form])
app.add_page(confirm, route="/confirm", title="Confirm your email — Cruddur", on_load=[restore, AuthState.open_form])
app.add_page(signin, route="/signin", title="Sign in — Cruddur", on_load=[restore, AuthState.open_form])
app.add_page(forgot, route="/forgot", title="Reset your password — Cruddur", on_load=[restore, AuthState.open_form])
if get_settings().uses_local_cognito:
    app.add_page(mailbox, route="/dev/mailbox", title="Mailbox — Cruddur", on_load=[restore, MailboxState.load])
