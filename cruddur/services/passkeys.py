"""The person's passkeys, on the account page: list them, add one (after the password: a passkey
is a new way in), remove one. The browser does the ceremony with the options the pool gives
(StartWebAuthnRegistration) and the pool checks its answer (CompleteWebAuthnRegistration).
Blocking; no Reflex here."""

from dataclasses import dataclass

from cruddur.services import security_log
from cruddur.services.account_settings import AccountSettings, line_id
from cruddur.services.accounts import on_pool
from cruddur.services.clock import readable
from cruddur.services.passwordless import browser_credential
from cruddur.services.sessions import Client


@dataclass
class PasskeyLine:
    id: str  # a digest of the credential id: enough to name it here
    name: str
    added: str


class Passkeys:
    def __init__(self, settings: AccountSettings):
        self.settings, self.accounts, self.cognito = settings, settings.accounts, settings.cognito

    def of(self, handle: str) -> list[PasskeyLine]:
        account = self.accounts.signed_in(handle)
        return [
            PasskeyLine(line_id(passkey.id), passkey.name, readable(passkey.created))
            for passkey in on_pool(self.cognito.passkeys, account.access_token)
        ]

    def begin_adding(self, handle: str, *, password: str, client: Client) -> dict:
        """The options for the browser's navigator.credentials.create, once the password is right."""
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
                self._record(account.viewer.sub, "passkey_removed", client)

    def _record(self, sub: str, kind: str, client: Client) -> None:
        with self.accounts.database.session() as db:
            security_log.record(db, sub, kind, client)
