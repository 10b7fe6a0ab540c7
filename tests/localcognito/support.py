"""Helpers for the localcognito contract tests: a movable clock, a running pool with boto3 and
pycognito clients pointed at it, readers of the `/_mailbox` JSON, and a TOTP authenticator."""

import contextlib
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import boto3
import pyotp
from botocore.config import Config
from pycognito import Cognito
from pycognito.aws_srp import AWSSRP

from cruddur.localcognito import LocalCognitoConfig, start_in_thread

PASSWORD = "Corr3ct-horse!"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class MovableClock:
    """Real time plus an offset that tests advance instead of sleeping."""

    offset: float = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@dataclass
class StillClock(MovableClock):
    """A clock that moves only when told: for request rates, which real time would blur."""

    start: float = field(default_factory=time.time)

    def __call__(self) -> float:
        return self.start + self.offset


@dataclass
class Pool:
    """A running provider and what a client needs to talk to it."""

    handle: object
    clock: MovableClock
    data_dir: Path
    _client: object = field(default=None, repr=False)

    @property
    def client(self):
        if self._client is None:
            self._client = boto3_client(self.handle, retries=0)
        return self._client

    def mailbox(self) -> list[dict]:
        with urllib.request.urlopen(self.handle.mailbox_url, timeout=10) as response:
            return json.load(response)["messages"]

    def latest_code(self, email: str, kind: str = "SIGN_UP") -> str:
        for message in self.mailbox():
            if message["to"] == email.strip().lower() and message["kind"] == kind:
                return message["code"]
        raise AssertionError(f"no {kind} message for {email}")

    def sign_up(self, email: str, password: str = PASSWORD, name: str = "Jane Doe", handle: str | None = None) -> dict:
        attributes = [{"Name": "name", "Value": name}]
        if handle:
            attributes.append({"Name": "preferred_username", "Value": handle})
        return self.client.sign_up(
            ClientId=self.handle.client_id, Username=email, Password=password, UserAttributes=attributes
        )

    def confirmed_user(self, email: str, password: str = PASSWORD, handle: str | None = None) -> dict:
        reply = self.sign_up(email, password, handle=handle)
        self.client.confirm_sign_up(
            ClientId=self.handle.client_id, Username=email, ConfirmationCode=self.latest_code(email)
        )
        return reply

    def cognito(self, email: str, **tokens) -> Cognito:
        """A pycognito user object pointed at the provider by endpoint_url only."""
        return Cognito(
            self.handle.user_pool_id,
            self.handle.client_id,
            username=email,
            user_pool_region=self.handle.region,
            boto3_client_kwargs={
                "endpoint_url": self.handle.endpoint_url,
                "aws_access_key_id": "x",
                "aws_secret_access_key": "x",
            },
            **tokens,
        )

    def signed_in(self, email: str, password: str = PASSWORD) -> Cognito:
        user = self.cognito(email)
        user.authenticate(password)
        return user

    def password_auth(self, email: str, password: str = PASSWORD) -> dict:
        return self.client.initiate_auth(
            ClientId=self.handle.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )

    def srp_sign_in(self, email: str, password: str = PASSWORD, **device) -> dict:
        """USER_SRP_AUTH with pycognito's SRP client: the reply to its PASSWORD_VERIFIER answer
        (tokens, or the next challenge). `device`: device_key, device_group_key, device_password."""
        srp = AWSSRP(email, password, self.handle.user_pool_id, self.handle.client_id, client=self.client, **device)
        challenge = self.client.initiate_auth(
            ClientId=self.handle.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=srp.get_auth_params()
        )
        answer = srp.process_challenge(challenge["ChallengeParameters"], srp.get_auth_params())
        return self.client.respond_to_auth_challenge(
            ClientId=self.handle.client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answer
        )

    def code(self, secret: str) -> str:
        """The code an authenticator app shows now, by the provider's clock."""
        return pyotp.TOTP(secret).at(self.clock())

    def next_code(self, secret: str) -> str:
        """A code of the next 30-second step (each code is accepted once): moves the clock on."""
        self.clock.advance(30)
        return self.code(secret)

    def answer_totp(self, email: str, session: str, code: str) -> dict:
        return self.client.respond_to_auth_challenge(
            ClientId=self.handle.client_id,
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=session,
            ChallengeResponses={"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": code},
        )

    def totp_user(self, email: str, device_name: str = "phone") -> str:
        """A confirmed user with TOTP set up, verified and preferred: its authenticator's secret."""
        self.confirmed_user(email)
        access = self.password_auth(email)["AuthenticationResult"]["AccessToken"]
        secret = self.client.associate_software_token(AccessToken=access)["SecretCode"]
        code = self.code(secret)
        self.client.verify_software_token(AccessToken=access, UserCode=code, FriendlyDeviceName=device_name)
        self.client.set_user_mfa_preference(
            AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
        )
        self.clock.advance(30)  # the verifying code is spent; the next sign-in needs a later one
        return secret

    def user_auth(self, email: str, preferred: str | None = None, **parameters: str) -> dict:
        """InitiateAuth USER_AUTH, with PREFERRED_CHALLENGE and any other AuthParameters."""
        parameters = {"USERNAME": email, **parameters}
        if preferred:
            parameters["PREFERRED_CHALLENGE"] = preferred
        client_id = self.handle.client_id
        return self.client.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters=parameters)

    def answer(self, challenge: str, session: str, email: str, **responses: str) -> dict:
        """RespondToAuthChallenge with USERNAME and `responses`."""
        return self.client.respond_to_auth_challenge(
            ClientId=self.handle.client_id,
            ChallengeName=challenge,
            Session=session,
            ChallengeResponses={"USERNAME": email, **responses},
        )

    def register_passkey(self, access_token: str, authenticator, origin: str = "http://localhost:3000", **how) -> dict:
        """StartWebAuthnRegistration, the authenticator's answer, CompleteWebAuthnRegistration: the credential."""
        options = self.client.start_web_authn_registration(AccessToken=access_token)["CredentialCreationOptions"]
        credential = authenticator.create(options, origin, **how)
        self.client.complete_web_authn_registration(AccessToken=access_token, Credential=credential)
        return credential

    def passkey_user(self, email: str, authenticator) -> str:
        """A confirmed user with a passkey of `authenticator`: its access token."""
        self.confirmed_user(email)
        access = self.password_auth(email)["AuthenticationResult"]["AccessToken"]
        self.register_passkey(access, authenticator)
        return access

    def post(self, target: str | None, body: bytes) -> tuple[int, dict]:
        """A raw protocol call, bypassing botocore's client-side validation."""
        headers = {"Content-Type": "application/x-amz-json-1.1"}
        if target:
            headers["X-Amz-Target"] = f"AWSCognitoIdentityProviderService.{target}"
        request = urllib.request.Request(self.handle.endpoint_url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)


