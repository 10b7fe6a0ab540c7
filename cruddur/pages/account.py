"""`/account`: the signed-in person's profile, password, two-step verification, sessions,
security activity, and deleting the account — one card each."""

import reflex as rx

from cruddur.components.authenticator import code_field, recovery_code_list, setup_instructions
from cruddur.components.avatars import person_avatar
from cruddur.components.forms import auth_form, field, password_field, submit
from cruddur.components.layout import app_shell
from cruddur.components.passkeys import passkey_bridge
from cruddur.services.account_settings import MAX_BIO, DeviceLine, SessionLine
from cruddur.services.federation import LinkedSignIn
from cruddur.services.passkeys import PasskeyLine
from cruddur.services.security_log import ActivityLine
from cruddur.state.account import AVATAR_BUTTON, AccountState
from cruddur.state.authenticator import RECOVERY_CODES


def card(section: str, title: str, *children: rx.Component) -> rx.Component:
    """One section: its heading, what it says after a change (announced), its content."""
    mine = AccountState.section == section
    return rx.el.section(
        rx.card(
            rx.vstack(
                rx.heading(title, size="4", as_="h2", id=f"{section}-heading"),
                rx.box(  # one flex item (one gap) for both live regions, which stay in the page to be announced
                    rx.box(
                        rx.cond(
                            mine & (AccountState.error != ""),
                            rx.callout(AccountState.error, icon="triangle-alert", color_scheme="red"),
                        ),
                        role="alert",
                    ),
                    rx.box(
                        rx.cond(
                            mine & (AccountState.notice != "") & (AccountState.error == ""),
                            rx.callout(AccountState.notice, icon="circle-check", color_scheme="grass"),
                        ),
                        role="status",
                    ),
                    width="100%",
                ),
                *children,
                spacing="4",
                width="100%",
            ),
            class_name="cr-panel",
            width="100%",
        ),
        aria_labelledby=f"{section}-heading",
        class_name="cr-account-section",
    )


def whose_password() -> rx.Component:
    """The account a password form is for, hidden, so password managers fill the right one."""
    return rx.el.input(
        type="email", name="username", auto_complete="username", value=AccountState.current_email, read_only=True,
        hidden=True,
    )  # fmt: skip


def profile_card() -> rx.Component:
    return card(
        "profile",
        "Profile",
        auth_form(
            field(
                "Name",
                "name",
                autocomplete="name",
                default_value=AccountState.display_name,
                key=AccountState.display_name,
            ),
            rx.box(
                rx.el.label("Bio", html_for="bio-input", class_name="cr-label"),
                rx.text_area(
                    id="bio-input",
                    name="bio",
                    default_value=AccountState.bio,
                    key=AccountState.bio,
                    max_length=MAX_BIO,
                    rows="2",
                    aria_describedby="bio-hint",
                ),
                rx.text(
                    f"Up to {MAX_BIO} characters, shown on your profile.", size="1", color_scheme="gray", id="bio-hint"
                ),
                class_name="cr-field",
            ),
            submit("Save profile"),
            on_submit=AccountState.save_profile,
        ),
    )


def avatar_card() -> rx.Component:
    """The picture on the profile and beside each crud: choose (or drop) one and it is stored."""
    picker = rx.upload(
        rx.vstack(
            rx.el.label("Profile picture", html_for="avatar-input", class_name="cr-label"),
            rx.hstack(
                person_avatar(
                    AccountState.avatar, AccountState.display_name, size="6", radius="full", color_scheme="purple"
                ),
                rx.button(
                    "Choose a picture",
                    type="button",
                    id=AVATAR_BUTTON,
                    variant="soft",
                    loading=AccountState.busy & (AccountState.section == "avatar"),
                    aria_describedby="avatar-hint",
                ),
                align="center",
                spacing="4",
            ),
            rx.text(
                "PNG, JPEG or WebP, up to 5 MB. It's cropped to a square; its details (like where it was taken) "
                "are removed. Or drop one here.",
                size="1",
                color_scheme="gray",
                id="avatar-hint",
            ),
            spacing="2",
        ),
        id="avatar",
        multiple=False,
        no_keyboard=True,  # the button inside is what a keyboard reaches
        max_files=1,
        on_drop=AccountState.choose_avatar(rx.upload_files(upload_id="avatar")),
        class_name="cr-avatar-drop",
    )
    file_input = picker.children[0].children[0]  # react-dropzone's <input type="file">: named for the label
    if isinstance(file_input, rx.Component):
        file_input.id = "avatar-input"
    return card(
        "avatar",
        "Avatar",
        rx.cond(
            AccountState.avatars_on,
            picker,
            rx.text("Profile pictures aren't available on this server.", color_scheme="gray"),
        ),
    )


