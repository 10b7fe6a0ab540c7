"""JWTs shaped like Cognito's (RS256, separate keys for ID and access tokens), opaque refresh
tokens stored only as a hash, and the access-token check behind GetUser and friends."""

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass

import jwt

from .errors import not_authorized
from .keys import ServerKeys, SigningKey
from .models import Session, User

ACCESS_SCOPE = "aws.cognito.signin.user.admin"


def refresh_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_refresh_token() -> str:
    return secrets.token_urlsafe(96)


def _identities_claim(identities: str) -> list[dict]:
    """The `identities` attribute as ID tokens carry it: Cognito writes `primary` and `dateCreated`
    there as strings."""
    return [
        {**identity, "primary": "true" if identity["primary"] else "false", "dateCreated": str(identity["dateCreated"])}
        for identity in json.loads(identities)
    ]


def _sign(key: SigningKey, claims: dict) -> str:
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid, "typ": None})


@dataclass
class TokenIssuer:
    keys: ServerKeys
    issuer: str
    access_seconds: int
    id_seconds: int

    def jwks(self) -> dict:
        return {"keys": [self.keys.id_key.jwk, self.keys.access_key.jwk]}

    def id_token(self, user: User, session: Session, now: int, nonce: str | None = None) -> str:
        """`nonce`: the one the app sent to /oauth2/authorize, in the ID token its code redeems."""
        claims = {
            "sub": user.sub,
            "email_verified": bool(user.email_verified),
            "iss": self.issuer,
            "cognito:username": user.cognito_username,
        }
        if user.identities:
            claims["identities"] = _identities_claim(user.identities)
        if nonce is not None:
            claims["nonce"] = nonce
        if user.preferred_username is not None:
            claims["preferred_username"] = user.preferred_username
        claims.update(
            origin_jti=session.id,
            aud=session.client_id,
            event_id=session.event_id,
            token_use="id",
            auth_time=session.auth_time,
        )
        if user.name is not None:
            claims["name"] = user.name
        claims.update(exp=now + self.id_seconds, iat=now, jti=str(uuid.uuid4()))
        if user.email_attribute is not None:
            claims["email"] = user.email_attribute
        return _sign(self.keys.id_key, claims)

    def access_token(self, user: User, session: Session, now: int) -> str:
        claims = {
            "sub": user.sub,
            "iss": self.issuer,
            "client_id": session.client_id,
            "origin_jti": session.id,
            "event_id": session.event_id,
            "token_use": "access",
            "scope": session.scope or ACCESS_SCOPE,
            "auth_time": session.auth_time,
            "exp": now + self.access_seconds,
            "iat": now,
            "jti": str(uuid.uuid4()),
            "username": user.cognito_username,
        }
        return _sign(self.keys.access_key, claims)

    def authentication_result(self, user: User, session: Session, now: int, refresh_token: str | None) -> dict:
        result = {
            "AccessToken": self.access_token(user, session, now),
            "ExpiresIn": self.access_seconds,
            "TokenType": "Bearer",
            "IdToken": self.id_token(user, session, now),
        }
        if refresh_token is not None:
            result["RefreshToken"] = refresh_token
        return result

    def access_claims(self, token: str, now: float) -> dict:
        """Claims of a well-formed, correctly signed, unexpired access token of this pool.

        Revocation is checked by the caller against the session store.
        """
        try:
            header = jwt.get_unverified_header(token)
            if header.get("kid") != self.keys.access_key.kid:
                raise not_authorized("Invalid Access Token")
            claims = jwt.decode(
                token,
                self.keys.access_key.private_key.public_key(),
                algorithms=["RS256"],
                issuer=self.issuer,
                options={"verify_exp": False, "verify_iat": False, "require": ["exp", "sub", "origin_jti"]},
            )
        except jwt.PyJWTError:
            raise not_authorized("Invalid Access Token") from None
        if claims.get("token_use") != "access" or claims.get("client_id") is None:
            raise not_authorized("Invalid Access Token")
        if now >= claims["exp"]:
            raise not_authorized("Access Token has expired")
        return claims
