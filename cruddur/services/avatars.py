"""Profile pictures: checked, re-encoded and written to S3 with the person's own temporary AWS
credentials from the identity pool, under `avatars/<their identity id>/`; read back for pages.

A picture must really be PNG, JPEG or WebP (Pillow reads it, whatever its name says), at most
MAX_BYTES and MAX_PIXELS; it is re-encoded as a square WebP of SIDE pixels, which drops its
metadata (EXIF, GPS, comments) and anything hidden after the image. The name it came with is
checked (no paths, no odd characters) and never used for the stored key: that is random.

The identity pool's role lets a person write only under their own prefix. The app checks that
prefix itself before every write too: moto, the offline stand-in, enforces no IAM policy.
Blocking (Cognito Identity, S3, the database): call from a worker thread. No Reflex here.
"""

import io
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlmodel import col, select, update

from cruddur.auth.cognito import BOTO_CONFIG, CognitoError
from cruddur.auth.identity_pool import IdentityPoolClient, TemporaryCredentials
from cruddur.db import Database
from cruddur.models import Profile
from cruddur.services.accounts import AccountError, Accounts
from cruddur.services.avatar_paths import KEY_PATTERN, PREFIX, avatar_path

MAX_BYTES = 5 * 1024 * 1024  # what a phone photo may weigh
MAX_PIXELS = 40_000_000  # ... and hold; anything bigger is refused before it is decoded
SIDE = 256  # stored pictures are SIDE x SIDE
FORMATS = {"PNG", "JPEG", "WEBP"}
EXTENSIONS = {".png", ".jpg", ".jpeg", ".webp"}
MAX_NAME = 255
CONTENT_TYPE = "image/webp"
_SIGNED = Config(signature_version="s3v4")  # S3 wants SigV4; the Cognito calls go unsigned
_SAFE_NAME = re.compile(r"^[\w\- ().,+]+$")


class AvatarError(AccountError):
    """A picture refused (its code says why) or not stored; nothing was written."""

    def __init__(self, code: str):
        super().__init__(code, "Avatar")


def check_name(filename: object) -> str:
    """The name as sent, when it is a plain file name with a picture's extension; a path, a
    hidden file, control characters or another extension are `AvatarBadName`."""
    if not isinstance(filename, str) or not 0 < len(filename) <= MAX_NAME:
        raise AvatarError("AvatarBadName")
    stem, dot, extension = filename.rpartition(".")
    if (
        not dot
        or not stem
        or filename.startswith(".")
        or ".." in filename
        or not _SAFE_NAME.match(filename)
        or f".{extension.lower()}" not in EXTENSIONS
    ):
        raise AvatarError("AvatarBadName")
    return filename


