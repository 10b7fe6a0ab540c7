"""Likes: one per person per crud, toggled; the crud's count moves in the same transaction."""

import uuid
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, update

from cruddur.models import Activity, Like
from cruddur.services.activities import parse_crud_uuid
from cruddur.services.clock import utcnow
from cruddur.services.errors import NotFound
from cruddur.services.profiles import require_profile


def toggle_like(
    session: Session, sub: str, crud_uuid: uuid.UUID | str, *, now: datetime | None = None
) -> tuple[bool, int]:
    """Likes the live crud if `sub` has not, unlikes it if they have: (liked, likes_count)."""
    target = parse_crud_uuid(crud_uuid)
    require_profile(session, sub)
    try:
        return _toggle(session, sub, target, now or utcnow())
    except IntegrityError:
        # The same person's second toggle raced the first and met its like row (the primary
        # key); now that the first has committed, replay it as the unlike it has become.
        session.rollback()
    return _toggle(session, sub, target, now or utcnow())


def _toggle(session: Session, sub: str, crud_uuid: uuid.UUID, now: datetime) -> tuple[bool, int]:
    # The first statement writes, so SQLite takes its write lock before reading anything, and
    # the count moves by an UPDATE relative to the stored value: concurrent toggles serialise
    # on the crud's row (PostgreSQL) or on the database (SQLite) and none is lost.
    unliked = session.exec(delete(Like).where(col(Like.crud_uuid) == crud_uuid, col(Like.sub) == sub)).rowcount
    step = -1 if unliked else 1
    counted = session.exec(
        update(Activity)
        .where(col(Activity.uuid) == crud_uuid, col(Activity.expires_at) > now)
        .values(likes_count=col(Activity.likes_count) + step)
        .returning(col(Activity.likes_count))
    ).first()
    if counted is None:
        session.rollback()
        raise NotFound("no such crud")
    if not unliked:
        session.add(Like(crud_uuid=crud_uuid, sub=sub, created_at=now))
        session.flush()
    session.commit()
    return not unliked, counted[0]
