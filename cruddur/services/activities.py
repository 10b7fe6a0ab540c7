"""The feeds: live cruds with their authors and replies, newest first, 20 to a page.

The home feed shows everyone's cruds, a profile feed one person's. Both page by keyset on
(created_at, uuid) and, given the viewer's `sub`, mark what the viewer liked.
"""

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from sqlalchemy import Integer, Row, Select, and_, bindparam, or_, select
from sqlmodel import Session

from cruddur.models import Activity, Like, Profile
from cruddur.services.avatar_paths import avatar_path
from cruddur.services.clock import short_span, utcnow
from cruddur.services.errors import NotFound, ValidationError
from cruddur.services.profiles import ProfileView, profile_by_handle

PAGE_SIZE = 20
# A page's position: the last crud's created_at (microseconds since 1970, UTC) and its uuid (hex).
# Every string of this shape is a position some page could start after, so a client holding
# any cursor the pattern admits makes a valid request; the REST API documents the pattern.
CURSOR_PATTERN = "^[0-9]{1,16}_[0-9a-f]{32}$"
_CURSOR = re.compile(CURSOR_PATTERN)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


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
    liked: bool = False
    avatar: str = ""  # the author's picture, where the app serves it ("" for none)


@dataclass
class FeedPage:
    cruds: list[CrudView]
    next_cursor: str | None


@dataclass
class ProfileFeedPage(FeedPage):
    profile: ProfileView


def home_feed(
    session: Session,
    *,
    now: datetime | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
    viewer_sub: str | None = None,
) -> FeedPage:
    """Top-level live cruds, newest first, each with its live replies oldest first."""
    return _feed(session, None, now or utcnow(), cursor, limit, viewer_sub)


def profile_feed(
    session: Session,
    handle: str,
    cursor: str | None = None,
    viewer_sub: str | None = None,
    *,
    now: datetime | None = None,
    limit: int = PAGE_SIZE,
) -> ProfileFeedPage:
    """One person's top-level live cruds, like the home feed; NotFound for an unknown handle."""
    profile = profile_by_handle(session, handle)
    page = _feed(session, profile.sub, now or utcnow(), cursor, limit, viewer_sub)
    return ProfileFeedPage(
        cruds=page.cruds,
        next_cursor=page.next_cursor,
        profile=ProfileView(
            handle=profile.handle, display_name=profile.display_name, avatar=avatar_path(profile.avatar_key)
        ),
    )


def view_crud(activity: Activity | Row, author: Profile | Row, now: datetime, *, liked: bool = False) -> CrudView:
    """`activity` and `author` may be model objects or one result row with both's columns."""
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
        liked=liked,
        avatar=avatar_path(author.avatar_key),
    )


# The feeds read columns, not ORM objects: a page is two plain queries (the page, then its
# replies), each joined to the author, and for a signed-in viewer a third that asks the likes'
# primary key which of those cruds they liked. (Joining the likes into the page query instead
# lets PostgreSQL's planner sort every live crud once the table is large: 65× slower at a
# million cruds, measured by bench/bench_growth.py.) The few shapes these queries take are
# built once, with bound parameters, because building a statement costs more Python time than
# SQLite takes to run it.
_A, _P, _L = Activity.__table__.c, Profile.__table__.c, Like.__table__.c
_COLUMNS = (
    _A.uuid,
    _A.message,
    _A.created_at,
    _A.expires_at,
    _A.reply_to,
    _A.likes_count,
    _A.replies_count,
    _A.reposts_count,
    _P.handle,
    _P.display_name,
    _P.avatar_key,
)
_SELECT = select(*_COLUMNS).join_from(Activity.__table__, Profile.__table__, _A.author_sub == _P.sub)
_REPLIES = _SELECT.where(
    _A.reply_to.in_(bindparam("parents", expanding=True)), _A.expires_at > bindparam("now")
).order_by(_A.created_at, _A.uuid)
_LIKED = select(_L.crud_uuid).where(_L.sub == bindparam("sub"), _L.crud_uuid.in_(bindparam("uuids", expanding=True)))


@lru_cache
def _page_query(by_author: bool, after_cursor: bool) -> Select:
    query = (
        _SELECT.where(_A.reply_to.is_(None), _A.expires_at > bindparam("now"))
        .order_by(_A.created_at.desc(), _A.uuid.desc())
        .limit(bindparam("limit", type_=Integer))
    )
    if by_author:
        query = query.where(_A.author_sub == bindparam("author"))
    if after_cursor:
        at, last = _A.created_at, _A.uuid
        query = query.where(or_(at < bindparam("at"), and_(at == bindparam("at"), last < bindparam("last"))))
    return query


def liked_among(session: Session, sub: str, uuids: list[uuid.UUID]) -> frozenset[str]:
    """Which of these cruds `sub` liked, found by the likes' key (crud, person)."""
    if not uuids:
        return frozenset()
    rows = session.connection().execute(_LIKED, {"sub": sub, "uuids": uuids})
    return frozenset(str(row[0]) for row in rows)


def _feed(
    session: Session, author_sub: str | None, now: datetime, cursor: str | None, limit: int, viewer_sub: str | None
) -> FeedPage:
    params = {"now": now, "limit": limit + 1, "author": author_sub}
    if cursor:
        params["at"], params["last"] = decode_cursor(cursor)
    rows = session.connection().execute(_page_query(author_sub is not None, bool(cursor)), params).all()
    page, more = rows[:limit], len(rows) > limit
    cruds = [view_crud(row, row, now) for row in page]
    if cruds:
        by_uuid = {row.uuid: crud for row, crud in zip(page, cruds, strict=True)}
        replies = session.connection().execute(_REPLIES, {"now": now, "parents": list(by_uuid)}).all()
        for row in replies:
            by_uuid[row.reply_to].replies.append(view_crud(row, row, now))
        if viewer_sub is not None:
            liked = liked_among(session, viewer_sub, [*by_uuid, *(row.uuid for row in replies)])
            for crud in cruds:
                for shown in (crud, *crud.replies):
                    shown.liked = shown.uuid in liked
    next_cursor = encode_cursor(page[-1]) if more else None
    return FeedPage(cruds=cruds, next_cursor=next_cursor)


def parse_crud_uuid(value: uuid.UUID | str) -> uuid.UUID:
    """A crud id; anything that is not a UUID names no crud."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        raise NotFound("no such crud") from None


def encode_cursor(activity) -> str:
    """The position after `activity` (a model object or a row with created_at and uuid)."""
    micros = (activity.created_at - _EPOCH) // _MICROSECOND
    return f"{micros}_{uuid.UUID(str(activity.uuid)).hex}"


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """Raises ValidationError (a ValueError) for a string that is not a cursor's shape."""
    match = _CURSOR.fullmatch(cursor) if isinstance(cursor, str) else None
    if match is None:
        raise ValidationError("cursor", "invalid cursor: pass the next_cursor of the previous page")
    micros, last = cursor.split("_")
    return _EPOCH + int(micros) * _MICROSECOND, uuid.UUID(hex=last)
