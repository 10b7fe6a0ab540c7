"""What a page may ask the server to run: Reflex serves every public method of a state class as
an event, so each state's public surface is pinned here. A helper that acts on trust (who the
person is, what the session verified) must be private (`_name`), or a client can call it."""

import reflex as rx

from cruddur.state.account import AccountState
from cruddur.state.auth import AuthState
from cruddur.state.feed import FeedState
from cruddur.state.mailbox import MailboxState
from cruddur.state.notifications import NotificationsState
from cruddur.state.passwordless import PasswordlessState
from cruddur.state.second_step import SecondStepState
from cruddur.state.session import SessionState

EVENTS = {
    SessionState: {"load_page", "load_signed_in_page", "sign_out"},
    AuthState: {
        "set_email", "toggle_password", "open_form", "sign_up", "confirm", "resend_code", "tick_resend_cooldown",
        "sign_in", "go_on", "send_reset_code", "reset_password", "choose_handle", "note_passkey_capable",
        "choose_no_password", "link_account",
    },
    SecondStepState: {"answer_code", "finish_setup", "use_recovery_code", "show_step", "start_over"},
    PasswordlessState: {
        "sign_in_with_passkey", "passkey_signed", "email_me_a_code", "answer_email_code", "make_offered_passkey",
        "offered_passkey_made", "offer_autofill", "passkey_autofill_picked",
    },
    FeedState: {
        "load_home", "load_profile", "load_more", "set_draft", "set_ttl", "post", "open_reply", "set_reply_draft",
        "send_reply", "toggle_like",
    },
    AccountState: {
        "load", "save_profile", "change_password", "begin_two_step", "confirm_two_step", "turn_off_two_step",
        "new_recovery_codes", "sign_out_session", "sign_out_others", "forget_browser", "delete_account",
        "change_email", "resend_email_code", "confirm_email", "cancel_email_change", "cancel_two_step",
        "add_passkey", "passkey_made", "remove_passkey", "choose_avatar", "store_avatar", "unlink",
    },
    NotificationsState: {"load"},
    MailboxState: {"load"},
}  # fmt: skip


def own_events(state: type[rx.State]) -> set[str]:
    """The events this class itself defines (a substate's own, not its parent's). Reflex adds
    `setvar` to each: it only calls the class's own `set_*` events, which are pinned here too."""
    return {name for name in state.event_handlers if name in vars(state)} - {"setvar"}


def test_every_state_serves_only_the_events_it_means_to():
    for state, expected in EVENTS.items():
        assert own_events(state) == expected, state.__name__
