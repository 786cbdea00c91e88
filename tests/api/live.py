"""What the ``live_server`` fixture hands a test."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LiveServer:
    """The app served by uvicorn on 127.0.0.1; ``url`` has no trailing slash."""

    url: str
