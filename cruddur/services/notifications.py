"""What happened to a person's live cruds: who replied and who liked, newest first."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from cruddur.models import Activity, Like, Profile
from cruddur.services.clock import short_span, utcnow


@dataclass
class Notification:
    kind: str  # "reply" or "like"
    handle: str
    display_name: str
    crud_message: str  # the person's own crud it is about
    reply_message: str  # the reply's text; "" for a like
    ago: str
    created_at: str


def notifications(session: Session, sub: str, *, now: datetime | None = None, limit: int = 30) -> list[Notification]:
    """Replies to and likes of `sub`'s live cruds by other people."""
    now = now or utcnow()
    mine, reply = aliased(Activity), aliased(Activity)
    replies = session.execute(
        select(
            col(reply.message), col(reply.created_at), col(mine.message), col(Profile.handle), col(Profile.display_name)
        )
        .join(mine, col(reply.reply_to) == col(mine.uuid))
        .join(Profile, col(Profile.sub) == col(reply.author_sub))
        .where(col(mine.author_sub) == sub, col(reply.author_sub) != sub, col(mine.expires_at) > now)
        .order_by(col(reply.created_at).desc())
        .limit(limit)
    ).all()
    likes = session.execute(
        select(col(Like.created_at), col(Activity.message), col(Profile.handle), col(Profile.display_name))
        .join(Activity, col(Activity.uuid) == col(Like.crud_uuid))
        .join(Profile, col(Profile.sub) == col(Like.sub))
        .where(col(Activity.author_sub) == sub, col(Like.sub) != sub, col(Activity.expires_at) > now)
        .order_by(col(Like.created_at).desc())
        .limit(limit)
    ).all()
    found = [_note("reply", when, crud, handle, name, now, text) for text, when, crud, handle, name in replies]
    found += [_note("like", when, crud, handle, name, now) for when, crud, handle, name in likes]
    return sorted(found, key=lambda n: n.created_at, reverse=True)[:limit]


def _note(kind, when, crud, handle, name, now, reply_message="") -> Notification:
    return Notification(kind, handle, name, crud, reply_message, short_span(now - when), when.isoformat())
