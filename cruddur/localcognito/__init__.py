"""localcognito: a local identity provider that speaks Amazon Cognito's user-pool protocol.

boto3 and pycognito work against it with only an `endpoint_url`. Real SRP-6a (salt + verifier,
never a password), Cognito-shaped RS256 tokens with a JWKS, codes in a local mailbox, all kept
in `<data_dir>/localcognito.db`. Imports nothing of the app. See docs/localcognito.md.

    handle = start_in_thread(LocalCognitoConfig(data_dir=Path("data"), port=0))
    handle.endpoint_url, handle.user_pool_id, handle.client_id, handle.region
    handle.issuer, handle.jwks_url, handle.mailbox_url
    handle.stop()
"""

from .config import LocalCognitoConfig
from .pool import PasswordPolicy
from .server import LocalCognitoHandle, create_app, start_in_thread

__all__ = ["LocalCognitoConfig", "LocalCognitoHandle", "PasswordPolicy", "create_app", "start_in_thread"]
