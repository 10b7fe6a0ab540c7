"""The account page's work for a signed-in person, against the real embedded provider."""

import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from cruddur.auth.cognito import CognitoError
from cruddur.models import Activity, HandleReservation, Like, Profile
from cruddur.services.accounts import AccountError
from cruddur.services.clock import utcnow
from cruddur.services.likes import toggle_like
from cruddur.services.posting import post_crud, reply
from cruddur.services.profiles import HandleTaken, create_profile, reserve_handle
from tests.auth_flows.conftest import PASSWORD
from tests.auth_flows.test_accounts import CLIENT, sign_in, signed_up


@pytest.fixture
def ada(app_runtime, mailbox) -> str:
    """Ada, signed up, confirmed and signed in: her session handle."""
    return sign_in(app_runtime, signed_up(app_runtime, mailbox))


def test_the_profile_is_changed_with_the_same_rules_as_sign_up(app_runtime, ada):
    page = app_runtime.settings_of_accounts
    page.save_profile(ada, display_name="  Countess Ada  ", bio="Writes about engines.")
    assert page.profile(ada) == ("Countess Ada", "Writes about engines.")
    with pytest.raises(AccountError) as refused:
        page.save_profile(ada, display_name="   ", bio="")
    assert refused.value.code == "NameRequired"
    assert app_runtime.accounts.resume(ada).display_name == "Countess Ada"


def test_sessions_are_listed_with_this_one_marked_and_the_others_can_be_ended(app_runtime, ada):
    page = app_runtime.settings_of_accounts
    phone, laptop = sign_in(app_runtime), sign_in(app_runtime)
    lines = page.sessions_of(ada)
    assert len(lines) == 3 and [line.current for line in lines].count(True) == 1
    assert lines[0].current and lines[0].browser == "Other on Other"  # the tests' client sends "tests"
    [phone_line] = [line for line in page.sessions_of(phone) if line.current]
    assert page.sign_out_sessions(ada, ids=[phone_line.id]) == 1
    assert app_runtime.accounts.resume(phone) is None and app_runtime.accounts.resume(laptop) is not None
    assert page.sign_out_sessions(ada) == 1
    assert app_runtime.accounts.resume(laptop) is None and app_runtime.accounts.resume(ada) is not None


def test_one_person_cannot_end_anothers_session(app_runtime, mailbox, ada):
    bob = sign_in(app_runtime, signed_up(app_runtime, mailbox, "bob@example.com", "bob"))
    [bobs] = [line for line in app_runtime.settings_of_accounts.sessions_of(bob) if line.current]
    assert app_runtime.settings_of_accounts.sign_out_sessions(ada, ids=[bobs.id]) == 0
    assert app_runtime.accounts.resume(bob) is not None


def test_security_activity_lists_sign_ins_newest_first(app_runtime, ada):
    sign_in(app_runtime)
    lines = app_runtime.settings_of_accounts.activity(ada)
    assert [line.what for line in lines] == ["Signed in", "Signed in"]
    assert lines[0].where == CLIENT.address


def test_deleting_the_account_asks_for_the_password(app_runtime, ada):
    with pytest.raises(AccountError) as refused:
        app_runtime.settings_of_accounts.delete_account(ada, password="Not-my-password-1!", client=CLIENT)
    assert refused.value.code == "PasswordNotAccepted"
    assert app_runtime.accounts.resume(ada) is not None


def test_deleting_the_account_removes_the_person_everywhere_and_holds_the_handle(app_runtime, mailbox, ada):
    bob = sign_in(app_runtime, signed_up(app_runtime, mailbox, "bob@example.com", "bob"))
    ada_sub, bob_sub = (app_runtime.accounts.resume(h).sub for h in (ada, bob))
    with app_runtime.database.session() as db:
        hers = post_crud(db, ada_sub, "mine", "1d")
        his = post_crud(db, bob_sub, "his", "1d")
        reply(db, bob_sub, hers.uuid, "bob on ada's")
        reply(db, ada_sub, his.uuid, "ada on bob's")
        toggle_like(db, bob_sub, hers.uuid)
        toggle_like(db, ada_sub, his.uuid)
    other_device = sign_in(app_runtime)
    refresh = app_runtime.sessions.load(other_device).tokens.refresh_token

    app_runtime.settings_of_accounts.delete_account(ada, password=PASSWORD, client=CLIENT)

    with app_runtime.database.session() as db:
        assert db.get(Profile, ada_sub) is None
        assert [a.message for a in db.exec(select(Activity)).all()] == ["his"]
        assert db.exec(select(Like)).all() == []
        left = db.get(Activity, uuid.UUID(his.uuid))
        assert (left.likes_count, left.replies_count) == (0, 0)
        assert db.get(HandleReservation, "ada").expires_at > utcnow() + timedelta(days=29)
        with pytest.raises(HandleTaken):
            reserve_handle(db, "Ada")
        with pytest.raises(HandleTaken):
            create_profile(db, "someone-else", "ada", "Not Ada")
    assert app_runtime.accounts.resume(ada) is None and app_runtime.accounts.resume(other_device) is None
    with pytest.raises(CognitoError):
        app_runtime.identity.cognito.refresh(refresh)
    with pytest.raises(AccountError):
        app_runtime.accounts.sign_in(email="ada@example.com", password=PASSWORD, client=CLIENT)
