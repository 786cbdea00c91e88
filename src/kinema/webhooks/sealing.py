"""Webhook signing secrets at rest: sealed with AES-256-GCM under a key kept in the data
directory (``webhooks.key``, readable by the owner only), the same arrangement as the
characters' biometric key. A copied database alone does not let anyone forge Kinema's
webhooks to a receiver.

A sealed secret reads ``sealed1.<base64 of nonce, ciphertext and tag>``; it seals the
32 random bytes of the ``whsec_`` secret, so the stored text stays under 100 characters.
Secrets stored before sealing existed (plain ``whsec_...``) are still read as they are.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kinema.keyfile import instance_key

KEY_FILE = "webhooks.key"
SEALED_PREFIX = "sealed1."
SECRET_PREFIX = "whsec_"
_NONCE_BYTES = 12


class SecretUnreadable(ValueError):
    """A sealed secret could not be opened (another instance's key, or damaged)."""


def _key(data_dir: Path) -> bytes:
    stored = instance_key(Path(data_dir) / KEY_FILE,
                          lambda: base64.b64encode(AESGCM.generate_key(bit_length=256)))
    return base64.b64decode(stored)


def seal_secret(data_dir: Path, secret: str) -> str:
    """The text to store for a ``whsec_...`` signing secret."""
    raw = base64.b64decode(secret[len(SECRET_PREFIX) :]) if secret.startswith(
        SECRET_PREFIX
    ) else secret.encode()
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(_key(data_dir)).encrypt(nonce, raw, SEALED_PREFIX.encode())
    return SEALED_PREFIX + base64.b64encode(nonce + sealed).decode()


def open_secret(data_dir: Path, stored: str) -> str:
    """The ``whsec_...`` secret from what ``seal_secret`` stored (or a legacy plain one)."""
    if not stored.startswith(SEALED_PREFIX):
        return stored
    blob = base64.b64decode(stored[len(SEALED_PREFIX) :])
    try:
        raw = AESGCM(_key(data_dir)).decrypt(
            blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], SEALED_PREFIX.encode()
        )
    except InvalidTag:
        raise SecretUnreadable("The webhook's signing secret could not be opened.") from None
    return SECRET_PREFIX + base64.b64encode(raw).decode()
