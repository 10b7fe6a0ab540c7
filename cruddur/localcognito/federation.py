"""Federated users: the user an external identity signs in as — made at its first sign-in as
Cognito does (`<ProviderName>_<sub>`, UserStatus EXTERNAL_PROVIDER, attributes per the provider's
AttributeMapping, the `identities` attribute), or the native user AdminLinkProviderForUser linked
it to — and AdminLinkProviderForUser / AdminDisableProviderForUser."""

import json
import secrets
import uuid

from sqlmodel import Session as DbSession
from sqlmodel import select

from .account import revoke_sessions
from .attributes import handle_key, handle_taken, is_email, normalize_email
from .errors import USER_DISABLED, CognitoError, invalid_parameter, not_authorized, user_not_found
from .identity_providers import OidcProvider
from .models import FederatedIdentity, IdentityProvider, User
from .pool import check_handle
from .provider import Provider, find_user

EXTERNAL_PROVIDER = "EXTERNAL_PROVIDER"
COGNITO_SUBJECT = "Cognito_Subject"  # the ProviderAttributeName that names the provider's sub


def _identity(provider_name: str, provider_user_id: str, primary: bool, now: float) -> dict:
    """One entry of the `identities` attribute, as Cognito writes it."""
    return {
        "userId": provider_user_id,
        "providerName": provider_name,
        "providerType": "OIDC",
        "issuer": None,
        "primary": primary,
        "dateCreated": int(now * 1000),
    }


def _set_identities(user: User, identities: list[dict]) -> None:
    user.identities = json.dumps(identities, separators=(",", ":")) if identities else None


def _mapped(p: Provider, db: DbSession, user: User, provider: OidcProvider, claims: dict) -> None:
    """Copy the provider's claims onto the federated user's attributes per AttributeMapping."""
    values = {attribute: claims.get(claim) for attribute, claim in provider.attribute_mapping.items()}
    email = values.get("email")
    user.external_email = normalize_email(email) if isinstance(email, str) and is_email(email) else None
    user.email_verified = values.get("email_verified") in (True, "true", "True")
    name = values.get("name")
    user.name = name if isinstance(name, str) else None
    handle = values.get("preferred_username")
    if isinstance(handle, str) and handle:
        check_handle(p.config.handle_pattern, handle)
        key = handle_key(handle)
        if db.exec(select(User.sub).where(User.handle_key == key, User.sub != user.sub)).first() is not None:
            raise handle_taken("InvalidParameterException")
        user.preferred_username, user.handle_key = handle, key
    else:
        user.preferred_username = user.handle_key = None


def signed_in_user(p: Provider, db: DbSession, provider: OidcProvider, claims: dict, now: float) -> User:
    """The user the provider's identity `claims` signs in as: made on its first sign-in, its mapped
    attributes refreshed on each later one (a native user it is linked to keeps its own)."""
    provider_user_id = str(claims["sub"])
    link = db.get(FederatedIdentity, (provider.name, provider_user_id))
    user = db.get(User, link.sub) if link is not None else None
    if user is None:
        sub = str(uuid.uuid4())
        user = User(
            sub=sub,
            email=sub,  # no sign-in alias: see User.username
            username=f"{provider.name}_{provider_user_id}",
            status=EXTERNAL_PROVIDER,
            salt=secrets.token_hex(16),
            verifier=secrets.token_hex(32),  # a verifier of no password: no password signs in
            created_at=now,
            updated_at=now,
        )
        _set_identities(user, [_identity(provider.name, provider_user_id, True, now)])
        if link is not None:
            db.delete(link)
            db.flush()
        db.add(
            FederatedIdentity(provider_name=provider.name, provider_user_id=provider_user_id, sub=sub, created_at=now)
        )
    if not user.enabled:
        raise not_authorized(USER_DISABLED)
    if user.status == EXTERNAL_PROVIDER:
        _mapped(p, db, user, provider, claims)
        user.updated_at = now
    db.add(user)
    return user


def _provider_user(value, what: str) -> tuple[str, str, str]:
    """(ProviderName, ProviderAttributeName, ProviderAttributeValue) of a ProviderUserIdentifierType."""
    names = ("ProviderName", "ProviderAttributeName", "ProviderAttributeValue")
    parts = [value.get(name) for name in names]
    if not isinstance(parts[0], str) or not isinstance(parts[2], str) or not parts[0] or not parts[2]:
        raise invalid_parameter(f"{what} needs ProviderName and ProviderAttributeValue")
    return parts[0], parts[1] or "", parts[2]


def _external(p: Provider, db: DbSession, value, what: str) -> tuple[str, str]:
    provider_name, attribute, provider_user_id = _provider_user(value, what)
    if db.get(IdentityProvider, provider_name) is None:
        raise CognitoError("ResourceNotFoundException", f"Identity provider {provider_name} does not exist.")
    if attribute != COGNITO_SUBJECT:
        raise invalid_parameter(f"{what}: localcognito links by ProviderAttributeName {COGNITO_SUBJECT} only")
    return provider_name, provider_user_id


def admin_link_provider_for_user(p: Provider, req: dict) -> dict:
    """Link an external identity that has not signed in yet to a native user: its later
    sign-ins sign in as that user, whose `identities` lists it."""
    p.check_pool(req["UserPoolId"])
    destination_provider, _, username = _provider_user(req["DestinationUser"], "DestinationUser")
    if destination_provider.upper() != "COGNITO":
        raise invalid_parameter("DestinationUser must be a user of this pool (ProviderName Cognito)")
    now = p.now()
    with p.store.write() as db:
        provider_name, provider_user_id = _external(p, db, req["SourceUser"], "SourceUser")
        user = find_user(db, username)
        if user is None:
            raise user_not_found()
        if user.status == EXTERNAL_PROVIDER:
            raise invalid_parameter("DestinationUser must be a native user, not a federated one")
        link = db.get(FederatedIdentity, (provider_name, provider_user_id))
        if link is not None:
            if link.sub == user.sub:
                raise CognitoError("AliasExistsException", "The source user is already linked to this user.")
            linked = db.get(User, link.sub)
            if linked is not None and linked.status == EXTERNAL_PROVIDER:
                raise invalid_parameter(
                    "Merging is not currently supported, provide a SourceUser that has not been linked/created yet"
                )
            raise CognitoError("AliasExistsException", "The source user is already linked to another user.")
        db.add(
            FederatedIdentity(
                provider_name=provider_name, provider_user_id=provider_user_id, sub=user.sub, created_at=now
            )
        )
        identities = json.loads(user.identities or "[]")
        _set_identities(user, [*identities, _identity(provider_name, provider_user_id, False, now)])
        user.updated_at = now
        db.add(user)
    return {}


def admin_disable_provider_for_user(p: Provider, req: dict) -> dict:
    """An identity linked to a native user is unlinked (its next sign-in makes a federated user of
    its own); a federated user's own identity disables that user and ends its sessions."""
    p.check_pool(req["UserPoolId"])
    with p.store.write() as db:
        provider_name, provider_user_id = _external(p, db, req["User"], "User")
        link = db.get(FederatedIdentity, (provider_name, provider_user_id))
        user = db.get(User, link.sub) if link is not None else None
        if link is None or user is None:
            raise user_not_found()
        if user.status == EXTERNAL_PROVIDER:
            user.enabled = False
            revoke_sessions(db, user.sub)
        else:
            db.delete(link)
            identities = json.loads(user.identities or "[]")
            kept = [i for i in identities if (i["providerName"], i["userId"]) != (provider_name, provider_user_id)]
            _set_identities(user, kept)
        user.updated_at = p.now()
        db.add(user)
    return {}
