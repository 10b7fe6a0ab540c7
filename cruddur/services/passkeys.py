"""The person's passkeys, on the account page: list them, add one (after the password, or in
the minutes after a sign-in: a passkey is a new way in), remove one. The browser does the
ceremony with the options the pool gives (StartWebAuthnRegistration) and the pool checks its
answer (CompleteWebAuthnRegistration). Cognito has no call to rename one: a passkey keeps the
name the pool gave it. Blocking; no Reflex here."""

from dataclasses import dataclass

from cruddur.services import passkey_notes, security_log
from cruddur.services.account_settings import AccountSettings, just_signed_in, line_id
from cruddur.services.accounts import AccountError, on_pool
from cruddur.services.clock import readable, utcnow
from cruddur.services.passwordless import browser_credential
from cruddur.services.sessions import Client

# How long after signing in a person may add a passkey without typing the password again.


@dataclass
class PasskeyLine:
    id: str  # a digest of the credential id: enough to name it here
    name: str
    added: str
    last_used: str  # "never" until it signs someone in


class Passkeys:
    def __init__(self, settings: AccountSettings, *, offered: bool):
        """`offered`: the pool signs people in with passkeys (its first factors have WEB_AUTHN)."""
        self.settings, self.accounts, self.cognito = settings, settings.accounts, settings.cognito
        self.offered = offered

    def of(self, handle: str) -> list[PasskeyLine]:
        account = self.accounts.signed_in(handle)
        with self.accounts.database.session() as db:
            used = passkey_notes.last_uses(db, account.viewer.sub)
        lines = []
        for passkey in on_pool(self.cognito.passkeys, account.access_token):
            last = used.get(line_id(passkey.id))
            lines.append(
                PasskeyLine(
                    line_id(passkey.id), passkey.name, readable(passkey.created), readable(last) if last else "never"
                )
            )
        return lines

    def worth_offering(self, handle: str) -> bool:
        """Just signed in without a passkey: offer one, once, to someone who has none. Never in
        the way of the sign-in: when the pool cannot say, no offer."""
        if not self.offered:
            return False
        account = self.accounts.signed_in(handle)
        with self.accounts.database.session() as db:
            if passkey_notes.already_offered(db, account.viewer.sub):
                return False
        try:
            if on_pool(self.cognito.passkeys, account.access_token):
                return False
        except AccountError:
            return False
        with self.accounts.database.session() as db:
            return passkey_notes.note_offered(db, account.viewer.sub)

    def begin_adding(self, handle: str, *, password: str | None, client: Client) -> dict:
        """The options for the browser's navigator.credentials.create: with the right password,
        or with none in the minutes after this session signed in."""
        if password is None:
            account = self.accounts.signed_in(handle)
            if not just_signed_in(account, utcnow()):
                raise AccountError("FreshSignInNeeded")
        else:
            account = self.settings.with_password(handle, password, client)
        return on_pool(self.cognito.start_passkey_registration, account.access_token)

    def finish_adding(self, handle: str, *, result: object, client: Client) -> None:
        account = self.accounts.signed_in(handle)
        on_pool(self.cognito.complete_passkey_registration, account.access_token, browser_credential(result))
        self._record(account.viewer.sub, "passkey_added", client)

    def remove(self, handle: str, passkey_id: str, *, client: Client) -> None:
        account = self.accounts.signed_in(handle)
        for passkey in on_pool(self.cognito.passkeys, account.access_token):
            if line_id(passkey.id) == passkey_id:
                on_pool(self.cognito.delete_passkey, account.access_token, passkey.id)
                with self.accounts.database.session() as db:
                    passkey_notes.forget(db, account.viewer.sub, passkey_id)
                self._record(account.viewer.sub, "passkey_removed", client)

    def _record(self, sub: str, kind: str, client: Client) -> None:
        with self.accounts.database.session() as db:
            security_log.record(db, sub, kind, client)
