"""Biometric data at rest: face descriptors, voice profiles and cutouts are sealed with
Fernet (AES-128-CBC + HMAC-SHA256) under a key kept in the data directory.

The key lives apart from the database and the media store on purpose: a copied database
or bucket alone reveals no one's face.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from kinema.keyfile import instance_key

KEY_FILE = "biometric.key"


class SealBroken(ValueError):
    """Sealed data could not be opened (wrong key or damaged)."""


def _key_path(data_dir: Path) -> Path:
    return Path(data_dir) / KEY_FILE


def biometric_cipher(data_dir: Path) -> Fernet:
    """The cipher for this instance, creating its key (readable by the owner only) on
    first use."""
    return Fernet(instance_key(_key_path(data_dir), Fernet.generate_key))


def seal(data_dir: Path, data: bytes) -> bytes:
    """Encrypt ``data`` with the instance's biometric key."""
    return biometric_cipher(data_dir).encrypt(data)


def unseal(data_dir: Path, token: bytes) -> bytes:
    """Decrypt what ``seal`` produced; ``SealBroken`` if it cannot."""
    try:
        return biometric_cipher(data_dir).decrypt(token)
    except InvalidToken:
        raise SealBroken("Sealed biometric data could not be opened.") from None
