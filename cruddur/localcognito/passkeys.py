"""The WebAuthn ceremonies, verified with py_webauthn: the options a browser passes to
navigator.credentials.create() and .get(), and the checks of what it answers — the challenge, the
origin, the relying party id's hash, user presence and (where the pool requires it) verification,
the public key's algorithm, the signature and its counter.

The checks whose failure Cognito names (origin, relying party, challenge) run here first, on the
parsed response, so each refusal says which; py_webauthn then verifies the whole response."""

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    decode_credential_public_key,
    options_to_json_dict,
    parse_attestation_object,
    parse_authentication_credential_json,
    parse_authenticator_data,
    parse_client_data_json,
    parse_registration_credential_json,
)
from webauthn.helpers.cose import COSEAlgorithmIdentifier
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    ClientDataType,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from .errors import CognitoError, invalid_parameter, not_authorized
from .models import WebAuthnCredential
from .sign_in_policy import WebAuthnConfig

# ES256, RS256 and EdDSA: what browsers' and security keys' authenticators make.
ALGORITHMS = [
    COSEAlgorithmIdentifier.ECDSA_SHA_256,
    COSEAlgorithmIdentifier.RSASSA_PKCS1_v1_5_SHA_256,
    COSEAlgorithmIdentifier.EDDSA,
]
# What parsing a malformed response raises (binascii.Error for bad base64 is a ValueError).
_MALFORMED = (WebAuthnException, ValueError, TypeError, KeyError)


def user_handle(sub: str) -> bytes:
    """The WebAuthn user.id of a user: its sub, which names no one outside the pool."""
    return sub.encode()


def new_challenge() -> str:
    return bytes_to_base64url(secrets.token_bytes(32))


def _uv(config: WebAuthnConfig) -> UserVerificationRequirement:
    return UserVerificationRequirement(config.user_verification)


_TRANSPORTS = {transport.value: transport for transport in AuthenticatorTransport}


def _descriptor(credential_id: str, transports: list[str]) -> PublicKeyCredentialDescriptor:
    known = [_TRANSPORTS[t] for t in transports if t in _TRANSPORTS]
    return PublicKeyCredentialDescriptor(id=base64url_to_bytes(credential_id), transports=known or None)


# --- registration ----------------------------------------------------------------------------


def creation_options(
    config: WebAuthnConfig,
    rp_name: str,
    sub: str,
    name: str,
    display_name: str,
    challenge: str,
    timeout_ms: int,
    existing: list[WebAuthnCredential],
) -> dict:
    """PublicKeyCredentialCreationOptionsJSON for a discoverable credential (a passkey), excluding the
    user's own so an authenticator is not registered twice."""
    options = generate_registration_options(
        rp_id=config.relying_party_id,
        rp_name=rp_name,
        user_name=name,
        user_id=user_handle(sub),
        user_display_name=display_name,
        challenge=base64url_to_bytes(challenge),
        timeout=timeout_ms,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED, require_resident_key=True, user_verification=_uv(config)
        ),
        exclude_credentials=[_descriptor(c.id, json.loads(c.transports)) for c in existing],
        supported_pub_key_algs=ALGORITHMS,
    )
    return options_to_json_dict(options)


@dataclass(frozen=True)
class NewCredential:
    id: str
    public_key: str
    sign_count: int
    attachment: str | None
    transports: list[str]


Refuse = Callable[[str, str], CognitoError]  # (what is wrong, message) → the operation's error


def _client_data(
    client_data_json: bytes, expected_type: ClientDataType, challenge: str, config: WebAuthnConfig, refuse: Refuse
) -> str:
    """The origin of a response's clientDataJSON once its type, challenge and origin are right;
    `refuse(kind, message)` raises each refusal in the operation's terms."""
    try:
        client_data = parse_client_data_json(client_data_json)
    except _MALFORMED:
        raise invalid_parameter("The passkey response's clientDataJSON is malformed.") from None
    if client_data.type != expected_type:
        raise refuse("challenge", "The passkey response is not of this ceremony.")
    if bytes_to_base64url(client_data.challenge) != challenge:
        raise refuse("challenge", "The passkey response does not answer this challenge.")
    if not config.allows_origin(client_data.origin):
        raise refuse("origin", f"The origin {client_data.origin} is not allowed for this user pool's passkeys.")
    return client_data.origin


def _rp_hash(config: WebAuthnConfig) -> bytes:
    return hashlib.sha256(config.relying_party_id.encode()).digest()


_REGISTRATION_REFUSALS = {
    "challenge": "WebAuthnChallengeNotFoundException",
    "origin": "WebAuthnOriginNotAllowedException",
    "relying party": "WebAuthnRelyingPartyMismatchException",
    "not supported": "WebAuthnCredentialNotSupportedException",
}


