"""The local mailbox: every code Cognito would e-mail is stored (persisted), readable as JSON at
GET /_mailbox, newest first, and, when the config asks for it, echoed to the console as one line."""

import sys
import uuid
from datetime import UTC, datetime

from sqlalchemy import literal_column
from sqlmodel import Session, col, select

from .models import MailboxMessage
from .store import Store

KINDS = ("SIGN_UP", "FORGOT_PASSWORD", "VERIFY_EMAIL", "EMAIL_OTP")


def iso_utc(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def deliver(session: Session, *, to: str, username: str, kind: str, code: str, now: float, echo: bool) -> None:
    session.add(MailboxMessage(id=str(uuid.uuid4()), to=to, username=username, kind=kind, code=code, created_at=now))
    if echo:
        print(f"[localcognito] {kind} code for {to}: {code}", file=sys.stderr, flush=True)


def messages(store: Store, limit: int = 500) -> list[dict]:
    with store.read() as session:
        rows = session.exec(
            select(MailboxMessage)
            .order_by(col(MailboxMessage.created_at).desc(), literal_column("rowid").desc())
            .limit(limit)
        ).all()
    return [
        {
            "id": m.id,
            "to": m.to,
            "username": m.username,
            "kind": m.kind,
            "code": m.code,
            "created_at": iso_utc(m.created_at),
        }
        for m in rows
    ]
