"""Who is signed in, in this tab. The browser keeps only an opaque session handle; the person
shown comes from the server-side session, verified on every restore."""

from urllib.parse import quote

import reflex as rx

from cruddur.auth import accounts
from cruddur.auth.accounts import AccountError, Viewer
from cruddur.auth.errors import friendly
from cruddur.db import new_session
from cruddur.services.profiles import ProfileView, suggested_profiles
from cruddur.state.identity_calls import run_identity_call


def _restore_with_suggestions(handle: str) -> tuple[Viewer | None, list[ProfileView]]:
    viewer = accounts.restore(handle)
    if viewer is None:
        return None, []
    with new_session() as db:
        return viewer, suggested_profiles(db, exclude_sub=viewer.sub)


def route_of(state: rx.State) -> str:
    """The page's route: a page loaded directly has a trailing slash (/forgot/), one reached
    by a link has none (/forgot)."""
    return str(state.router.url.path).rstrip("/") or "/"


class SessionState(rx.State):
    # Synced across tabs: signing out (or in) in one tab changes every tab at once.
    session_handle: str = rx.LocalStorage("", name="cruddur_session", sync=True)
    viewer_handle: str = ""
    viewer_name: str = ""
    auth_checked: bool = False
    suggested: list[ProfileView] = []
    # The handle the viewer was verified for; a handle changed by another tab no longer matches.
    _verified_handle: str = ""

    @rx.var
    def signed_in(self) -> bool:
        return bool(self.session_handle) and self.session_handle == self._verified_handle

    @rx.var
    def viewer_initial(self) -> str:
        return self.viewer_name[:1].upper()

    def _become(self, handle: str, viewer: Viewer | None) -> None:
        self.session_handle = handle if viewer else ""
        self._verified_handle = handle if viewer else ""
        self.viewer_handle = viewer.handle if viewer else ""
        self.viewer_name = viewer.display_name if viewer else ""

    @rx.event
    async def restore(self):
        """On every page load: recover the person from the handle, verifying their token."""
        handle = self.session_handle
        if not handle:
            self._become("", None)
        else:
            try:
                viewer, self.suggested = await rx.run_in_thread(lambda: _restore_with_suggestions(handle))
            except AccountError as error:
                if error.code == "SessionExpired":
                    self._become("", None)
                    yield rx.toast.warning(friendly(error.code).message)
                # Otherwise Cognito is unreachable: keep the handle and try again on the next load.
            else:
                self._become(handle, viewer)
        self.auth_checked = True

    @rx.event
    def require_sign_in(self):
        """After `restore` on a page for signed-in people: off to sign in, and back here after."""
        if not self.signed_in:
            return rx.redirect("/signin?next=" + quote(route_of(self)))

    async def verified_sub(self) -> str | None:
        """Re-verifies this tab's session — access token checked, refreshed when due — and
        returns its `sub`. Every handler that reads or writes per-user data asks this first."""
        handle = self.session_handle
        if not self.signed_in:
            return None
        try:
            viewer = await rx.run_in_thread(lambda: accounts.restore(handle))
        except AccountError as error:
            if error.code == "Unavailable":
                return None  # not verifiable for now; the session stays for the next request
            viewer = None
        if viewer is None:
            self._become("", None)
            return None
        return viewer.sub

    @rx.event
    async def sign_out(self):
        handle = self.session_handle
        self._become("", None)
        yield
        await run_identity_call(lambda: accounts.sign_out(handle))
        yield rx.toast.success("You're signed out.")
        yield rx.redirect("/")
