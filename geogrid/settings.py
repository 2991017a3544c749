"""Settings, read from GEOGRID_* environment variables by a function, never at import."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from geogrid.errors import ConfigurationError


def _default_home() -> Path:
    """XDG data home for geogrid: ~/.local/share/geogrid unless XDG_DATA_HOME says otherwise."""
    import os

    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "geogrid"


class Settings(BaseSettings):
    """Everything geogrid can be told from its environment (prefix GEOGRID_)."""

    model_config = SettingsConfigDict(env_prefix="GEOGRID_", extra="ignore")

    home: Path = Field(
        default_factory=_default_home,
        description="Data directory: the embedded PostgreSQL cluster, logs, generated files.",
    )
    database_url: str | None = Field(
        default=None,
        description="An existing PostGIS server (postgresql://...). Unset: the embedded one.",
    )
    db_port: int = Field(
        default=5432,
        ge=1,
        le=65535,
        description="Port number of the embedded cluster (names its unix socket; no TCP).",
    )
    pg_bindir: Path | None = Field(
        default=None, description="Folder with initdb/pg_ctl; found automatically when unset."
    )
    db_fsync: bool = Field(
        default=True, description="fsync in the embedded cluster; tests turn it off for speed."
    )
    map_tile_url: str | None = Field(
        default=None,
        description="An intranet tile server for the web maps ({z}/{x}/{y} template); "
        "unset: streets and outlines only, nothing fetched from outside.",
    )

    holidays_file: Path | None = Field(
        default=None,
        description="A holiday calendar (TOML, as geogrid/data/holidays.toml) whose years "
        "replace the shipped ones: the case loop's working days.",
    )
    media_dir: Path | None = Field(
        default=None,
        description="Where evidence photos are stored (content-addressed files); "
        "unset: the media folder of the data directory.",
    )
    photo_flag_distance_m: float = Field(
        default=500.0, gt=0, description="A photo whose EXIF position is farther than this "
        "from its report's point is flagged.",
    )  # fmt: skip
    photo_flag_days: float = Field(
        default=7.0, gt=0, description="A photo whose EXIF time is this many days or more "
        "before its report (or taken in the future) is flagged.",
    )  # fmt: skip

    review_months: int = Field(
        default=12, ge=1, le=120, description="The assistants' re-review (复审) cycle in months: "
        "who passed their filing or last re-review this long ago is due again.",
    )  # fmt: skip
    subsidy_file: Path | None = Field(
        default=None, description="A subsidy scoring scheme (TOML, as geogrid/data/subsidy.toml) "
        "used instead of the shipped one: weights, base amount and caps.",
    )  # fmt: skip
    phone_plan_yuan: float = Field(
        default=62.0, ge=0, description="The monthly cost of an assistant's 民情通 phone plan.",
    )  # fmt: skip
    phone_share_city: float = Field(default=0.5, ge=0, le=1, description="The city's share "
                                    "of the phone plan.")  # fmt: skip
    phone_share_town: float = Field(default=0.25, ge=0, le=1, description="The town's (镇街) "
                                    "share of the phone plan.")  # fmt: skip
    phone_share_telecom: float = Field(default=0.25, ge=0, le=1, description="The telecom "
                                       "company's share of the phone plan.")  # fmt: skip
    figures_max_age_s: int = Field(
        default=300, ge=0, description="How old (seconds) the console's stored month figures "
        "(assessment, team month) may be before a view has them recomputed in the background; "
        "0: computed afresh on every view.",
    )  # fmt: skip
    registry_key: str | None = Field(
        default=None, description="The key (32 bytes, URL-safe base64) that encrypts ID "
        "numbers in the registry; never in the repository. Or registry_key_file.",
        repr=False,
    )  # fmt: skip
    registry_key_file: Path | None = Field(
        default=None, description="A file holding the registry key (as registry_key); "
        "the demo writes one into the data directory when none is set.",
    )  # fmt: skip
    registry_cycles_file: Path | None = Field(
        default=None, description="Inspection and visit cycles of the registry (TOML, as "
        "geogrid/data/registry_cycles.toml) that replace the shipped ones.",
    )  # fmt: skip

    @property
    def media_path(self) -> Path:
        """The folder of the media store: GEOGRID_MEDIA_DIR, else $GEOGRID_HOME/media."""
        return self.media_dir if self.media_dir is not None else self.home / "media"

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
            raise ValueError(
                f"GEOGRID_DATABASE_URL must start with postgresql:// (got {value[:30]!r})"
            )
        return value

    @model_validator(mode="after")
    def _shares_make_the_whole(self) -> Settings:
        shares = self.phone_share_city + self.phone_share_town + self.phone_share_telecom
        if abs(shares - 1.0) > 1e-9:
            raise ValueError(f"the phone plan's shares (city, town, telecom) add up to {shares},"
                             " not 1")  # fmt: skip
        return self

    @field_validator("home", "media_dir", "registry_key_file")
    @classmethod
    def _absolute_home(cls, value: Path | None) -> Path | None:
        return None if value is None else value.expanduser().absolute()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, built on first use (tests build their own Settings)."""
    try:
        return Settings()
    except ValidationError as exc:
        raise settings_error(exc, "GEOGRID_") from None


def settings_error(exc: ValidationError, prefix: str) -> ConfigurationError:
    """One ConfigurationError naming every bad environment variable of a settings class."""
    problems = "; ".join(
        f"{prefix}{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors()
    )
    return ConfigurationError(f"bad setting: {problems}")
