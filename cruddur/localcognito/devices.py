"""Remembered devices, where the pool has a DeviceConfiguration: the device key a sign-in hands
out (NewDeviceMetadata), ConfirmDevice storing the SRP verifier of a password only the device
knows, the device's own SRP exchange (DEVICE_SRP_AUTH, then DEVICE_PASSWORD_VERIFIER) with which a
remembered device stands in for the second factor, and the operations that list, show, remember
and forget devices.

The device exchange is the user's SRP with other inputs: x = H(salt, H(DeviceGroupKey +
DeviceKey + ":" + device password)), and the claim signs DeviceGroupKey + DeviceKey before the
secret block, as amazon-cognito-identity-js and pycognito compute them."""

import base64
import binascii
import secrets
import uuid

from sqlmodel import Session as DbSession
from sqlmodel import col, delete, select

from . import srp
from .account import authenticate
from .errors import INVALID_SESSION, SESSION_EXPIRED, CognitoError, invalid_parameter, not_authorized
from .models import Device, User
from .provider import Provider, names
from .sealing import seal, unseal
from .validation import required_parameter, srp_public

DEVICE_SRP_AUTH = "DEVICE_SRP_AUTH"
DEVICE_PASSWORD_VERIFIER = "DEVICE_PASSWORD_VERIFIER"
MAX_PAGE = 60  # ListDevices' Limit is 0 to 60; Cognito documents no default, so one page holds the most


def _not_found() -> CognitoError:
    # "device" in the message is what amazon-cognito-identity-js looks for to drop a stale key and retry.
    return CognitoError("ResourceNotFoundException", "Device does not exist.")


def tracking(p: Provider) -> bool:
    return p.config.device_configuration is not None


def _setting(p: Provider, name: str) -> bool:
    return bool((p.config.device_configuration or {}).get(name))


def _require_tracking(p: Provider) -> None:
    if not tracking(p):
        raise CognitoError("InvalidUserPoolConfigurationException", "Devices are not remembered in this user pool.")


def _confirmed(db: DbSession, sub: str, key: str | None) -> Device | None:
    device = db.get(Device, key) if key else None
    return device if device is not None and device.sub == sub and device.verifier is not None else None


# --- in a sign-in ----------------------------------------------------------------------------


def check_key(p: Provider, user: User, key: str | None, now: float) -> None:
    """Refuse a sign-in's DEVICE_KEY that names no confirmed device of the user, as Cognito does,
    before anything of the sign-in is spent, so the client can retry without it (the JS SDK does).
    Not while the user is locked out: the lock-out's answer must not tell that the password was right."""
    if key and tracking(p) and user.locked_until <= now:
        with p.store.read() as db:
            if _confirmed(db, user.sub, key) is None:
                raise _not_found()


def tracked(p: Provider, db: DbSession, sub: str, key: str | None) -> Device | None:
    return _confirmed(db, sub, key) if tracking(p) else None


def skips_mfa(p: Provider, device: Device | None) -> bool:
    """A remembered device stands in for the second factor where ChallengeRequiredOnNewDevice is on."""
    return device is not None and device.remembered and _setting(p, "ChallengeRequiredOnNewDevice")


def issue(p: Provider, db: DbSession, sub: str, now: float) -> dict:
    """NewDeviceMetadata for a sign-in that named no device. Keys never confirmed are dropped once
    no access token they could be confirmed with is still valid."""
    stale = now - p.config.access_token_seconds
    unconfirmed = delete(Device).where(col(Device.sub) == sub, col(Device.verifier).is_(None))
    db.exec(unconfirmed.where(col(Device.created_at) < stale))
    region = p.pool_id.split("_", 1)[0]
    device = Device(
        key=f"{region}_{uuid.uuid4()}",
        sub=sub,
        group_key=f"-{secrets.token_urlsafe(6)}",  # shaped like Cognito's ("-wt2ha1Zd")
        created_at=now,
        updated_at=now,
        authenticated_at=now,
    )
    db.add(device)
    return {"DeviceKey": device.key, "DeviceGroupKey": device.group_key}


