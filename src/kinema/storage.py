"""Where media lives: uploaded images, rendered videos and their thumbnails.

Everything goes through the small ``Storage`` interface, keyed by a relative path such as
``videos/vid_123.mp4``. ``LocalStorage`` keeps files under the data directory (the
embedded default); an S3-compatible bucket fits the same interface later
(``KINEMA_STORAGE_URL=s3://...``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol, runtime_checkable
from urllib.parse import unquote, urlparse

from kinema.settings import Settings

CHUNK_SIZE = 256 * 1024


class StorageError(Exception):
    """Storage is misconfigured or an object is missing; the message is plain."""


class ObjectMissing(StorageError):
    pass


@runtime_checkable
class Storage(Protocol):
    """Objects addressed by a relative key (``"videos/vid_1.mp4"``)."""

    def put_file(self, key: str, path: Path) -> None:
        """Store a copy of the file at ``path`` under ``key`` (replacing any old one)."""
        ...

    def put_bytes(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key`` (replacing any old one)."""
        ...

    def open(self, key: str) -> BinaryIO:
        """Open the object for reading; raises ``ObjectMissing`` if it is not there."""
        ...

    def read_bytes(self, key: str) -> bytes:
        """The whole object."""
        ...

    def copy_to(self, key: str, path: Path) -> None:
        """Write the object to a local file (for tools that need a path)."""
        ...

    def size(self, key: str) -> int:
        """Size in bytes; raises ``ObjectMissing`` if it is not there."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the object; removing a missing object is not an error."""
        ...

    def url(self, key: str) -> str:
        """Where the object can be fetched directly (``file://`` for local storage)."""
        ...

    def iter_range(
        self, key: str, start: int = 0, end: int | None = None, chunk_size: int = CHUNK_SIZE
    ) -> Iterator[bytes]:
        """Yield bytes ``start..end`` (inclusive; ``None`` means to the end) in chunks."""
        ...


def _clean_key(key: str) -> PurePosixPath:
    """Refuse keys that could escape the storage root."""
    path = PurePosixPath(key)
    if not key or path.is_absolute() or any(part in ("..", "") for part in path.parts):
        raise StorageError(f"Invalid storage key {key!r}.")
    return path


class LocalStorage:
    """Files in a directory; writes are atomic (temporary file, then rename)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        """The local file for ``key`` (it may not exist)."""
        return self.root.joinpath(*_clean_key(key).parts)

    def _write_atomically(self, key: str, fill: _Filler) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
        try:
            with os.fdopen(fd, "wb") as out:
                fill(out)
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise

    def put_file(self, key: str, path: Path) -> None:
        def fill(out: BinaryIO) -> None:
            with open(path, "rb") as src:
                shutil.copyfileobj(src, out, CHUNK_SIZE)

        self._write_atomically(key, fill)

    def put_bytes(self, key: str, data: bytes) -> None:
        self._write_atomically(key, lambda out: out.write(data))

    def open(self, key: str) -> BinaryIO:
        try:
            return open(self.path(key), "rb")
        except FileNotFoundError:
            raise ObjectMissing(f"Media object {key} is missing.") from None

    def read_bytes(self, key: str) -> bytes:
        with self.open(key) as fh:
            return fh.read()

    def copy_to(self, key: str, path: Path) -> None:
        with self.open(key) as src, open(path, "wb") as out:
            shutil.copyfileobj(src, out, CHUNK_SIZE)

    def size(self, key: str) -> int:
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError:
            raise ObjectMissing(f"Media object {key} is missing.") from None

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def url(self, key: str) -> str:
        return self.path(key).as_uri()

    def iter_range(
        self, key: str, start: int = 0, end: int | None = None, chunk_size: int = CHUNK_SIZE
    ) -> Iterator[bytes]:
        with self.open(key) as fh:
            fh.seek(start)
            remaining = None if end is None else end - start + 1
            while remaining is None or remaining > 0:
                want = chunk_size if remaining is None else min(chunk_size, remaining)
                chunk = fh.read(want)
                if not chunk:
                    break
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk


class _Filler(Protocol):
    def __call__(self, out: BinaryIO, /) -> object: ...


def make_storage(settings: Settings) -> Storage:
    """The storage named by ``settings.storage_url``: ``file:///dir`` or a plain path."""
    url = settings.storage_url
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return LocalStorage(Path(unquote(parsed.path)))
    if parsed.scheme == "" and url:
        return LocalStorage(Path(url).expanduser())
    raise StorageError(
        f"Storage URL scheme {parsed.scheme!r} is not supported by this version of Kinema; "
        "use a local directory (file:///path)."
    )
