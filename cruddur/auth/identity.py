"""Which user pool the app talks to, and the one Cognito client and verifier per process.

With a real pool configured (COGNITO_USER_POOL_ID + COGNITO_APP_CLIENT_ID) that pool is used;
otherwise the embedded localcognito is started on loopback, on its own thread and event loop,
so the backend's blocking boto3 calls can never deadlock against it. When another worker of
the app already serves it (same data dir, same port), this worker uses that one.
"""

import errno
import threading
from functools import lru_cache

from cruddur.auth.cognito import CognitoClient, PoolConfig
from cruddur.auth.jwt import CognitoJwtVerifier
from cruddur.localcognito import LocalCognitoConfig, LocalCognitoHandle, start_in_thread
from cruddur.localcognito.provider import Provider
from cruddur.settings import get_settings

_local_lock = threading.Lock()
_local: LocalCognitoHandle | None = None  # the provider this process serves, if any
_local_info: dict | None = None  # its endpoint, ids and mailbox (LocalCognitoHandle.describe)


def local_provider() -> dict | None:
    """The embedded provider's endpoint, ids and mailbox URL, starting it on first need.

    None when a real user pool is configured.
    """
    global _local, _local_info
    settings = get_settings()
    if not settings.uses_local_cognito:
        return None
    with _local_lock:
        if _local_info is None:
            config = LocalCognitoConfig(
                data_dir=settings.data_dir, port=settings.local_cognito_port, region=settings.cognito_region
            )
            try:
                _local = start_in_thread(config)
                _local_info = LocalCognitoHandle.describe(_local.provider)
            except OSError as error:
                if error.errno != errno.EADDRINUSE:
                    raise
                provider = Provider.open(config)  # read the pool's ids from the shared data dir
                _local_info = LocalCognitoHandle.describe(provider)
                provider.store.dispose()
        return _local_info


def stop_local_provider() -> None:
    global _local, _local_info
    with _local_lock:
        if _local is not None:
            _local.stop()
        _local = _local_info = None


def pool_config() -> PoolConfig:
    settings = get_settings()
    if local := local_provider():
        return PoolConfig(local["region"], local["user_pool_id"], local["client_id"], local["endpoint_url"])
    return PoolConfig(
        settings.cognito_region,
        settings.cognito_user_pool_id,
        settings.cognito_app_client_id,
        settings.cognito_endpoint_url,
    )


@lru_cache
def get_cognito() -> CognitoClient:
    return CognitoClient(pool_config())


@lru_cache
def get_verifier() -> CognitoJwtVerifier:
    pool = pool_config()
    return CognitoJwtVerifier(issuer=pool.issuer, client_id=pool.client_id)


def reset() -> None:
    """Forget the clients and stop the embedded provider (tests switch data dirs)."""
    get_cognito.cache_clear()
    get_verifier.cache_clear()
    stop_local_provider()
