"""Access tokens refused before they expire.

A Cognito access token keeps verifying by its signature until its `exp`, even after the session
it came from was ended (sign-out, a password reset, a revoked refresh token). The REST API asks
`refuses(claims)` after verifying a token: refused are the tokens of an ended sign-in (by
`origin_jti`) and every token of a person who signed in at or before their sessions were ended
(by `sub` and `auth_time`).

Revocations are rows in the app's database, so every worker sees them; each process keeps a
snapshot, re-read every second by a background thread (and changed at once for its own
revocations; see `cruddur.runtime`), so the check on the hot path is two dictionary look-ups. Rows are kept for a day:
the longest an access token can live at Cognito.
"""

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlmodel import col, delete, select

from cruddur.db import Database
from cruddur.models import TokenRevocation
from cruddur.services.clock import utcnow

KEEP = timedelta(days=1)
RELOAD_SECONDS = 1.0


@dataclass(frozen=True)
class _Snapshot:
    sign_ins: frozenset[str] = frozenset()
    people: dict[str, int] = field(default_factory=dict)  # sub -> refuse tokens with auth_time <= this


class Revocations:
    def __init__(self, database: Database):
        self.database = database
        self._snapshot = _Snapshot()
        self._lock = threading.Lock()

    def refuses(self, claims: dict) -> bool:
        snapshot = self._snapshot
        if claims.get("origin_jti") in snapshot.sign_ins:
            return True
        before = snapshot.people.get(claims["sub"])
        return before is not None and claims.get("auth_time", 0) <= before

    def revoke_sign_in(self, sub: str, origin_jti: str) -> None:
        """Refuses the access tokens of one sign-in (its refresh token was revoked)."""
        self._add(TokenRevocation(sub=sub, origin_jti=origin_jti, expires_at=utcnow() + KEEP))

    def revoke_person(self, sub: str) -> None:
        """Refuses every access token of `sub` from a sign-in up to now."""
        now = utcnow()
        self._add(TokenRevocation(sub=sub, signed_in_before=int(now.timestamp()), expires_at=now + KEEP))

    def _add(self, row: TokenRevocation) -> None:
        with self.database.session() as db:
            db.add(row)
            db.commit()
        with self._lock:
            self._snapshot = _merged(self._snapshot, [row])

    def reload(self) -> None:
        """Re-reads the live revocations (blocking), dropping those past their day."""
        with self.database.session() as db:
            rows = db.exec(select(TokenRevocation).where(col(TokenRevocation.expires_at) > utcnow())).all()
        with self._lock:
            self._snapshot = _merged(_Snapshot(), rows)

    def purge(self) -> int:
        with self.database.session() as db:
            gone = db.exec(delete(TokenRevocation).where(col(TokenRevocation.expires_at) <= utcnow())).rowcount
            db.commit()
        return gone


def _merged(snapshot: _Snapshot, rows: Iterable[TokenRevocation]) -> _Snapshot:
    sign_ins = set(snapshot.sign_ins)
    people = dict(snapshot.people)
    for row in rows:
        if row.origin_jti:
            sign_ins.add(row.origin_jti)
        if row.signed_in_before is not None and row.sub:
            people[row.sub] = max(people.get(row.sub, row.signed_in_before), row.signed_in_before)
    return _Snapshot(frozenset(sign_ins), people)
