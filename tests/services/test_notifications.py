from datetime import timedelta

from cruddur.services.clock import utcnow
from cruddur.services.likes import toggle_like
from cruddur.services.notifications import notifications
from cruddur.services.posting import post_crud, reply
from cruddur.services.profiles import create_profile


def test_replies_and_likes_by_others_on_my_live_cruds_newest_first(database):
    now = utcnow()
    with database.session() as session:
        for sub, handle in (("s-ada", "ada"), ("s-bob", "bob"), ("s-cy", "cy")):
            create_profile(session, sub, handle, handle.title())
        mine = post_crud(session, "s-ada", "my crud", "1d", now=now)
        short = post_crud(session, "s-ada", "gone soon", "1h", now=now)
        theirs = post_crud(session, "s-bob", "bob's crud", "1d", now=now)
        reply(session, "s-bob", mine.uuid, "nice one", now=now + timedelta(minutes=1))
        toggle_like(session, "s-cy", mine.uuid, now=now + timedelta(minutes=2))
        reply(session, "s-ada", mine.uuid, "talking to myself", now=now + timedelta(minutes=3))
        toggle_like(session, "s-ada", theirs.uuid, now=now + timedelta(minutes=4))
        toggle_like(session, "s-bob", short.uuid, now=now + timedelta(minutes=5))

        found = notifications(session, "s-ada", now=now + timedelta(minutes=10))
        assert [(n.kind, n.handle, n.crud_message, n.reply_message) for n in found] == [
            ("like", "bob", "gone soon", ""),
            ("like", "cy", "my crud", ""),
            ("reply", "bob", "my crud", "nice one"),
        ]
        later = notifications(session, "s-ada", now=now + timedelta(hours=2))
        assert [n.crud_message for n in later] == ["my crud", "my crud"]
        assert notifications(session, "s-cy", now=now) == []
