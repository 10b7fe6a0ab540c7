"""Signing in without a password, through Cognito's choice-based sign-in (USER_AUTH): with a
passkey (the browser signs the pool's challenge) or with a code e-mailed by the pool. Then the
pool's rules for a second factor, as for a password: none after a user-verified passkey (it is
two factors already), the authenticator app after an e-mailed code. Blocking; no Reflex here.

Answers never tell whether an account exists or has a passkey: a person without one, an unknown
e-mail and a device without the passkey all read "no passkey for that account on this device"."""

import base64
import binascii
import json
import secrets

from cruddur.auth.cognito import CognitoError
from cruddur.auth.sign_in import EMAIL_OTP, WEB_AUTHN, Challenge
from cruddur.services import passkey_notes
from cruddur.services.accounts import AccountError, Accounts, SecondStep, SignedIn
from cruddur.services.sessions import Client

# How @simplewebauthn/browser (and the WebAuthn API under it) says a ceremony failed, as the
# refusal codes of auth/errors.py. NotAllowedError covers cancelled, timed out and "no passkey
# here" alike: browsers do not tell them apart, on purpose.
BROWSER_REFUSALS = {
    "NotAllowedError": "PasskeyNotUsed",
    "ERROR_CEREMONY_ABORTED": "PasskeyNotUsed",
    "AbortError": "PasskeyNotUsed",
    "InvalidStateError": "PasskeyAlreadyHere",
    "ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED": "PasskeyAlreadyHere",
    "UNSUPPORTED": "PasskeysUnsupported",
}
EMAIL_CODE = "EmailSignInCode"  # the operation its refusals are keyed by: they belong to its own field
USER_HANDLE_MAX = 128  # a pool's user handle is its sub, 36 characters; anything far longer is not one


def browser_credential(result: object) -> dict:
    """The credential the browser returned (`{"ok": …}`, JSON from components/passkeys.py's
    bridge), or the refusal its error (`{"error": code, "name": …}`) means."""
    try:
        reply = json.loads(result) if isinstance(result, str) else {}
    except ValueError:
        reply = {}
    credential = reply.get("ok") if isinstance(reply, dict) else None
    if isinstance(credential, dict) and credential:
        return credential
    said = reply if isinstance(reply, dict) else {}
    refusal = BROWSER_REFUSALS.get(str(said.get("name"))) or BROWSER_REFUSALS.get(str(said.get("error")))
    raise AccountError(refusal or "PasskeyFailed")


def picked_credential(result: object) -> dict | None:
    """The credential the person picked from the autofill list, or None when the request ended
    without a pick (another ceremony took its place, no autofill in this browser): nothing to say."""
    try:
        return browser_credential(result)
    except AccountError:
        return None


def _user_handle(credential: dict) -> str:
    """Whose passkey this is: the user handle Cognito gave it at registration, the pool's sub."""
    handle = (credential.get("response") or {}).get("userHandle")
    try:
        sub = base64.urlsafe_b64decode(handle + "=" * (-len(handle) % 4)).decode() if isinstance(handle, str) else ""
    except (binascii.Error, ValueError):
        sub = ""
    if not sub or len(sub) > USER_HANDLE_MAX or not sub.isprintable():
        raise AccountError("PasskeyNotUsed")
    return sub


