"""Local media storage."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinema.settings import load_settings
from kinema.storage import LocalStorage, ObjectMissing, StorageError, make_storage


def test_put_read_range_delete(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "media")
    data = bytes(range(256)) * 1000
    storage.put_bytes("videos/v1.mp4", data)
    assert storage.exists("videos/v1.mp4")
    assert storage.size("videos/v1.mp4") == len(data)
    assert storage.read_bytes("videos/v1.mp4") == data
    assert b"".join(storage.iter_range("videos/v1.mp4", 10, 19)) == data[10:20]
    assert b"".join(storage.iter_range("videos/v1.mp4", 1000, None, chunk_size=7)) == data[1000:]
    assert storage.url("videos/v1.mp4").startswith("file://")
    storage.delete("videos/v1.mp4")
    assert not storage.exists("videos/v1.mp4")
    storage.delete("videos/v1.mp4")  # deleting twice is fine
    with pytest.raises(ObjectMissing):
        storage.size("videos/v1.mp4")


def test_put_file_and_copy_back(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "media")
    source = tmp_path / "clip.bin"
    source.write_bytes(b"x" * 5000)
    storage.put_file("a/b/clip.bin", source)
    target = tmp_path / "back.bin"
    storage.copy_to("a/b/clip.bin", target)
    assert target.read_bytes() == b"x" * 5000
    # No half-written temporary files are left next to it.
    assert [p.name for p in (tmp_path / "media" / "a" / "b").iterdir()] == ["clip.bin"]


@pytest.mark.parametrize("key", ["../outside", "/etc/passwd", "a/../../b", ""])
def test_keys_cannot_escape_the_root(tmp_path: Path, key: str) -> None:
    storage = LocalStorage(tmp_path / "media")
    with pytest.raises(StorageError):
        storage.put_bytes(key, b"x")


def test_make_storage_by_url(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    storage = make_storage(settings)
    assert isinstance(storage, LocalStorage)
    assert storage.root == tmp_path / "media"
    s3 = load_settings(data_dir=tmp_path, storage_url="s3://bucket/prefix")
    with pytest.raises(StorageError, match="not supported"):
        make_storage(s3)
