"""Where the app serves a stored profile picture, from its S3 key — and the only keys it serves.
Apart from services/avatars.py so the feed's hot path needs neither boto3 nor Pillow."""

import re

PREFIX = "avatars/"
ROUTE = "/_avatar/"
# avatars/<region>:<uuid>/<32 hex>.webp — the only shape the app writes or reads.
KEY_PATTERN = re.compile(r"^avatars/([a-z]{2}(?:-[a-z]+)+-\d:[0-9a-f-]{36})/([0-9a-f]{32})\.webp$")


def avatar_path(key: str | None) -> str:
    """`/_avatar/<identity id>/<name>.webp` for a stored key; "" for none (or a key of another shape)."""
    return ROUTE + key.removeprefix(PREFIX) if key and KEY_PATTERN.match(key) else ""


def key_of(identity_id: str, name: str) -> str | None:
    """The S3 key a request for `/_avatar/<identity_id>/<name>` means, or None if it is not a picture's."""
    key = f"{PREFIX}{identity_id}/{name}"
    return key if KEY_PATTERN.match(key) else None
