"""Adding Cruddur to an authenticator app (the QR code, the secret to type instead) and the
recovery codes shown once: rendered from what the page holds in the browser only."""

import reflex as rx

from cruddur.components.forms import field
from cruddur.state.authenticator import CODE_FIELD, RECOVERY_CODES, SETUP


def code_field(label: str, hint: str = "") -> rx.Component:
    """Six digits from an authenticator app: the phone's number pad, its one-time-code autofill,
    and a pasted "123 456" works too (spaces are dropped)."""
    return field(
        label,
        CODE_FIELD,
        autocomplete="one-time-code",
        input_mode="numeric",
        pattern="[0-9 ]*",
        max_length=8,
        hint=hint,
    )


def setup_instructions() -> rx.Component:
    return rx.vstack(
        SETUP,
        rx.el.ol(
            rx.el.li("Open your authenticator app (Google Authenticator, 1Password, Authy, …) and add an account."),
            rx.el.li("Scan this QR code, or type the key below."),
            rx.el.li("Enter the 6-digit code the app shows for Cruddur."),
            class_name="cr-steps",
        ),
        rx.cond(
            SETUP.value.to(dict)["qr"] != "",
            rx.image(
                src=SETUP.value.to(dict)["qr"].to(str),
                alt="QR code to add Cruddur to an authenticator app",
                width="200px",
                height="200px",
                class_name="cr-qr",
            ),
        ),
        rx.box(
            rx.text("Key to type in", size="2", color_scheme="gray", id="totp-key-label"),
            rx.code(
                SETUP.value.to(dict)["secret"].to(str),
                size="4",
                class_name="cr-code cr-secret",
                id="totp-key",
                aria_labelledby="totp-key-label",
            ),
        ),
        spacing="3",
        align="start",
        width="100%",
    )


def recovery_code_list() -> rx.Component:
    return rx.vstack(
        RECOVERY_CODES,
        rx.text(
            "Each of these codes signs you in once if you lose your phone. Keep them somewhere safe: "
            "you won't see them again."
        ),
        rx.el.ul(
            rx.foreach(RECOVERY_CODES.value.to(list[str]), lambda code: rx.el.li(rx.code(code, size="3"))),
            class_name="cr-recovery-codes",
            aria_label="Recovery codes",
        ),
        # In the browser only, like the codes themselves: one per line, for a password manager.
        rx.button(
            "Copy codes",
            type="button",
            variant="soft",
            on_click=[
                rx.set_clipboard(RECOVERY_CODES.value.to(list[str]).join("\n")),
                rx.toast.success("Recovery codes copied."),
            ],
        ),
        spacing="3",
        width="100%",
    )