class Passwordless:
    def __init__(self, accounts: Accounts, rp_id: str):
        self.accounts, self.cognito, self.rp_id = accounts, accounts.cognito, rp_id

    def start(self, *, email: str, factor: str, client: Client) -> SecondStep:
        """The pool's challenge for `factor` (WEB_AUTHN: its passkey request options; EMAIL_OTP:
        the code is on its way, `destination` in its parameters)."""
        if factor not in (WEB_AUTHN, EMAIL_OTP):
            raise AccountError("PasskeyFailed")
        email = self.accounts.checked_email(email)
        self.accounts.brake("send_code" if factor == EMAIL_OTP else "sign_in", email, client)
        return SecondStep(self._challenge(email, factor), email, password="")

    def autofill_options(self) -> dict:
        """PublicKeyCredentialRequestOptionsJSON for the e-mail field's passkey autofill
        (conditional mediation). Cognito issues a passkey challenge only for a named user, so the
        passkey picked here only says whose it is; its signature over this challenge of ours is
        never trusted. The pool's own challenge follows (`start_picked`), with the same passkey."""
        return {"challenge": secrets.token_urlsafe(32), "rpId": self.rp_id, "userVerification": "discouraged"}

    def start_picked(self, credential: dict, *, client: Client) -> tuple[SecondStep, dict]:
        """The pool's passkey challenge for the person whose passkey was picked from the autofill
        list, and its request options narrowed to that passkey (one more touch signs in). The pool
        names its users by their sub, so the user handle is the USERNAME."""
        sub = _user_handle(credential)
        self.accounts.brake("sign_in", sub, client)
        step = SecondStep(self._challenge(sub, WEB_AUTHN), email="", password="")
        options = self.request_options(step)
        known = [c for c in options.get("allowCredentials") or [] if isinstance(c, dict)]
        picked = [c for c in known if c.get("id") == credential.get("id")] if known else []
        if not picked and known:  # not one of the pool's passkeys for that person (or a removed one)
            raise AccountError("PasskeyNotUsed")
        return step, {**options, "allowCredentials": picked or [{"id": credential.get("id"), "type": "public-key"}]}

    def _challenge(self, username: str, factor: str) -> Challenge:
        try:
            return self.cognito.sign_in_by_choice(username=username, factor=factor)
        except CognitoError as error:
            unavailable = "PasskeyNotUsed" if factor == WEB_AUTHN else "EmailCodesUnavailable"
            code = unavailable if error.code in ("FactorNotAvailable", "UserNotFoundException") else error.code
            raise AccountError(code, error.operation) from None

    @staticmethod
    def request_options(step: SecondStep) -> dict:
        """The step's PublicKeyCredentialRequestOptionsJSON, for the browser."""
        try:
            options = json.loads(step.challenge.parameters.get("CREDENTIAL_REQUEST_OPTIONS", ""))
        except ValueError:
            options = None
        if not isinstance(options, dict):
            raise AccountError("PasskeyFailed")
        return options

    def answer_passkey(self, step: SecondStep, *, result: object, client: Client, replacing: str = ""):
        """The browser's signed assertion for the step's challenge."""
        credential = browser_credential(result)
        outcome = self._answered(step, {"CREDENTIAL": json.dumps(credential)}, client, replacing, WEB_AUTHN)
        if isinstance(outcome, SignedIn) and isinstance(credential.get("id"), str):
            with self.accounts.database.session() as db:  # for "last used" on the account page
                passkey_notes.record_use(db, outcome.viewer.sub, credential["id"])
        return outcome

    def answer_email_code(self, step: SecondStep, *, code: str, client: Client, replacing: str = ""):
        self.accounts.brake("confirm", step.email, client)
        code = "".join(code.split())
        if not code.isdigit():
            raise AccountError("CodeMismatchException", EMAIL_CODE)
        return self._answered(step, {"EMAIL_OTP_CODE": code}, client, replacing, EMAIL_CODE)

    def _answered(
        self, step: SecondStep, answers: dict, client: Client, replacing: str, operation: str
    ) -> "SignedIn | SecondStep":
        try:
            outcome = self.cognito.answer_challenge(step.challenge, answers)
        except CognitoError as error:
            code = "PasskeyNotUsed" if operation == WEB_AUTHN and error.code == "NotAuthorizedException" else error.code
            raise AccountError(code, operation if error.code != "Unavailable" else error.operation) from None
        if isinstance(outcome, Challenge):  # the pool asks for the second factor now
            return SecondStep(outcome, step.email, password="")
        return self.accounts.open_session(outcome, client, replacing, email=step.email)
