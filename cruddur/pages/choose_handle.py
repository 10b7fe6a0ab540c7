"""`/welcome`: a signed-in person without a profile chooses the username others will see."""

import reflex as rx

from cruddur.components.forms import auth_card, auth_form, field, form_error, submit
from cruddur.services.profiles import HANDLE_RULE
from cruddur.state.auth import AuthState
from cruddur.state.session import SessionState


def choose_handle() -> rx.Component:
    return auth_card(
        "Choose your username",
        rx.text("Your account has no Cruddur username yet, or the one it has is taken. " + HANDLE_RULE),
        form_error(),
        auth_form(
            field("Name", "name", autocomplete="name", default_value=SessionState.viewer_name),
            field("Username", "handle", autocomplete="username", placeholder="your @handle"),
            submit("Save and continue"),
            on_submit=AuthState.choose_handle,
        ),
    )
