"""`/dev/mailbox`: every code the embedded provider delivered and every notice the app sent, newest
first (development only)."""

import reflex as rx

from cruddur.components.layout import app_shell
from cruddur.state.mailbox import Letter, MailboxState


def letter_row(letter: Letter) -> rx.Component:
    return rx.table.row(
        rx.table.cell(letter.recipient),
        rx.table.cell(letter.kind),
        rx.table.cell(rx.cond(letter.code != "", rx.code(letter.code, size="4", class_name="cr-code"), "—")),
        rx.table.cell(rx.el.time(letter.created_at, date_time=letter.created_at)),
    )


def mailbox() -> rx.Component:
    return app_shell(
        rx.box(
            rx.hstack(
                rx.text("Codes the local identity provider would have emailed. Only while no real user pool is set."),
                rx.button("Refresh", on_click=MailboxState.load, variant="soft"),
                justify="between",
                align="center",
                spacing="4",
            ),
            rx.cond(
                MailboxState.refused,
                rx.callout(
                    "The mailbox opens only in a browser on the machine that runs the app.",
                    icon="lock",
                    color_scheme="amber",
                ),
            ),
            rx.cond(
                MailboxState.letters,
                rx.table.root(
                    rx.table.header(
                        rx.table.row(*(rx.table.column_header_cell(h) for h in ("To", "Kind", "Code", "Sent (UTC)")))
                    ),
                    rx.table.body(rx.foreach(MailboxState.letters, letter_row)),
                    width="100%",
                ),
                rx.text(rx.cond(MailboxState.loaded, "No mail yet.", "Loading…"), class_name="cr-empty"),
            ),
            class_name="cr-padded",
        ),
        title="Developer mailbox",
        active="",
    )