def reencode(data: bytes) -> bytes:
    """`data` as a SIDE-pixel square WebP without metadata; `AvatarTooLarge` or `AvatarNotAnImage`."""
    if len(data) > MAX_BYTES:
        raise AvatarError("AvatarTooLarge")
    try:
        with Image.open(io.BytesIO(data), formats=sorted(FORMATS)) as probe:
            if probe.format not in FORMATS:
                raise AvatarError("AvatarNotAnImage")
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise AvatarError("AvatarTooLarge")
            probe.verify()  # the whole file read through: a truncated or corrupt one fails here
        with Image.open(io.BytesIO(data), formats=sorted(FORMATS)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            mode = "RGBA" if "A" in upright.getbands() or "transparency" in upright.info else "RGB"
            square = ImageOps.fit(upright.convert(mode), (SIDE, SIDE), Image.Resampling.LANCZOS)
    except AvatarError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise AvatarError("AvatarNotAnImage") from None
    out = io.BytesIO()
    square.save(out, format="WEBP", quality=85, method=4)  # no exif=, icc_profile=: none is kept
    return out.getvalue()


def prefix_of(identity_id: str) -> str:
    return f"{PREFIX}{identity_id}/"


@dataclass(frozen=True)
class AvatarBucket:
    """The bucket, and how the app itself reads it (its own credentials; moto takes any)."""

    name: str
    region: str
    endpoint_url: str | None = None
    read_credentials: dict[str, str] | None = None


class AvatarStore:
    def __init__(self, bucket: AvatarBucket):
        self.bucket = bucket
        self._reader = boto3.client(
            "s3",
            region_name=bucket.region,
            endpoint_url=bucket.endpoint_url,
            config=BOTO_CONFIG.merge(_SIGNED),
            **(bucket.read_credentials or {}),
        )

    def put(self, credentials: TemporaryCredentials, key: str, body: bytes) -> None:
        """Writes `body` at `key` with the person's credentials — only under their own prefix."""
        if not key.startswith(prefix_of(credentials.identity_id)) or not KEY_PATTERN.match(key):
            raise AvatarError("AvatarWrongPrefix")
        writer = self._as(credentials)
        with _translated():
            writer.put_object(
                Bucket=self.bucket.name,
                Key=key,
                Body=body,
                ContentType=CONTENT_TYPE,
                CacheControl="public, max-age=31536000, immutable",  # a new picture gets a new key
            )

    def delete(self, credentials: TemporaryCredentials, key: str) -> None:
        """Removes an old picture of the person's own (anything else is left alone)."""
        if key.startswith(prefix_of(credentials.identity_id)) and KEY_PATTERN.match(key):
            with _translated():
                self._as(credentials).delete_object(Bucket=self.bucket.name, Key=key)

    def read(self, key: str) -> bytes | None:
        """A stored picture's bytes, or None (not a picture key, or not there)."""
        if not KEY_PATTERN.match(key):
            return None
        try:
            return self._reader.get_object(Bucket=self.bucket.name, Key=key)["Body"].read()
        except ClientError as error:
            if error.response["Error"]["Code"] in ("NoSuchKey", "404", "AccessDenied"):
                return None
            raise AvatarError("Unavailable") from None
        except BotoCoreError:
            raise AvatarError("Unavailable") from None

    def keys_under(self, prefix: str) -> list[str]:
        """Every key under `prefix` (what the tests look at: nothing written where it must not be)."""
        reply = self._reader.list_objects_v2(Bucket=self.bucket.name, Prefix=prefix)
        return [item["Key"] for item in reply.get("Contents", [])]

    def _as(self, credentials: TemporaryCredentials):
        return boto3.client(
            "s3",
            region_name=self.bucket.region,
            endpoint_url=self.bucket.endpoint_url,
            config=BOTO_CONFIG.merge(_SIGNED),
            **credentials.as_boto(),
        )


class Avatars:
    def __init__(self, accounts: Accounts, database: Database, exchange: IdentityPoolClient, store: AvatarStore):
        self.accounts, self.database, self.exchange, self.store = accounts, database, exchange, store

    def credentials_for(self, handle: str) -> TemporaryCredentials:
        """The signed-in person's temporary credentials, from their session's verified ID token."""
        return self._signed_in_with_credentials(handle)[1]

    def _signed_in_with_credentials(self, handle: str) -> tuple[str, TemporaryCredentials]:
        account = self.accounts.signed_in(handle)  # verifies (and when due refreshes) the session
        try:
            credentials = self.exchange.credentials_for(account.session.tokens.id_token)
        except CognitoError as error:
            raise AvatarError("Unavailable" if error.code == "Unavailable" else "AvatarNotAllowed") from None
        return account.viewer.sub, credentials

    def upload(self, handle: str, filename: object, data: bytes) -> str:
        """Checks and stores the person's new picture; returns where the app serves it. Nothing is
        written when the name, the type or the size is refused."""
        check_name(filename)
        picture = reencode(data)
        sub, credentials = self._signed_in_with_credentials(handle)
        key = f"{prefix_of(credentials.identity_id)}{secrets.token_hex(16)}.webp"
        self.store.put(credentials, key, picture)
        with self.database.session() as db:
            profile = db.get(Profile, sub)
            previous = profile.avatar_key if profile else None
            db.exec(update(Profile).where(col(Profile.sub) == sub).values(avatar_key=key))
            db.commit()
        if previous and previous != key:
            with suppress(AvatarError):  # an old picture left behind is only storage; the new one is in place
                self.store.delete(credentials, previous)
        return avatar_path(key)

    def served(self, key: str) -> bytes | None:
        """A picture some profile shows now, for the picture route; None for any other key (an old
        picture, a deleted person's, one never stored)."""
        if not KEY_PATTERN.match(key):
            return None
        with self.database.session() as db:
            if db.exec(select(Profile.sub).where(col(Profile.avatar_key) == key)).first() is None:
                return None
        return self.store.read(key)

    def of(self, handle: str) -> str:
        """Where the signed-in person's picture is served ("" when they have none)."""
        sub = self.accounts.signed_in(handle).viewer.sub
        with self.database.session() as db:
            profile = db.get(Profile, sub)
        return avatar_path(profile.avatar_key if profile else None)


@contextmanager
def _translated() -> Iterator[None]:
    """S3's refusals and outages as AvatarError, never its English text."""
    try:
        yield
    except ClientError as error:
        code = error.response["Error"]["Code"]
        raise AvatarError("AvatarNotAllowed" if code in ("AccessDenied", "403") else "Unavailable") from None
    except BotoCoreError:
        raise AvatarError("Unavailable") from None
