"""Every setting Cruddur reads, from the environment or a `.env` file — read once, here only."""

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str | None = None
    redis_url: str | None = None
    # Browser origins allowed to open the app's websocket and call it cross-origin, e.g.
    # "https://cruddur.example" (comma-separated or a JSON list). Unset: any origin (development).
    allowed_origins: Annotated[list[str], NoDecode] = []

    # A real user pool is used when both ids are set; otherwise the embedded localcognito.
    cognito_region: str = "us-east-1"
    cognito_user_pool_id: str | None = None
    cognito_app_client_id: str | None = None
    cognito_endpoint_url: str | None = None

    # The embedded identity provider listens here (loopback only) when no real pool is set.
    local_cognito_port: int = 9229

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _origin_list(cls, value):
        if isinstance(value, str):
            value = json.loads(value) if value.lstrip().startswith("[") else value.split(",")
        return [origin.strip().rstrip("/") for origin in value if origin.strip()]

    @property
    def uses_local_cognito(self) -> bool:
        return not (self.cognito_user_pool_id and self.cognito_app_client_id)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'cruddur.db'}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
