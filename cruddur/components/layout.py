"""Cruddur's three-column frame: navigation, the page's content, and a sidebar."""

import reflex as rx

NAV_ITEMS = [("Home", "/", "house"), ("More", "/more", "ellipsis")]


def logo() -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon("message-circle-heart", size=28, color=rx.color("purple", 10)),
            rx.text("Cruddur", class_name="cr-logo-text"),
            align="center",
            spacing="2",
        ),
        href="/",
        underline="none",
        aria_label="Cruddur home",
    )


def nav_link(label: str, href: str, icon: str, active: bool) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon(icon, size=22), rx.text(label), align="center", spacing="3"),
        href=href,
        underline="none",
        class_name="cr-nav-link cr-active" if active else "cr-nav-link",
        aria_current="page" if active else None,
    )


def navigation(active: str) -> rx.Component:
    return rx.el.nav(
        logo(),
        rx.vstack(
            *(nav_link(label, href, icon, label == active) for label, href, icon in NAV_ITEMS),
            spacing="1",
            class_name="cr-nav-links",
        ),
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


def app_shell(*content: rx.Component, title: str, active: str, sidebar: rx.Component) -> rx.Component:
    return rx.box(
        navigation(active),
        rx.el.main(
            rx.heading(title, size="5", as_="h1", class_name="cr-page-title"),
            *content,
            class_name="cr-main",
        ),
        rx.el.aside(sidebar, class_name="cr-aside", aria_label="Sidebar"),
        class_name="cr-shell",
    )
