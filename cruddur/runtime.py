"""The one wiring point: everything long-lived the app needs, built once where it starts.

    runtime = start(load_settings())      # the backend's lifespan does this (blocking)
    current().accounts.sign_in(...)       # what handlers and the REST API use
    stop()

`start` decides the user pool (failing closed, see `settings.py`), starts the embedded provider
when that is the one, and builds the Identity (Cognito client, verifier, identity threads), the
database, the session store, the revocation list, the rate limiter and the account service. A
background thread keeps the revocation snapshot fresh and purges what ended (sessions, expired
cruds) in batches.
Tests build their own settings and call `start`/`stop` the same way.
"""

import logging
import os
import threading
from dataclasses import dataclass

import botocore.session
from sqlalchemy.exc import SQLAlchemyError

from cruddur.auth.cognito import PoolConfig
from cruddur.auth.identity import Identity
from cruddur.auth.identity_pool import IdentityPoolClient
from cruddur.auth.managed_login import ManagedLogin
from cruddur.auth.password_policy import DEFAULT_POLICY, PasswordPolicy
from cruddur.auth.session_policy import SessionPolicy
from cruddur.browser_sessions import ConnectionSessions
from cruddur.db import Database
from cruddur.dev_oidc import DevOidc
from cruddur.dev_oidc import start as start_dev_oidc
from cruddur.embedded_aws import MOTO_CREDENTIALS, EmbeddedAws
from cruddur.embedded_aws import start as start_embedded_aws
from cruddur.embedded_identity import EmbeddedProvider
from cruddur.embedded_identity import start as start_embedded
from cruddur.services.account_settings import AccountSettings
from cruddur.services.accounts import Accounts, SecondStep
from cruddur.services.avatars import AvatarBucket, Avatars, AvatarStore
from cruddur.services.federation import Federation
from cruddur.services.passkeys import Passkeys
from cruddur.services.passwordless import Passwordless
from cruddur.services.purge import purge_ended
from cruddur.services.rate_limits import MemoryCounter, RateLimiter, RedisCounter
from cruddur.services.remembered_devices import RememberedDevices
from cruddur.services.revocations import RELOAD_SECONDS, Revocations
from cruddur.services.second_factor import SecondFactor
from cruddur.services.second_steps import PendingSteps
from cruddur.services.sessions import SessionStore
from cruddur.settings import AvatarSource, ConfigurationError, IdentitySource, Settings

log = logging.getLogger(__name__)
PURGE_EVERY_SECONDS = 600
# Threads beside the identity threads that read the database at once: the event loop's default
# executor (`rx.run_in_thread`: min(32, cores + 4) threads) and anyio's (the REST API: 40).
_OTHER_READER_THREADS = min(32, (os.cpu_count() or 1) + 4) + 40


@dataclass
class Runtime:
    settings: Settings
    database: Database
    identity: Identity
    embedded: EmbeddedProvider | None
    sessions: SessionStore
    revocations: Revocations
    limiter: RateLimiter
    accounts: Accounts
    second_factor: SecondFactor
    passwordless: Passwordless
    settings_of_accounts: AccountSettings
    passkeys: Passkeys
    connections: ConnectionSessions
    second_steps: PendingSteps[SecondStep]
    sign_ups: PendingSteps[str]  # a passwordless sign-up's Session, by connection, until it is confirmed
    password_policy: PasswordPolicy
    federation: Federation | None  # "Continue with ..." (FEDERATED_PROVIDERS), None when none is offered
    _stop: threading.Event
    _chores: threading.Thread | None = None
    dev_oidc: DevOidc | None = None  # DEV_OIDC's provider, where this worker serves the embedded pool
    avatars: Avatars | None = None  # None: no identity pool (a real user pool without AVATAR_BUCKET)
    embedded_aws: EmbeddedAws | None = None  # moto standing in for S3 + Cognito Identity


_current: Runtime | None = None
_lock = threading.Lock()


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("the app's runtime is not started (the backend's lifespan starts it)")
    return _current


