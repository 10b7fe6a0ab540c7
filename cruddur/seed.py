"""Demo authors and cruds, so a first run shows a living feed instead of an empty one."""

from datetime import timedelta

from sqlmodel import Session, select

from cruddur.models import Activity, Profile
from cruddur.services.clock import utcnow

DEMO_PROFILES = [
    ("demo-andrew", "andrewbrown", "Andrew Brown"),
    ("demo-worf", "worf", "Worf"),
    ("demo-garek", "garek", "Garek"),
]

# (author handle, message, posted hours ago, expires in hours, replies as (author, message))
DEMO_CRUDS = [
    ("andrewbrown", "Cloud is fun!", 2, 24 * 10, [("worf", "This post has no honor!")]),
    ("worf", "I am out of prune juice", 5, 24 * 7, []),
    ("garek", "My dear doctor, I am just a simple tailor.", 12, 24 * 30, []),
]
EXPIRED_DEMO_MESSAGE = "This crud has already expired and must never be shown."


def seed_if_empty(session: Session) -> bool:
    """Loads the demo data into a database with no profiles; returns whether it did."""
    if session.exec(select(Profile).limit(1)).first():
        return False
    now = utcnow()
    subs = {}
    for sub, handle, name in DEMO_PROFILES:
        session.add(Profile(sub=sub, handle=handle, display_name=name, created_at=now))
        subs[handle] = sub
    session.flush()
    for handle, message, hours_ago, lifetime_hours, replies in DEMO_CRUDS:
        created = now - timedelta(hours=hours_ago)
        crud = Activity(
            author_sub=subs[handle],
            message=message,
            created_at=created,
            expires_at=created + timedelta(hours=lifetime_hours),
            replies_count=len(replies),
        )
        session.add(crud)
        session.flush()
        for minutes, (reply_handle, reply) in enumerate(replies, start=10):
            session.add(
                Activity(
                    author_sub=subs[reply_handle],
                    message=reply,
                    created_at=created + timedelta(minutes=minutes),
                    expires_at=crud.expires_at,
                    reply_to=crud.uuid,
                )
            )
    session.add(
        Activity(
            author_sub=subs["garek"],
            message=EXPIRED_DEMO_MESSAGE,
            created_at=now - timedelta(days=2),
            expires_at=now - timedelta(days=1),
        )
    )
    session.commit()
    return True
