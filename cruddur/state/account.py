"""The account page (`/account`, signed-in only): profile, password, two-step verification,
sessions, security activity, deleting the account. Every change runs the form skeleton of
`AuthState` (busy, off the lock, friendly refusals); `section` says which card a message is for."""

import reflex as rx

from cruddur import runtime
from cruddur.components.passkeys import passkey_ceremony
from cruddur.services.account_settings import DeviceLine, SessionLine
from cruddur.services.accounts import SignedIn
from cruddur.services.avatars import MAX_BYTES, AvatarError
from cruddur.services.federation import LinkedSignIn
from cruddur.services.passkeys import PasskeyLine
from cruddur.services.security_log import ActivityLine
from cruddur.services.sessions import Client
from cruddur.state.auth import AuthState, Ready, Refused, _field
from cruddur.state.authenticator import CODE_FIELD, hide_setup, show_recovery_codes, show_setup
from cruddur.state.session import SessionState, browser_call, connection_device, connection_handle

AVATAR_BUTTON = "avatar-choose"


class AccountState(AuthState):
    display_name: str = ""
    bio: str = ""
    current_email: str = ""
    email_sent_to: str = ""  # where the code for a new address went, while it waits for it
    two_step_on: bool = False
    codes_left: int = 0
    setting_up: bool = False
    sessions: list[SessionLine] = []
    devices: list[DeviceLine] = []
    passkeys: list[PasskeyLine] = []
    linked: list[LinkedSignIn] = []  # sign-ins through identity providers (FEDERATED_PROVIDERS)
    own_sign_in: str = ""  # the provider that made this account ("" for one with a password)
    federating: bool = False  # the app offers any
    remembering: bool = False  # the pool remembers browsers (REMEMBER_DEVICES is not off)
    mfa_offered: bool = False  # the pool has a second factor (MFA is not OFF)
    mfa_required: bool = False  # ... and requires it (MFA=ON): it cannot be turned off
    activity: list[ActivityLine] = []
    section: str = ""  # the card the error or notice belongs to
    notice: str = ""
    loaded: bool = False
    avatar: str = ""  # where the app serves the person's picture ("" for none)
    avatars_on: bool = False  # the app has an identity pool and bucket for pictures
    # The picture just chosen (its name and bytes), from the upload handler to the background one.
    _chosen_avatar: tuple[str, bytes] | None = None

    async def _run(self, section: str, work, *, notice: str = "", password_field: str = "current"):
        """`work(handle, client)` for this card; the message says how it went. A refused
        password is this card's own password field's fault (`password_field`)."""
        async with self:
            handle = connection_handle(self)
            self.section, self.notice = section, ""
        try:
            result = await self._attempt(lambda client: work(handle, client))
        except Refused as refused:
            if refused.code != "PasswordNotAccepted" or password_field == "current":
                raise
            async with self:
                self.error_field = password_field
            raise Refused(rx.set_focus(f"{password_field}-input"), refused.code) from None
        async with self:
            self.notice = notice
        return result

    async def _change(self, section: str, work, *, notice: str = ""):
        """`_run` for a change that only needs the page read again after it; yields the focus
        event of a refusal."""
        try:
            await self._run(section, work, notice=notice)
        except Refused as refused:
            yield refused.focus
            return
        await self._refresh()

    async def _refresh(self) -> None:
        """Everything the page shows, read again (after a change, or when the page loads)."""
        async with self:
            handle, browser = connection_handle(self), connection_device(self)
        page = runtime.current().settings_of_accounts
        federation = runtime.current().federation

        def read():
            return (
                federation.linked_of(handle) if federation is not None else [],
                page.profile(handle),
                page.email_of(handle),
                page.two_step_is_on(handle),
                page.recovery_codes_left(handle),
                page.sessions_of(handle),
                page.remembered_browsers(handle, browser=browser),
                runtime.current().passkeys.of(handle),
                page.activity(handle),
                avatars.of(handle) if avatars else "",
            )

        avatars = runtime.current().avatars
        (
            linked,
            (name, bio),
            email,
            on,
            left,
            sessions,
            devices,
            passkeys,
            activity,
            avatar,
        ) = await runtime.current().identity.run(read)
        async with self:
            self.linked, self.federating = linked, federation is not None
            self.own_sign_in = next((line.label for line in linked if line.primary), "")
            self.display_name, self.bio, self.current_email = name, bio, email
            self.two_step_on, self.codes_left = on, left
            self.sessions, self.devices, self.activity, self.loaded = sessions, devices, activity, True
            self.passkeys, self.avatar, self.avatars_on = passkeys, avatar, avatars is not None
            settings = runtime.current().settings
            self.remembering = settings.remember_devices != "off"
            self.mfa_offered, self.mfa_required = settings.mfa != "OFF", settings.mfa == "ON"

    @rx.event(background=True)
    async def load(self):
        async with self:
            session = await self.get_state(SessionState)
            self.section = self.notice = self.error = self.error_field = ""
            self.setting_up, self.email_sent_to = False, ""
        for event in await session._resume_for_page(signed_in_only=True):
            yield event
        async with self:
            signed_in = (await self.get_state(SessionState)).signed_in
        if signed_in:
            await self._refresh()

    # -- profile -------------------------------------------------------------------------------

    @rx.event(background=True)
    async def save_profile(self, form: dict):
        page = runtime.current().settings_of_accounts
        name, bio = _field(form, "name"), _field(form, "bio")
        async for event in self._change(
            "profile",
            lambda handle, _c: page.save_profile(handle, display_name=name, bio=bio),
            notice="Profile saved.",
        ):
            yield event
        async with self:
            session = await self.get_state(SessionState)
            session.viewer_name = self.display_name

    # -- profile picture --------------------------------------------------------------------------

    @rx.event
    async def choose_avatar(self, files: list[rx.UploadFile]):
        """The chosen picture, read (at most one byte past the limit) for `store_avatar`."""
        if not files:
            return None
        chosen = files[0]
        self._chosen_avatar = (str(chosen.path or ""), chosen.file.read(MAX_BYTES + 1))
        return AccountState.store_avatar

    @rx.event(background=True)
    async def store_avatar(self):
        """Checks and stores the chosen picture off the loop, with the person's own credentials."""
        avatars = runtime.current().avatars
        async with self:
            chosen, self._chosen_avatar = self._chosen_avatar, None
        if chosen is None:
            return
        name, data = chosen

        def work(handle: str, _client: Client) -> str:
            if avatars is None:
                raise AvatarError("AvatarsOff")
            return avatars.upload(handle, name, data)

        try:
            avatar = await self._run("avatar", work, notice="Picture saved. It shows on your profile and your cruds.")
        except Refused:
            yield rx.set_focus(AVATAR_BUTTON)
            return
        async with self:
            self.avatar = avatar

    # -- password ------------------------------------------------------------------------------

    @rx.event(background=True)
    async def change_password(self, form: dict):
        rt = runtime.current()
        async with self:
            device = connection_device(self)

        def work(handle: str, client: Client):
            account = rt.accounts.signed_in(handle)
            outcome = rt.accounts.change_password(
                handle,
                email=account.email,
                previous=_field(form, "current"),
                proposed=_field(form, "password"),
                confirm=_field(form, "confirm"),
                client=client,
            )
            return AuthState._ready(outcome, device) if isinstance(outcome, SignedIn) else None

        try:
            ready = await self._run("password", work, notice="Password changed. You're signed out everywhere else.")
        except Refused as refused:
            yield refused.focus
            return
        if isinstance(ready, Ready):  # this browser goes on, on a new session
            for event in await self._went_on(ready, "", go=False):
                yield event
            await self._refresh()
            return
        async with self:  # a second factor is needed to sign in again: the person does that now
            (await self.get_state(SessionState))._become("", None)
        yield browser_call("forget")
        yield rx.redirect("/signin?next=/account")

    # -- e-mail ---------------------------------------------------------------------------------

    @rx.event(background=True)
    async def change_email(self, form: dict):
        page = runtime.current().settings_of_accounts
        new_email = _field(form, "new_email")
        try:
            sent = await self._run(
                "email", lambda handle, client: page.change_email(handle, new_email=new_email, client=client)
            )
        except Refused as refused:
            yield refused.focus
            return
        async with self:
            self.email_sent_to = sent.destination
            self.notice = f"We sent a code to {sent.destination}. Until you enter it, you sign in as before."
        yield rx.set_focus("email_code-input")

    @rx.event(background=True)
    async def resend_email_code(self):
        page = runtime.current().settings_of_accounts
        try:
            sent = await self._run("email", lambda handle, client: page.resend_email_code(handle, client=client))
        except Refused as refused:
            yield refused.focus
            return
        async with self:
            self.notice = f"We sent a new code to {sent.destination}."

    @rx.event(background=True)
    async def confirm_email(self, form: dict):
        page = runtime.current().settings_of_accounts
        code = _field(form, "email_code")
        try:
            email = await self._run(
                "email", lambda handle, client: page.confirm_email(handle, code=code, client=client)
            )
        except Refused as refused:
            yield refused.focus
            return
        async with self:
            self.email_sent_to = ""
            self.notice = f"Your email address is now {email}. We told your old address."
        await self._refresh()

    @rx.event
    def cancel_email_change(self):
        """Back to the address form; the old address stays the one that signs in."""
        self.email_sent_to, self.error, self.notice = "", "", ""

    # -- two-step verification -------------------------------------------------------------------

    @rx.event(background=True)
    async def begin_two_step(self):
        page = runtime.current().settings_of_accounts
        try:
            secret, email = await self._run("two_step", lambda handle, _c: page.begin_authenticator(handle))
        except Refused as refused:
            yield refused.focus
            return
        async with self:
            self.setting_up = True
        yield show_setup(secret, email)
        yield rx.set_focus("mfa-input")

    @rx.event
    def cancel_two_step(self):
        """The key shown is dropped with the panel; it never turns anything on unless verified."""
        self.setting_up, self.error, self.notice = False, "", ""
        return hide_setup()

    @rx.event(background=True)
    async def confirm_two_step(self, form: dict):
        page = runtime.current().settings_of_accounts
        code = _field(form, CODE_FIELD)
        try:
            codes = await self._run(
                "two_step",
                lambda handle, client: page.confirm_authenticator(handle, code=code, client=client),
                notice="Two-step verification is on. Save your recovery codes now: you won't see them again.",
            )
        except Refused as refused:
            yield refused.focus
            return
        async with self:
            self.setting_up = False
        yield hide_setup()
        yield show_recovery_codes(codes)
        await self._refresh()

    @rx.event(background=True)
    async def turn_off_two_step(self, form: dict):
        page = runtime.current().settings_of_accounts
        password = _field(form, "off_password")
        try:
            await self._run(
                "two_step",
                lambda handle, client: page.turn_off_authenticator(handle, password=password, client=client),
                notice="Two-step verification is off.",
                password_field="off_password",
            )
        except Refused as refused:
            yield refused.focus
            return
        yield show_recovery_codes([])
        await self._refresh()

    @rx.event(background=True)
    async def new_recovery_codes(self, form: dict):
        page = runtime.current().settings_of_accounts
        password = _field(form, "codes_password")
        try:
            codes = await self._run(
                "two_step",
                lambda handle, client: page.new_recovery_codes(handle, password=password, client=client),
                notice="New recovery codes: the old ones no longer work. Save these now.",
                password_field="codes_password",
            )
        except Refused as refused:
            yield refused.focus
            return
        yield show_recovery_codes(codes)
        await self._refresh()

    # -- sessions ------------------------------------------------------------------------------

    @rx.event(background=True)
    async def sign_out_session(self, session_id: str):
        page = runtime.current().settings_of_accounts
        ids = [session_id] if isinstance(session_id, str) else []
        async for event in self._change(
            "sessions", lambda handle, _c: page.sign_out_sessions(handle, ids=ids), notice="Signed out."
        ):
            yield event

    @rx.event(background=True)
    async def sign_out_others(self):
        page = runtime.current().settings_of_accounts
        async for event in self._change(
            "sessions",
            lambda handle, _c: page.sign_out_sessions(handle),
            notice="Every other session is signed out.",
        ):
            yield event

    @rx.event(background=True)
    async def forget_browser(self, device_id: str):
        page = runtime.current().settings_of_accounts
        device_id = device_id if isinstance(device_id, str) else ""
        async for event in self._change(
            "devices",
            lambda handle, _c: page.forget_browser(handle, device_id),
            notice="Forgotten: signing in there asks for a code again.",
        ):
            yield event

    # -- passkeys --------------------------------------------------------------------------------

    @rx.event(background=True)
    async def add_passkey(self, form: dict):
        """After the password, the pool's options to the browser, which makes the passkey."""
        passkeys, password = runtime.current().passkeys, _field(form, "passkey_password")
        try:
            options = await self._run(
                "passkeys",
                lambda handle, client: passkeys.begin_adding(handle, password=password, client=client),
                password_field="passkey_password",
            )
        except Refused as refused:
            yield refused.focus
            return
        yield passkey_ceremony("register", options, AccountState.passkey_made)

    @rx.event(background=True)
    async def passkey_made(self, result: str):
        passkeys = runtime.current().passkeys
        async for event in self._change(
            "passkeys",
            lambda handle, client: passkeys.finish_adding(handle, result=result, client=client),
            notice="Passkey added. Next time, sign in with it: no password needed.",
        ):
            yield event

    @rx.event(background=True)
    async def remove_passkey(self, passkey_id: str):
        passkeys, passkey_id = runtime.current().passkeys, passkey_id if isinstance(passkey_id, str) else ""
        async for event in self._change(
            "passkeys",
            lambda handle, client: passkeys.remove(handle, passkey_id, client=client),
            notice="Passkey removed.",
        ):
            yield event

    # -- linked sign-ins -----------------------------------------------------------------------------

    @rx.event(background=True)
    async def unlink(self, provider: str, provider_user_id: str):
        federation = runtime.current().federation
        if federation is None or not isinstance(provider, str) or not isinstance(provider_user_id, str):
            return
        async for event in self._change(
            "linked",
            lambda handle, _client: federation.unlink_of(handle, provider, provider_user_id),
            notice="Removed. That service no longer signs you in here.",
        ):
            yield event

    # -- deleting the account ----------------------------------------------------------------------

    @rx.event(background=True)
    async def delete_account(self, form: dict):
        page = runtime.current().settings_of_accounts
        password = _field(form, "delete_password")
        try:
            await self._run(
                "delete",
                lambda handle, client: page.delete_account(handle, password=password, client=client),
                password_field="delete_password",
            )
        except Refused as refused:
            yield refused.focus
            return
        async with self:
            (await self.get_state(SessionState))._become("", None)
        yield browser_call("forget")
        yield rx.toast.success("Your account is deleted. Goodbye, and thanks for crudding.")
        yield rx.redirect("/")
