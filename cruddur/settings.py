"""Every setting Cruddur reads, from the environment or a `.env` file — read once, here only."""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str | None = None
    redis_url: str | None = None

    # A real user pool is used when both ids are set; otherwise the embedded localcognito.
    cognito_region: str = "us-east-1"
    cognito_user_pool_id: str | None = None
    cognito_app_client_id: str | None = None
    cognito_endpoint_url: str | None = None

    # The embedded identity provider listens here (loopback only) when no real pool is set.
    local_cognito_port: int = 9229

    @property
    def uses_local_cognito(self) -> bool:
        return not (self.cognito_user_pool_id and self.cognito_app_client_id)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'cruddur.db'}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
