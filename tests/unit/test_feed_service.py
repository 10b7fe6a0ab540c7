from datetime import timedelta

import pytest

from cruddur.models import Activity, Profile
from cruddur.seed import EXPIRED_DEMO_MESSAGE, seed_if_empty
from cruddur.services.activities import decode_cursor, home_feed
from cruddur.services.clock import short_span, utcnow


def add_profile(session, handle="ada"):
    profile = Profile(sub=f"sub-{handle}", handle=handle, display_name=handle.title(), created_at=utcnow())
    session.add(profile)
    session.commit()
    return profile


def add_crud(session, author, message, *, age=timedelta(0), lifetime=timedelta(days=1), reply_to=None):
    created = utcnow() - age
    crud = Activity(
        author_sub=author.sub, message=message, created_at=created, expires_at=created + lifetime, reply_to=reply_to
    )
    session.add(crud)
    session.commit()
    return crud


def test_seeded_feed_shows_live_cruds_newest_first_with_replies(database):
    with database.session() as session:
        assert seed_if_empty(session)
        page = home_feed(session)
    assert [c.message for c in page.cruds] == [
        "Cloud is fun!",
        "I am out of prune juice",
        "My dear doctor, I am just a simple tailor.",
    ]
    first = page.cruds[0]
    assert (first.display_name, first.handle, first.posted_ago) == ("Andrew Brown", "andrewbrown", "2h")
    assert [r.message for r in first.replies] == ["This post has no honor!"]
    assert first.replies_count == 1
    assert all(c.message != EXPIRED_DEMO_MESSAGE for c in page.cruds)


def test_seeding_happens_once(database):
    with database.session() as session:
        assert seed_if_empty(session)
        assert not seed_if_empty(session)
        assert len(home_feed(session).cruds) == 3


def test_expired_cruds_and_expired_replies_never_show(database):
    with database.session() as session:
        ada = add_profile(session)
        live = add_crud(session, ada, "still here")
        add_crud(session, ada, "gone", age=timedelta(hours=2), lifetime=timedelta(hours=1))
        add_crud(session, ada, "gone reply", age=timedelta(hours=2), lifetime=timedelta(hours=1), reply_to=live.uuid)
        add_crud(session, ada, "live reply", reply_to=live.uuid)
        page = home_feed(session)
    assert [c.message for c in page.cruds] == ["still here"]
    assert [r.message for r in page.cruds[0].replies] == ["live reply"]


def test_feed_pages_by_keyset_without_gaps_or_repeats(database):
    with database.session() as session:
        ada = add_profile(session)
        for n in range(45):
            add_crud(session, ada, f"crud {n}", age=timedelta(minutes=n))
        seen, cursor = [], None
        while True:
            page = home_feed(session, cursor=cursor)
            assert len(page.cruds) <= 20
            seen += [c.message for c in page.cruds]
            if not (cursor := page.next_cursor):
                break
    assert seen == [f"crud {n}" for n in range(45)]


def test_a_cursor_not_made_by_the_feed_is_refused():
    with pytest.raises(ValueError):
        decode_cursor("not-a-cursor")


@pytest.mark.parametrize(
    ("span", "text"),
    [
        (timedelta(0), "now"),
        (timedelta(seconds=42), "42s"),
        (timedelta(minutes=5), "5m"),
        (timedelta(hours=3, minutes=59), "3h"),
        (timedelta(days=12), "12d"),
    ],
)
def test_spans_read_like_cruddur(span, text):
    assert short_span(span) == text


def test_the_text_pattern_admits_exactly_what_clean_text_keeps():
    import re

    from cruddur.services.text import BMP, TEXT_PATTERN, clean_text

    # Every character str.strip removes is in the range the pattern was built from.
    assert not any(chr(code).isspace() for code in range(BMP, 0x110000))
    pattern = re.compile(TEXT_PATTERN)
    for text in ["a", " a ", "\u3000x\u3000", "\x1c\x1d", "\x85", "\u2028", "", "   ", "a\x00b", "🙂", "\ufeff"]:
        try:
            clean_text("message", text, 280)
            kept = True
        except ValueError:
            kept = False
        assert bool(pattern.search(text)) == kept, repr(text)
