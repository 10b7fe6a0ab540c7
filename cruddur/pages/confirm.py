"""`/confirm`: the code from the e-mail; a resend with a cooldown that survives a reload."""

import reflex as rx

from cruddur.components.forms import auth_card, auth_form, email_field, field, form_error, submit
from cruddur.state.auth import AuthState


def where_the_code_went() -> rx.Component:
    return rx.box(
        rx.cond(
            AuthState.code_destination != "",
            rx.text("We sent a 6-digit code to ", rx.text.strong(AuthState.code_destination), "."),
            rx.text("Enter the 6-digit code we emailed you."),
        ),
        role="status",
    )


def resend_button() -> rx.Component:
    return rx.button(
        rx.cond(AuthState.resend_wait > 0, f"Resend code in {AuthState.resend_wait}s", "Resend code"),
        type="button",
        variant="soft",
        on_click=AuthState.resend_code,
        disabled=(AuthState.resend_wait > 0) | AuthState.busy,
    )


def confirm() -> rx.Component:
    return auth_card(
        "Confirm your email",
        where_the_code_went(),
        form_error(),
        auth_form(
            email_field(),
            field("Confirmation code", "code", autocomplete="one-time-code", input_mode="numeric", max_length=6),
            rx.hstack(submit("Confirm email"), resend_button(), spacing="3", wrap="wrap"),
            on_submit=AuthState.confirm,
        ),
        footer=rx.text("Already confirmed? ", rx.link("Sign in", href="/signin")),
    )
