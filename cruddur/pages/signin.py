"""`/signin`: e-mail and password; back to `?next=` (same-origin paths only) or home."""

import reflex as rx

from cruddur.components.forms import auth_card, auth_form, email_field, form_error, password_field, submit
from cruddur.state.auth import AuthState


def signin() -> rx.Component:
    return auth_card(
        "Sign in to Cruddur",
        rx.box(
            rx.cond(
                AuthState.confirmed_notice != "",
                rx.callout(AuthState.confirmed_notice, icon="circle-check", color_scheme="grass"),
            ),
            role="status",
        ),
        form_error(),
        auth_form(
            email_field(),
            password_field("Password", "password", autocomplete="current-password", with_rules=False),
            rx.link("Forgot password?", href="/forgot", size="2"),
            submit("Sign in"),
            on_submit=AuthState.sign_in,
        ),
        footer=rx.text("New to Cruddur? ", rx.link("Create an account", href="/signup")),
    )
