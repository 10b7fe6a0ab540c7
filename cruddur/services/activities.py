"""The feed: live cruds with their authors and replies, newest first, 20 to a page."""

import base64
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from cruddur.models import Activity, Profile
from cruddur.services.clock import short_span, utcnow

PAGE_SIZE = 20


@dataclass
class CrudView:
    """A crud as a reader sees it, ready to render or to serialise as JSON."""

    uuid: str
    handle: str
    display_name: str
    message: str
    created_at: str
    expires_at: str
    posted_ago: str
    expires_in: str
    likes_count: int
    replies_count: int
    reposts_count: int
    replies: list["CrudView"] = field(default_factory=list)


@dataclass
class FeedPage:
    cruds: list[CrudView]
    next_cursor: str | None


def home_feed(
    session: Session, *, now: datetime | None = None, cursor: str | None = None, limit: int = PAGE_SIZE
) -> FeedPage:
    """Top-level live cruds, newest first, each with its live replies oldest first."""
    now = now or utcnow()
    query = (
        select(Activity, Profile)
        .join(Profile, col(Activity.author_sub) == col(Profile.sub))
        .where(col(Activity.reply_to).is_(None), col(Activity.expires_at) > now)
        .order_by(col(Activity.created_at).desc(), col(Activity.uuid).desc())
        .limit(limit + 1)
    )
    if cursor:
        created_at, last_uuid = decode_cursor(cursor)
        query = query.where(
            or_(
                col(Activity.created_at) < created_at,
                and_(col(Activity.created_at) == created_at, col(Activity.uuid) < last_uuid),
            )
        )
    rows = session.exec(query).all()
    page, more = rows[:limit], len(rows) > limit
    cruds = [_view(activity, profile, now) for activity, profile in page]
    _attach_replies(session, cruds, now)
    next_cursor = encode_cursor(page[-1][0]) if more else None
    return FeedPage(cruds=cruds, next_cursor=next_cursor)


def _attach_replies(session: Session, cruds: list[CrudView], now: datetime) -> None:
    if not cruds:
        return
    by_uuid = {crud.uuid: crud for crud in cruds}
    query = (
        select(Activity, Profile)
        .join(Profile, col(Activity.author_sub) == col(Profile.sub))
        .where(
            col(Activity.reply_to).in_([uuid.UUID(u) for u in by_uuid]),
            col(Activity.expires_at) > now,
        )
        .order_by(col(Activity.created_at), col(Activity.uuid))
    )
    for reply, author in session.exec(query).all():
        by_uuid[str(reply.reply_to)].replies.append(_view(reply, author, now))


def _view(activity: Activity, author: Profile, now: datetime) -> CrudView:
    return CrudView(
        uuid=str(activity.uuid),
        handle=author.handle,
        display_name=author.display_name,
        message=activity.message,
        created_at=activity.created_at.isoformat(),
        expires_at=activity.expires_at.isoformat(),
        posted_ago=short_span(now - activity.created_at),
        expires_in=short_span(activity.expires_at - now),
        likes_count=activity.likes_count,
        replies_count=activity.replies_count,
        reposts_count=activity.reposts_count,
    )


def encode_cursor(activity: Activity) -> str:
    raw = f"{activity.created_at.isoformat()}|{activity.uuid}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """Raises ValueError for a cursor this module did not make."""
    try:
        created_at, last_uuid = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.fromisoformat(created_at), uuid.UUID(last_uuid)
    except (UnicodeError, ValueError, TypeError) as exc:
        raise ValueError("invalid cursor") from exc
