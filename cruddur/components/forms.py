"""Form pieces for the account pages: labelled fields, a password field with its live rules,
an announced error, and a submit button that shows progress and cannot double-submit."""

from typing import Literal

import reflex as rx
from reflex.experimental.client_state import ClientStateVar
from reflex.vars.base import Var

from cruddur.auth.password_policy import DEFAULT_POLICY, Rule
from cruddur.components.layout import logo
from cruddur.state.auth import AuthState

# The password being typed, kept in the browser only: the checklist is computed there, from the
# pool's policy, and no keystroke goes to the server (which checks again on submit).
PASSWORD_DRAFT = ClientStateVar.create("cruddur_password_draft", "")


def input_id(name: str) -> str:
    return f"{name}-input"


# Read-only until the page's state has arrived, so nothing typed early is overwritten by it.
UNTIL_HYDRATED = rx.cond(rx.State.is_hydrated, False, True)


def field(
    label: str,
    name: str,
    *,
    autocomplete: str,
    type: Literal["text", "email", "password"] = "text",
    hint: str = "",
    **props,
) -> rx.Component:
    """A labelled input; `hint` is the id of text that describes it (announced with the error)."""
    invalid = AuthState.error_field == name
    return rx.box(
        rx.el.label(label, html_for=input_id(name), class_name="cr-label"),
        rx.input(
            id=input_id(name),
            name=name,
            type=type,
            auto_complete=autocomplete,
            required=True,
            read_only=UNTIL_HYDRATED,
            size="3",
            aria_invalid=rx.cond(invalid, "true", "false"),
            aria_describedby=rx.cond(invalid, f"form-error {hint}".strip(), hint),
            color_scheme=rx.cond(invalid, "red", "purple"),
            **props,
        ),
        class_name="cr-field",
    )


def email_field(autocomplete: str = "email") -> rx.Component:
    """The e-mail is kept in state, so it is carried from form to form and survives errors."""
    return field(
        "Email", "email", type="email", autocomplete=autocomplete, value=AuthState.email, on_change=AuthState.set_email
    )


def _met(rule: Rule) -> Var:
    """Whether the password being typed meets `rule`, as a browser-side expression."""
    draft = PASSWORD_DRAFT.value
    test = f"((p) => {rule.browser_test})({draft} ?? '')"
    return Var(_js_expr=test, _var_type=bool, _var_data=draft._get_all_var_data())


def password_rules() -> rx.Component:
    def item(rule: Rule) -> rx.Component:
        met = _met(rule)
        return rx.el.li(
            rx.cond(
                met,
                rx.icon("circle-check", size=16, color=rx.color("grass", 10), aria_hidden="true"),
                rx.icon("circle", size=16, color=rx.color("gray", 9), aria_hidden="true"),
            ),
            rx.text(rule.label, size="2"),
            rx.text(rx.cond(met, " (met)", " (not yet)"), class_name="cr-sr-only"),
            class_name=rx.cond(met, "cr-rule cr-rule-met", "cr-rule"),
        )

    return rx.el.ul(
        *(item(rule) for rule in DEFAULT_POLICY.rules()),
        id="password-rules",
        class_name="cr-rules",
        aria_label="Password rules",
    )


def password_field(label: str, name: str, *, autocomplete: str, with_rules: bool) -> rx.Component:
    invalid = AuthState.error_field == name
    described_by = "password-rules" if with_rules else ""
    return rx.box(
        rx.el.label(label, html_for=input_id(name), class_name="cr-label"),
        rx.input(
            rx.input.slot(
                rx.icon_button(
                    rx.cond(AuthState.show_password, rx.icon("eye-off", size=18), rx.icon("eye", size=18)),
                    type="button",
                    variant="ghost",
                    on_click=AuthState.toggle_password,
                    aria_label=rx.cond(AuthState.show_password, "Hide password", "Show password"),
                    aria_pressed=rx.cond(AuthState.show_password, "true", "false"),
                ),
                side="right",
            ),
            id=input_id(name),
            name=name,
            type=rx.cond(AuthState.show_password, "text", "password"),
            auto_complete=autocomplete,
            required=True,
            read_only=UNTIL_HYDRATED,
            size="3",
            aria_invalid=rx.cond(invalid, "true", "false"),
            aria_describedby=rx.cond(invalid, f"form-error {described_by}", described_by),
            color_scheme=rx.cond(invalid, "red", "purple"),
            on_change=PASSWORD_DRAFT.set if with_rules else None,
        ),
        password_rules() if with_rules else rx.fragment(),
        class_name="cr-field",
    )


def form_error() -> rx.Component:
    """Always in the page, so screen readers announce the message the moment it appears."""
    return rx.box(
        rx.cond(
            AuthState.error != "",
            rx.callout(AuthState.error, icon="triangle-alert", color_scheme="red", id="form-error"),
        ),
        role="alert",
        aria_live="assertive",
    )


def checkbox(label: str, name: str) -> rx.Component:
    """A native checkbox inside its label (so the label is tied to it and clicks on the words count);
    the form sends "on" when it is ticked and nothing when not."""
    return rx.el.label(
        rx.el.input(type="checkbox", name=name, id=input_id(name), class_name="cr-checkbox"),
        label,
        class_name="cr-check-label",
    )


def submit(label: str) -> rx.Component:
    return rx.button(
        label, type="submit", size="3", loading=AuthState.busy, disabled=AuthState.busy, class_name="cr-submit"
    )


def auth_card(
    title: str | rx.Component | rx.Var, *children: rx.Component | rx.Var, footer: rx.Component | None = None
) -> rx.Component:
    """The logo as the page's banner; the form and the link to the other form as its main content."""
    return rx.center(
        rx.vstack(
            rx.el.header(logo()),
            rx.el.main(
                rx.card(
                    rx.vstack(rx.heading(title, size="6", as_="h1"), *children, spacing="4", width="100%"),
                    class_name="cr-auth-card",
                ),
                rx.box(footer, class_name="cr-auth-footer") if footer else rx.fragment(),
                class_name="cr-auth-main",
            ),
            spacing="5",
            align="center",
            width="100%",
        ),
        class_name="cr-auth-page",
    )


def auth_form(*children: rx.Component, on_submit) -> rx.Component:
    return rx.form(
        rx.vstack(*children, spacing="4", width="100%"),
        on_submit=on_submit,
        reset_on_submit=False,
        width="100%",
    )
