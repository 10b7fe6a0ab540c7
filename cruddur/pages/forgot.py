"""`/forgot`: e-mail → code and a new password → done."""

import reflex as rx

from cruddur.components.forms import auth_card, auth_form, email_field, field, form_error, password_field, submit
from cruddur.pages.confirm import where_the_code_went
from cruddur.state.auth import AuthState


def request_code() -> rx.Component:
    return auth_form(
        rx.text("Enter your account's email and we'll send you a code to reset your password."),
        email_field(),
        submit("Send code"),
        on_submit=AuthState.send_reset_code,
    )


def choose_password() -> rx.Component:
    return auth_form(
        where_the_code_went(),
        field("Code", "code", autocomplete="one-time-code", input_mode="numeric", max_length=6),
        password_field("New password", "password", autocomplete="new-password", with_rules=True),
        field("Confirm new password", "confirm", type="password", autocomplete="new-password"),
        submit("Reset password"),
        on_submit=AuthState.reset_password,
    )


def done() -> rx.Component:
    return rx.vstack(
        rx.callout("Your password has been reset.", icon="circle-check", color_scheme="grass", role="status"),
        rx.link(rx.button("Sign in", size="3"), href="/signin"),
        spacing="4",
    )


def forgot() -> rx.Component:
    return auth_card(
        "Reset your password",
        form_error(),
        rx.match(AuthState.forgot_step, ("reset", choose_password()), ("done", done()), request_code()),
        footer=rx.text("Remembered it? ", rx.link("Sign in", href="/signin")),
    )
