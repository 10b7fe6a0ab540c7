"""Operations authorised by an access token: GetUser, UpdateUserAttributes, DeleteUser,
GlobalSignOut; and RevokeToken (by refresh token)."""

from sqlmodel import Session as DbSession
from sqlmodel import delete, select, update

from .attributes import handle_key, handle_taken, parse_attributes, user_attributes
from .errors import CognitoError, not_authorized
from .models import Code, Session, User
from .pool import check_handle
from .provider import Provider
from .tokens import refresh_token_hash

REVOKED = "Access Token has been revoked"


def authenticate(p: Provider, session: DbSession, access_token: str) -> tuple[User, dict]:
    """The user an access token speaks for, refusing bad, expired and revoked tokens."""
    claims = p.tokens.access_claims(access_token, p.now())
    login = session.get(Session, claims["origin_jti"])
    if login is None or login.revoked or login.sub != claims["sub"]:
        raise not_authorized(REVOKED)
    user = session.get(User, claims["sub"])
    if user is None:
        raise CognitoError("UserNotFoundException", "User does not exist.")
    return user, claims


def get_user(p: Provider, req: dict) -> dict:
    with p.store.read() as session:
        user, _ = authenticate(p, session, req["AccessToken"])
    return {"Username": user.sub, "UserAttributes": user_attributes(user)}


def update_user_attributes(p: Provider, req: dict) -> dict:
    attributes = parse_attributes(req["UserAttributes"], allow_email=False)
    now = p.now()
    with p.store.write() as session:
        user, _ = authenticate(p, session, req["AccessToken"])
        if "preferred_username" in attributes:
            handle = attributes["preferred_username"] or None  # an empty value removes the handle
            if handle:
                check_handle(p.config.handle_pattern, handle)
            key = handle_key(handle)
            if key and session.exec(select(User.sub).where(User.handle_key == key, User.sub != user.sub)).first():
                raise handle_taken("AliasExistsException")
            user.preferred_username, user.handle_key = handle, key
        if "name" in attributes:
            if not attributes["name"].strip():
                raise CognitoError(
                    "InvalidParameterException",
                    "Attributes did not conform to the schema: name: The attribute name is required",
                )
            user.name = attributes["name"]
        user.updated_at = now
        session.add(user)
    return {}


def delete_user(p: Provider, req: dict) -> dict:
    with p.store.write() as session:
        user, _ = authenticate(p, session, req["AccessToken"])
        session.exec(delete(Session).where(Session.sub == user.sub))
        session.exec(delete(Code).where(Code.sub == user.sub))
        session.delete(user)
    return {}


def global_sign_out(p: Provider, req: dict) -> dict:
    with p.store.write() as session:
        user, _ = authenticate(p, session, req["AccessToken"])
        session.exec(update(Session).where(Session.sub == user.sub).values(revoked=True))
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