def boto3_client(handle, retries: int | None = None):
    """A boto3 client for the provider; `retries=0` turns off botocore's retry of throttling
    errors (it retries LimitExceededException, as it would against AWS)."""
    config = Config(retries={"total_max_attempts": retries + 1, "mode": "standard"}) if retries is not None else None
    return boto3.client(
        "cognito-idp",
        region_name=handle.region,
        endpoint_url=handle.endpoint_url,
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=config,
    )


def start_pool(data_dir: Path, clock: MovableClock | None = None, port: int = 0, **overrides) -> Pool:
    clock = clock or MovableClock()
    config = LocalCognitoConfig(data_dir=data_dir, port=port, clock=clock, **overrides)
    return Pool(handle=start_in_thread(config), clock=clock, data_dir=data_dir)


def error_of(excinfo) -> tuple[str, str]:
    """(code, message) of a botocore ClientError captured by pytest.raises."""
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


@contextlib.contextmanager
def standalone(data_dir: Path, *flags: str):
    """`python -m cruddur.localcognito --port 0 --data-dir DATA_DIR FLAGS...` as its own process:
    yields (the JSON line it printed, as attributes like a handle's; the process), then stops it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "cruddur.localcognito", "--port", "0", "--data-dir", str(data_dir), *flags],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield SimpleNamespace(**json.loads(process.stdout.readline())), process
    finally:
        process.terminate()
        process.wait(timeout=10)
