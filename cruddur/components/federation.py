"""The "Continue with …" buttons of /signin and /signup: plain links to the backend's
`/_federation/start`, which sends the browser on to the pool's managed login (a full navigation,
never the app's router)."""

from typing import Any

import reflex as rx

from cruddur.state.auth import AuthState


def provider_button(provider: Any) -> rx.Component:
    # Reflex makes a link of the router's out of an `a` with an href; the start is the backend's,
    # so the browser must load it as a document (reloadDocument), not route to it in the page.
    return rx.button(
        rx.el.a(rx.icon("log-in", size=18, aria_hidden="true"), "Continue with " + provider["label"],
                href=provider["href"], reload_document=True),
        as_child=True, size="3", variant="surface", class_name="cr-submit",
    )  # fmt: skip


def federation_buttons(divider: str) -> rx.Component:
    """One button per provider offered, then `divider` ("or with your email"); nothing without."""
    return rx.cond(
        AuthState.providers.length() > 0,  # pyright: ignore[reportAttributeAccessIssue]
        rx.vstack(
            rx.foreach(AuthState.providers, provider_button),
            rx.text(divider, size="2", color_scheme="gray"),
            spacing="3",
            width="100%",
        ),
    )