def _refuse_registration(kind: str, message: str) -> CognitoError:
    return CognitoError(_REGISTRATION_REFUSALS[kind], message)


def verify_registration(config: WebAuthnConfig, credential: dict, challenge: str) -> NewCredential:
    """The credential a RegistrationResponseJSON creates, or CompleteWebAuthnRegistration's refusal."""
    try:
        parsed = parse_registration_credential_json(credential)
        attestation = parse_attestation_object(parsed.response.attestation_object)
    except _MALFORMED:
        raise invalid_parameter("Credential is not a valid passkey registration response.") from None
    origin = _client_data(
        parsed.response.client_data_json, ClientDataType.WEBAUTHN_CREATE, challenge, config, _refuse_registration
    )
    data = attestation.auth_data
    if data.rp_id_hash != _rp_hash(config):
        raise _refuse_registration("relying party", f"The passkey is not for relying party {config.relying_party_id}.")
    if config.requires_verification and not data.flags.uv:
        raise _refuse_registration("not supported", "This user pool requires a passkey that verifies the user.")
    attested = data.attested_credential_data
    if attested is None or decode_credential_public_key(attested.credential_public_key).alg not in ALGORITHMS:
        raise _refuse_registration("not supported", "The passkey's algorithm is not ES256, RS256 or EdDSA.")
    try:
        verified = verify_registration_response(
            credential=parsed,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=config.relying_party_id,
            expected_origin=origin,
            require_user_verification=config.requires_verification,
            supported_pub_key_algs=ALGORITHMS,
        )
    except _MALFORMED:
        raise _refuse_registration("not supported", "The passkey's attestation could not be verified.") from None
    return NewCredential(
        id=bytes_to_base64url(verified.credential_id),
        public_key=bytes_to_base64url(verified.credential_public_key),
        sign_count=verified.sign_count,
        attachment=parsed.authenticator_attachment.value if parsed.authenticator_attachment else None,
        transports=[t.value for t in parsed.response.transports or []],
    )


# --- sign-in ---------------------------------------------------------------------------------


def request_options(
    config: WebAuthnConfig, challenge: str, timeout_ms: int, allowed: list[tuple[str, list[str]]]
) -> str:
    """CREDENTIAL_REQUEST_OPTIONS: PublicKeyCredentialRequestOptionsJSON, as a string, offering
    the (credential id, transports) pairs in `allowed`."""
    options = generate_authentication_options(
        rp_id=config.relying_party_id,
        challenge=base64url_to_bytes(challenge),
        timeout=timeout_ms,
        allow_credentials=[_descriptor(credential_id, transports) for credential_id, transports in allowed],
        user_verification=_uv(config),
    )
    return options_to_json(options)


def _refuse_assertion(_kind: str, message: str) -> CognitoError:
    return not_authorized(message)  # RespondToAuthChallenge models no WebAuthn errors


NOT_REGISTERED = "The passkey is not registered for this user."


def verify_assertion(
    config: WebAuthnConfig, credential_json: str, challenge: str, sub: str, stored: list[WebAuthnCredential]
) -> tuple[WebAuthnCredential, bool]:
    """The user's credential an AuthenticationResponseJSON signed with, its counter moved on, and
    whether the authenticator verified the user; or NotAuthorizedException. Every refusal before the
    credential is looked up is the same for a user with no passkeys, so a stand-in answers alike."""
    try:
        parsed = parse_authentication_credential_json(credential_json)
        data = parse_authenticator_data(parsed.response.authenticator_data)
    except _MALFORMED:
        raise invalid_parameter("CREDENTIAL is not a valid passkey authentication response.") from None
    origin = _client_data(
        parsed.response.client_data_json, ClientDataType.WEBAUTHN_GET, challenge, config, _refuse_assertion
    )
    credential = next((c for c in stored if c.id == parsed.id), None)
    handle = parsed.response.user_handle
    if credential is None or (handle is not None and handle != user_handle(sub)):
        raise not_authorized(NOT_REGISTERED)
    if data.rp_id_hash != _rp_hash(config) or credential.relying_party_id != config.relying_party_id:
        raise not_authorized(f"The passkey response is not for relying party {config.relying_party_id}.")
    if config.requires_verification and not data.flags.uv:
        raise not_authorized("This user pool requires a passkey that verifies the user.")
    try:
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=config.relying_party_id,
            expected_origin=origin,
            credential_public_key=base64url_to_bytes(credential.public_key),
            credential_current_sign_count=credential.sign_count,
            require_user_verification=config.requires_verification,
        )
    except _MALFORMED:
        # A bad signature, or a counter that did not go up (a cloned authenticator, or a replay).
        raise not_authorized("The passkey response could not be verified.") from None
    credential.sign_count = verified.new_sign_count
    return credential, verified.user_verified
