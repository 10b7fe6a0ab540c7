"""A passkey authenticator in software, for the WebAuthn tests: it answers the options the
provider hands out (CredentialCreationOptions, CREDENTIAL_REQUEST_OPTIONS) as a browser and its
authenticator would, with the JSON the provider expects (RegistrationResponseJSON,
AuthenticationResponseJSON). Keys are made with `cryptography`; attestations are "none" or
"packed" self-attestation. Every field a test wants wrong can be set wrong.

(`soft-webauthn` would pin an old `cryptography` through its fido2 1.x dependency, hence this.)"""

import base64
import hashlib
import json
import os
import struct
from dataclasses import dataclass, field

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

UP, UV, AT = 0x01, 0x04, 0x40
ALGORITHMS = {"ES256": -7, "RS256": -257, "EdDSA": -8, "ES512": -36}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Key:
    """A credential's key pair and its COSE public key."""

    alg: str

    def __post_init__(self):
        if self.alg == "RS256":
            self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        elif self.alg == "EdDSA":
            self.private = ed25519.Ed25519PrivateKey.generate()
        else:
            self.private = ec.generate_private_key(ec.SECP256R1() if self.alg == "ES256" else ec.SECP521R1())

    def cose(self) -> bytes:
        public = self.private.public_key()
        if isinstance(public, rsa.RSAPublicKey):
            numbers = public.public_numbers()
            n = numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")
            return cbor2.dumps({1: 3, 3: -257, -1: n, -2: numbers.e.to_bytes(3, "big")})
        if isinstance(public, ed25519.Ed25519PublicKey):
            return cbor2.dumps({1: 1, 3: -8, -1: 6, -2: public.public_bytes(Encoding.Raw, PublicFormat.Raw)})
        assert isinstance(public, ec.EllipticCurvePublicKey)
        numbers = public.public_numbers()
        size, curve = (32, 1) if self.alg == "ES256" else (66, 3)
        x, y = numbers.x.to_bytes(size, "big"), numbers.y.to_bytes(size, "big")
        return cbor2.dumps({1: 2, 3: ALGORITHMS[self.alg], -1: curve, -2: x, -3: y})

    def sign(self, data: bytes) -> bytes:
        if isinstance(self.private, rsa.RSAPrivateKey):
            return self.private.sign(data, padding.PKCS1v15(), hashes.SHA256())
        if isinstance(self.private, ed25519.Ed25519PrivateKey):
            return self.private.sign(data)
        digest = hashes.SHA256() if self.alg == "ES256" else hashes.SHA512()
        return self.private.sign(data, ec.ECDSA(digest))


@dataclass
class Credential:
    id: bytes
    key: Key
    rp_id: str
    user_handle: bytes
    counter: int = 0


@dataclass
class SoftAuthenticator:
    """Holds its credentials; `user_verified` is what its flags say about the user."""

    alg: str = "ES256"
    user_verified: bool = True
    attachment: str = "platform"
    transports: list[str] = field(default_factory=lambda: ["internal", "hybrid"])
    credentials: dict[str, Credential] = field(default_factory=dict)

    def _flags(self, extra: int = 0) -> bytes:
        return bytes([UP | (UV if self.user_verified else 0) | extra])

    def create(
        self,
        options: dict,
        origin: str = "http://localhost:3000",
        *,
        rp_id: str | None = None,
        attestation: str = "none",
        client_type: str = "webauthn.create",
        challenge: str | None = None,
    ) -> dict:
        """navigator.credentials.create(): a new credential for the options' rp and user."""
        rp_id = rp_id or options["rp"]["id"]
        key = Key(self.alg)
        credential = Credential(os.urandom(16), key, rp_id, unb64url(options["user"]["id"]))
        self.credentials[b64url(credential.id)] = credential
        client_data = self._client_data(client_type, challenge or options["challenge"], origin)
        attested = b"\0" * 16 + struct.pack(">H", len(credential.id)) + credential.id + key.cose()
        auth_data = hashlib.sha256(rp_id.encode()).digest() + self._flags(AT) + struct.pack(">I", 0) + attested
        statement: dict = {}
        if attestation == "packed":  # self attestation: signed with the credential's own key
            statement = {"alg": ALGORITHMS[self.alg], "sig": key.sign(auth_data + hashlib.sha256(client_data).digest())}
        attestation_object = cbor2.dumps({"fmt": attestation, "attStmt": statement, "authData": auth_data})
        return {
            "id": b64url(credential.id),
            "rawId": b64url(credential.id),
            "type": "public-key",
            "authenticatorAttachment": self.attachment,
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation_object),
                "transports": self.transports,
            },
        }

    def get(
        self,
        request_options: str | dict,
        origin: str = "http://localhost:3000",
        *,
        credential_id: str | None = None,
        rp_id: str | None = None,
        counter: int | None = None,
        client_data: bytes | None = None,
    ) -> str:
        """navigator.credentials.get(): an assertion with the first allowed credential it holds (or
        `credential_id`), the counter moved on (or set to `counter`), as CREDENTIAL's JSON text."""
        options = json.loads(request_options) if isinstance(request_options, str) else request_options
        if credential_id is None:
            allowed = [c["id"] for c in options.get("allowCredentials", [])]
            credential_id = next(i for i in allowed if i in self.credentials)
        credential = self.credentials[credential_id]
        credential.counter = credential.counter + 1 if counter is None else counter
        rp_id = rp_id or options["rpId"]
        client_data = client_data or self._client_data("webauthn.get", options["challenge"], origin)
        auth_data = hashlib.sha256(rp_id.encode()).digest() + self._flags() + struct.pack(">I", credential.counter)
        signature = credential.key.sign(auth_data + hashlib.sha256(client_data).digest())
        return json.dumps(
            {
                "id": credential_id,
                "rawId": credential_id,
                "type": "public-key",
                "authenticatorAttachment": self.attachment,
                "clientExtensionResults": {},
                "response": {
                    "clientDataJSON": b64url(client_data),
                    "authenticatorData": b64url(auth_data),
                    "signature": b64url(signature),
                    "userHandle": b64url(credential.user_handle),
                },
            }
        )

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}).encode()