def challenge(p: Provider, db: DbSession, device: Device, now: float) -> dict:
    """DEVICE_SRP_AUTH, once the password (and any second factor the device does not stand in for)
    is proven. That proof is kept on the device row, not in a Session: pycognito answers this
    challenge without one."""
    device.srp_open_until = now + p.config.auth_session_seconds
    db.add(device)
    return {"ChallengeName": DEVICE_SRP_AUTH, "ChallengeParameters": {}}


def _context(p: Provider) -> str:
    return f"{p.pool_id}:device"


def start_srp(p: Provider, answers: dict) -> dict:
    """The answer to DEVICE_SRP_AUTH (USERNAME, DEVICE_KEY, SRP_A): DEVICE_PASSWORD_VERIFIER."""
    username = required_parameter(answers, "USERNAME")
    key = required_parameter(answers, "DEVICE_KEY")
    big_a = srp_public(answers)
    with p.store.read() as db:
        device = db.get(Device, key)
        user = db.get(User, device.sub) if device else None
    if device is None or device.verifier is None or user is None or not names(user, username):
        raise _not_found()
    b, big_b = srp.server_values(int(device.verifier, 16))
    now = p.now()
    with p.store.write() as db:
        current = db.get(Device, key)
        if current is None or current.verifier != device.verifier:
            raise _not_found()
        if current.srp_open_until <= now:
            raise not_authorized(SESSION_EXPIRED if current.srp_open_until else INVALID_SESSION)
        current.srp_open_until = 0.0  # one device exchange per proven password
        db.add(current)
    state = {"u": device.sub, "k": key, "a": format(big_a, "x"), "b": format(b, "x"), "B": format(big_b, "x")}
    return {
        "ChallengeName": DEVICE_PASSWORD_VERIFIER,
        "ChallengeParameters": {
            "DEVICE_KEY": key,
            "USERNAME": device.sub,
            "SALT": device.salt,
            "SRP_B": format(big_b, "x"),
            "SECRET_BLOCK": seal(p.keys.seal_key, {**state, "t": now, "c": p.client_id}, _context(p)),
        },
    }


def check_claim(p: Provider, answers: dict) -> tuple[dict, str, bool]:
    """The answer to DEVICE_PASSWORD_VERIFIER: (the exchange's state, its SECRET_BLOCK, whether the
    signature proves the device password). Raises for a block that is not a live one of this device."""
    required_parameter(answers, "USERNAME")
    key = required_parameter(answers, "DEVICE_KEY")
    block = required_parameter(answers, "PASSWORD_CLAIM_SECRET_BLOCK")
    signature = required_parameter(answers, "PASSWORD_CLAIM_SIGNATURE")
    timestamp = required_parameter(answers, "TIMESTAMP")
    state = unseal(p.keys.seal_key, block, _context(p))
    if state is None or state.get("c") != p.client_id or state["k"] != key:
        raise not_authorized(INVALID_SESSION)
    if p.now() - state["t"] > p.config.challenge_seconds:
        raise not_authorized(SESSION_EXPIRED)
    with p.store.read() as db:
        device = _confirmed(db, state["u"], key)
    if device is None or device.verifier is None:
        raise _not_found()
    exchange = int(state["a"], 16), int(state["B"], 16), int(state["b"], 16), int(device.verifier, 16)
    identity = device.group_key + key
    return state, block, srp.claim_matches(*exchange, identity, block, timestamp, signature)


# --- the operations --------------------------------------------------------------------------


def device_type(device: Device) -> dict:
    """A DeviceType, with the attributes Cognito lists that localcognito knows."""
    attributes = [("device_status", "valid")]
    if device.name:
        attributes.append(("device_name", device.name))
    attributes.append(("dev:device_remembered_status", "remembered" if device.remembered else "not_remembered"))
    return {
        "DeviceKey": device.key,
        "DeviceAttributes": [{"Name": name, "Value": value} for name, value in attributes],
        "DeviceCreateDate": device.created_at,
        "DeviceLastModifiedDate": device.updated_at,
        "DeviceLastAuthenticatedDate": device.authenticated_at,
    }


def owned(p: Provider, db: DbSession, sub: str, key: str) -> Device:
    """A confirmed device of the user, or Cognito's ResourceNotFoundException."""
    _require_tracking(p)
    device = _confirmed(db, sub, key)
    if device is None:
        raise _not_found()
    return device


