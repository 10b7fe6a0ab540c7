import threading
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func
from sqlalchemy.pool import NullPool
from sqlmodel import Session, select

from cruddur.models import Like
from cruddur.services.activities import home_feed
from cruddur.services.clock import utcnow
from cruddur.services.errors import NotFound, ProfileRequired
from cruddur.services.likes import toggle_like
from cruddur.services.posting import post_crud, reply
from cruddur.services.profiles import create_profile


@pytest.fixture
def crud(database):
    with database.session() as session:
        create_profile(session, "sub-ada", "ada", "Ada")
        create_profile(session, "sub-bob", "bob", "Bob")
        return post_crud(session, "sub-ada", "like me", "1d")


def test_a_like_toggles_on_and_off_and_the_count_follows(database, crud):
    with database.session() as session:
        assert toggle_like(session, "sub-bob", crud.uuid) == (True, 1)
        assert toggle_like(session, "sub-ada", crud.uuid) == (True, 2)
        assert toggle_like(session, "sub-bob", crud.uuid) == (False, 1)
        [shown] = home_feed(session, viewer_sub="sub-ada").cruds
        assert (shown.likes_count, shown.liked) == (1, True)


def test_replies_can_be_liked_too(database, crud):
    with database.session() as session:
        answer = reply(session, "sub-bob", crud.uuid, "a reply")
        assert toggle_like(session, "sub-ada", answer.uuid) == (True, 1)
        assert home_feed(session).cruds[0].replies[0].likes_count == 1


@pytest.mark.parametrize("target", ["00000000-0000-4000-8000-000000000000", "nope", "expired"])
def test_liking_an_unknown_or_expired_crud_is_not_found_and_changes_nothing(database, crud, target):
    with database.session() as session:
        if target == "expired":
            target = post_crud(session, "sub-ada", "old", "1h", now=utcnow() - timedelta(hours=2)).uuid
        with pytest.raises(NotFound):
            toggle_like(session, "sub-bob", target)
        assert session.exec(select(func.count()).select_from(Like)).one() == 0


def test_unliking_after_the_crud_expired_is_not_found(database, crud):
    with database.session() as session:
        toggle_like(session, "sub-bob", crud.uuid)
        with pytest.raises(NotFound):
            toggle_like(session, "sub-bob", crud.uuid, now=utcnow() + timedelta(days=2))


def test_someone_without_a_profile_cannot_like(database, crud):
    with database.session() as session, pytest.raises(ProfileRequired):
        toggle_like(session, "sub-nobody", crud.uuid)


def test_fifty_people_liking_at_once_are_all_counted(database, crud, backend):
    people = [f"sub-fan-{n}" for n in range(50)]
    with database.session() as session:
        for sub in people:
            create_profile(session, sub, sub.removeprefix("sub-").replace("-", "_"), sub)
    # Every thread gets its own connection (no pool to queue on), so all 50 really overlap.
    engine = database.engine if backend == "sqlite" else create_engine(database.engine.url, poolclass=NullPool)
    start, results, errors = threading.Barrier(len(people)), [], []

    def like(sub: str) -> None:
        try:
            with Session(engine) as session:
                start.wait()
                results.append(toggle_like(session, sub, crud.uuid))
        except Exception as exc:  # reported below, with the thread's own error
            errors.append(exc)

    threads = [threading.Thread(target=like, args=(sub,)) for sub in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(count for _, count in results) == list(range(1, 51))
    assert all(liked for liked, _ in results)
    with database.session() as session:
        assert home_feed(session).cruds[0].likes_count == 50
        assert session.exec(select(func.count()).select_from(Like)).one() == 50


def test_the_same_person_toggling_twice_at_once_ends_where_they_started(database, crud, backend):
    engine = database.engine if backend == "sqlite" else create_engine(database.engine.url, poolclass=NullPool)
    start, results = threading.Barrier(2), []

    def like() -> None:
        with Session(engine) as session:
            start.wait()
            results.append(toggle_like(session, "sub-bob", crud.uuid))

    threads = [threading.Thread(target=like) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [(False, 0), (True, 1)]
    with database.session() as session:
        assert home_feed(session).cruds[0].likes_count == 0
