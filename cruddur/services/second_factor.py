"""The second step of signing in: a code from the person's authenticator app, setting one up
where the pool requires it (MFA_SETUP), or a recovery code instead — each finishing the sign-in
`Accounts` began. Blocking: the app calls these on the identity threads. No Reflex here."""

import logging

from cruddur.auth.cognito import CognitoError
from cruddur.auth.sign_in import Challenge
from cruddur.services import recovery_codes, security_log
from cruddur.services.accounts import AccountError, Accounts, SecondStep, SignedIn, on_pool
from cruddur.services.sessions import Client

log = logging.getLogger(__name__)

TOTP_DIGITS = 6
AUTHENTICATOR_NAME = "Authenticator app"


def authenticator_code(code: str, operation: str) -> str:
    """A code as typed or pasted ("123 456"), or Cognito's refusal of it before any call."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == TOTP_DIGITS):
        raise AccountError("CodeMismatchException", operation)
    return code


class SecondFactor:
    def __init__(self, accounts: Accounts):
        self.accounts, self.cognito, self.database = accounts, accounts.cognito, accounts.database

    def answer_mfa_code(
        self, step: SecondStep, *, code: str, client: Client, replacing: str = "", remember: bool = False
    ) -> SignedIn:
        """The code from the person's authenticator app, for the sign-in that asked for it, and
        this browser remembered if they asked (where the pool leaves it to them).
        Wrong codes count toward the pool's lock-out (Cognito's) and this app's brake."""
        self.accounts.brake("confirm", step.email, client)
        code = authenticator_code(code, "RespondToAuthChallenge")
        try:
            outcome = self.cognito.answer_mfa_code(step.challenge, code)
        except CognitoError as error:
            if error.code == "CodeMismatchException":
                self._record_for(step.email, "second_factor_failed", client)
            raise AccountError(error.code, error.operation) from None
        if isinstance(outcome, Challenge):  # Cognito asked again: the session ran out
            raise AccountError("ExpiredCodeException", "RespondToAuthChallenge")
        return self.accounts.open_session(outcome, client, replacing, email=step.email, remember=remember)

    def begin_mfa_setup(self, step: SecondStep) -> tuple[str, SecondStep]:
        """The pool requires a second factor and this person has none: the authenticator-app
        secret to set up now (MFA_SETUP), and the step to finish it with."""
        secret, challenge = on_pool(self.cognito.begin_mfa_setup, step.challenge)
        return secret, SecondStep(challenge, step.email, step.password)

    def finish_mfa_setup(self, step: SecondStep, *, code: str, client: Client, replacing: str = "") -> SignedIn:
        self.accounts.brake("confirm", step.email, client)
        code = authenticator_code(code, "VerifySoftwareToken")
        outcome = on_pool(self.cognito.finish_mfa_setup, step.challenge, code, AUTHENTICATOR_NAME)
        if isinstance(outcome, Challenge):
            raise AccountError("ExpiredCodeException", "RespondToAuthChallenge")
        return self.accounts.open_session(outcome, client, replacing, email=step.email)

    def sign_in_with_recovery_code(
        self, step: SecondStep, *, code: str, client: Client, replacing: str = ""
    ) -> "SignedIn | SecondStep":
        """A recovery code instead of the authenticator app: used up, the app turns two-step
        verification off (as the pool's admin) so the person can set it up again, and signs them
        in with the password they just gave. A pool that requires a second factor then walks
        them through setting one up."""
        self.accounts.brake("confirm", step.email, client)
        sub = on_pool(self.cognito.sub_of, step.email)  # before the sign-in ends, only an admin knows it
        with self.database.session() as db:
            if not recovery_codes.use_code(db, sub, code):
                raise AccountError("RecoveryCodeNotAccepted")
        on_pool(self.cognito.turn_off_authenticator_app, step.email)
        if self.accounts.remember_devices != "off":  # whoever remembered a browser must not skip the next factor
            on_pool(self.cognito.forget_every_device, step.email)
            self.accounts.devices.drop_all(sub)
        with self.database.session() as db:
            recovery_codes.drop_codes(db, sub)
            security_log.record(db, sub, "recovery_code_used", client)
        outcome = self.accounts.srp_sign_in(step.email, step.password, client)
        if isinstance(outcome, Challenge):
            return SecondStep(outcome, step.email, step.password)
        return self.accounts.open_session(outcome, client, replacing, email=step.email)

    def recovery_codes_for(self, handle: str) -> list[str]:
        """Ten new recovery codes for the signed-in person (the old ones stop working)."""
        viewer = self.accounts.resume(handle)
        if viewer is None:
            raise AccountError("SessionExpired")
        with self.database.session() as db:
            return recovery_codes.new_codes(db, viewer.sub)

    def _record_for(self, email: str, kind: str, client: Client) -> None:
        """A security event of a person not signed in yet, whose sub only the pool's admin knows."""
        try:
            sub = self.cognito.sub_of(email)
        except CognitoError as error:
            log.warning("security activity: %s not recorded (%s)", kind, error.code)
            return
        with self.database.session() as db:
            security_log.record(db, sub, kind, client)
