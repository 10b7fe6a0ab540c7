"""`/signup`: name, e-mail, username and password — or no password, where the pool signs people
in with e-mailed codes (then a passkey, offered once confirmed); then on to `/confirm`."""

import reflex as rx

from cruddur.components.federation import federation_buttons
from cruddur.components.forms import auth_card, auth_form, email_field, field, form_error, password_field, submit
from cruddur.state.auth import AuthState


def signup() -> rx.Component:
    return auth_card(
        "Join Cruddur",
        form_error(),
        federation_buttons("or sign up with your email"),
        auth_form(
            field("Name", "name", autocomplete="name"),
            email_field(),
            field("Username", "handle", autocomplete="username", placeholder="your @handle"),
            rx.cond(
                AuthState.offers_email_codes,
                rx.box(
                    rx.checkbox(
                        "Sign up without a password",
                        id="no-password-input",
                        default_checked=False,
                        size="2",
                        on_change=AuthState.choose_no_password,
                        aria_describedby="no-password-hint",
                    ),
                    rx.text(
                        "Sign in with a passkey on your device, or a one-time code we send you.",
                        id="no-password-hint",
                        size="2",
                        color_scheme="gray",
                    ),
                ),
            ),
            rx.cond(
                AuthState.no_password,
                rx.fragment(),
                password_field("Password", "password", autocomplete="new-password", with_rules=True),
            ),
            submit("Sign up"),
            on_submit=AuthState.sign_up,
        ),
        footer=rx.text("Already have an account? ", rx.link("Sign in", href="/signin")),
    )