def password_card() -> rx.Component:
    return card(
        "password",
        "Password",
        auth_form(
            whose_password(),
            field("Current password", "current", type="password", autocomplete="current-password"),
            password_field("New password", "password", autocomplete="new-password", with_rules=True),
            field("Confirm new password", "confirm", type="password", autocomplete="new-password"),
            rx.text("Changing it signs you out on every other device.", size="2", color_scheme="gray"),
            submit("Change password"),
            on_submit=AccountState.change_password,
        ),
    )


def email_card() -> rx.Component:
    new_address = auth_form(
        field("New email address", "new_email", type="email", autocomplete="email", hint="email-now"),
        submit("Send a code"),
        on_submit=AccountState.change_email,
    )
    code_step = auth_form(
        field(
            "Code from the email",
            "email_code",
            autocomplete="one-time-code",
            input_mode="numeric",
            hint="email-now",
            spell_check=False,
        ),
        submit("Verify the new address"),
        rx.hstack(
            rx.button("Send a new code", type="button", variant="soft", on_click=AccountState.resend_email_code),
            rx.button("Cancel", type="button", variant="ghost", on_click=AccountState.cancel_email_change),
            spacing="3",
            wrap="wrap",
        ),
        on_submit=AccountState.confirm_email,
    )
    return card(
        "email",
        "Email address",
        rx.text("You sign in as ", rx.text.strong(AccountState.current_email), ".", id="email-now"),
        rx.cond(AccountState.email_sent_to != "", code_step, new_address),
    )


def two_step_card() -> rx.Component:
    turned_on = rx.vstack(
        rx.text(
            "On: signing in asks for a code from your authenticator app. ",
            rx.text.span(AccountState.codes_left, " recovery codes left."),
        ),
        rx.cond(RECOVERY_CODES.value.to(list), recovery_code_list()),
        rx.cond(
            AccountState.mfa_required,
            rx.text("Cruddur requires it for everyone, so it stays on.", size="2", color_scheme="gray"),
            auth_form(
                whose_password(),
                field("Password to turn it off", "off_password", type="password", autocomplete="current-password"),
                rx.button(
                    "Turn off two-step verification",
                    type="submit",
                    variant="soft",
                    color_scheme="red",
                    loading=AccountState.busy,
                ),
                on_submit=AccountState.turn_off_two_step,
            ),
        ),
        auth_form(
            whose_password(),
            field(
                "Password for new recovery codes", "codes_password", type="password", autocomplete="current-password"
            ),
            rx.button("Get new recovery codes", type="submit", variant="soft", loading=AccountState.busy),
            on_submit=AccountState.new_recovery_codes,
        ),
        spacing="3",
        width="100%",
    )
    setting_up = auth_form(
        setup_instructions(),
        code_field("Code from the app"),
        submit("Turn on"),
        rx.button("Cancel", type="button", variant="ghost", on_click=AccountState.cancel_two_step),
        on_submit=AccountState.confirm_two_step,
    )
    turned_off = rx.vstack(
        rx.text("Off. With it on, signing in also asks for a code from an authenticator app on your phone."),
        rx.button("Set up an authenticator app", on_click=AccountState.begin_two_step, loading=AccountState.busy),
        spacing="3",
    )
    return card(
        "two_step",
        "Two-step verification",
        rx.cond(AccountState.two_step_on, turned_on, rx.cond(AccountState.setting_up, setting_up, turned_off)),
    )


