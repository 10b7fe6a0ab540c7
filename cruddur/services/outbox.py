"""Notices the app owes people by e-mail — Cognito sends its own codes, nothing else — written to
the `outgoing_mail` table in the same transaction as the change they tell of. The developer
mailbox lists them beside the embedded provider's codes."""

from datetime import datetime

from sqlmodel import Session, col, select

from cruddur.models import OutgoingMail
from cruddur.services.clock import utcnow


def post(session: Session, *, to: str, subject: str, body: str) -> None:
    session.add(OutgoingMail(to=to, subject=subject, body=body, created_at=utcnow()))


def newest(session: Session, limit: int = 100) -> list[tuple[str, str, datetime]]:
    """(to, subject, sent) of the newest notices, newest first."""
    rows = session.exec(select(OutgoingMail).order_by(col(OutgoingMail.created_at).desc()).limit(limit)).all()
    return [(row.to, row.subject, row.created_at) for row in rows]
