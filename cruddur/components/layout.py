"""Cruddur's three-column frame: navigation, the page's content, and a sidebar.

What depends on who is signed in waits for the session check, so a signed-in person never
sees the signed-out page flash by on a reload.
"""

import reflex as rx

from cruddur.state.session import SessionState

SIGNED_OUT_NAV = [("Home", "/", "house"), ("More", "/more", "ellipsis")]
SIGNED_IN_NAV = [
    ("Home", "/", "house"),
    ("Notifications", "/notifications", "bell"),
    ("Messages", "/messages", "mail"),
]


def logo() -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon("message-circle-heart", size=28, color=rx.color("purple", 10), aria_hidden="true"),
            rx.text("Cruddur", class_name="cr-logo-text"),
            align="center",
            spacing="2",
        ),
        href="/",
        underline="none",
        aria_label="Cruddur home",
    )


def nav_link(label: str, href, icon: str, active: bool) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon(icon, size=22, aria_hidden="true"),
            rx.text(label, class_name="cr-nav-label"),
            align="center",
            spacing="3",
        ),
        href=href,
        underline="none",
        class_name="cr-nav-link cr-active" if active else "cr-nav-link",
        aria_current="page" if active else None,
    )


def profile_box() -> rx.Component:
    return rx.hstack(
        rx.avatar(fallback=SessionState.viewer_initial, size="3", radius="full", color_scheme="purple"),
        rx.box(
            rx.text(SessionState.viewer_name, weight="bold", class_name="cr-name"),
            rx.text("@" + SessionState.viewer_handle, color_scheme="gray", size="2"),
            class_name="cr-profile-text",
        ),
        rx.tooltip(
            rx.icon_button(
                rx.icon("log-out", size=18),
                variant="soft",
                size="2",
                on_click=SessionState.sign_out,
                aria_label="Sign out",
            ),
            content="Sign out",
        ),
        align="center",
        spacing="3",
        class_name="cr-profile-box",
    )


def signed_in_nav(active: str) -> rx.Component:
    return rx.fragment(
        *(nav_link(label, href, icon, label == active) for label, href, icon in SIGNED_IN_NAV),
        nav_link("Profile", "/@" + SessionState.viewer_handle, "user", active == "Profile"),
        nav_link("Account", "/account", "settings", active == "Account"),
        nav_link("More", "/more", "ellipsis", active == "More"),
        rx.button(
            rx.link("Crud", href="/#compose-input", underline="none"),
            as_child=True,
            size="3",
            class_name="cr-crud-button",
        ),
    )


def navigation(active: str) -> rx.Component:
    return rx.el.nav(
        logo(),
        rx.vstack(
            rx.cond(
                SessionState.signed_in,
                signed_in_nav(active),
                rx.fragment(*(nav_link(label, href, icon, label == active) for label, href, icon in SIGNED_OUT_NAV)),
            ),
            spacing="1",
            class_name="cr-nav-links",
        ),
        rx.cond(SessionState.signed_in, profile_box()),
        class_name="cr-nav",
        aria_label="Main",
    )


def join_panel() -> rx.Component:
    return rx.card(
        rx.heading("Join the party!", size="4", as_="h2"),
        rx.text("Have something to say? Join Cruddur and crud it before it expires.", size="2", color_scheme="gray"),
        rx.hstack(
            rx.link(rx.button("Join now", size="3"), href="/signup"),
            rx.link(rx.button("Sign in", size="3", variant="soft"), href="/signin"),
            spacing="3",
            wrap="wrap",
        ),
        class_name="cr-panel",
    )


def suggested_users() -> rx.Component:
    return rx.card(
        rx.heading("Suggested users", size="4", as_="h2"),
        rx.foreach(
            SessionState.suggested,
            lambda person: rx.link(
                rx.hstack(
                    rx.avatar(fallback=person.display_name[0], size="2", radius="full", color_scheme="purple"),
                    rx.box(
                        rx.text(person.display_name, weight="bold", size="2"),
                        rx.text("@" + person.handle, color_scheme="gray", size="2"),
                    ),
                    align="center",
                    spacing="3",
                ),
                href="/@" + person.handle,
                underline="none",
                class_name="cr-suggestion",
            ),
        ),
        class_name="cr-panel",
    )


def default_sidebar() -> rx.Component:
    return rx.cond(
        SessionState.auth_checked,
        rx.cond(SessionState.signed_in, suggested_users(), join_panel()),
        rx.skeleton(rx.box(height="160px"), class_name="cr-panel"),
    )


def loading(text: str) -> rx.Component:
    """A spinner that tells screen readers what is being waited for."""
    return rx.center(
        rx.spinner(size="3"), rx.text.span(text, class_name="cr-sr-only"), role="status", class_name="cr-empty"
    )


def skip_link() -> rx.Component:
    """The first Tab stop, seen only when focused: straight past the navigation to the page."""
    return rx.el.a("Skip to content", href="#content", class_name="cr-skip-link")


def app_shell(*content: rx.Component, title, active: str, sidebar: rx.Component | None = None) -> rx.Component:
    return rx.box(
        skip_link(),
        navigation(active),
        rx.el.main(
            rx.heading(title, size="5", as_="h1", class_name="cr-page-title"),
            *content,
            id="content",
            tab_index=-1,
            class_name="cr-main",
        ),
        rx.el.aside(sidebar or default_sidebar(), class_name="cr-aside", aria_label="Sidebar"),
        class_name="cr-shell",
    )