def header_row(*headers: str, actions: str) -> rx.Component:
    """A table's header row; the last column holds buttons, so its name is for screen readers only
    (an empty header cell leaves that column unnamed: axe's empty-table-header)."""
    return rx.table.row(
        *(rx.table.column_header_cell(h) for h in headers),
        rx.table.column_header_cell(rx.text.span(actions, class_name="cr-sr-only")),
    )


def passkey_row(line: PasskeyLine) -> rx.Component:
    return rx.table.row(
        rx.table.cell(line.name),
        rx.table.cell(line.added),
        rx.table.cell(line.last_used),
        rx.table.cell(
            rx.button(
                "Remove",
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=AccountState.remove_passkey(line.id),
                aria_label="Remove passkey " + line.name + " added " + line.added,
            )
        ),
    )


def passkeys_card() -> rx.Component:
    return card(
        "passkeys",
        "Passkeys",
        passkey_bridge(),
        rx.text(
            "Sign in with your fingerprint, face or screen lock instead of a password. "
            "A passkey counts as both steps of two-step verification.",
            color="gray",
        ),
        rx.cond(
            AccountState.passkeys,
            rx.table.root(
                rx.table.header(header_row("Passkey", "Added", "Last used", actions="Remove")),
                rx.table.body(rx.foreach(AccountState.passkeys, passkey_row)),
                width="100%",
            ),
            rx.text("None yet."),
        ),
        auth_form(
            whose_password(),
            field("Password to add a passkey", "passkey_password", type="password", autocomplete="current-password"),
            rx.button("Add a passkey", type="submit", variant="soft", loading=AccountState.busy),
            on_submit=AccountState.add_passkey,
        ),
    )  # fmt: skip


def linked_row(line: LinkedSignIn) -> rx.Component:
    return rx.table.row(
        rx.table.cell(line.label),
        rx.table.cell(
            rx.cond(
                line.primary,
                rx.text("How this account signs in", size="2", color="gray"),
                rx.button(
                    "Unlink",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=AccountState.unlink(line.provider, line.provider_user_id),
                    aria_label="Unlink " + line.label,
                ),
            )
        ),
    )


def linked_card() -> rx.Component:
    """Sign-ins through other services ("Continue with ..."); one can be unlinked while a password
    (or another way) still signs in — an account's own identity cannot."""
    return card(
        "linked",
        "Linked sign-ins",
        rx.text(
            rx.cond(
                AccountState.own_sign_in == "",
                "Services you can use to sign in to Cruddur, besides your password.",
                "The services this account signs in with.",
            ),
            color="gray",
        ),
        rx.cond(
            AccountState.linked,
            rx.table.root(
                rx.table.header(header_row("Service", actions="Unlink")),
                rx.table.body(rx.foreach(AccountState.linked, linked_row)),
                width="100%",
            ),
            rx.text("None. Use Continue with … on the sign-in page, then your password, to link one."),
        ),
    )


def session_row(line: SessionLine) -> rx.Component:
    return rx.table.row(
        rx.table.cell(line.browser, rx.cond(line.current, rx.badge("This session", color_scheme="grass", ml="2"))),
        rx.table.cell(line.started),
        rx.table.cell(line.last_seen),
        rx.table.cell(line.address),
        rx.table.cell(
            rx.cond(
                line.current,
                rx.fragment(),
                rx.button(
                    "Sign out",
                    size="1",
                    variant="soft",
                    on_click=AccountState.sign_out_session(line.id),
                    aria_label="Sign out " + line.browser + " since " + line.started,
                ),
            )
        ),
    )


