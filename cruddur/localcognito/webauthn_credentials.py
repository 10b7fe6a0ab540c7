"""A signed-in user's passkeys: StartWebAuthnRegistration (the options for
navigator.credentials.create(), its challenge kept as the user's pending registration),
CompleteWebAuthnRegistration (the verified credential stored), ListWebAuthnCredentials,
DeleteWebAuthnCredential; and which passkeys a sign-in may use."""

import json
from datetime import UTC, datetime

from sqlmodel import Session as DbSession
from sqlmodel import col, select

from . import passkeys
from .account import authenticate
from .errors import CognitoError, invalid_parameter, limit_exceeded
from .models import User, WebAuthnCredential, WebAuthnRegistration
from .provider import Provider
from .sign_in_policy import WEB_AUTHN

# A user's passkeys, and so one page of ListWebAuthnCredentials (its MaxResults is 0 to 20).
MAX_CREDENTIALS = 20


def _require_passkeys(p: Provider) -> None:
    if not p.allows(WEB_AUTHN):
        raise CognitoError("WebAuthnNotEnabledException", "Passkeys are not enabled for this user pool.")


def _refuse_federated(user: User) -> None:
    """A federated user signs in at its identity provider only (user_auth.py answers it as a
    stand-in), so a passkey of its own could never sign it in: none is registered."""
    if user.federated:
        raise invalid_parameter(
            "Passkeys are not available to federated users: they sign in at their identity provider."
        )


def _all(db: DbSession, sub: str) -> list[WebAuthnCredential]:
    query = select(WebAuthnCredential).where(col(WebAuthnCredential.sub) == sub)
    return list(db.exec(query.order_by(col(WebAuthnCredential.created_at), col(WebAuthnCredential.id))))


def usable(p: Provider, db: DbSession, sub: str) -> list[WebAuthnCredential]:
    """The user's passkeys for the pool's relying party, oldest first: one made for an earlier
    RelyingPartyId stays listed but cannot sign in."""
    return [c for c in _all(db, sub) if c.relying_party_id == p.mfa.webauthn.relying_party_id]


def ceremony_milliseconds(p: Provider) -> int:
    """How long a browser is told to wait for the authenticator: as long as the challenge lives."""
    return p.config.auth_session_seconds * 1000


def start_webauthn_registration(p: Provider, req: dict) -> dict:
    _require_passkeys(p)
    now = p.now()
    webauthn = p.mfa.webauthn
    with p.store.write() as db:
        user, _ = authenticate(p, db, req["AccessToken"])
        _refuse_federated(user)
        if len(_all(db, user.sub)) >= MAX_CREDENTIALS:
            raise limit_exceeded()
        challenge = passkeys.new_challenge()
        pending = db.get(WebAuthnRegistration, user.sub) or WebAuthnRegistration(
            sub=user.sub, challenge="", relying_party_id="", expires_at=0.0
        )
        pending.challenge, pending.relying_party_id = challenge, webauthn.relying_party_id
        pending.expires_at = now + p.config.auth_session_seconds
        db.add(pending)
        options = passkeys.creation_options(
            webauthn,
            rp_name=p.config.pool_name,
            sub=user.sub,
            name=user.email,
            display_name=user.name or user.email,
            challenge=challenge,
            timeout_ms=ceremony_milliseconds(p),
            existing=usable(p, db, user.sub),
        )
    return {"CredentialCreationOptions": options}


def _friendly_name(now: float) -> str:
    # Cognito names a passkey automatically; here, by when it was made.
    return f"Passkey created {datetime.fromtimestamp(now, UTC):%Y-%m-%d %H:%M} UTC"


def complete_webauthn_registration(p: Provider, req: dict) -> dict:
    _require_passkeys(p)
    now = p.now()
    webauthn = p.mfa.webauthn
    with p.store.write() as db:
        user, _ = authenticate(p, db, req["AccessToken"])
        _refuse_federated(user)
        pending = db.get(WebAuthnRegistration, user.sub)
        if pending is None or now >= pending.expires_at or pending.relying_party_id != webauthn.relying_party_id:
            message = "No passkey registration is pending for the user: call StartWebAuthnRegistration."
            raise CognitoError("WebAuthnChallengeNotFoundException", message)
        db.delete(pending)  # answered once, accepted or not (a refusal still commits, store.write)
        new = passkeys.verify_registration(webauthn, req["Credential"], pending.challenge)
        if db.get(WebAuthnCredential, new.id) is not None:
            raise invalid_parameter("This passkey is registered already.")
        if len(_all(db, user.sub)) >= MAX_CREDENTIALS:
            raise limit_exceeded()
        db.add(
            WebAuthnCredential(
                id=new.id,
                sub=user.sub,
                relying_party_id=webauthn.relying_party_id,
                public_key=new.public_key,
                sign_count=new.sign_count,
                friendly_name=_friendly_name(now),
                attachment=new.attachment,
                transports=json.dumps(new.transports),
                created_at=now,
            )
        )
    return {}


def _description(credential: WebAuthnCredential) -> dict:
    """A WebAuthnCredentialDescription."""
    description = {
        "CredentialId": credential.id,
        "FriendlyCredentialName": credential.friendly_name,
        "RelyingPartyId": credential.relying_party_id,
        "AuthenticatorTransports": json.loads(credential.transports),
        "CreatedAt": credential.created_at,
    }
    if credential.attachment:
        description["AuthenticatorAttachment"] = credential.attachment
    return description


def list_webauthn_credentials(p: Provider, req: dict) -> dict:
    """The user's passkeys, oldest first, `MaxResults` (0 to 20, default 20) at a time; the
    NextToken is the id of the last one listed."""
    limit = req.get("MaxResults", MAX_CREDENTIALS)
    if type(limit) is not int or not 0 <= limit <= MAX_CREDENTIALS:
        raise invalid_parameter(f"MaxResults must be a number from 0 to {MAX_CREDENTIALS}")
    with p.store.read() as db:
        user, _ = authenticate(p, db, req["AccessToken"])
        credentials = _all(db, user.sub)
    after = req.get("NextToken")
    if after:
        ids = [credential.id for credential in credentials]
        if after not in ids:
            raise invalid_parameter("Invalid NextToken")
        credentials = credentials[ids.index(after) + 1 :]
    reply: dict = {"Credentials": [_description(credential) for credential in credentials[:limit]]}
    if len(credentials) > limit > 0:
        reply["NextToken"] = credentials[limit - 1].id
    return reply


def delete_webauthn_credential(p: Provider, req: dict) -> dict:
    with p.store.write() as db:
        user, _ = authenticate(p, db, req["AccessToken"])
        credential = db.get(WebAuthnCredential, req["CredentialId"])
        if credential is None or credential.sub != user.sub:
            raise CognitoError("ResourceNotFoundException", "The passkey does not exist.")
        db.delete(credential)
    return {}
