"""`/signup`: name, e-mail, username and password; then on to `/confirm`."""

import reflex as rx

from cruddur.components.forms import auth_card, auth_form, email_field, field, form_error, password_field, submit
from cruddur.state.auth import AuthState


def signup() -> rx.Component:
    return auth_card(
        "Join Cruddur",
        form_error(),
        auth_form(
            field("Name", "name", autocomplete="name"),
            email_field(),
            field("Username", "handle", autocomplete="username", placeholder="your @handle"),
            password_field("Password", "password", autocomplete="new-password", with_rules=True),
            submit("Sign up"),
            on_submit=AuthState.sign_up,
        ),
        footer=rx.text("Already have an account? ", rx.link("Sign in", href="/signin")),
    )
