"""Signing in on `/signin` without the password: "Sign in with a passkey" (the browser signs the
pool's challenge through `components/passkeys.py`) or "Email me a code" (then the code step).
The pending challenge waits in the server's memory like a second step does, and what follows
is the same: signed in, or the authenticator app's code where the pool asks for it.

Just signed in another way on a browser that can make a passkey, someone who has none is asked
once whether they want one (no password again: they signed in a moment ago)."""

import reflex as rx

from cruddur import runtime
from cruddur.auth.sign_in import EMAIL_OTP, WEB_AUTHN
from cruddur.components.passkeys import passkey_ceremony
from cruddur.services.accounts import AccountError
from cruddur.services.passwordless import picked_credential
from cruddur.state.auth import Refused, _field, _text, safe_next
from cruddur.state.second_step import SecondStepState
from cruddur.state.session import connection_handle

OTP_FIELD = "otp"


class PasswordlessState(SecondStepState):
    async def _start(self, email: object, factor: str):
        """The pool's challenge for `factor`, kept for this connection; returns it, or None when refused."""
        email = _text(email).strip()
        async with self:
            self.email = email
        passwordless = runtime.current().passwordless
        try:
            step = await self._attempt(lambda client: passwordless.start(email=email, factor=factor, client=client))
        except Refused as refused:
            return refused
        async with self:
            runtime.current().second_steps.put(self.router.session.session_id, step)
            self.confirmed_notice = ""
        return step

    @rx.event(background=True)
    async def sign_in_with_passkey(self, email: str):
        started = await self._start(email, WEB_AUTHN)
        if isinstance(started, Refused):
            yield started.focus
            return
        try:
            options = runtime.current().passwordless.request_options(started)
        except AccountError as error:
            async with self:
                self._show_refusal(error)
            return
        yield passkey_ceremony("signIn", options, PasswordlessState.passkey_signed)

    @rx.event
    def offer_autofill(self):
        """On /signin: the e-mail field's autofill lists this site's passkeys (the request waits
        in the page until one is picked, or until another ceremony replaces it)."""
        if self.offers_passkeys:
            options = runtime.current().passwordless.autofill_options()
            return passkey_ceremony("autofill", options, PasswordlessState.passkey_autofill_picked)

    @rx.event(background=True)
    async def passkey_autofill_picked(self, result: str):
        """A passkey was picked from the autofill list: the pool's challenge for its owner, signed
        by the same passkey. A request that ended without a pick says nothing."""
        credential = picked_credential(result)
        async with self:
            if credential is None or self.signin_step != "password":
                return
        passwordless = runtime.current().passwordless
        try:
            step, options = await self._attempt(lambda client: passwordless.start_picked(credential, client=client))
        except Refused as refused:
            yield refused.focus
            return
        async with self:
            runtime.current().second_steps.put(self.router.session.session_id, step)
            self.confirmed_notice = ""
        yield passkey_ceremony("signIn", options, PasswordlessState.passkey_signed)

    @rx.event(background=True)
    async def passkey_signed(self, result: str):
        """What the browser's passkey ceremony answered: the assertion, or why there is none."""
        passwordless = runtime.current().passwordless
        async for event in self._answer(
            lambda step, client, replacing: passwordless.answer_passkey(
                step, result=result, client=client, replacing=replacing
            ),
            offer_passkey=False,
        ):
            yield event

    @rx.event(background=True)
    async def email_me_a_code(self, email: str):
        started = await self._start(email, EMAIL_OTP)
        if isinstance(started, Refused):
            yield started.focus
            return
        async with self:
            self.signin_step = "email_code"
            self.code_destination = started.challenge.parameters.get("CODE_DELIVERY_DESTINATION", "your email")
        yield rx.set_focus(f"{OTP_FIELD}-input")

    @rx.event(background=True)
    async def answer_email_code(self, form: dict):
        code = _field(form, OTP_FIELD)
        passwordless = runtime.current().passwordless
        async for event in self._answer(
            lambda step, client, replacing: passwordless.answer_email_code(
                step, code=code, client=client, replacing=replacing
            )
        ):
            yield event

    # -- the offer after signing in ----------------------------------------------------------------

    @rx.event(background=True)
    async def make_offered_passkey(self):
        async with self:
            handle, offered = connection_handle(self), self._passkey_offered
        passkeys = runtime.current().passkeys

        def begin(client):
            if not offered:  # not a page that was offered one: the account page, with the password
                raise AccountError("FreshSignInNeeded")
            return passkeys.begin_adding(handle, password=None, client=client)

        try:
            options = await self._attempt(begin)
        except Refused as refused:
            yield refused.focus
            return
        yield passkey_ceremony("register", options, PasswordlessState.offered_passkey_made)

    @rx.event(background=True)
    async def offered_passkey_made(self, result: str):
        async with self:
            handle = connection_handle(self)
        passkeys = runtime.current().passkeys
        try:
            await self._attempt(lambda client: passkeys.finish_adding(handle, result=result, client=client))
        except Refused as refused:
            yield refused.focus
            return
        async with self:
            self.signin_step, self._passkey_offered = "password", False
            target = safe_next(self.router.url.query_parameters.get("next"))
        yield rx.toast.success("Passkey added. Next time, sign in with it: no password needed.")
        yield rx.redirect(target)
