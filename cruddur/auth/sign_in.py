"""Signing in to a user pool — with SRP, or by choice (USER_AUTH: a passkey or an e-mailed
code) — and every challenge Cognito may answer with, step by step.

pycognito's `AWSSRP` (on GMP, `gmp_srp.py`) does the SRP arithmetic (password and device
verifiers, exactly as Cognito and amazon-cognito-identity-js compute them); this module walks
Cognito's challenges:

    PASSWORD_VERIFIER → [DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER] → tokens
                      → SOFTWARE_TOKEN_MFA | MFA_SETUP  (returned: the person must act)
                      → SELECT_MFA_TYPE (answered with the authenticator app, the one factor)

    USER_AUTH → [SELECT_CHALLENGE, answered with the factor chosen] → WEB_AUTHN | EMAIL_OTP
              (returned: the browser signs the passkey challenge, or the person types the code)
              → tokens, or the second factor as above (never after a user-verified passkey)

The password never leaves this process; a challenge's `Session` is Cognito's, opaque, and
lives minutes. Every call blocks on the network: run it on the identity threads.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from pycognito.aws_srp import generate_hash_device

from cruddur.auth.gmp_srp import GmpSRP

SOFTWARE_TOKEN_MFA = "SOFTWARE_TOKEN_MFA"
MFA_SETUP = "MFA_SETUP"
SELECT_MFA_TYPE = "SELECT_MFA_TYPE"
SELECT_CHALLENGE = "SELECT_CHALLENGE"
WEB_AUTHN = "WEB_AUTHN"
EMAIL_OTP = "EMAIL_OTP"
WAITS_FOR_PERSON = (SOFTWARE_TOKEN_MFA, MFA_SETUP, WEB_AUTHN, EMAIL_OTP)


@dataclass(frozen=True)
class Device:
    """A remembered device: Cognito's keys and the random password its SRP verifier is made of."""

    key: str
    group_key: str
    password: str


@dataclass(frozen=True)
class Challenge:
    """Cognito waits for the person: a code (authenticator app or e-mail), setting an app up, or
    their passkey. `parameters` are Cognito's ChallengeParameters (the passkey request options,
    where a code went)."""

    name: str
    session: str
    username: str  # Cognito's own name for the user (USERNAME in the challenge's answers)
    # The sign-in it belongs to: answering it may lead on to the device's own SRP.
    flow: "SignInFlow | None" = field(default=None, compare=False, repr=False)
    parameters: dict = field(default_factory=dict, compare=False, repr=False)

    def renewed(self, session: str) -> "Challenge":
        """The same challenge under the Session Cognito handed back for its next answer."""
        return replace(self, session=session)


@dataclass(frozen=True)
class Answer:
    """What Cognito said last: tokens (`result`), or a challenge the person must answer."""

    result: dict | None = None
    challenge: Challenge | None = None


Respond = Callable[..., dict]  # boto3's respond_to_auth_challenge, with ClientId bound


class SignInFlow:
    """One sign-in attempt after its first call: answers what it can by itself, returns what
    only the person can answer, and carries the person's answers to Cognito."""

    def __init__(self, boto, client_id: str, username: str, device: Device | None = None):
        self._boto, self._client_id, self._username, self._device = boto, client_id, username, device

    def follow(self, reply: dict) -> Answer:
        """Answers every challenge this process can answer by itself, until tokens or the person."""
        while (name := reply.get("ChallengeName")) and name not in WAITS_FOR_PERSON:
            reply = self.respond(name, self._answer(name, reply), reply.get("Session"))
        if name:
            parameters = reply.get("ChallengeParameters") or {}
            username = parameters.get("USER_ID_FOR_SRP") or self._username
            return Answer(challenge=Challenge(name, reply["Session"], username, self, parameters))
        return Answer(result=reply["AuthenticationResult"])

    def _answer(self, name: str, reply: dict) -> dict:
        parameters = reply.get("ChallengeParameters") or {}
        if name == SELECT_MFA_TYPE:
            return {"USERNAME": parameters.get("USERNAME", self._username), "ANSWER": SOFTWARE_TOKEN_MFA}
        raise UnsupportedChallenge(name)

    def answer(self, challenge: Challenge, answers: dict) -> Answer:
        """The person's answer to `challenge` (a passkey's assertion, an e-mailed code), then on."""
        return self.follow(self.respond(challenge.name, {"USERNAME": challenge.username, **answers}, challenge.session))

    def answer_code(self, challenge: Challenge, code: str) -> Answer:
        """The code from the person's authenticator app; a known device then proves itself."""
        answers = {"SOFTWARE_TOKEN_MFA_CODE": code, **({"DEVICE_KEY": self._device.key} if self._device else {})}
        return self.answer(challenge, answers)

    def finish_setup(self, challenge: Challenge, session: str) -> Answer:
        """MFA_SETUP answered once VerifySoftwareToken accepted the first code (its `session`)."""
        return self.follow(self.respond(MFA_SETUP, {"USERNAME": challenge.username}, session))

    def respond(self, name: str, answers: dict, session: str | None) -> dict:
        """One RespondToAuthChallenge, carrying the Session of the step before when it had one."""
        return self._boto.respond_to_auth_challenge(
            ClientId=self._client_id,
            ChallengeName=name,
            ChallengeResponses=answers,
            **({"Session": session} if session else {}),
        )


