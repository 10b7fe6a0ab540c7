""" "Dev OIDC": an external OpenID provider on this machine, so federated sign-in can be clicked
through offline (DEV_OIDC=1, dev server on the embedded provider only; see docs/federation.md).

It is npm's certified `oidc-provider` (installed into `.tools` by scripts/setup.sh), run by
`tests/support/dev_oidc/server.mjs` — the same one the tests federate with — on DEV_OIDC_PORT,
with a few seeded people whose e-mail it has verified. Its login page takes the person's name
(`alice`, `bob`, `carol`) and any password; then its consent page. It is registered with the
embedded pool as the identity provider `DevOIDC` (CreateIdentityProvider, or Update when the data
dir has it from a run before) with the redirect URI the pool's managed login answers at.
"""

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import boto3

from cruddur.auth.cognito import LOOPBACK_CREDENTIALS, PoolConfig
from cruddur.settings import DEV_OIDC_PROVIDER, ConfigurationError, Settings

ROOT = Path(__file__).resolve().parents[1]
NODE = ROOT / ".tools" / "node_modules" / ".bin" / "node"
OIDC_PROVIDER = ROOT / ".tools" / "node_modules" / "oidc-provider" / "lib" / "index.js"
SERVER = ROOT / "tests" / "support" / "dev_oidc" / "server.mjs"
CLIENT_ID = "cruddur-dev-pool"
# Not a secret: a development provider on loopback, holding made-up people.
CLIENT_SECRET = "dev-oidc-only-on-this-machine"
PEOPLE = [
    {"sub": sub, "email": f"{sub}@example.com", "email_verified": True, "name": name}
    for sub, name in (("alice", "Alice Liddell"), ("bob", "Bob Builder"), ("carol", "Carol Danvers"))
]
MAPPING = {"email": "email", "email_verified": "email_verified", "name": "name"}


@dataclass
class DevOidc:
    issuer: str
    _process: subprocess.Popen = field(repr=False)

    def stop(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()


def start(settings: Settings, pool: PoolConfig) -> DevOidc:
    """Starts it (blocking until it listens) and registers it with the embedded pool."""
    for path, what in ((NODE, "node"), (OIDC_PROVIDER, "oidc-provider"), (SERVER, "the Dev OIDC server")):
        if not path.exists():
            raise ConfigurationError(f"DEV_OIDC: {what} is missing at {path}: run scripts/setup.sh, or unset DEV_OIDC")
    config = {
        "port": settings.dev_oidc_port,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [f"{pool.endpoint_url}/oauth2/idpresponse"],
        "accounts": PEOPLE,
    }
    process = subprocess.Popen(
        [str(NODE), str(SERVER), json.dumps(config)],
        env={**os.environ, "OIDC_PROVIDER_MODULE": OIDC_PROVIDER.as_uri()},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # its warnings about development-only features
        text=True,
    )
    line = process.stdout.readline() if process.stdout else ""
    if not line:
        process.kill()
        raise ConfigurationError(
            f"DEV_OIDC: the development OpenID provider did not start (exit code {process.wait()}); is "
            f"127.0.0.1:{settings.dev_oidc_port} taken? Set DEV_OIDC_PORT to a free port"
        )
    running = DevOidc(json.loads(line)["issuer"], process)
    try:
        register(pool, running.issuer)
    except Exception:
        running.stop()
        raise
    return running


def register(pool: PoolConfig, issuer: str, *, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET) -> None:
    """The provider at `issuer` as the pool's DevOIDC identity provider (created, or brought up to date)."""
    admin = boto3.client("cognito-idp", region_name=pool.region, endpoint_url=pool.endpoint_url, **LOOPBACK_CREDENTIALS)
    details = {
        "client_id": client_id,
        "client_secret": client_secret,
        "authorize_scopes": "openid email profile",
        "attributes_request_method": "GET",
        "oidc_issuer": issuer,
    }
    try:
        admin.create_identity_provider(
            UserPoolId=pool.user_pool_id,
            ProviderName=DEV_OIDC_PROVIDER,
            ProviderType="OIDC",
            ProviderDetails=details,
            AttributeMapping=MAPPING,
        )
    except admin.exceptions.DuplicateProviderException:
        admin.update_identity_provider(
            UserPoolId=pool.user_pool_id,
            ProviderName=DEV_OIDC_PROVIDER,
            ProviderDetails=details,
            AttributeMapping=MAPPING,
        )
