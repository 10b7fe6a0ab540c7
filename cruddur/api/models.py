"""What the API's operations take and give, beside the services' own views."""

from pydantic import BaseModel, Field

from cruddur.services.ttl import Ttl

MESSAGE_DOC = "1–280 characters once leading and trailing whitespace is removed."


class NewCrud(BaseModel):
    message: str = Field(description=MESSAGE_DOC)
    ttl: Ttl = Field(description="How long the crud lives: " + ", ".join(f"{t.value} = {t.label}" for t in Ttl))


class NewReply(BaseModel):
    message: str = Field(description=MESSAGE_DOC)


class LikeState(BaseModel):
    liked: bool
    likes_count: int


class Health(BaseModel):
    status: str
