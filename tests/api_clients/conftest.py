"""Clients of the REST API as their authors write them: accounts made straight through the user
pool with boto3 (no web app), signed in with pycognito's SRP, against the embedded provider."""

from dataclasses import dataclass

import boto3
import httpx
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from pycognito.aws_srp import AWSSRP

from tests.support.mailbox import latest_code

PASSWORD = "Crud-dur-2026!"


@dataclass
class Pool:
    """The running app's user pool, as a client outside the app reaches it."""

    cognito: object  # a boto3 cognito-idp client
    pool_id: str
    client_id: str
    mailbox_url: str

    def sign_up(self, email: str, **attributes: str) -> None:
        """A confirmed account with these attributes (name, preferred_username), code from the mailbox."""
        listed = [{"Name": "email", "Value": email}] + [{"Name": k, "Value": v} for k, v in attributes.items()]
        self.cognito.sign_up(ClientId=self.client_id, Username=email, Password=PASSWORD, UserAttributes=listed)
        code = latest_code(self.mailbox_url, email)
        self.cognito.confirm_sign_up(ClientId=self.client_id, Username=email, ConfirmationCode=code)

    def sign_in(self, email: str) -> dict:
        srp = AWSSRP(
            username=email, password=PASSWORD, pool_id=self.pool_id, client_id=self.client_id, client=self.cognito
        )
        return srp.authenticate_user()["AuthenticationResult"]


@pytest.fixture
def pool(app_runtime) -> Pool:
    config = app_runtime.identity.pool
    cognito = boto3.client(
        "cognito-idp",
        region_name=config.region,
        endpoint_url=config.endpoint_url,
        config=Config(signature_version=UNSIGNED),
    )
    return Pool(cognito, config.user_pool_id, config.client_id, app_runtime.embedded.mailbox_url)


@pytest.fixture
async def api(app_runtime):
    """The API exactly as the app wires it (`cruddur.api.api`), on this test's runtime."""
    from cruddur.api import api

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://cruddur.test") as client:
        yield client


def bearer(tokens: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['AccessToken']}"}
