"""Typed settings read from ``PODIUM_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "change-me-in-production"
REPO_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    """Everything an operator can configure; see docs/operators.md."""

    model_config = SettingsConfigDict(env_prefix="PODIUM_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{REPO_ROOT / 'var' / 'podium.db'}",
        description="SQLAlchemy URL; postgresql+psycopg://user@host/db for teams.",
    )
    environment: str = Field(default="development", pattern="^(development|test|production)$")
    secret_key: str = DEFAULT_SECRET
    session_days: int = Field(default=14, ge=1, le=365)
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    page_size_max: int = Field(default=500, ge=10)
    echo_sql: bool = False
    upload_dir: Path | None = Field(
        default=None,
        description="where an uploaded CSV waits for its column choice (default: a private "
        "temporary folder per process, or one shared by the workers of `podium serve "
        "--workers N`; set a folder shared by all server processes started otherwise)",
    )
    leveling_threads: int | None = Field(
        default=None,
        ge=1,
        le=8,
        description="threads one leveling run's heuristic search uses (default: two on a "
        "machine with two cores or more); 1 keeps each run on one core",
    )
    webhooks_allow_private: bool = Field(
        default=False,
        description="let webhooks reach private, loopback and link-local addresses",
    )

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEFAULT_SECRET:
            raise ValueError("PODIUM_SECRET_KEY must be set to a long random value in production")
        return self


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear the cache to change them)."""
    return Settings()
