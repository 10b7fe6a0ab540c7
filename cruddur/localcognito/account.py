"""Operations authorised by an access token: GetUser, UpdateUserAttributes,
GetUserAttributeVerificationCode, VerifyUserAttribute, DeleteUser, GlobalSignOut; and RevokeToken
(by refresh token)."""

from sqlmodel import Session as DbSession
from sqlmodel import col, delete, select, update

from . import attribute_changes
from .attributes import parse_attributes, user_attributes
from .errors import USER_DISABLED, CognitoError, not_authorized, user_not_found
from .models import (
    AuthorizationCode,
    Code,
    Device,
    FederatedIdentity,
    Session,
    SoftwareToken,
    User,
    WebAuthnCredential,
    WebAuthnRegistration,
)
from .provider import Provider
from .software_tokens import mfa_settings
from .tokens import ACCESS_SCOPE, refresh_token_hash

REVOKED = "Access Token has been revoked"


def authenticate(p: Provider, session: DbSession, access_token: str) -> tuple[User, dict]:
    """The user an access token speaks for, refusing bad, expired and revoked tokens and
    disabled users."""
    claims = p.tokens.access_claims(access_token, p.now())
    # A managed-login token speaks for the API only if the app asked for this scope.
    if ACCESS_SCOPE not in str(claims.get("scope", "")).split():
        raise not_authorized("Access Token does not have required scopes")
    user = session.get(User, claims["sub"])
    if user is not None and not user.enabled:
        raise not_authorized(USER_DISABLED)
    login = session.get(Session, claims["origin_jti"])
    if login is None or login.revoked or login.sub != claims["sub"]:
        raise not_authorized(REVOKED)
    if user is None:
        raise user_not_found()
    return user, claims


def revoke_sessions(session: DbSession, sub: str) -> None:
    """End every sign-in of the user: its refresh tokens and the access tokens issued from them."""
    session.exec(update(Session).where(col(Session.sub) == sub).values(revoked=True))


def remove_user(session: DbSession, user: User) -> None:
    """Delete the user with its sign-ins, codes, authenticator, devices, passkeys, managed-login
    codes and linked identities (each may then be linked again, or sign in as a federated user of
    its own); its tokens die with the sign-ins."""
    for table in (
        Session,
        Code,
        SoftwareToken,
        Device,
        WebAuthnCredential,
        WebAuthnRegistration,
        AuthorizationCode,
        FederatedIdentity,
    ):
        session.exec(delete(table).where(col(table.sub) == user.sub))
    session.delete(user)


def get_user(p: Provider, req: dict) -> dict:
    with p.store.read() as session:
        user, _ = authenticate(p, session, req["AccessToken"])
        mfa = mfa_settings(session, user.sub)
    return {"Username": user.cognito_username, "UserAttributes": user_attributes(user), **mfa}


def update_user_attributes(p: Provider, req: dict) -> dict:
    attributes = parse_attributes(req["UserAttributes"])
    with p.store.write() as session:
        user, _ = authenticate(p, session, req["AccessToken"])
        deliveries = attribute_changes.update(p, session, user, attributes, p.now())
    return {"CodeDeliveryDetailsList": deliveries} if deliveries else {}


def get_user_attribute_verification_code(p: Provider, req: dict) -> dict:
    with p.store.write() as session:
        user, _ = authenticate(p, session, req["AccessToken"])
        return {"CodeDeliveryDetails": attribute_changes.send_code(p, session, user, req["AttributeName"], p.now())}


def verify_user_attribute(p: Provider, req: dict) -> dict:
    with p.store.write() as session:
        user, _ = authenticate(p, session, req["AccessToken"])
        attribute_changes.verify(p, session, user, req["AttributeName"], req["Code"], p.now())
    return {}


def delete_user(p: Provider, req: dict) -> dict:
    with p.store.write() as session:
        user, _ = authenticate(p, session, req["AccessToken"])
        remove_user(session, user)
    return {}


def global_sign_out(p: Provider, req: dict) -> dict:
    with p.store.write() as session:
        user, _ = authenticate(p, session, req["AccessToken"])
        revoke_sessions(session, user.sub)
    return {}


def revoke_token(p: Provider, req: dict) -> dict:
    """Revoke one refresh token and the access tokens issued from it (RFC 7009: unknown → 200)."""
    if req["ClientId"] != p.client_id:
        raise CognitoError("UnauthorizedException", "Invalid client")
    token = req["Token"]
    if token.count(".") == 2:  # a JWT: ID or access token
        raise CognitoError("UnsupportedTokenTypeException", "Unsupported token type")
    with p.store.write() as session:
        login = session.exec(select(Session).where(Session.refresh_hash == refresh_token_hash(token))).first()
        if login is None:
            return {}
        if login.client_id != req["ClientId"]:
            raise CognitoError("UnauthorizedException", "Invalid client")
        login.revoked = True
        session.add(login)
    return {}
