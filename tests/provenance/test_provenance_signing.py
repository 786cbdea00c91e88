from __future__ import annotations

from pathlib import Path

import pytest

import kinema
from kinema.errors import InvalidInput
from kinema.provenance import ensure_signing_identity, read_credentials, sign_video
from kinema.provenance.signing import TRAINED_ALGORITHMIC_MEDIA
from kinema.provenance.video import iter_frames


@pytest.fixture(scope="module")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("instance") / "keys"


@pytest.fixture(scope="module")
def signed(clip: Path, key_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("signed") / "signed.mp4"
    return sign_video(clip, out, author_handle="alice", key_dir=key_dir)


def test_signed_video_says_it_is_ai_made_by_kinema_for_its_author(signed: Path) -> None:
    credentials = read_credentials(signed)
    assert credentials is not None
    assert credentials.generator == "Kinema"
    assert credentials.generator_version == kinema.__version__
    assert credentials.digital_source_type == TRAINED_ALGORITHMIC_MEDIA
    assert credentials.author == "@alice"
    # Elsewhere the instance's own CA is not trusted, but the signature still holds.
    assert credentials.signature_valid
    assert not credentials.trusted
    assert all("untrusted" in problem for problem in credentials.problems)


def test_instance_trusts_its_own_signatures(signed: Path, key_dir: Path) -> None:
    credentials = read_credentials(signed, trust_ca=key_dir / "c2pa_ca.pem")
    assert credentials is not None
    assert credentials.trusted and credentials.signature_valid
    assert credentials.problems == []


def test_signed_video_still_plays(clip: Path, signed: Path) -> None:
    assert len(list(iter_frames(signed))) == len(list(iter_frames(clip)))


def test_tampered_video_fails_validation(signed: Path, tmp_path: Path) -> None:
    data = bytearray(signed.read_bytes())
    mdat = data.index(b"mdat")
    for offset in range(mdat + 500, mdat + 520):
        data[offset] ^= 0xFF
    tampered = tmp_path / "tampered.mp4"
    tampered.write_bytes(bytes(data))
    credentials = read_credentials(tampered)
    assert credentials is not None
    assert not credentials.signature_valid


def test_unsigned_video_has_no_credentials(clip: Path) -> None:
    assert read_credentials(clip) is None


def test_key_is_made_once_and_kept_private(key_dir: Path, signed: Path) -> None:
    identity = ensure_signing_identity(key_dir)
    key_before = identity.key.read_bytes()
    assert (identity.key.stat().st_mode & 0o077) == 0
    assert ensure_signing_identity(key_dir).key.read_bytes() == key_before


def test_signing_something_that_is_not_a_video_is_a_clear_error(
    tmp_path: Path, key_dir: Path
) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"this is not a video")
    with pytest.raises(InvalidInput):
        sign_video(junk, tmp_path / "out.mp4", author_handle="a", key_dir=key_dir)
    assert not (tmp_path / "out.mp4").exists()
