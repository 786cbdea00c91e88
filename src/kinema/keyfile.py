"""Keys kept in the data directory, apart from the database and the media store, so a
copy of either alone opens nothing: the characters' biometric key, the webhooks' key."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def instance_key(path: Path, generate: Callable[[], bytes]) -> bytes:
    """The key stored at ``path``, made with ``generate`` on first use and readable by
    the owner only. Several processes starting at once agree on the first one written."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first; use theirs
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(generate())
    return path.read_bytes().strip()
