"""The second step of signing in, on `/signin`: a code from the person's authenticator app, a
recovery code instead, or — when the pool requires a second factor the person has not set up —
setting one up, then saving the recovery codes. The step itself (Cognito's challenge) waits in
the server's memory, by connection (`services/second_steps.py`); the e-mail and `?next=` stay."""

import reflex as rx

from cruddur import runtime
from cruddur.services.accounts import AccountError, SecondStep
from cruddur.services.sessions import Client
from cruddur.state.auth import AuthState, Ready, Refused, _field
from cruddur.state.authenticator import CODE_FIELD, show_recovery_codes
from cruddur.state.session import connection_device, connection_handle

# Refusals that mean the challenge itself is over: back to the password.
CHALLENGE_OVER = frozenset({"SecondStepExpired", "NotAuthorizedException"})


REMEMBER_FIELD = "remember"
RECOVERED = (
    "You signed in with a recovery code, so two-step verification is now off. Set it up again from your account page."
)


class SecondStepState(AuthState):
    async def _step(self) -> tuple[SecondStep | None, str, str, bool]:
        """The pending step, the session it replaces, the browser's device cookie, and whether
        the browser can make a passkey."""
        async with self:
            sid = self.router.session.session_id
            step = runtime.current().second_steps.get(sid)
            return step, connection_handle(self), connection_device(self), self.passkey_capable

    async def _answer(self, answer, *, then_codes: bool = False, notice: str = "", offer_passkey: bool = True):
        """The skeleton of each second step: the pending challenge answered by `answer(step,
        client, replacing)`, then signed in (or on to the next step), or back to the password
        when the challenge is over. `offer_passkey` False: the answer was a passkey, so there is
        no point asking the pool whether the person has one before offering it."""
        step, replacing, device, capable = await self._step()
        rt = runtime.current()

        def work(client: Client):
            if step is None:
                raise AccountError("SecondStepExpired")
            outcome = answer(step, client, replacing)
            offer = capable and offer_passkey and not then_codes
            ready = AuthState._ready(outcome, device, passkey_capable=offer)
            codes = (
                rt.second_factor.recovery_codes_for(ready.signed_in.handle)
                if then_codes and isinstance(ready, Ready)
                else []
            )
            return ready, codes

        try:
            outcome, codes = await self._attempt(work)
        except Refused as refused:
            if refused.code in CHALLENGE_OVER:
                async with self:
                    self.signin_step = "password"
            yield refused.focus
            return
        yield await self._went_on(outcome, step.email if step else "", go=not codes)
        if codes:  # the authenticator app was just set up: its recovery codes, once, before the feed
            async with self:
                self.signin_step = "codes"
            yield show_recovery_codes(codes)
        if notice and isinstance(outcome, Ready):
            yield rx.toast.info(notice, duration=10_000)

    @rx.event(background=True)
    async def answer_code(self, form: dict):
        code, remember = _field(form, CODE_FIELD), _field(form, REMEMBER_FIELD) == "on"
        second_factor = runtime.current().second_factor
        async for event in self._answer(
            lambda step, client, replacing: second_factor.answer_mfa_code(
                step, code=code, client=client, replacing=replacing, remember=remember
            )
        ):
            yield event

    @rx.event(background=True)
    async def finish_setup(self, form: dict):
        code = _field(form, CODE_FIELD)
        second_factor = runtime.current().second_factor
        async for event in self._answer(
            lambda step, client, replacing: second_factor.finish_mfa_setup(
                step, code=code, client=client, replacing=replacing
            ),
            then_codes=True,
        ):
            yield event

    @rx.event(background=True)
    async def use_recovery_code(self, form: dict):
        code = _field(form, "recovery")
        second_factor = runtime.current().second_factor
        async for event in self._answer(
            lambda step, client, replacing: second_factor.sign_in_with_recovery_code(
                step, code=code, client=client, replacing=replacing
            ),
            notice=RECOVERED,
        ):
            yield event

    @rx.event
    def show_step(self, step: str):
        """Between the code and a recovery code (the links under each form)."""
        if step in ("code", "recovery") and self.signin_step in ("code", "recovery"):
            self.signin_step, self.error, self.error_field = step, "", ""

    @rx.event
    def start_over(self):
        runtime.current().second_steps.drop(self.router.session.session_id)
        self.signin_step, self.error, self.error_field = "password", "", ""
