"""Signing in through an external identity provider ("Continue with …"), after the pool's managed
login hands back a code (`auth/managed_login.py`): the same server-side session a password opens,
or — when the provider's verified e-mail is that of an existing password account — a link that
waits until the person proves that account's password. Also the account page's linked sign-ins.

Cognito's semantics (docs/localcognito.md, Federated sign-in): a first sign-in through a provider
makes a federated user `<Provider>_<sub>` of its own, never silently merged with a password
account of the same e-mail. To join the two, the app links the identity to the password account
with AdminLinkProviderForUser — which Cognito only takes for an identity that has no federated
user, so the one just made (no profile, never used) is deleted first. Later sign-ins through the
provider yield the password account's tokens, whose `identities` list the link.

The methods block (the pool, the database): the app calls them on the identity threads. No Reflex.
"""

import json
import logging
import secrets
from dataclasses import dataclass

from cruddur.auth.cognito import Authenticated, CognitoError
from cruddur.auth.managed_login import FederationError, ManagedLogin
from cruddur.services.accounts import Account, AccountError, Accounts, SecondStep, SignedIn
from cruddur.services.federation_links import PendingLink, PendingLinks
from cruddur.services.profiles import profile_of
from cruddur.services.sessions import Client

log = logging.getLogger(__name__)

# What a provider is called on the page ("Continue with Dev OIDC"); others by their ProviderName.
LABELS = {"DevOIDC": "Dev OIDC", "Google": "Google", "Microsoft": "Microsoft", "SignInWithApple": "Apple"}
PASSWORD_ACCOUNT = ("CONFIRMED", "RESET_REQUIRED", "FORCE_CHANGE_PASSWORD")


def label_of(provider: str) -> str:
    return LABELS.get(provider, provider)


@dataclass(frozen=True)
class LinkNeeded:
    link: str  # the pending link's handle, for its HttpOnly cookie
    email: str
    provider: str


@dataclass
class LinkedSignIn:
    provider: str
    label: str
    provider_user_id: str
    primary: bool  # the account's own identity (a federated user): it cannot be unlinked


def identities_of(claims_or_value) -> list[dict]:
    """The `identities` of an ID token (a list) or of GetUser (a JSON string)."""
    value = claims_or_value
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return [i for i in value if isinstance(i, dict)] if isinstance(value, list) else []


def _primary(identity: dict) -> bool:
    return identity.get("primary") in (True, "true")


def made_by_provider(attributes: dict) -> bool:
    """Whether GetUser's attributes are a federated user's: an account a provider made, no password."""
    return any(_primary(i) for i in identities_of(attributes.get("identities", "[]")))


class Federation:
    def __init__(self, accounts: Accounts, login: ManagedLogin, providers: tuple[str, ...]):
        self.accounts = accounts
        self.cognito = accounts.cognito
        self.login = login
        self.providers = providers
        self.pending = PendingLinks(accounts.database)

    def start(self, provider: str, after: str = "/"):
        """A flow at `provider` that comes back to the app path `after`."""
        if provider not in self.providers:
            raise AccountError("UnknownProvider")
        return self.login.start(provider, after)

    def finish(
        self, *, state: str, code: str, sealed: str, client: Client, replacing: str
    ) -> tuple[SignedIn | LinkNeeded, str]:
        """The managed login's answer — a session, or a link to confirm with the password — and
        the app path the flow was started for."""
        try:
            done = self.login.finish(state=state, code=code, sealed=sealed)
        except FederationError as refused:
            raise AccountError(refused.code, "Federation") from None
        claims = done.id_claims
        own = next((i for i in identities_of(claims.get("identities")) if i.get("providerName") == done.provider), None)
        if own is not None and _primary(own) and not self._has_profile(claims["sub"]):
            email = claims.get("email", "")
            if email and claims.get("email_verified") is not True:
                # Never joined to an account on an address nobody proved, nor told whether one exists.
                self.accounts._quietly(self.cognito.revoke_token, done.tokens.refresh_token)
                raise AccountError("UnverifiedEmail", "Federation")
            if email and self._password_account(email):
                link = secrets.token_urlsafe(32)
                self.pending.put(link, PendingLink(done.provider, str(own.get("userId", "")), claims["sub"], email))
                self.accounts._quietly(self.cognito.revoke_token, done.tokens.refresh_token)
                return LinkNeeded(link, email, done.provider), done.after
        email = claims.get("email", "")
        return self.accounts.open_session(Authenticated(done.tokens), client, replacing, email=email), done.after

    def pending_link(self, link: str) -> PendingLink | None:
        return self.pending.get(link) if link else None

    def link_with_password(
        self, link: str, *, password: str, client: Client, replacing: str = ""
    ) -> SignedIn | SecondStep:
        """The person proves the password account's password (the normal sign-in, a second
        factor included); then the identity is linked to it, and they are signed in as it."""
        pending = self.pending_link(link)
        if pending is None:
            raise AccountError("LinkExpired")
        outcome = self.accounts.sign_in(email=pending.email, password=password, client=client, replacing=replacing)
        try:
            self.cognito.delete_as_admin(pending.federated_sub)
            self.cognito.link_identity(pending.email, pending.provider, pending.provider_user_id)
        except CognitoError as error:
            log.warning("linking a sign-in failed at the pool (%s)", error.code)
            if isinstance(outcome, SignedIn):
                self.accounts.end_session(outcome.handle)
            raise AccountError(error.code, "AdminLinkProviderForUser") from None
        self.pending.drop(link)
        return outcome

    def linked(self, account: Account) -> list[LinkedSignIn]:
        """The person's sign-ins through providers, from the pool (GetUser's `identities`)."""
        try:
            attributes = self.cognito.get_user(account.access_token)
        except CognitoError as error:
            raise AccountError(error.code, error.operation) from None
        return [
            LinkedSignIn(
                str(i.get("providerName", "")),
                label_of(str(i.get("providerName", ""))),
                str(i.get("userId", "")),
                _primary(i),
            )
            for i in identities_of(attributes.get("identities", "[]"))
        ]

    def linked_of(self, handle: str) -> list[LinkedSignIn]:
        """`linked` for the signed-in person behind a session (the account page)."""
        return self.linked(self.accounts.signed_in(handle))

    def unlink_of(self, handle: str, provider: str, provider_user_id: str) -> None:
        self.unlink(self.accounts.signed_in(handle), provider, provider_user_id)

    def unlink(self, account: Account, provider: str, provider_user_id: str) -> None:
        """Unlinks a provider from a password account; an account's own identity (a federated
        user, no password) stays: without it nothing would sign in."""
        linked = [i for i in self.linked(account) if (i.provider, i.provider_user_id) == (provider, provider_user_id)]
        if not linked or linked[0].primary:
            raise AccountError("CannotUnlink")
        try:
            self.cognito.unlink_identity(provider, provider_user_id)
        except CognitoError as error:
            raise AccountError(error.code, "AdminDisableProviderForUser") from None

    def _has_profile(self, sub: str) -> bool:
        with self.accounts.database.session() as db:
            return profile_of(db, sub) is not None

    def _password_account(self, email: str) -> bool:
        try:
            return self.cognito.status_of(email) in PASSWORD_ACCOUNT
        except CognitoError as error:
            raise AccountError(error.code, "AdminGetUser") from None