class SrpSignIn(SignInFlow):
    """The password, proven by SRP (it never leaves this process), and a device's own SRP."""

    def __init__(self, boto, pool_id: str, client_id: str, email: str, password: str, device: Device | None):
        super().__init__(boto, client_id, email, device)
        self._srp = GmpSRP(
            username=email,
            password=password,
            pool_id=pool_id,
            client_id=client_id,
            client=boto,
            **(
                {"device_key": device.key, "device_group_key": device.group_key, "device_password": device.password}
                if device
                else {}
            ),
        )

    def start(self) -> Answer:
        params = self._srp.get_auth_params()
        reply = self._boto.initiate_auth(AuthFlow="USER_SRP_AUTH", AuthParameters=params, ClientId=self._client_id)
        return self.follow(reply)

    def _answer(self, name: str, reply: dict) -> dict:
        parameters = reply.get("ChallengeParameters") or {}
        if name == "PASSWORD_VERIFIER":
            return self._srp.process_challenge(parameters, self._srp.get_auth_params())
        if name == "DEVICE_SRP_AUTH" and self._device:
            return {"USERNAME": parameters.get("USERNAME", self._username), "DEVICE_KEY": self._device.key,
                    "SRP_A": self._srp.get_auth_params()["SRP_A"]}  # fmt: skip
        if name == "DEVICE_PASSWORD_VERIFIER" and self._device:
            return self._srp.process_device_challenge(parameters)
        return super()._answer(name, reply)


class ChoiceSignIn(SignInFlow):
    """USER_AUTH with the factor the person chose: WEB_AUTHN (a passkey) or EMAIL_OTP."""

    def __init__(self, boto, client_id: str, email: str, factor: str):
        super().__init__(boto, client_id, email)
        self._factor = factor

    def start(self) -> Answer:
        params = {"USERNAME": self._username, "PREFERRED_CHALLENGE": self._factor}
        return self.follow(
            self._boto.initiate_auth(AuthFlow="USER_AUTH", AuthParameters=params, ClientId=self._client_id)
        )

    def _answer(self, name: str, reply: dict) -> dict:
        if name == SELECT_CHALLENGE:  # the preferred factor was not offered at once: choose it, if it is there
            if self._factor not in reply.get("AvailableChallenges", []):
                raise FactorNotAvailable(self._factor)
            return {"USERNAME": self._username, "ANSWER": self._factor}
        return super()._answer(name, reply)


class SignedUpSignIn(SignInFlow):
    """USER_AUTH just after ConfirmSignUp, with its Session: the confirmation code was the first factor."""

    def __init__(self, boto, client_id: str, email: str, session: str):
        super().__init__(boto, client_id, email)
        self._session = session

    def start(self) -> Answer:
        params = {"USERNAME": self._username}
        return self.follow(
            self._boto.initiate_auth(
                AuthFlow="USER_AUTH", AuthParameters=params, ClientId=self._client_id, Session=self._session
            )
        )


class UnsupportedChallenge(Exception):
    """Cognito asked for something this app does not offer (SMS, a new password, a custom flow)."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class FactorNotAvailable(Exception):
    """The person has no such way to sign in (no passkey here), or the pool does not allow it."""


def new_device_secret(group_key: str, key: str) -> tuple[str, dict]:
    """A random device password and the SRP verifier ConfirmDevice takes for it."""
    return generate_hash_device(group_key, key)