def page(p: Provider, db: DbSession, sub: str, req: dict) -> dict:
    """ListDevices and AdminListDevices: the user's confirmed devices, oldest first, `Limit` at a
    time; the PaginationToken is the key of the last device listed."""
    _require_tracking(p)
    limit = req.get("Limit", MAX_PAGE)
    if type(limit) is not int or not 0 <= limit <= MAX_PAGE:
        raise invalid_parameter(f"Limit must be a number from 0 to {MAX_PAGE}")
    query = select(Device).where(col(Device.sub) == sub, col(Device.verifier).is_not(None))
    devices = list(db.exec(query.order_by(col(Device.created_at), col(Device.key))))
    after = req.get("PaginationToken")
    if after:
        keys = [device.key for device in devices]
        if after not in keys:
            raise invalid_parameter("Invalid pagination token")
        devices = devices[keys.index(after) + 1 :]
    reply: dict = {"Devices": [device_type(device) for device in devices[:limit]]}
    if len(devices) > limit > 0:
        reply["PaginationToken"] = devices[limit - 1].key
    return reply


def set_status(p: Provider, db: DbSession, sub: str, req: dict) -> None:
    device = owned(p, db, sub, req["DeviceKey"])
    device.remembered = req["DeviceRememberedStatus"] == "remembered"
    device.updated_at = p.now()
    db.add(device)


def forget(p: Provider, db: DbSession, sub: str, key: str) -> None:
    db.delete(owned(p, db, sub, key))


def _verifier_config(req: dict) -> tuple[str, str]:
    """(salt hex, verifier hex) from DeviceSecretVerifierConfig's base64, as the clients send them."""
    config = req.get("DeviceSecretVerifierConfig") or {}
    try:
        salt = base64.b64decode(required_parameter(config, "Salt"), validate=True)
        verifier = base64.b64decode(required_parameter(config, "PasswordVerifier"), validate=True)
    except (binascii.Error, ValueError):
        raise invalid_parameter("DeviceSecretVerifierConfig must hold base64 Salt and PasswordVerifier") from None
    if not salt or int.from_bytes(verifier, "big") % srp.N == 0:
        raise invalid_parameter("DeviceSecretVerifierConfig holds no usable verifier")
    return salt.hex(), format(int.from_bytes(verifier, "big"), "x")


def confirm_device(p: Provider, req: dict) -> dict:
    """Track a device the user's sign-in was handed. Remembered at once unless the pool lets users
    choose (DeviceOnlyRememberedOnUserPrompt), in which case UserConfirmationNecessary says to ask."""
    _require_tracking(p)
    salt, verifier = _verifier_config(req)
    ask = _setting(p, "DeviceOnlyRememberedOnUserPrompt")
    with p.store.write() as db:
        user, _ = authenticate(p, db, req["AccessToken"])
        device = db.get(Device, req["DeviceKey"])
        if device is None or device.sub != user.sub:
            raise _not_found()
        if device.verifier is not None:
            raise CognitoError("DeviceKeyExistsException", "Device key already exists.")
        device.salt, device.verifier = salt, verifier
        device.name = req.get("DeviceName")
        device.remembered = not ask
        device.updated_at = p.now()
        db.add(device)
    return {"UserConfirmationNecessary": ask}


def get_device(p: Provider, req: dict) -> dict:
    with p.store.read() as db:
        user, _ = authenticate(p, db, req["AccessToken"])
        return {"Device": device_type(owned(p, db, user.sub, req["DeviceKey"]))}


def list_devices(p: Provider, req: dict) -> dict:
    with p.store.read() as db:
        user, _ = authenticate(p, db, req["AccessToken"])
        return page(p, db, user.sub, req)


def update_device_status(p: Provider, req: dict) -> dict:
    with p.store.write() as db:
        user, _ = authenticate(p, db, req["AccessToken"])
        set_status(p, db, user.sub, req)
    return {}


def forget_device(p: Provider, req: dict) -> dict:
    with p.store.write() as db:
        user, _ = authenticate(p, db, req["AccessToken"])
        forget(p, db, user.sub, req["DeviceKey"])
    return {}
