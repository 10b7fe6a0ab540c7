"""`/confirm`: the code from the e-mail; a resend with a cooldown that survives a reload. A
passwordless sign-up is signed in by it, and offered a passkey here."""

import reflex as rx

from cruddur.components.forms import auth_card, auth_form, email_field, field, form_error, submit
from cruddur.pages.signin import passkey_offer_step
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


def confirm_form() -> rx.Component:
    return rx.fragment(
        where_the_code_went(),
        form_error(),
        auth_form(
            email_field(),
            field("Confirmation code", "code", autocomplete="one-time-code", input_mode="numeric", max_length=6),
            rx.hstack(submit("Confirm email"), resend_button(), spacing="3", wrap="wrap"),
            on_submit=AuthState.confirm,
        ),
    )


def confirm() -> rx.Component:
    offering = AuthState.signin_step == "passkey_offer"
    return auth_card(
        rx.cond(offering, "You're in. Add a passkey?", "Confirm your email"),
        rx.cond(offering, rx.fragment(form_error(), passkey_offer_step()), confirm_form()),
        footer=rx.cond(offering, rx.fragment(), rx.text("Already confirmed? ", rx.link("Sign in", href="/signin"))),
    )
