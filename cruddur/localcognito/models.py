"""Tables of the local identity provider. They live in their own metadata (not SQLModel's global
one) and their own SQLite file, so they never mix with the app's schema."""

from typing import ClassVar

from sqlalchemy import true
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class LocalCognitoBase(SQLModel, registry=registry()):
    # SQLModel declares `__tablename__` as a ClassVar but then defines it as a declared_attr,
    # which is all the type checker sees: declared again here, a plain string is accepted.
    __tablename__: ClassVar[str]


class Setting(LocalCognitoBase, table=True):
    """Pool identity and server keys, created on first start and kept for good."""

    __tablename__ = "lc_setting"
    name: str = Field(primary_key=True)
    value: str


class User(LocalCognitoBase, table=True):
    __tablename__ = "lc_user"
    sub: str = Field(primary_key=True)  # also the canonical username, as in e-mail-username pools
    email: str = Field(unique=True, index=True)  # normalised: trimmed, lower case
    email_verified: bool = False
    # A new address UpdateUserAttributes holds back until VerifyUserAttribute proves it (normalised);
    # `email` stays the one that signs in until then. Not unique: it is nobody's alias yet.
    pending_email: str | None = None
    name: str | None = None
    preferred_username: str | None = None
    handle_key: str | None = Field(default=None, unique=True, index=True)  # lower-cased handle
    status: str = "UNCONFIRMED"  # UNCONFIRMED | CONFIRMED | EXTERNAL_PROVIDER (federated)
    # False after AdminDisableUser. The server default is for rows of files made before it.
    enabled: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    salt: str  # hex
    verifier: str  # hex of g^x mod N; never a password
    # False for a user who signed up without one (passwordless: e-mailed codes, passkeys) until
    # ForgotPassword sets one; their verifier is then of no password. True for older files' rows.
    has_password: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    failed_sign_ins: int = 0
    locked_until: float = 0.0
    created_at: float
    updated_at: float
    # Federated users (status EXTERNAL_PROVIDER, federation.py): Cognito names them
    # `<ProviderName>_<provider's sub>`. Their `email` holds their sub instead of an address, since
    # Cognito keeps a federated user apart from a native one with the same address, and the mapped
    # address is `external_email`. None for native users, whose username is the sub.
    username: str | None = Field(default=None, index=True)
    external_email: str | None = None
    # The `identities` attribute as Cognito holds it: a JSON list of the external identities that
    # sign in as this user (its own, or those AdminLinkProviderForUser linked to it). None: none.
    identities: str | None = None

    @property
    def cognito_username(self) -> str:
        return self.username or self.sub

    @property
    def federated(self) -> bool:
        """A federated user: it signs in at its identity provider only, never with a password,
        an e-mailed code or a passkey, and its `email` is no address."""
        return self.username is not None

    @property
    def email_attribute(self) -> str | None:
        """The `email` attribute clients see."""
        return self.external_email if self.federated else self.email


class Code(LocalCognitoBase, table=True):
    """The one live code of a kind for a user (or a decoy, codes.send_nowhere); a new code
    replaces the old one."""

    __tablename__ = "lc_code"
    sub: str = Field(primary_key=True)
    kind: str = Field(primary_key=True)  # SIGN_UP | FORGOT_PASSWORD | VERIFY_EMAIL | EMAIL_OTP
    code_hash: str
    expires_at: float
    failed_attempts: int = 0
    used: bool = False


class MailboxMessage(LocalCognitoBase, table=True):
    __tablename__ = "lc_mailbox"
    id: str = Field(primary_key=True)
    to: str
    username: str
    kind: str = Field(index=True)
    code: str
    created_at: float = Field(index=True)


class SimulatedDelivery(LocalCognitoBase, table=True):
    """A code 'sent' for a user the provider must not reveal: delivered nowhere (no code kept),
    recorded like a mailbox message so such sends are rate-limited and cost what a real one does."""

    __tablename__ = "lc_simulated_delivery"
    id: str = Field(primary_key=True)
    username: str  # the decoy sub
    kind: str = Field(index=True)
    created_at: float = Field(index=True)


class Session(LocalCognitoBase, table=True):
    """One sign-in and the tokens that descend from it (origin_jti = id)."""

    __tablename__ = "lc_session"
    id: str = Field(primary_key=True)
    sub: str = Field(index=True)
    client_id: str
    refresh_hash: str = Field(unique=True, index=True)  # sha256 of the refresh token
    event_id: str
    auth_time: int
    expires_at: float
    revoked: bool = False
    # The OAuth scopes a managed-login sign-in granted (space-separated); None: the API's own
    # sign-ins, whose access tokens carry aws.cognito.signin.user.admin only.
    scope: str | None = None