def start(settings: Settings, password_policy: PasswordPolicy = DEFAULT_POLICY) -> Runtime:
    """Builds and installs the runtime; blocking (it may start the embedded provider)."""
    global _current
    source = settings.identity_source()  # ConfigurationError before anything starts
    settings.federation(source)
    avatar_source = settings.avatar_source()
    with _lock:
        if _current is not None:
            raise RuntimeError("the runtime is already started")
        if source is IdentitySource.USER_POOL:
            _require_admin_credentials(settings)
        embedded = start_embedded(settings, password_policy) if source is IdentitySource.EMBEDDED else None
        identity = Identity(embedded.pool if embedded else _user_pool(settings))
        database = Database.from_settings(settings, threads=identity.threads + _OTHER_READER_THREADS)
        policy = SessionPolicy(idle=settings.session_idle, lifetime=settings.session_lifetime)
        sessions = SessionStore(database, policy)
        revocations = Revocations(database)
        counter = RedisCounter(settings.redis_url) if settings.redis_url else MemoryCounter()
        limiter = RateLimiter(counter, settings.rate_limit_per_address)
        devices = RememberedDevices(identity.cognito, database)
        accounts = Accounts(
            identity, database, sessions, revocations, limiter, password_policy, devices, settings.remember_devices
        )
        federation = _federation(settings, source, identity, accounts)
        account_settings = AccountSettings(accounts, database, sessions, revocations, mfa_required=settings.mfa == "ON")
        runtime = Runtime(
            settings,
            database,
            identity,
            embedded,
            sessions,
            revocations,
            limiter,
            accounts,
            SecondFactor(accounts),
            Passwordless(accounts, rp_id=settings.passkey_domain),
            account_settings,
            Passkeys(account_settings, offered="WEB_AUTHN" in settings.sign_in_factors),
            ConnectionSessions(),
            PendingSteps(),
            PendingSteps(),
            password_policy,
            federation,
            threading.Event(),
        )
        if settings.dev_oidc and embedded is not None and embedded.serving:
            try:
                runtime.dev_oidc = start_dev_oidc(settings, embedded.pool)
            except BaseException:
                identity.close()
                embedded.stop()
                database.dispose()
                raise
        if avatar_source is not AvatarSource.OFF:
            runtime.embedded_aws, runtime.avatars = _avatars(settings, avatar_source, identity, accounts, database)
        runtime._chores = threading.Thread(target=_chores, args=(runtime,), name="cruddur-chores", daemon=True)
        runtime._chores.start()
        _current = runtime
    return runtime


def stop() -> None:
    global _current
    with _lock:
        runtime, _current = _current, None
    if runtime is None:
        return
    runtime._stop.set()
    if runtime._chores is not None:
        runtime._chores.join(timeout=5)
    runtime.identity.close()
    if runtime.dev_oidc is not None:
        runtime.dev_oidc.stop()
    if runtime.embedded_aws is not None:
        runtime.embedded_aws.stop()
    if runtime.embedded is not None:
        runtime.embedded.stop()
    runtime.database.dispose()


def _federation(
    settings: Settings, source: IdentitySource, identity: Identity, accounts: Accounts
) -> Federation | None:
    federation = settings.federation(source, identity.pool.endpoint_url)
    if federation is None:
        return None
    login = ManagedLogin(
        domain_url=federation.domain_url,
        client_id=identity.pool.client_id,
        callback_url=federation.callback_url,
        sign_out_url=federation.sign_out_url,
        verifier=identity.verifier,
    )
    return Federation(accounts, login, federation.providers)


def _avatars(
    settings: Settings, source: AvatarSource, identity: Identity, accounts: Accounts, database: Database
) -> tuple[EmbeddedAws | None, Avatars]:
    """The identity pool and bucket avatars go to: configured ones, or moto's on loopback."""
    pool = identity.pool
    if source is AvatarSource.EMBEDDED:
        aws = start_embedded_aws(pool)
        bucket = AvatarBucket(aws.bucket, pool.region, aws.endpoint_url, MOTO_CREDENTIALS)
        identity_pool_id, endpoint_url = aws.identity_pool_id, aws.endpoint_url
    else:
        aws, endpoint_url = None, settings.avatar_endpoint_url
        bucket = AvatarBucket(settings.avatar_bucket or "", pool.region, endpoint_url)
        identity_pool_id = settings.cognito_identity_pool_id or ""
    exchange = IdentityPoolClient(identity_pool_id, pool, endpoint_url=endpoint_url)
    return aws, Avatars(accounts, database, exchange, AvatarStore(bucket))


def _user_pool(settings: Settings) -> PoolConfig:
    return PoolConfig(
        settings.cognito_region,
        settings.cognito_user_pool_id or "",
        settings.cognito_app_client_id or "",
        settings.cognito_endpoint_url,
    )


def _require_admin_credentials(settings: Settings) -> None:
    """A real pool needs the app's AWS credentials for the admin calls that end sessions (a
    password reset) and turn off a lost authenticator app: without them those would quietly
    not happen, so the app does not start."""
    if _user_pool(settings).on_loopback or botocore.session.get_session().get_credentials() is not None:
        return
    raise ConfigurationError(
        "no AWS credentials for the user pool's admin calls: give the app credentials the usual boto3 way "
        "(an IAM role, AWS_PROFILE, ...) allowed cognito-idp:AdminGetUser, AdminUserGlobalSignOut and "
        "AdminSetUserMFAPreference on the pool (README: Using a real Cognito user pool)"
    )


def _chores(runtime: Runtime) -> None:
    """Every second: the revocations other workers wrote. Every ten minutes: purge what ended."""
    since_purge = PURGE_EVERY_SECONDS  # purge once at start-up
    while True:
        try:
            runtime.revocations.reload()
            if since_purge >= PURGE_EVERY_SECONDS:
                since_purge = 0
                purge_ended(runtime.database, runtime.sessions, runtime.revocations, stopping=runtime._stop.is_set)
        except SQLAlchemyError:  # the database away for a moment: keep going, try again
            log.warning("session chores failed; retrying", exc_info=True)
        if runtime._stop.wait(RELOAD_SECONDS):
            return
        since_purge += RELOAD_SECONDS
