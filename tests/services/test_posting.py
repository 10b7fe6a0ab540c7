from datetime import timedelta

import pytest

from cruddur.services.activities import home_feed
from cruddur.services.clock import utcnow
from cruddur.services.errors import NotFound, ProfileRequired, ValidationError
from cruddur.services.posting import NestedReply, post_crud, reply
from cruddur.services.profiles import create_profile
from cruddur.services.ttl import Ttl


@pytest.fixture
def session(database):
    with database.session() as session:
        create_profile(session, "sub-ada", "ada", "Ada Lovelace")
        create_profile(session, "sub-bob", "bob", "Bob")
        yield session


def test_a_posted_crud_is_stripped_and_lives_for_its_ttl(session):
    now = utcnow()
    crud = post_crud(session, "sub-ada", "  Hello, cloud!\n", "12h", now=now)
    assert (crud.message, crud.handle, crud.display_name) == ("Hello, cloud!", "ada", "Ada Lovelace")
    assert crud.expires_at == (now + timedelta(hours=12)).isoformat()
    assert (crud.likes_count, crud.replies_count, crud.liked) == (0, 0, False)
    assert [c.uuid for c in home_feed(session).cruds] == [crud.uuid]


@pytest.mark.parametrize("ttl", list(Ttl))
def test_every_ttl_choice_is_accepted_with_its_span(session, ttl):
    now = utcnow()
    crud = post_crud(session, "sub-ada", "hi", ttl.value, now=now)
    assert crud.expires_at == (now + ttl.span).isoformat()


def test_ttl_choices_have_the_labels_the_form_shows():
    assert [(t.value, t.label) for t in Ttl] == [
        ("30d", "30 days"),
        ("7d", "7 days"),
        ("3d", "3 days"),
        ("1d", "1 day"),
        ("12h", "12 hours"),
        ("3h", "3 hours"),
        ("1h", "1 hour"),
    ]


@pytest.mark.parametrize(
    ("message", "ttl", "field"),
    [
        ("", "1d", "message"),
        ("   \n\t ", "1d", "message"),
        ("x" * 281, "1d", "message"),
        ("nul \x00 inside", "1d", "message"),
        ("lone surrogate \ud800", "1d", "message"),
        (42, "1d", "message"),
        ("fine", "2d", "ttl"),
        ("fine", None, "ttl"),
        ("fine", "", "ttl"),
    ],
)
def test_invalid_posts_name_the_field_and_store_nothing(session, message, ttl, field):
    with pytest.raises(ValidationError) as refused:
        post_crud(session, "sub-ada", message, ttl)
    assert refused.value.field == field
    assert home_feed(session).cruds == []


def test_a_message_of_exactly_280_characters_after_stripping_is_accepted(session):
    crud = post_crud(session, "sub-ada", "  " + "é" * 280 + "  ", "1h")
    assert len(crud.message) == 280


def test_someone_without_a_profile_cannot_post(session):
    with pytest.raises(ProfileRequired):
        post_crud(session, "sub-nobody", "hello", "1h")


def test_a_reply_expires_with_its_crud_and_counts_towards_it(session):
    now = utcnow()
    crud = post_crud(session, "sub-ada", "question?", "3h", now=now - timedelta(hours=1))
    answer = reply(session, "sub-bob", crud.uuid, "  answer  ", now=now)
    assert (answer.message, answer.handle, answer.expires_at) == ("answer", "bob", crud.expires_at)
    [shown] = home_feed(session, now=now).cruds
    assert shown.replies_count == 1
    assert [r.uuid for r in shown.replies] == [answer.uuid]


def test_replies_to_replies_are_refused(session):
    crud = post_crud(session, "sub-ada", "question?", "1d")
    answer = reply(session, "sub-bob", crud.uuid, "answer")
    with pytest.raises(NestedReply) as refused:
        reply(session, "sub-ada", answer.uuid, "nested")
    assert refused.value.field == "crud_uuid"
    assert home_feed(session).cruds[0].replies_count == 1


@pytest.mark.parametrize("target", ["00000000-0000-4000-8000-000000000000", "not-a-uuid", "expired"])
def test_replying_to_an_unknown_or_expired_crud_is_not_found(session, target):
    if target == "expired":
        target = post_crud(session, "sub-ada", "old news", "1h", now=utcnow() - timedelta(hours=2)).uuid
    with pytest.raises(NotFound):
        reply(session, "sub-bob", target, "hello?")


def test_an_invalid_reply_leaves_the_count_alone(session):
    crud = post_crud(session, "sub-ada", "question?", "1d")
    with pytest.raises(ValidationError):
        reply(session, "sub-bob", crud.uuid, " ")
    assert home_feed(session).cruds[0].replies_count == 0


def test_expired_cruds_disappear_from_the_feed_when_their_ttl_runs_out(session):
    now = utcnow()
    post_crud(session, "sub-ada", "short-lived", "1h", now=now)
    post_crud(session, "sub-ada", "long-lived", "1d", now=now)
    later = now + timedelta(hours=1, seconds=1)
    assert [c.message for c in home_feed(session, now=later).cruds] == ["long-lived"]
