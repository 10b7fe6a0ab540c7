"""`/signin`: e-mail and password; then, when the pool asks, a code from the authenticator app
(or a recovery code), or setting the app up and saving the recovery codes. Back to `?next=`
(same-origin paths only) or home."""

import reflex as rx

from cruddur.components.authenticator import code_field, recovery_code_list, setup_instructions
from cruddur.components.federation import federation_buttons
from cruddur.components.forms import (
    auth_card,
    auth_form,
    checkbox,
    email_field,
    field,
    form_error,
    password_field,
    submit,
)
from cruddur.components.passkeys import passkey_bridge
from cruddur.components.prefetch import page_code_preloaded
from cruddur.state.auth import AuthState
from cruddur.state.passwordless import OTP_FIELD, PasswordlessState
from cruddur.state.second_step import REMEMBER_FIELD, SecondStepState


def step_link(label: str, on_click) -> rx.Component:
    """A link between the second steps. Its click must not follow the href: Reflex's links are
    the router's, so even "#" is a navigation to /signin, whose on_load starts the form over."""
    return rx.link(label, href="#", on_click=on_click.prevent_default, size="2", underline="always")


def other_way(label: str, icon: str, on_click) -> rx.Component:
    """A way to sign in with the e-mail above and no password (a button, not a submit)."""
    return rx.button(
        rx.icon(icon, size=18), label, type="button", size="3", variant="surface", on_click=on_click,
        disabled=AuthState.busy, class_name="cr-submit",
    )  # fmt: skip


def password_step() -> rx.Component:
    return rx.vstack(
        passkey_bridge(),
        federation_buttons("or with your email"),
        auth_form(
            email_field(autocomplete="username webauthn"),
            rx.cond(
                AuthState.offers_passkeys,
                rx.fragment(
                    other_way(
                        "Sign in with a passkey", "key-round", PasswordlessState.sign_in_with_passkey(AuthState.email)
                    ),
                    rx.text("or with your password", size="2", color_scheme="gray"),
                ),
            ),
            password_field("Password", "password", autocomplete="current-password", with_rules=False),
            rx.link("Forgot password?", href="/forgot", size="2"),
            submit("Sign in"),
            rx.cond(
                AuthState.offers_email_codes,
                other_way("Email me a code", "mail", PasswordlessState.email_me_a_code(AuthState.email)),
            ),
            on_submit=AuthState.sign_in,
        ),
        width="100%",
    )


def email_code_step() -> rx.Component:
    return auth_form(
        rx.text("We emailed a 6-digit code to ", rx.text.strong(AuthState.code_destination), ".", id="otp-hint"),
        field(
            "Code from the email", OTP_FIELD, autocomplete="one-time-code", input_mode="numeric", hint="otp-hint",
            spell_check=False,
        ),
        submit("Sign in"),
        rx.hstack(
            step_link("Send a new code", PasswordlessState.email_me_a_code(AuthState.email)),
            step_link("Start over", SecondStepState.start_over),
            spacing="4",
            wrap="wrap",
        ),
        on_submit=PasswordlessState.answer_email_code,
    )  # fmt: skip


def code_step() -> rx.Component:
    return auth_form(
        rx.text(
            "Enter the 6-digit code from your authenticator app for ",
            rx.text.strong(AuthState.email),
            ".",
            id="mfa-hint",
        ),
        code_field("Authentication code", hint="mfa-hint"),
        rx.cond(AuthState.offer_remember, checkbox("Remember this browser (no code here next time)", REMEMBER_FIELD)),
        submit("Verify"),
        rx.hstack(
            step_link("Use a recovery code", SecondStepState.show_step("recovery")),
            step_link("Start over", SecondStepState.start_over),
            spacing="4",
            wrap="wrap",
        ),
        on_submit=SecondStepState.answer_code,
    )


def recovery_step() -> rx.Component:
    return auth_form(
        rx.text(
            "Enter one of the recovery codes you saved when you turned on two-step verification.", id="recovery-hint"
        ),
        field("Recovery code", "recovery", autocomplete="off", hint="recovery-hint", spell_check=False),
        submit("Sign in"),
        rx.hstack(
            step_link("Use your authenticator app", SecondStepState.show_step("code")),
            step_link("Start over", SecondStepState.start_over),
            spacing="4",
            wrap="wrap",
        ),
        on_submit=SecondStepState.use_recovery_code,
    )


