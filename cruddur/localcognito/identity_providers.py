"""The pool's external identity providers (CreateIdentityProvider, DescribeIdentityProvider,
ListIdentityProviders, UpdateIdentityProvider, DeleteIdentityProvider), of type OIDC only, kept in
lc_identity_provider; and the provider a managed-login sign-in goes through."""

import json
import re
from dataclasses import dataclass

from sqlmodel import Session as DbSession
from sqlmodel import col, select

from .app_client import COGNITO_PROVIDER, check_url
from .errors import CognitoError, invalid_parameter
from .models import IdentityProvider
from .provider import Provider

# botocore's ProviderNameTypeV2 `[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+`, in Python's terms.
_NAME_RE = re.compile(r"[^_\s][^\s][^_\s]+")
_IDENTIFIER_RE = re.compile(r"[\w\s+=.@-]+")
_REQUIRED_DETAILS = ("client_id", "authorize_scopes", "attributes_request_method", "oidc_issuer")
# Endpoints that stand in for the issuer's discovery document where it has none.
_ENDPOINT_DETAILS = ("authorize_url", "token_url", "attributes_url", "jwks_uri")
_OPTIONAL_DETAILS = ("client_secret", "attributes_url_add_attributes", *_ENDPOINT_DETAILS)
# The pool attributes a mapping may fill: this pool's schema, and the username Cognito maps to sub.
MAPPABLE_ATTRIBUTES = ("username", "email", "email_verified", "name", "preferred_username")
DEFAULT_MAPPING = {"username": "sub"}


@dataclass(frozen=True)
class OidcProvider:
    """What a sign-in through the provider needs."""

    name: str
    details: dict[str, str]
    attribute_mapping: dict[str, str]

    @property
    def scopes(self) -> str:
        return self.details["authorize_scopes"]


def _check_name(name: str) -> None:
    if not _NAME_RE.fullmatch(name):
        raise invalid_parameter(
            f"1 validation error detected: Value '{name}' at 'providerName' failed to satisfy constraint: "
            r"Member must satisfy regular expression pattern: [^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+"
        )
    if name.upper() == COGNITO_PROVIDER:
        raise invalid_parameter(f"Provider name {name} is reserved.")


def _oidc_details(details: dict[str, str]) -> dict[str, str]:
    missing = [name for name in _REQUIRED_DETAILS if not details.get(name)]
    if missing:
        raise invalid_parameter(f"ProviderDetails is missing required keys: {', '.join(missing)}")
    unknown = set(details) - set(_REQUIRED_DETAILS) - set(_OPTIONAL_DETAILS)
    if unknown:
        raise invalid_parameter(
            f"ProviderDetails has keys an OIDC provider does not take: {', '.join(sorted(unknown))}"
        )
    if details["attributes_request_method"] not in ("GET", "POST"):
        raise invalid_parameter("attributes_request_method must be GET or POST")
    if "openid" not in details["authorize_scopes"].split():
        raise invalid_parameter("authorize_scopes must include openid")
    try:
        for name in ("oidc_issuer", *_ENDPOINT_DETAILS):
            if name in details:
                check_url(details[name].rstrip("/"), name)
    except ValueError as error:
        raise invalid_parameter(str(error)) from None
    return dict(details)


def _mapping(mapping: dict[str, str] | None) -> dict[str, str]:
    mapping = {**DEFAULT_MAPPING, **(mapping or {})}
    unknown = set(mapping) - set(MAPPABLE_ATTRIBUTES)
    if unknown:
        raise invalid_parameter(f"Attributes {', '.join(sorted(unknown))} are not in the schema of this user pool.")
    if mapping["username"] != "sub":
        raise invalid_parameter("The username of an OIDC provider's users is mapped to sub.")
    return mapping


def _identifiers(identifiers) -> list[str]:
    identifiers = identifiers or []
    if not isinstance(identifiers, list) or len(identifiers) > 50:
        raise invalid_parameter("IdpIdentifiers must be a list of at most 50 identifiers")
    for identifier in identifiers:
        if (
            not isinstance(identifier, str)
            or not 1 <= len(identifier) <= 40
            or not _IDENTIFIER_RE.fullmatch(identifier)
        ):
            raise invalid_parameter(r"Each IdpIdentifier must be 1 to 40 characters of [\w\s+=.@-]")
    if len(set(identifiers)) != len(identifiers):
        raise invalid_parameter("IdpIdentifiers must not repeat an identifier")
    return identifiers


def _check_identifiers_free(session: DbSession, name: str, identifiers: list[str]) -> None:
    for other in session.exec(select(IdentityProvider).where(IdentityProvider.name != name)):
        taken = set(identifiers) & set(json.loads(other.idp_identifiers))
        if taken:
            raise CognitoError(
                "DuplicateProviderException", f"Identifier {sorted(taken)[0]} is already used by {other.name}."
            )


