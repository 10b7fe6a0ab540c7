"""Profile pictures through the identity pool, against moto's standalone server (the app's own
offline stand-in for S3 and Cognito Identity) and real tokens from the embedded provider.

moto enforces no IAM policy, so "another person's prefix is refused" is the app's own check:
these tests pin it, with the bucket looked at afterwards to see that nothing was written."""

import io
from functools import partial

import pytest
from PIL import Image
from sqlmodel import select

from cruddur.models import Profile
from cruddur.services.accounts import AccountError
from cruddur.services.avatars import (
    MAX_BYTES,
    SIDE,
    AvatarError,
    check_name,
    prefix_of,
    reencode,
)
from tests.auth_flows.conftest import PASSWORD
from tests.auth_flows.test_accounts import CLIENT, sign_in, signed_up
from tests.support.mailbox import latest_code


def picture(kind: str = "PNG", size=(640, 480), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (120, 40, 200)).save(out, format=kind, **save)
    return out.getvalue()


@pytest.fixture
def mailbox(app_runtime):
    return partial(latest_code, app_runtime.embedded.mailbox_url)


@pytest.fixture
def ada(app_runtime, mailbox) -> str:
    return sign_in(app_runtime, signed_up(app_runtime, mailbox))


def stored_keys(rt) -> list[str]:
    return rt.avatars.store.keys_under("")


def avatar_key(rt, handle: str) -> str | None:
    with rt.database.session() as db:
        return db.exec(select(Profile.avatar_key).where(Profile.handle == handle)).one()


def test_an_upload_lands_under_the_persons_own_prefix_re_encoded(app_runtime, ada):
    exif = Image.Exif()
    exif[0x010E] = "where I live"  # ImageDescription: metadata a picture must not carry out
    photo = picture("JPEG", exif=exif.tobytes())
    with Image.open(io.BytesIO(photo)) as original:
        assert "exif" in original.info
    url = app_runtime.avatars.upload(ada, "me.jpg", photo)
    key = avatar_key(app_runtime, "ada")
    [stored] = stored_keys(app_runtime)
    assert stored == key and url == "/_avatar/" + key.removeprefix("avatars/")
    identity = key.split("/")[1]
    assert key.startswith(prefix_of(identity)) and key.endswith(".webp")
    body = app_runtime.avatars.store.read(key)
    with Image.open(io.BytesIO(body)) as image:
        assert image.format == "WEBP" and image.size == (SIDE, SIDE)
        assert "exif" not in image.info and b"where I live" not in body
    assert app_runtime.avatars.of(ada) == url


def test_a_new_picture_replaces_the_old_one_which_is_no_longer_served(app_runtime, ada):
    app_runtime.avatars.upload(ada, "first.png", picture())
    first = avatar_key(app_runtime, "ada")
    app_runtime.avatars.upload(ada, "second.webp", picture("WEBP"))
    second = avatar_key(app_runtime, "ada")
    # moto hands out a new identity at every GetId (AWS the same one), so the old key may sit
    # under another prefix there: it is only removed when it is under the current one. Either
    # way only the profile's current picture is served.
    assert second != first and second in stored_keys(app_runtime)
    assert app_runtime.avatars.served(first) is None
    assert app_runtime.avatars.served(second) == app_runtime.avatars.store.read(second)


def test_a_deleted_persons_picture_is_no_longer_served(app_runtime, ada):
    app_runtime.avatars.upload(ada, "me.png", picture())
    key = avatar_key(app_runtime, "ada")
    assert app_runtime.avatars.served(key) is not None
    app_runtime.settings_of_accounts.delete_account(ada, password=PASSWORD, client=CLIENT)
    assert app_runtime.avatars.served(key) is None


def test_a_write_under_another_persons_prefix_is_refused_and_nothing_is_written(app_runtime, mailbox, ada):
    bob = sign_in(app_runtime, signed_up(app_runtime, mailbox, "bob@example.com", "bob"))
    bobs = app_runtime.avatars.credentials_for(bob)
    adas = app_runtime.avatars.credentials_for(ada)
    assert bobs.identity_id != adas.identity_id
    body = reencode(picture())
    with pytest.raises(AvatarError) as refused:
        app_runtime.avatars.store.put(adas, f"{prefix_of(bobs.identity_id)}{'0' * 32}.webp", body)
    assert refused.value.code == "AvatarWrongPrefix"
    with pytest.raises(AvatarError):
        app_runtime.avatars.store.put(adas, f"avatars/{adas.identity_id}/../{bobs.identity_id}/{'0' * 32}.webp", body)
    with pytest.raises(AvatarError):
        app_runtime.avatars.store.put(adas, "elsewhere.webp", body)
    assert stored_keys(app_runtime) == []
    # ... while her own prefix takes it
    app_runtime.avatars.store.put(adas, f"{prefix_of(adas.identity_id)}{'1' * 32}.webp", body)
    assert stored_keys(app_runtime) == [f"{prefix_of(adas.identity_id)}{'1' * 32}.webp"]


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("notes.png", b"just some text, not a picture", "AvatarNotAnImage"),
        ("anim.png", b"GIF89a" + picture("GIF")[6:], "AvatarNotAnImage"),  # a GIF named .png
        ("scan.png", picture("BMP"), "AvatarNotAnImage"),
        ("truncated.png", picture()[:200], "AvatarNotAnImage"),
        ("huge.png", b"\x89PNG" + b"\x00" * MAX_BYTES, "AvatarTooLarge"),
        ("wide.png", picture(size=(10_000, 5_000)), "AvatarTooLarge"),
        ("../../etc/passwd.png", picture(), "AvatarBadName"),
        ("avatars/someone/x.png", picture(), "AvatarBadName"),
        ("..\\evil.png", picture(), "AvatarBadName"),
        (".hidden.png", picture(), "AvatarBadName"),
        ("me.png\x00.txt", picture(), "AvatarBadName"),
        ("me.svg", picture(), "AvatarBadName"),
        ("", picture(), "AvatarBadName"),
    ],
)
def test_bad_input_is_refused_with_its_reason_and_nothing_is_written(app_runtime, ada, name, data, code):
    with pytest.raises(AvatarError) as refused:
        app_runtime.avatars.upload(ada, name, data)
    assert refused.value.code == code
    assert stored_keys(app_runtime) == []
    assert avatar_key(app_runtime, "ada") is None


def test_plain_names_with_a_pictures_extension_pass():
    for name in ("me.png", "Holiday photo (2).JPEG", "a-b_c.webp", "x.jpg"):
        assert check_name(name) == name


def test_a_signed_out_handle_gets_no_credentials_and_writes_nothing(app_runtime):
    with pytest.raises(AccountError) as refused:
        app_runtime.avatars.upload("no-such-session", "me.png", picture())
    assert refused.value.code == "SessionExpired"
    assert stored_keys(app_runtime) == []