def setup_step() -> rx.Component:
    return auth_form(
        rx.text(
            "Cruddur asks everyone for a second step when they sign in. Set up an authenticator app now.", id="mfa-hint"
        ),
        setup_instructions(),
        code_field("Code from the app", hint="mfa-hint"),
        submit("Turn on and sign in"),
        step_link("Start over", SecondStepState.start_over),
        on_submit=SecondStepState.finish_setup,
    )


def passkey_offer_step() -> rx.Component:
    """Once, just after signing in: a passkey for next time, or not now."""
    return rx.vstack(
        passkey_bridge(),
        rx.text(
            "Next time, sign in with your fingerprint, face or screen lock: nothing to type. "
            "Your passkey stays on this device; Cruddur never sees it.",
        ),
        rx.button(
            rx.icon("key-round", size=18), "Create a passkey", size="3", loading=AuthState.busy,
            on_click=PasswordlessState.make_offered_passkey, class_name="cr-submit",
        ),
        rx.button("Not now", size="3", variant="soft", color_scheme="gray", on_click=AuthState.go_on,
                  disabled=AuthState.busy, class_name="cr-submit"),
        rx.text("You can add or remove passkeys on your account page at any time.", size="2", color_scheme="gray"),
        spacing="4",
        width="100%",
    )  # fmt: skip


def codes_step() -> rx.Component:
    return rx.vstack(
        recovery_code_list(),
        rx.button("I've saved them — continue", size="3", on_click=AuthState.go_on, class_name="cr-submit"),
        spacing="4",
        width="100%",
    )


def steps(first: rx.Component) -> rx.Component | rx.Var:
    """The step the sign-in is at; `first` is the one it starts with."""
    return rx.match(
        AuthState.signin_step,
        ("code", code_step()),
        ("email_code", email_code_step()),
        ("recovery", recovery_step()),
        ("setup", setup_step()),
        ("codes", codes_step()),
        ("passkey_offer", passkey_offer_step()),
        first,
    )


def signin() -> rx.Component:
    return auth_card(
        rx.match(
            AuthState.signin_step,
            ("password", "Sign in to Cruddur"),
            ("email_code", "Check your email"),
            ("codes", "Save your recovery codes"),
            ("passkey_offer", "Sign in faster next time"),
            "Two-step verification",
        ),
        rx.box(
            rx.cond(
                AuthState.confirmed_notice != "",
                rx.callout(AuthState.confirmed_notice, icon="circle-check", color_scheme="grass"),
            ),
            role="status",
        ),
        form_error(),
        steps(password_step()),
        page_code_preloaded("/"),  # where signing in goes: its code loads while the person types
        # Only while signing in: once the password was right, the next steps are this person's own.
        footer=rx.cond(
            AuthState.signin_step == "password",
            rx.text("New to Cruddur? ", rx.link("Create an account", href="/signup")),
        ),
    )


def link_step() -> rx.Component:
    """The password of the account that has the provider's e-mail: proof it is the same person."""
    return rx.cond(
        AuthState.link_email != "",
        auth_form(
            rx.text(
                "You already have a Cruddur account with ", rx.text.strong(AuthState.link_email), ". Enter its "
                "password to connect your ", AuthState.link_provider, " sign-in to it. After that, either way "
                "signs you in.", id="link-hint",
            ),
            rx.el.input(type="email", name="username", auto_complete="username", value=AuthState.link_email,
                        read_only=True, hidden=True),
            password_field("Password", "password", autocomplete="current-password", with_rules=False),
            rx.link("Forgot password?", href="/forgot", size="2"),
            submit("Connect and sign in"),
            on_submit=AuthState.link_account,
        ),
        rx.link("Back to sign in", href="/signin"),
    )  # fmt: skip


def signin_link() -> rx.Component:
    """`/signin/link`: a provider's sign-in whose verified e-mail is a password account's."""
    return auth_card(
        rx.match(
            AuthState.signin_step,
            ("password", "Connect your sign-in"),
            ("codes", "Save your recovery codes"),
            ("passkey_offer", "Sign in faster next time"),
            "Two-step verification",
        ),
        form_error(),
        steps(link_step()),
        footer=rx.text("Not you? ", rx.link("Sign in another way", href="/signin")),
    )
