"""The sign-up, confirm, sign-in, recovery and choose-a-username forms.

Every form runs one skeleton (`_attempt`): refuse a double submit, run the account call on the
identity threads with the state lock released (a hung provider can take ~17 s; the lock
expires after 10 s under Redis), and on a refusal show its friendly message and focus the
field at fault. The handlers are background events for that reason.

Passwords arrive in the submitted form data, are handed to the account service, and are never
kept in state: nothing of them reaches the state manager, the browser or a log. The e-mail is
kept (and carried between the forms); other typed fields stay in their inputs.
"""

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar
from urllib.parse import urlencode, urlsplit

import reflex as rx

from cruddur import runtime
from cruddur.auth.cognito import CodeSent
from cruddur.auth.errors import friendly
from cruddur.auth.session_policy import UNCONFIRMED
from cruddur.browser_sessions import parse_cookies
from cruddur.components.passkeys import can_make_passkeys
from cruddur.services.accounts import AccountError, SecondStep, SignedIn
from cruddur.services.federation import label_of
from cruddur.services.sessions import Client
from cruddur.state.authenticator import hide_setup, show_setup
from cruddur.state.feed import FeedState, first_page
from cruddur.state.session import (
    SessionState,
    browser_call,
    connection_client,
    connection_device,
    connection_handle,
    route_of,
)

T = TypeVar("T")
RESEND_COOLDOWN_S = 60
LINK_PAGE = "/signin/link"
# Longer than any field a form takes (e-mail <= 254, Cognito passwords <= 256 characters).
FIELD_LIMIT = 1024
# Answers that could tell an unknown e-mail from a real one by their timing take at least this
# long, whatever the pool took (its work differs between the two).
UNIFORM_SECONDS = 0.6


def _text(value: object, limit: int = FIELD_LIMIT) -> str:
    """Text an input sent, bounded; anything else a (malformed) event carries reads as empty."""
    return value[:limit] if isinstance(value, str) else ""


def _field(form: object, name: str, default: str = "") -> str:
    """One field of submitted form data, as `_text`; a form that is not a dict has none."""
    return _text(form.get(name, default) if isinstance(form, dict) else default)


def _seconds_left(ready_at: str) -> int:
    """Whole seconds until `ready_at` (epoch seconds, from session storage the browser sends
    back), never more than one cooldown and 0 for anything unreadable."""
    try:
        left = float(ready_at or 0) - time.time()
    except (TypeError, ValueError):
        return 0
    return max(0, int(min(left, RESEND_COOLDOWN_S) + 0.999)) if math.isfinite(left) else 0


def safe_next(target: str | None) -> str:
    """A same-origin path to return to after signing in; anything else means home."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return target if not (parts.scheme or parts.netloc) else "/"


@dataclass(frozen=True)
class Ready:
    """Signed in: the new session, and the one-time ticket the page exchanges for its cookie."""

    signed_in: SignedIn
    ticket: str
    offer_passkey: bool = False  # ask, before going on, whether they want a passkey (once)


@dataclass(frozen=True)
class SettingUp:
    """The pool wants a second factor the person has not set up: this secret, for their app."""

    secret: str
    step: SecondStep


class Refused(Exception):
    """The form's call was refused (or was a double submit); its message is shown. `focus` is
    the event to send, `code` the refusal's code."""

    def __init__(self, focus=None, code: str = ""):
        super().__init__(code or "refused")
        self.focus = focus
        self.code = code


