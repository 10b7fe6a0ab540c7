"""What has ended leaves the database, a bounded batch per short transaction so a backlog never
holds up the feed: sessions past their limits and stale tickets, lapsed revocations, expired cruds,
federation links nobody confirmed.
The backend does it every ten minutes; `python -m cruddur.manage purge` does it by hand.

An expired thread goes whole: the crud, its replies (which expire with it) and every like of
them, so no row is left pointing at a missing crud. Nothing a feed shows is touched: feeds show
only cruds with `expires_at > now`."""

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session, col, delete, select

from cruddur.db import Database
from cruddur.models import Activity, Like
from cruddur.services.clock import utcnow
from cruddur.services.federation_links import PendingLinks
from cruddur.services.revocations import Revocations
from cruddur.services.sessions import SessionStore

PURGE_BATCH = 500  # threads per transaction: short enough never to hold up a writer for long


def purge_expired_cruds(session: Session, *, now: datetime | None = None, batch: int = PURGE_BATCH) -> int:
    """Deletes up to `batch` expired threads, oldest expiry first, in one transaction; returns how many."""
    now = now or utcnow()
    due = session.exec(
        select(Activity.uuid)
        .where(col(Activity.reply_to).is_(None), col(Activity.expires_at) <= now)
        .order_by(col(Activity.expires_at))
        .limit(batch)
    ).all()
    if not due:
        return 0
    replies = select(Activity.uuid).where(col(Activity.reply_to).in_(due))
    # Two deletes, not one with OR: each finds its likes by the key's leading crud column.
    session.exec(delete(Like).where(col(Like.crud_uuid).in_(replies)))
    session.exec(delete(Like).where(col(Like.crud_uuid).in_(due)))
    session.exec(delete(Activity).where(col(Activity.reply_to).in_(due)))
    session.exec(delete(Activity).where(col(Activity.uuid).in_(due)))
    session.commit()
    return len(due)


def purge_ended(
    database: Database,
    sessions: SessionStore,
    revocations: Revocations,
    *,
    stopping: Callable[[], bool] = lambda: False,
) -> int:
    """Everything that has ended, batch after batch until none is left (or `stopping()`); how many rows or threads."""
    total = 0
    while (purged := sessions.purge()) and not stopping():
        total += purged
    with database.session() as db:
        while (purged := purge_expired_cruds(db)) and not stopping():
            total += purged
    return total + revocations.purge() + PendingLinks(database).purge()