class UsedChallenge(LocalCognitoBase, table=True):
    """An answered SECRET_BLOCK, so a challenge is answered at most once."""

    __tablename__ = "lc_used_challenge"
    digest: str = Field(primary_key=True)
    expires_at: float = Field(index=True)


class SoftwareToken(LocalCognitoBase, table=True):
    """A user's TOTP authenticator. Secrets are sealed with a key kept outside the database (and the
    user's sub), so a copy of the database alone does not yield them."""

    __tablename__ = "lc_software_token"
    sub: str = Field(primary_key=True)
    secret: str | None = None  # the verified authenticator, which sign-ins check
    pending: str | None = None  # the latest AssociateSoftwareToken, until VerifySoftwareToken proves it
    friendly_name: str | None = None
    enabled: bool = False  # SoftwareTokenMfaSettings.Enabled
    preferred: bool = False  # SoftwareTokenMfaSettings.PreferredMfa
    last_step: int = 0  # the newest 30-second step a code was accepted for: each code works once


class Device(LocalCognitoBase, table=True):
    """A device key handed out in NewDeviceMetadata; tracked once ConfirmDevice gives its SRP
    verifier (derived from a device password only the device knows)."""

    __tablename__ = "lc_device"
    key: str = Field(primary_key=True)  # <region>_<uuid>, as Cognito's
    sub: str = Field(index=True)
    group_key: str
    salt: str | None = None  # hex; None until ConfirmDevice
    verifier: str | None = None  # hex of g^x mod N
    name: str | None = None
    remembered: bool = False
    created_at: float
    updated_at: float
    authenticated_at: float
    # Until when a sign-in that proved the password (and MFA) may answer DEVICE_SRP_AUTH for this
    # device: pycognito answers that challenge without a Session, so the proof is kept here.
    srp_open_until: float = 0.0


class WebAuthnCredential(LocalCognitoBase, table=True):
    """A passkey CompleteWebAuthnRegistration verified: its public key (COSE) and the signature
    counter its last sign-in reported, which must go up."""

    __tablename__ = "lc_webauthn_credential"
    id: str = Field(primary_key=True)  # the credential id, base64url, as browsers name it
    sub: str = Field(index=True)
    relying_party_id: str
    public_key: str  # base64url of the COSE key
    sign_count: int = 0
    friendly_name: str
    attachment: str | None = None  # platform | cross-platform, when the browser said
    transports: str = "[]"  # JSON list, e.g. ["internal", "hybrid"]
    created_at: float


class WebAuthnRegistration(LocalCognitoBase, table=True):
    """A user's pending StartWebAuthnRegistration: the challenge its CompleteWebAuthnRegistration
    must answer, once, before it expires. A new start replaces it."""

    __tablename__ = "lc_webauthn_registration"
    sub: str = Field(primary_key=True)
    challenge: str  # base64url
    relying_party_id: str
    expires_at: float


class IdentityProvider(LocalCognitoBase, table=True):
    """An external identity provider of the pool (CreateIdentityProvider); the JSON columns hold
    ProviderDetails, AttributeMapping and IdpIdentifiers as the API has them."""

    __tablename__ = "lc_identity_provider"
    name: str = Field(primary_key=True)
    provider_type: str
    details: str
    attribute_mapping: str
    idp_identifiers: str
    created_at: float
    updated_at: float


class FederatedIdentity(LocalCognitoBase, table=True):
    """Which user an external identity (provider, the provider's sub) signs in as: the federated
    user made at its first sign-in, or the native user AdminLinkProviderForUser linked it to."""

    __tablename__ = "lc_federated_identity"
    provider_name: str = Field(primary_key=True)
    provider_user_id: str = Field(primary_key=True)
    sub: str = Field(index=True)
    created_at: float


class AuthorizationCode(LocalCognitoBase, table=True):
    """A code /oauth2/authorize handed to an app's redirect_uri, until /oauth2/token redeems it
    (once) or it expires. Only its hash is kept."""

    __tablename__ = "lc_authorization_code"
    code_hash: str = Field(primary_key=True)
    sub: str
    client_id: str
    redirect_uri: str
    scope: str
    code_challenge: str | None = None
    nonce: str | None = None
    expires_at: float = Field(index=True)