class AuthState(rx.State):
    email: str = ""
    error: str = ""
    error_field: str = ""
    busy: bool = False
    show_password: bool = False
    confirmed_notice: str = ""
    forgot_step: str = "request"  # request -> reset -> done
    signin_step: str = "password"  # password -> code (or setup -> codes) -> signed in; recovery
    offers_passkeys: bool = True  # the pool's first factors (SIGN_IN_FACTORS) include WEB_AUTHN
    offers_email_codes: bool = True  # ... and EMAIL_OTP
    passkey_capable: bool = False  # this browser can make a passkey (a platform authenticator that verifies)
    no_password: bool = False  # /signup without a password (where the pool sends sign-in codes by e-mail)
    offer_remember: bool = False  # the code step asks "Remember this browser" (the pool leaves it to people)
    # "Continue with ..." buttons (name, label, href), and a provider's sign-in waiting on /signin/link
    # for the password of the account with its e-mail.
    providers: list[dict[str, str]] = []
    link_email: str = ""
    link_provider: str = ""
    # Where the last code went, and when another may be sent; kept per tab across reloads.
    code_destination: str = rx.SessionStorage("", name="cruddur_code_to")
    resend_ready_at: str = rx.SessionStorage("0", name="cruddur_resend_at")
    resend_wait: int = 0
    # This connection was just offered a passkey: only then may one be made without the password.
    _passkey_offered: bool = False
    # Until when the running countdown holds the lease (renewed each tick): one per tab.
    _ticking_until: float = 0.0

    # -- small setters the inputs call -------------------------------------------------------

    @rx.event
    def set_email(self, value: str):
        self.email = _text(value)

    @rx.event
    def toggle_password(self):
        self.show_password = not self.show_password

    @rx.event
    def open_form(self):
        """On each form page load: a fresh form, but the e-mail carried from the last one."""
        self.error = self.error_field = ""
        self.busy = self.show_password = False
        route = route_of(self)
        if route != "/signin":
            self.confirmed_notice = ""
        self.signin_step = "password"
        if route == "/signup":
            self.no_password = False
        factors = runtime.current().settings.sign_in_factors
        self.offers_passkeys, self.offers_email_codes = "WEB_AUTHN" in factors, "EMAIL_OTP" in factors
        runtime.current().second_steps.drop(self.router.session.session_id)
        self._federation_on_load(route)
        if route == "/forgot":
            self.forgot_step = "request"
        checks = [can_make_passkeys(AuthState.note_passkey_capable)] if self.offers_passkeys else []
        if route == "/confirm":
            return [AuthState.tick_resend_cooldown, *checks]
        if route == "/signin":
            return checks

    def _federation_on_load(self, route: str) -> None:
        """The providers offered; a refused federated sign-in's message (its code in the query);
        on /signin/link, the pending link this browser's cookie names."""
        rt = runtime.current()
        after = safe_next(self.router.url.query_parameters.get("next"))
        back = {"next": after} if after != "/" else {}  # where the sign-in was going, kept through the provider
        self.providers = (
            [
                {"name": name, "label": label_of(name), "href": f"{rt.settings.backend_url}/_federation/start?"
                 + urlencode({"provider": name, **back})}
                for name in rt.federation.providers
            ]
            if rt.federation is not None
            else []
        )  # fmt: skip
        code = self.router.url.query_parameters.get("federation_error", "")
        if isinstance(code, str) and code and route in ("/signin", "/signup"):
            self.error = friendly(code, "Federation").message
        if route == LINK_PAGE:
            link = parse_cookies(self.router.headers.cookie).get(rt.settings.link_cookie, "")
            pending = rt.federation.pending_link(link) if rt.federation is not None else None
            self.link_email = pending.email if pending else ""
            self.link_provider = label_of(pending.provider) if pending else ""
            self.email = pending.email if pending else self.email
            if pending is None:
                self.error = friendly("LinkExpired").message

    @rx.event
    def choose_no_password(self, checked: bool):
        self.no_password = checked is True and self.offers_email_codes

    @rx.event
    def note_passkey_capable(self, capable: object):
        self.passkey_capable = capable is True

    # -- the skeleton ----------------------------------------------------------------------------

    async def _attempt(self, work: Callable[[Client], T], *, uniform: bool = False) -> T:
        """Marks the form busy (refusing a double submit), runs `work(client)` — a blocking
        account call — on the identity threads without the state lock, and on a refusal shows
        its message and raises Refused. `uniform`: the answer takes at least UNIFORM_SECONDS."""
        async with self:
            if self.busy:
                raise Refused()
            self.busy, self.error, self.error_field = True, "", ""
            client = connection_client(self)
        started = time.monotonic()
        try:
            return await runtime.current().identity.run(work, client)
        except AccountError as error:
            async with self:
                focus = self._show_refusal(error)
            raise Refused(focus, error.code) from None
        finally:
            if uniform:
                await asyncio.sleep(max(0.0, UNIFORM_SECONDS - (time.monotonic() - started)))
            async with self:
                self.busy = False

    def _show_refusal(self, error: AccountError):
        message = friendly(error.code, error.operation)
        text = message.message.format(seconds=error.retry_after)
        self.confirmed_notice = ""
        self.error, self.error_field = text, message.field or ""
        return rx.set_focus(f"{message.field}-input") if message.field else None

    def _code_sent(self, sent: CodeSent) -> None:
        self.code_destination = sent.destination
        self.resend_ready_at = str(time.time() + RESEND_COOLDOWN_S)

    # -- sign up -------------------------------------------------------------------------------

    @rx.event(background=True)
    async def sign_up(self, form: dict):
        rt = runtime.current()
        async with self:
            self.email = email = _field(form, "email", self.email).strip()
            passwordless, sid = self.no_password, self.router.session.session_id
        try:
            sent = await self._attempt(
                lambda client: rt.accounts.sign_up(
                    name=_field(form, "name"),
                    email=email,
                    handle=_field(form, "handle"),
                    password=_field(form, "password"),
                    client=client,
                    passwordless=passwordless,
                )
            )
        except Refused as refused:
            yield refused.focus
            return
        async with self:
            self._code_sent(sent)
            if passwordless and sent.session:  # confirmed from this tab, it signs straight in
                rt.sign_ups.put(sid, sent.session)
        yield rx.redirect("/confirm")

    # -- confirm -------------------------------------------------------------------------------

    @rx.event(background=True)
    async def confirm(self, form: dict):
        """The code from the e-mail. A passwordless sign-up confirmed in the tab it began in is
        signed in at once (Cognito's Session from SignUp; a password one signs in with the
        password, which is never kept) and, on a browser that can make one, offered a passkey."""
        rt = runtime.current()
        async with self:
            self.email = email = _field(form, "email", self.email).strip()
            sid, device, capable = self.router.session.session_id, connection_device(self), self.passkey_capable
            sign_up = rt.sign_ups.get(sid) or ""
        code = _field(form, "code")

        def confirm(client: Client) -> "Ready | None":
            session = rt.accounts.confirm_sign_up(email=email, code=code, client=client, session=sign_up)
            rt.sign_ups.drop(sid)
            if not session:
                return None
            try:
                outcome = rt.accounts.sign_in_signed_up(email=email, session=session, client=client)
                ready = self._ready(outcome, device, passkey_capable=capable) if isinstance(outcome, SignedIn) else None
            except AccountError:  # confirmed all the same: they sign in on /signin (a second factor there too)
                return None
            return ready if isinstance(ready, Ready) else None

        try:
            ready = await self._attempt(confirm, uniform=True)
        except Refused as refused:
            yield refused.focus
            return
        if isinstance(ready, Ready):
            yield await self._went_on(ready, email)
            if not ready.offer_passkey:
                yield rx.toast.info("You're in. Next time, sign in with a code we email you.", duration=10_000)
            return
        async with self:
            self.confirmed_notice = "Your email is confirmed. Sign in to start crudding."
        yield rx.redirect("/signin")

    @rx.event(background=True)
    async def resend_code(self):
        async with self:
            if self.resend_wait > 0:
                return
            email = self.email
        accounts = runtime.current().accounts
        try:
            sent = await self._attempt(lambda client: accounts.resend_code(email=email, client=client), uniform=True)
        except Refused as refused:
            yield refused.focus
            return
        async with self:
            self._code_sent(sent)
        yield AuthState.tick_resend_cooldown

    @rx.event(background=True)
    async def tick_resend_cooldown(self):
        """Counts the resend cooldown down, once a second, while it lasts (at most one cooldown,
        whatever the browser's storage says), and only one countdown per tab at a time."""
        async with self:
            if self._ticking_until > time.time():
                return
            self._ticking_until = time.time() + 2
        while True:
            async with self:
                self._ticking_until = time.time() + 2
                self.resend_wait = _seconds_left(self.resend_ready_at)
                if self.resend_wait == 0:
                    self._ticking_until = 0.0
                    return
            await asyncio.sleep(1)

    # -- sign in -------------------------------------------------------------------------------

    @rx.event(background=True)
    async def sign_in(self, form: dict):
        async with self:
            self.email = email = _field(form, "email", self.email).strip()
            replacing, device, capable = connection_handle(self), connection_device(self), self.passkey_capable
        password = _field(form, "password")
        accounts = runtime.current().accounts
        try:
            outcome = await self._attempt(
                lambda client: self._ready(
                    accounts.sign_in(email=email, password=password, client=client, replacing=replacing),
                    device,
                    passkey_capable=capable,
                )
            )
        except Refused as refused:
            if refused.code == UNCONFIRMED:  # the policy: an unconfirmed person confirms first
                async for event in self._send_code_and_confirm(email):
                    yield event
                return
            yield refused.focus
            return
        yield await self._went_on(outcome, email)

    @rx.event(background=True)
    async def link_account(self, form: dict):
        """/signin/link: the password of the account with the provider's e-mail; right, the
        provider is linked to it and the person signed in as it (a second step if it has one)."""
        rt = runtime.current()
        async with self:
            link = parse_cookies(self.router.headers.cookie).get(rt.settings.link_cookie, "")
            email = self.link_email
            replacing, device, capable = connection_handle(self), connection_device(self), self.passkey_capable
        password = _field(form, "password")
        federation = rt.federation
        if federation is None:
            return
        try:
            outcome = await self._attempt(
                lambda client: self._ready(
                    federation.link_with_password(link, password=password, client=client, replacing=replacing),
                    device,
                    passkey_capable=capable,
                )
            )
        except Refused as refused:
            yield refused.focus
            return
        yield await self._went_on(outcome, email)
        yield rx.toast.success("Connected. You can now sign in either way.")

    @rx.event
    def go_on(self):
        """Past the recovery codes: to where the person was going."""
        self.signin_step = "password"
        return rx.redirect(safe_next(self.router.url.query_parameters.get("next")))

    @staticmethod
    def _ready(
        outcome: SignedIn | SecondStep, device: str, *, passkey_capable: bool = False
    ) -> "Ready | SecondStep | SettingUp":
        """Blocking, after a right password (or code): a ticket for the new session, or the
        second step — with an authenticator-app secret when the person must set one up. On a
        browser that can make a passkey, one is offered to someone who has none (once)."""
        rt = runtime.current()
        if isinstance(outcome, SecondStep):
            return SettingUp(*rt.second_factor.begin_mfa_setup(outcome)) if outcome.setting_up else outcome
        if not device:  # the handshake's device cookie: without it no ticket can be bound
            raise AccountError("CookiesBlocked")
        offer = passkey_capable and rt.passkeys.worth_offering(outcome.handle)
        return Ready(outcome, rt.sessions.issue_ticket(outcome.handle, device), offer_passkey=offer)

    async def _went_on(self, outcome: "Ready | SecondStep | SettingUp", email: str, *, go: bool = True) -> list:
        """Signed in (the page swaps the ticket for the cookie, then goes to `?next=` unless
        `go` is False), or on to the second step. The events are for one update, yielded as one
        list: the redirect then reaches the page in the same frame as the ticket, not after it.
        Going home, the home page's first page, read for this person, goes in that update too."""
        rt = runtime.current()
        home = None
        going_home = safe_next(self.router.url.query_parameters.get("next")) == "/"
        if isinstance(outcome, Ready) and go and going_home and not outcome.offer_passkey:
            viewer = outcome.signed_in.viewer
            if viewer.handle:  # without one, the page goes on to /welcome
                home = await rx.run_in_thread(partial(first_page, "", viewer.sub))
        async with self:
            sid = self.router.session.session_id
            if isinstance(outcome, Ready):
                if home is not None:
                    (await self.get_state(FeedState))._show_with_sign_in(home)
                was_setting_up = self.signin_step == "setup"
                self.confirmed_notice, self.signin_step = "", "passkey_offer" if outcome.offer_passkey else "password"
                go, self._passkey_offered = go and not outcome.offer_passkey, outcome.offer_passkey
                rt.connections.bind(sid, outcome.signed_in.handle)
                rt.second_steps.drop(sid)
                session = await self.get_state(SessionState)
                session._become(outcome.signed_in.handle, outcome.signed_in.viewer)
                session.auth_checked = True
                target = safe_next(self.router.url.query_parameters.get("next"))
                shown = [hide_setup()] if was_setting_up else []
                return [browser_call("adopt", outcome.ticket), *shown, *([rx.redirect(target)] if go else [])]
            step = outcome.step if isinstance(outcome, SettingUp) else outcome
            rt.second_steps.put(sid, step)
            self.signin_step = "setup" if isinstance(outcome, SettingUp) else "code"
            self.offer_remember = rt.settings.remember_devices == "opt-in"
        shown = [show_setup(outcome.secret, email)] if isinstance(outcome, SettingUp) else []
        return [*shown, rx.set_focus("mfa-input")]

    async def _send_code_and_confirm(self, email: str):
        """An unconfirmed account: one fresh code, then the confirm form with the e-mail carried."""
        accounts = runtime.current().accounts
        async with self:
            self.error = self.error_field = ""
        try:
            sent = await self._attempt(lambda client: accounts.resend_code(email=email, client=client))
        except Refused as refused:
            yield refused.focus
            return
        async with self:
            self._code_sent(sent)
        yield rx.redirect("/confirm")

    # -- recover -------------------------------------------------------------------------------

    @rx.event(background=True)
    async def send_reset_code(self, form: dict):
        async with self:
            self.email = email = _field(form, "email", self.email).strip()
        accounts = runtime.current().accounts
        try:
            sent = await self._attempt(
                lambda client: accounts.forgot_password(email=email, client=client), uniform=True
            )
        except Refused as refused:
            yield refused.focus
            return
        async with self:
            self._code_sent(sent)
            self.forgot_step = "reset"

    @rx.event(background=True)
    async def reset_password(self, form: dict):
        async with self:
            email = self.email
        accounts = runtime.current().accounts
        try:
            await self._attempt(
                lambda client: accounts.reset_password(
                    email=email,
                    code=_field(form, "code"),
                    password=_field(form, "password"),
                    confirm=_field(form, "confirm"),
                    client=client,
                ),
                uniform=True,
            )
        except Refused as refused:
            yield refused.focus
            return
        async with self:
            self.forgot_step = "done"

    # -- choose a username ------------------------------------------------------------------------

    @rx.event(background=True)
    async def choose_handle(self, form: dict):
        """For a signed-in person without a profile: the handle (and name) they choose now."""
        async with self:
            session_handle = connection_handle(self)
        accounts = runtime.current().accounts
        try:
            viewer = await self._attempt(
                lambda _client: accounts.choose_handle(
                    session_handle, handle=_field(form, "handle"), name=_field(form, "name")
                )
            )
        except Refused as refused:
            yield refused.focus
            return
        async with self:
            session = await self.get_state(SessionState)
            session._become(session_handle, viewer)
        yield rx.redirect("/")
