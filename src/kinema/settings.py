"""The one settings object. Built once (``load_settings``) and passed in; nothing else
reads the environment."""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kinema"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KINEMA_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str = ""
    queue_url: str = ""
    storage_url: str = ""
    secret_key: SecretStr = SecretStr("")
    engine: str = "procedural"
    # Further engines this instance takes generations for, comma-separated (e.g.
    # "ltx2,wan"); each needs a ``kinema worker --engine NAME`` running somewhere.
    engines: str = ""
    registration: Literal["invite", "open", "closed"] = "invite"
    invites_per_user: int = Field(default=4, ge=0, le=1000)
    daily_generations: int = Field(default=30, ge=0)

    # Public address used in share links and Open Graph tags.
    base_url: str = "http://127.0.0.1:8000"
    # Cookies get the Secure flag unless the instance is served over plain HTTP.
    cookie_secure: bool | None = None

    # Request bodies of routes that take no files (JSON, forms).
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    max_upload_pixels: int = Field(default=40_000_000, gt=0)
    max_video_upload_bytes: int = Field(default=100 * 1024 * 1024, gt=0)
    # Recordings larger than 4K (per picture) are refused before any frame is decoded.
    max_video_upload_pixels: int = Field(default=3840 * 2160, gt=0)
    # Pictures and videos from users are decoded a few at a time per process; up to
    # ``decode_queue`` more requests wait for a turn, and any beyond get 429.
    decode_slots: int = Field(default=2, ge=1, le=64)
    decode_queue: int = Field(default=16, ge=0, le=10_000)

    # Addresses (or networks, e.g. "10.0.0.0/8") of the reverse proxies in front of the
    # instance, comma-separated. Only a request from one of them may name the client's
    # address (X-Forwarded-For) and scheme (X-Forwarded-Proto); empty trusts nobody.
    trusted_proxies: str = ""

    worker_threads: int = Field(default=1, ge=1, le=64)
    # A job still "in progress" this long after its last heartbeat is taken as dead.
    job_timeout_seconds: int = Field(default=600, ge=10)
    job_max_attempts: int = Field(default=3, ge=1)

    # Webhooks may target loopback, private, link-local or multicast addresses only when
    # this is on (a service on the instance's own network); off, users cannot make the
    # server call into that network.
    webhooks_allow_private: bool = False

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        self.data_dir = self.data_dir.expanduser().resolve()
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'kinema.db'}"
        if not self.queue_url:
            self.queue_url = f"sqlite:///{self.data_dir / 'queue.db'}"
        if not self.storage_url:
            self.storage_url = (self.data_dir / "media").as_uri()
        try:
            self.trusted_proxy_networks  # noqa: B018 - refuse a malformed list at start
        except ValueError as exc:
            raise ValueError(f"KINEMA_TRUSTED_PROXIES: {exc}") from None
        if self.cookie_secure is None:
            self.cookie_secure = self.base_url.startswith("https://")
        return self

    @property
    def trusted_proxy_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return [
            ipaddress.ip_network(part.strip(), strict=False)
            for part in self.trusted_proxies.split(",")
            if part.strip()
        ]

    @property
    def served_engines(self) -> list[str]:
        """The default engine first, then the others this instance has workers for."""
        extra = [name.strip() for name in self.engines.split(",") if name.strip()]
        return [self.engine, *(name for name in extra if name != self.engine)]

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def uses_redis_queue(self) -> bool:
        return self.queue_url.startswith(("redis://", "rediss://"))


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment plus explicit overrides (CLI flags win),
    create the data directory, and make sure a secret key exists: generated on first
    run and kept in the data directory, never a built-in default."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    settings = Settings(**clean)  # type: ignore[arg-type]
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    for url in (settings.database_url, settings.queue_url):
        _keep_private(url)
    if not settings.secret_key.get_secret_value():
        key_file = settings.data_dir / "secret_key"
        if not key_file.exists():
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
        settings.secret_key = SecretStr(key_file.read_text().strip())
    return settings


def _keep_private(url: str) -> None:
    """Make an SQLite database file readable by its owner only (0600), creating it empty
    if needed so that it never exists with looser permissions; SQLite gives its journal
    files the same mode. It holds password hashes, sessions and webhook settings."""
    if not url.startswith("sqlite:///"):
        return
    path = Path(url[len("sqlite:///") :].split("?", 1)[0])
    if not path.name or str(path) == ":memory:":
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        try:
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)
        except OSError:
            pass  # not ours to change (e.g. another user's file); SQLite will say so
    else:
        os.close(fd)
