"""Writing cruds and replies. The author is whoever the caller verified; each write is one
transaction."""

import uuid
from datetime import datetime

from sqlmodel import Session, col, select, update

from cruddur.models import Activity
from cruddur.services.activities import CrudView, parse_crud_uuid, view_crud
from cruddur.services.clock import utcnow
from cruddur.services.errors import Conflict, NotFound, ValidationError
from cruddur.services.profiles import require_profile
from cruddur.services.text import clean_text
from cruddur.services.ttl import Ttl

MAX_MESSAGE_LENGTH = 280


class NestedReply(Conflict):
    """A reply to a reply: the request is well formed, its target is the wrong kind of crud
    (replies are one level deep)."""

    code = "nested_reply"

    def __init__(self):
        super().__init__("Reply to the crud itself, not to one of its replies.")
        self.field = "crud_uuid"


def post_crud(
    session: Session, author_sub: str, message: str, ttl: Ttl | str, *, now: datetime | None = None
) -> CrudView:
    """A new top-level crud that disappears after `ttl`."""
    message = clean_text("message", message, MAX_MESSAGE_LENGTH)
    lifetime = _ttl(ttl)
    author = require_profile(session, author_sub)
    now = now or utcnow()
    crud = Activity(author_sub=author.sub, message=message, created_at=now, expires_at=now + lifetime.span)
    session.add(crud)
    session.commit()
    return view_crud(crud, author, now)


def reply(
    session: Session, author_sub: str, crud_uuid: uuid.UUID | str, message: str, *, now: datetime | None = None
) -> CrudView:
    """A reply to a live top-level crud; it expires with that crud and counts towards its replies."""
    message = clean_text("message", message, MAX_MESSAGE_LENGTH)
    parent_uuid = parse_crud_uuid(crud_uuid)
    author = require_profile(session, author_sub)
    now = now or utcnow()
    # Counting first makes the count and the liveness check one atomic step, and makes this
    # transaction's first statement a write, so SQLite takes its write lock before any read.
    counted = session.exec(
        update(Activity)
        .where(col(Activity.uuid) == parent_uuid, col(Activity.reply_to).is_(None), col(Activity.expires_at) > now)
        .values(replies_count=col(Activity.replies_count) + 1)
        .returning(col(Activity.expires_at))
    ).first()
    if counted is None:
        session.rollback()
        raise _why_not_replyable(session, parent_uuid, now)
    answer = Activity(
        author_sub=author.sub, message=message, created_at=now, expires_at=counted[0], reply_to=parent_uuid
    )
    session.add(answer)
    session.commit()
    return view_crud(answer, author, now)


def _why_not_replyable(session: Session, crud_uuid: uuid.UUID, now: datetime) -> Exception:
    target = session.exec(select(Activity).where(col(Activity.uuid) == crud_uuid)).first()
    if target is None or target.expires_at <= now:
        return NotFound("no such crud")
    return NestedReply()


def _ttl(ttl: Ttl | str) -> Ttl:
    try:
        return Ttl(ttl)
    except ValueError:
        choices = ", ".join(choice.value for choice in Ttl)
        raise ValidationError("ttl", f"ttl must be one of {choices}") from None
