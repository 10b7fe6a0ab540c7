"""What the API's operations take and give, beside the services' own views, with the examples
the OpenAPI document shows for each."""

from pydantic import BaseModel, ConfigDict, Field

from cruddur.services.activities import CURSOR_PATTERN
from cruddur.services.posting import MAX_MESSAGE_LENGTH
from cruddur.services.profiles import DISPLAY_NAME_LENGTH, HANDLE_PATTERN, HANDLE_RULE
from cruddur.services.text import TEXT_PATTERN
from cruddur.services.ttl import Ttl

MESSAGE_DOC = (
    f"1–{MAX_MESSAGE_LENGTH} characters, not all whitespace (leading and trailing whitespace is removed), no NUL."
)
# The pattern states the rule of services/text.py (not blank once stripped, no NUL), so a
# request the schema admits is one the service accepts.
Message = Field(min_length=1, max_length=MAX_MESSAGE_LENGTH, pattern=TEXT_PATTERN, description=MESSAGE_DOC)

EXAMPLE_UUID = "0b5e2a8c-6d1f-4c3b-9a7e-5f4d3c2b1a09"
EXAMPLE_CURSOR = "1796300000000000_0b5e2a8c6d1f4c3b9a7e5f4d3c2b1a09"
EXAMPLE_PROFILE = {"handle": "ada", "display_name": "Ada Lovelace"}
EXAMPLE_CRUD = {
    "uuid": EXAMPLE_UUID,
    "handle": "ada",
    "display_name": "Ada Lovelace",
    "message": "The Analytical Engine weaves algebraic patterns.",
    "created_at": "2026-12-03T10:31:48.123456+00:00",
    "expires_at": "2026-12-10T10:31:48.123456+00:00",
    "posted_ago": "now",
    "expires_in": "7d",
    "likes_count": 0,
    "replies_count": 0,
    "reposts_count": 0,
    "replies": [],
    "liked": False,
}
EXAMPLE_PAGE = {"cruds": [EXAMPLE_CRUD], "next_cursor": EXAMPLE_CURSOR}
PAGINATION = (
    "Pages hold up to 20 cruds, newest first, each with its live replies oldest first. "
    "`next_cursor` is null on the last page; otherwise pass it as `cursor` for the next one. "
    "Cursors are positions (a time and an id), not snapshots: cruds posted since are not repeated, "
    "expired ones are left out."
)
CURSOR_DOC = f"`next_cursor` of the previous page (pattern `{CURSOR_PATTERN}`); leave out for the first page."


def example(value: object) -> dict:
    """A response's documented example, in FastAPI's `responses` form."""
    return {"content": {"application/json": {"example": value}}}


class NewCrud(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"message": "Hello from the API", "ttl": "1d"}]})

    message: str = Message
    ttl: Ttl = Field(description="How long the crud lives: " + ", ".join(f"{t.value} = {t.label}" for t in Ttl))


class NewReply(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"message": "Agreed!"}]})

    message: str = Message


class ChosenHandle(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"handle": "ada_l", "display_name": "Ada Lovelace"}]})

    handle: str = Field(
        pattern=f"^{HANDLE_PATTERN}$",
        description=f"{HANDLE_RULE} Unique whatever their case; kept in lower case.",
    )
    display_name: str | None = Field(
        None,
        min_length=1,
        max_length=DISPLAY_NAME_LENGTH,
        pattern=TEXT_PATTERN,
        description="The name shown beside the username; by default the account's `name` in the user pool.",
    )


class LikeState(BaseModel):
    liked: bool
    likes_count: int


class Health(BaseModel):
    status: str