def _type(p: Provider, row: IdentityProvider) -> dict:
    return {
        "UserPoolId": p.pool_id,
        "ProviderName": row.name,
        "ProviderType": row.provider_type,
        "ProviderDetails": json.loads(row.details),
        "AttributeMapping": json.loads(row.attribute_mapping),
        "IdpIdentifiers": json.loads(row.idp_identifiers),
        "LastModifiedDate": row.updated_at,
        "CreationDate": row.created_at,
    }


def _existing(p: Provider, session: DbSession, req: dict) -> IdentityProvider:
    p.check_pool(req["UserPoolId"])
    row = session.get(IdentityProvider, req["ProviderName"])
    if row is None:
        raise CognitoError("ResourceNotFoundException", f"Identity provider {req['ProviderName']} does not exist.")
    return row


def create_identity_provider(p: Provider, req: dict) -> dict:
    p.check_pool(req["UserPoolId"])
    name = req["ProviderName"]
    _check_name(name)
    if req["ProviderType"] != "OIDC":
        raise invalid_parameter(f"localcognito supports OIDC identity providers only, not {req['ProviderType']}.")
    details = _oidc_details(req["ProviderDetails"])
    mapping = _mapping(req.get("AttributeMapping"))
    identifiers = _identifiers(req.get("IdpIdentifiers"))
    now = p.now()
    with p.store.write() as session:
        if session.get(IdentityProvider, name) is not None:
            raise CognitoError("DuplicateProviderException", f"{name} already exists in user pool {p.pool_id}")
        _check_identifiers_free(session, name, identifiers)
        row = IdentityProvider(
            name=name,
            provider_type="OIDC",
            details=json.dumps(details),
            attribute_mapping=json.dumps(mapping),
            idp_identifiers=json.dumps(identifiers),
            created_at=now,
            updated_at=now,
        )
        session.add(row)
    return {"IdentityProvider": _type(p, row)}


def describe_identity_provider(p: Provider, req: dict) -> dict:
    with p.store.read() as session:
        return {"IdentityProvider": _type(p, _existing(p, session, req))}


def list_identity_providers(p: Provider, req: dict) -> dict:
    """Providers in name order; NextToken names the last one listed."""
    p.check_pool(req["UserPoolId"])
    limit = req.get("MaxResults")
    if limit is not None and not 1 <= limit <= 60:
        raise invalid_parameter("MaxResults must be 1 to 60")
    limit = limit or 60
    with p.store.read() as session:
        query = select(IdentityProvider).order_by(col(IdentityProvider.name))
        if req.get("NextToken"):
            query = query.where(IdentityProvider.name > req["NextToken"])
        rows = list(session.exec(query.limit(limit + 1)))
    providers = [
        {
            "ProviderName": row.name,
            "ProviderType": row.provider_type,
            "LastModifiedDate": row.updated_at,
            "CreationDate": row.created_at,
        }
        for row in rows[:limit]
    ]
    return {"Providers": providers, **({"NextToken": rows[limit - 1].name} if len(rows) > limit else {})}


def update_identity_provider(p: Provider, req: dict) -> dict:
    """Members given replace the provider's; those left out stay."""
    details = _oidc_details(req["ProviderDetails"]) if "ProviderDetails" in req else None
    mapping = _mapping(req["AttributeMapping"]) if "AttributeMapping" in req else None
    identifiers = _identifiers(req["IdpIdentifiers"]) if "IdpIdentifiers" in req else None
    with p.store.write() as session:
        row = _existing(p, session, req)
        if details is not None:
            row.details = json.dumps(details)
        if mapping is not None:
            row.attribute_mapping = json.dumps(mapping)
        if identifiers is not None:
            _check_identifiers_free(session, row.name, identifiers)
            row.idp_identifiers = json.dumps(identifiers)
        row.updated_at = p.now()
        session.add(row)
    return {"IdentityProvider": _type(p, row)}


def delete_identity_provider(p: Provider, req: dict) -> dict:
    """The provider's federated users stay, as in Cognito; they cannot sign in through it any more."""
    with p.store.write() as session:
        session.delete(_existing(p, session, req))
    return {}


def find(session: DbSession, name: str | None = None, identifier: str | None = None) -> OidcProvider | None:
    """A provider by name (identity_provider=) or by one of its IdpIdentifiers (idp_identifier=)."""
    rows = [session.get(IdentityProvider, name)] if name is not None else list(session.exec(select(IdentityProvider)))
    for row in rows:
        if row is not None and (identifier is None or identifier in json.loads(row.idp_identifiers)):
            return OidcProvider(row.name, json.loads(row.details), json.loads(row.attribute_mapping))
    return None
