"""The sign-up, confirm, sign-in and recovery forms.

Passwords arrive in the submitted form data, are handed to `auth.accounts` in a worker thread,
and are never kept in state: nothing of them reaches the state manager, the browser or a log.
The e-mail is kept (and carried between the forms); other typed fields stay in their inputs.
"""

import asyncio
import math
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import reflex as rx

from cruddur.auth import accounts
from cruddur.auth.accounts import AccountError
from cruddur.auth.cognito import CodeSent
from cruddur.auth.errors import friendly
from cruddur.auth.password_policy import DEFAULT_POLICY
from cruddur.state.identity_calls import run_identity_call
from cruddur.state.session import SessionState, route_of

RESEND_COOLDOWN_S = 60
# Longer than any field a form takes (e-mail <= 254, Cognito passwords <= 256 characters).
FIELD_LIMIT = 1024


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


class AuthState(rx.State):
    email: str = ""
    error: str = ""
    error_field: str = ""
    busy: bool = False
    password_rules: list[tuple[str, bool]] = DEFAULT_POLICY.checklist("")
    show_password: bool = False
    confirmed_notice: str = ""
    forgot_step: str = "request"  # request -> reset -> done
    # Where the last code went, and when another may be sent; kept per tab across reloads.
    code_destination: str = rx.SessionStorage("", name="cruddur_code_to")
    resend_ready_at: str = rx.SessionStorage("0", name="cruddur_resend_at")
    resend_wait: int = 0
    # Until when the running countdown holds the lease (renewed each tick): one per tab.
    _ticking_until: float = 0.0

    # -- small setters the inputs call -------------------------------------------------------

    @rx.event
    def set_email(self, value: str):
        self.email = _text(value)

    @rx.event
    def check_password(self, value: str):
        self.password_rules = DEFAULT_POLICY.checklist(_text(value))

    @rx.event
    def toggle_password(self):
        self.show_password = not self.show_password

    @rx.event
    def open_form(self):
        """On each form page load: a fresh form, but the e-mail carried from the last one."""
        self.error = self.error_field = ""
        self.busy = self.show_password = False
        self.password_rules = DEFAULT_POLICY.checklist("")
        route = route_of(self)
        if route != "/signin":
            self.confirmed_notice = ""
        if route == "/forgot":
            self.forgot_step = "request"
        if route == "/confirm":
            return AuthState.tick_resend_cooldown

    # -- shared mechanics -----------------------------------------------------------------------

    def _start(self) -> bool:
        """Marks the form busy; False when it already was (a double submit)."""
        if self.busy:
            return False
        self.busy, self.error, self.error_field = True, "", ""
        return True

    def _fail(self, error: AccountError):
        message = friendly(error.code, error.operation)
        self.busy, self.confirmed_notice = False, ""
        self.error, self.error_field = message.message, message.field or ""
        return rx.set_focus(f"{message.field}-input") if message.field else None

    async def _call(self, fn: Callable, **kwargs):
        return await run_identity_call(lambda: fn(**kwargs))

    def _code_sent(self, sent: CodeSent) -> None:
        self.code_destination = sent.destination
        self.resend_ready_at = str(time.time() + RESEND_COOLDOWN_S)

    # -- sign up -------------------------------------------------------------------------------

    @rx.event
    async def sign_up(self, form: dict):
        if not self._start():
            return
        yield
        self.email = _field(form, "email", self.email).strip()
        try:
            sent = await self._call(
                accounts.sign_up,
                name=_field(form, "name"),
                email=self.email,
                handle=_field(form, "handle"),
                password=_field(form, "password"),
            )
        except AccountError as error:
            yield self._fail(error)
            return
        self.busy = False
        self._code_sent(sent)
        yield rx.redirect("/confirm")

    # -- confirm -------------------------------------------------------------------------------

    @rx.event
    async def confirm(self, form: dict):
        if not self._start():
            return
        yield
        self.email = _field(form, "email", self.email).strip()
        try:
            await self._call(accounts.confirm_sign_up, email=self.email, code=_field(form, "code"))
        except AccountError as error:
            yield self._fail(error)
            return
        self.busy = False
        # Auto sign-in would need the password kept since sign-up; we never keep it.
        self.confirmed_notice = "Your email is confirmed. Sign in to start crudding."
        yield rx.redirect("/signin")

    @rx.event
    async def resend_code(self):
        if self.resend_wait > 0 or not self._start():
            return
        yield
        try:
            sent = await self._call(accounts.resend_code, email=self.email)
        except AccountError as error:
            yield self._fail(error)
            return
        self.busy = False
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

    @rx.event
    async def sign_in(self, form: dict):
        if not self._start():
            return
        yield
        self.email = _field(form, "email", self.email).strip()
        try:
            handle, viewer = await self._call(accounts.sign_in, email=self.email, password=_field(form, "password"))
        except AccountError as error:
            if error.code == "UserNotConfirmedException":
                async for event in self._send_code_and_confirm():
                    yield event
                return
            yield self._fail(error)
            return
        self.busy = False
        self.confirmed_notice = ""
        session = await self.get_state(SessionState)
        session._become(handle, viewer)
        yield rx.redirect(safe_next(self.router.url.query_parameters.get("next")))

    async def _send_code_and_confirm(self):
        """An unconfirmed account: one fresh code, then the confirm form with the e-mail carried."""
        try:
            self._code_sent(await self._call(accounts.resend_code, email=self.email))
        except AccountError as error:
            if error.code != "LimitExceededException":
                yield self._fail(error)
                return
        self.busy = False
        yield rx.redirect("/confirm")

    # -- recover -------------------------------------------------------------------------------

    @rx.event
    async def send_reset_code(self, form: dict):
        if not self._start():
            return
        yield
        self.email = _field(form, "email", self.email).strip()
        try:
            self._code_sent(await self._call(accounts.forgot_password, email=self.email))
        except AccountError as error:
            yield self._fail(error)
            return
        self.busy = False
        self.forgot_step = "reset"

    @rx.event
    async def reset_password(self, form: dict):
        if not self._start():
            return
        yield
        try:
            await self._call(
                accounts.reset_password,
                email=self.email,
                code=_field(form, "code"),
                password=_field(form, "password"),
                confirm=_field(form, "confirm"),
            )
        except AccountError as error:
            yield self._fail(error)
            return
        self.busy = False
        self.forgot_step = "done"
