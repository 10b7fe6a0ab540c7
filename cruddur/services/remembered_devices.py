"""Browsers a person asked the pool to remember, so that signing in there skips the second factor.

Cognito remembers a *device*: a key, a group key and an SRP verifier of a random password that
only the client knows (`CognitoClient.remember_device`). Here the client is this server, acting
for one browser: the device's keys and password are kept in the app's database, sealed with the
browser's HttpOnly device cookie (`browser_sessions.py`) and bound to the person, found by the
cookie's hash. A copy of the database opens none of them; the browser's storage holds none.

Remembering never decides a sign-in: a device the pool no longer knows is dropped and the
sign-in goes on without it; a failure to remember is logged and the person is signed in.
"""

import hashlib
import json
import logging

from sqlmodel import col, delete, select

from cruddur.auth.cognito import CognitoClient, CognitoError, NewDevice
from cruddur.auth.session_seal import seal, unseal
from cruddur.auth.sign_in import Device
from cruddur.db import Database
from cruddur.models import RememberedDevice
from cruddur.services.clock import utcnow

log = logging.getLogger(__name__)
_DEVICE = b"cruddur remembered device v1"


def _browser_hash(browser: str) -> str:
    return hashlib.sha256(browser.encode()).hexdigest()


def _bound_to(browser_hash: str, sub: str) -> bytes:
    return f"{browser_hash}:{sub}".encode()


class RememberedDevices:
    def __init__(self, cognito: CognitoClient, database: Database):
        self.cognito, self.database = cognito, database

    def for_sign_in(self, browser: str, email: str) -> Device | None:
        """The device this browser holds for the person signing in with `email`, if any."""
        if not browser:
            return None
        row_hash = _browser_hash(browser)
        with self.database.session() as db:
            rows = db.exec(select(RememberedDevice).where(col(RememberedDevice.browser_hash) == row_hash)).all()
        for row in rows:
            plain = unseal(browser, row.sealed_secret, info=_DEVICE, aad=_bound_to(row_hash, row.sub))
            if plain is None:
                continue
            held = json.loads(plain)
            if held["email"] == email:
                return Device(held["key"], held["group_key"], held["password"])
        return None

    def remember(self, *, browser: str, sub: str, email: str, access_token: str, new_device: NewDevice, name: str):
        """Confirms the device this sign-in met and keeps it for this browser."""
        if not browser:
            return
        try:
            device = self.cognito.remember_device(access_token, new_device, name)
        except CognitoError as error:
            log.warning("remembered devices: the pool did not remember this browser (%s)", error.code)
            return
        row_hash = _browser_hash(browser)
        held = {"email": email, "key": device.key, "group_key": device.group_key, "password": device.password}
        sealed = seal(browser, json.dumps(held).encode(), info=_DEVICE, aad=_bound_to(row_hash, sub))
        with self.database.session() as db:
            row = db.get(RememberedDevice, (row_hash, sub))
            if row is not None:
                db.delete(row)
                db.flush()
            db.add(RememberedDevice(browser_hash=row_hash, sub=sub, device_key=device.key, sealed_secret=sealed,
                                    created_at=utcnow()))  # fmt: skip
            db.commit()

    def key_of(self, browser: str, sub: str) -> str:
        """The device key this browser holds for the person ("" for none)."""
        with self.database.session() as db:
            row = db.get(RememberedDevice, (_browser_hash(browser), sub)) if browser else None
        return row.device_key if row is not None else ""

    def drop(self, device_key: str) -> None:
        """Forgets a device here (the pool forgot it, or the person did)."""
        with self.database.session() as db:
            db.exec(delete(RememberedDevice).where(col(RememberedDevice.device_key) == device_key))
            db.commit()

    def drop_all(self, sub: str) -> None:
        """Forgets here every device of the person (the pool forgot them all)."""
        with self.database.session() as db:
            db.exec(delete(RememberedDevice).where(col(RememberedDevice.sub) == sub))
            db.commit()
