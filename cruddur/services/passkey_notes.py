"""What the app notes about passkeys that Cognito does not: when each last signed its person in
(ListWebAuthnCredentials has only when it was made), and whether the person was already offered
one after a password sign-in (the offer comes once). Passkeys are named as the account page
names them (`line_id`), never by their credential id."""

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from cruddur.models import PasskeyOffer, PasskeyUse
from cruddur.services.account_settings import line_id
from cruddur.services.clock import utcnow


def record_use(db: Session, sub: str, credential_id: str) -> None:
    db.merge(PasskeyUse(sub=sub, passkey_id=line_id(credential_id), used_at=utcnow()))
    db.commit()


def last_uses(db: Session, sub: str) -> dict[str, datetime]:
    """When each of the person's passkeys last signed in, by its line id."""
    rows = db.exec(select(PasskeyUse).where(col(PasskeyUse.sub) == sub)).all()
    return {row.passkey_id: row.used_at for row in rows}


def forget(db: Session, sub: str, passkey_id: str) -> None:
    row = db.get(PasskeyUse, (sub, passkey_id))
    if row is not None:
        db.delete(row)
        db.commit()


def already_offered(db: Session, sub: str) -> bool:
    return db.get(PasskeyOffer, sub) is not None


def note_offered(db: Session, sub: str) -> bool:
    """Notes the offer; False when another sign-in of theirs made it a moment ago."""
    db.add(PasskeyOffer(sub=sub, offered_at=utcnow()))
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        return False
    return True
