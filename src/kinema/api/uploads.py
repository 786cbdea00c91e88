"""Uploaded files for plain ``def`` routes: copied from the request's spooled upload to a
scratch folder in chunks, with a size cap, without touching the event loop.

Routes that take files are plain ``def`` functions (FastAPI runs them in its thread pool),
so the disk writes, database work and decoding they do never stall other requests.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import UploadFile

from kinema.errors import InvalidInput, TooLarge
from kinema.settings import Settings

CHUNK = 1024 * 1024
SCRATCH = "tmp"


def scratch_root(settings: Settings) -> Path:
    """The folder under the data directory that holds request and job scratch space."""
    root = settings.data_dir / SCRATCH
    root.mkdir(parents=True, exist_ok=True)
    return root


@contextmanager
def scratch_folder(settings: Settings, prefix: str) -> Iterator[Path]:
    """A fresh folder for one request's files, removed when the block ends."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=scratch_root(settings)))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def save_upload(upload: UploadFile, target: Path, *, limit: int, what: str = "file") -> int:
    """Copy ``upload`` to ``target`` (blocking: call from a plain ``def`` route or a
    worker thread). Raises ``TooLarge`` past ``limit`` bytes and ``InvalidInput`` for an
    empty file; returns the size."""
    size = 0
    upload.file.seek(0)
    with open(target, "wb") as out:
        while chunk := upload.file.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"The {what} is larger than the {limit / 1_048_576:.0f} MB limit.")
            out.write(chunk)
    if size == 0:
        raise InvalidInput(f"The {what} is empty.", code="empty_file")
    return size


def read_upload(upload: UploadFile, *, limit: int, what: str = "file") -> bytes:
    """The upload's bytes (blocking), refused with ``TooLarge`` past ``limit``."""
    upload.file.seek(0)
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"The {what} is larger than the {limit / 1_048_576:.1f} MB limit.")
    return bytes(data)
