"""Pending links of a provider's identity to the password account of its e-mail, kept in the
database for the minutes the person has to prove that account's password. The callback that
makes one (plain HTTP) and the link page that spends it (a websocket) may reach different
workers. A row holds only the link handle's digest and the link sealed under the handle (which
only the person's HttpOnly cookie holds), so neither the cookie nor the e-mail is at rest in the
clear, and a row cannot be forged or read without the cookie."""

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import timedelta

from sqlmodel import col, delete

from cruddur.auth.session_seal import seal, unseal
from cruddur.db import Database
from cruddur.models import FederationLink
from cruddur.services.clock import utcnow
from cruddur.services.second_steps import LIFETIME_SECONDS

_LINK = b"cruddur pending federation link v1"


@dataclass(frozen=True)
class PendingLink:
    """A provider's identity waiting to be linked to the password account of the same e-mail."""

    provider: str
    provider_user_id: str  # the provider's sub (Cognito_Subject)
    federated_sub: str  # the federated user the pool made at this first sign-in, to delete
    email: str


def _digest(link: str) -> str:
    return hashlib.sha256(link.encode()).hexdigest()


class PendingLinks:
    def __init__(self, database: Database):
        self.database = database

    def put(self, link: str, pending: PendingLink) -> None:
        row = FederationLink(
            key_hash=_digest(link),
            sealed=seal(link, json.dumps(asdict(pending)).encode(), info=_LINK),
            expires_at=utcnow() + timedelta(seconds=LIFETIME_SECONDS),
        )
        with self.database.session() as db:
            db.add(row)
            db.commit()

    def get(self, link: str) -> PendingLink | None:
        with self.database.session() as db:
            row = db.get(FederationLink, _digest(link))
        if row is None or row.expires_at <= utcnow():
            return None
        plain = unseal(link, row.sealed, info=_LINK)
        return PendingLink(**json.loads(plain)) if plain is not None else None

    def drop(self, link: str) -> None:
        with self.database.session() as db:
            db.exec(delete(FederationLink).where(col(FederationLink.key_hash) == _digest(link)))
            db.commit()

    def purge(self) -> int:
        """Deletes the links nobody confirmed in time; how many."""
        with self.database.session() as db:
            gone = db.exec(delete(FederationLink).where(col(FederationLink.expires_at) <= utcnow())).rowcount
            db.commit()
        return gone