def sessions_card() -> rx.Component:
    return card(
        "sessions",
        "Where you're signed in",
        rx.table.root(
            rx.table.header(header_row("Browser", "Signed in", "Last seen", "Address", actions="Sign out")),
            rx.table.body(rx.foreach(AccountState.sessions, session_row)),
            width="100%",
        ),
        rx.button("Sign out all other sessions", variant="soft", on_click=AccountState.sign_out_others),
    )


def device_row(line: DeviceLine) -> rx.Component:
    return rx.table.row(
        rx.table.cell(line.name, rx.cond(line.current, rx.badge("This browser", color_scheme="grass", ml="2"))),
        rx.table.cell(line.remembered),
        rx.table.cell(line.last_used),
        rx.table.cell(
            rx.button(
                "Forget",
                size="1",
                variant="soft",
                on_click=AccountState.forget_browser(line.id),
                aria_label="Forget " + line.name + " remembered " + line.remembered,
            )
        ),
    )


def devices_card() -> rx.Component:
    return card(
        "devices",
        "Remembered browsers",
        rx.text("Signing in on these skips the code from your authenticator app.", color="gray"),
        rx.cond(
            AccountState.devices,
            rx.table.root(
                rx.table.header(header_row("Browser", "Remembered", "Last used", actions="Forget")),
                rx.table.body(rx.foreach(AccountState.devices, device_row)),
                width="100%",
            ),
            rx.text("None yet."),
        ),
    )


def activity_row(line: ActivityLine) -> rx.Component:
    return rx.table.row(
        rx.table.cell(line.what),
        rx.table.cell(rx.el.time(line.ago, date_time=line.at, title=line.at)),
        rx.table.cell(line.browser, rx.el.br(), rx.text(line.where, size="1", color_scheme="gray")),
    )


def activity_card() -> rx.Component:
    return card(
        "activity",
        "Security activity",
        rx.cond(
            AccountState.activity,
            rx.table.root(
                rx.table.header(rx.table.row(*(rx.table.column_header_cell(h) for h in ("What", "When", "Where")))),
                rx.table.body(rx.foreach(AccountState.activity, activity_row)),
                width="100%",
            ),
            rx.text("Nothing yet."),
        ),
    )


def delete_card() -> rx.Component:
    return card(
        "delete",
        "Delete your account",
        rx.text(
            "This deletes your account, your profile and everything you've posted, and signs you out everywhere. "
            "It can't be undone. Your username stays reserved for 30 days."
        ),
        auth_form(
            rx.cond(
                AccountState.own_sign_in == "",
                rx.fragment(
                    whose_password(),
                    field("Password to delete it", "delete_password", type="password", autocomplete="current-password"),
                ),
                rx.text(
                    "You sign in with ",
                    AccountState.own_sign_in,
                    ": a sign-in in the last five minutes confirms it's you.",
                ),
            ),
            rx.button("Delete my account", type="submit", color_scheme="red", loading=AccountState.busy),
            on_submit=AccountState.delete_account,
        ),
    )


def account() -> rx.Component:
    return app_shell(
        rx.cond(
            AccountState.loaded,
            rx.vstack(
                profile_card(),
                avatar_card(),
                # An account a provider made has its e-mail from the provider and no password, passkey
                # or authenticator app of its own: the provider signs it in.
                rx.cond(AccountState.own_sign_in == "", rx.fragment(email_card(), password_card(), passkeys_card())),
                rx.cond(AccountState.federating, linked_card()),
                rx.cond(AccountState.mfa_offered & (AccountState.own_sign_in == ""), two_step_card()),
                sessions_card(),
                rx.cond(AccountState.remembering & (AccountState.own_sign_in == ""), devices_card()),
                activity_card(),
                delete_card(),
                spacing="5",
                width="100%",
                class_name="cr-account",
            ),
            rx.center(rx.spinner(size="3"), class_name="cr-empty", role="status", aria_label="Loading your account"),
        ),
        title="Your account",
        active="Account",
    )
