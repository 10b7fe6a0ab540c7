"""The provider's state shared by every operation: config, store, keys, token issuer, clock,
request-rate throttle, the pool's MFA configuration."""

from dataclasses import dataclass

from sqlmodel import Session as DbSession
from sqlmodel import select

from .attributes import normalize_email
from .config import LocalCognitoConfig
from .errors import CognitoError
from .keys import ServerKeys, load_keys
from .models import User
from .pool import MfaConfig
from .sign_in_policy import WebAuthnConfig
from .store import Store
from .throttle import Throttle
from .tokens import TokenIssuer


def default_endpoint_url(config: LocalCognitoConfig) -> str:
    if config.endpoint_url:
        return config.endpoint_url.rstrip("/")
    host = f"[{config.host}]" if ":" in config.host else config.host
    return f"http://{host}:{config.port}"


@dataclass
class Provider:
    config: LocalCognitoConfig
    store: Store
    keys: ServerKeys
    endpoint_url: str
    tokens: TokenIssuer
    throttle: Throttle
    mfa: MfaConfig  # replaced by SetUserPoolMfaConfig, for this process (passkeys' relying party included)

    @classmethod
    def open(cls, config: LocalCognitoConfig) -> "Provider":
        store = Store(config.data_dir)
        keys = load_keys(store, config)
        endpoint_url = default_endpoint_url(config)
        issuer = f"{endpoint_url}/{keys.pool_id}"
        tokens = TokenIssuer(keys, issuer, config.access_token_seconds, config.id_token_seconds)
        throttle = Throttle(config.request_rates, config.clock)
        webauthn = WebAuthnConfig(config.webauthn_relying_party_id, config.webauthn_user_verification)
        mfa = MfaConfig(config.mfa_configuration, config.software_token_mfa, webauthn)
        return cls(
            config=config, store=store, keys=keys, endpoint_url=endpoint_url, tokens=tokens, throttle=throttle, mfa=mfa
        )

    @property
    def pool_id(self) -> str:
        return self.keys.pool_id

    @property
    def client_id(self) -> str:
        return self.keys.client_id

    @property
    def issuer(self) -> str:
        return self.tokens.issuer

    def now(self) -> float:
        return float(self.config.clock())

    def check_pool(self, pool_id: str) -> None:
        if pool_id != self.keys.pool_id:
            raise CognitoError("ResourceNotFoundException", f"User pool {pool_id} does not exist.")

    def allows(self, first_factor: str) -> bool:
        """Whether the pool's SignInPolicy lets a USER_AUTH sign-in start with `first_factor`."""
        return first_factor in self.config.allowed_first_auth_factors

    def check_client(self, client_id: str) -> None:
        if client_id != self.keys.client_id:
            raise CognitoError("ResourceNotFoundException", f"User pool client {client_id} does not exist.")


def find_user(session: DbSession, username: str) -> User | None:
    """A user by e-mail (case-insensitive, trimmed), by canonical username (the sub) or by a
    federated user's name (`<ProviderName>_<sub>`)."""
    key = username.strip()
    user = session.get(User, key) or session.exec(select(User).where(User.username == key)).first()
    if user is not None:
        return user
    return session.exec(select(User).where(User.email == normalize_email(key))).first()


def names(user: User, username: str) -> bool:
    """Whether a USERNAME a client sends (the e-mail in any case, the sub, or a federated user's
    name, as find_user takes them) is `user`'s."""
    return username.strip() in (user.sub, user.username) or normalize_email(username) == user.email
