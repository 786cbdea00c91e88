"""The invisible mark: the video id hidden in the pictures, so a copy that lost its
metadata (re-encoded, re-uploaded) still says which video it came from.

How: the brightness of each frame is resized to a fixed 256x256 grid (so a scaled copy
reads the same), split with a one-level Haar wavelet, and the low band is cut into 4x4
blocks and taken to the DCT domain (DWT-DCT, as in ``invisible-watermark``). Each pair of
side-by-side blocks carries one bit in the order of their DC coefficients (left brighter
= 1): an order survives the brightness gain, colour-range conversions and smoothing
that re-encoders apply, which bare coefficient quantization does not. The 130 bits of
the id plus a 16-bit checksum are repeated over the pairs in a fixed shuffled order and
over every frame; reading sums the votes of many frames and trusts the result only when
the checksum agrees.
"""

from __future__ import annotations

import binascii
import itertools
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import pywt
from scipy.fft import dctn, idctn

from kinema.errors import InvalidInput
from kinema.provenance.video import iter_frames

GRID = 256
BLOCK = 4
# Smallest DC difference a marked pair is pushed to (DC units: 8x the mean pixel level),
# and the largest change made to one pair, so busy areas are never visibly disturbed.
MARGIN = 28.0
MAX_CHANGE = 120.0
# Reading retries with the least certain bits flipped (up to two of these many), which
# mends a few wrong votes while the checksum still rules out chance matches.
UNSURE_BITS = 10
EMBED_PASSES = 2
LAYOUTS = 4
SECONDS_PER_LAYOUT = 0.5
ID_PREFIX = "vid_"
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_BODY_CHARS = 26
_PAYLOAD_BITS = _BODY_CHARS * 5 + 16


def _id_to_bits(video_id: str) -> np.ndarray:
    body = video_id[len(ID_PREFIX) :] if video_id.startswith(ID_PREFIX) else ""
    if len(body) != _BODY_CHARS or any(c not in _ALPHABET for c in body):
        raise InvalidInput(f"{video_id!r} is not a Kinema video id.")
    value = 0
    for char in body:
        value = (value << 5) | _ALPHABET.index(char)
    data = value.to_bytes(17, "big")
    crc = binascii.crc_hqx(data, 0xFFFF)
    bits = [(value >> (_BODY_CHARS * 5 - 1 - i)) & 1 for i in range(_BODY_CHARS * 5)]
    bits += [(crc >> (15 - i)) & 1 for i in range(16)]
    return np.array(bits, dtype=np.uint8)


def _bits_to_id(bits: np.ndarray) -> str | None:
    value = 0
    for bit in bits[: _BODY_CHARS * 5]:
        value = (value << 1) | int(bit)
    crc = 0
    for bit in bits[_BODY_CHARS * 5 :]:
        crc = (crc << 1) | int(bit)
    if binascii.crc_hqx(value.to_bytes(17, "big"), 0xFFFF) != crc:
        return None
    chars = [_ALPHABET[(value >> (5 * (_BODY_CHARS - 1 - i))) & 31] for i in range(_BODY_CHARS)]
    return ID_PREFIX + "".join(chars)


@lru_cache(maxsize=1)
def _layouts() -> np.ndarray:
    """Which payload bit each pair of blocks carries, for each of ``LAYOUTS`` fixed
    shuffles of the repeated bits. Frames take turns (``layout_at``), so a spot of the
    picture that cannot hold a bit (a hard edge, a blown-out sky) spoils a different bit
    each time instead of always the same one."""
    pairs = (GRID // 2 // BLOCK) ** 2 // 2
    order = np.resize(np.arange(_PAYLOAD_BITS), pairs)
    rng = np.random.default_rng(0x4B494E)
    return np.stack([rng.permutation(order) for _ in range(LAYOUTS)])


def layout_at(seconds: float) -> int:
    """The shuffle a frame shown at ``seconds`` uses."""
    return int(seconds / SECONDS_PER_LAYOUT) % LAYOUTS


def _luma(frame: np.ndarray) -> np.ndarray:
    if frame.dtype != np.float32:
        frame = frame.astype(np.float32)
    return np.asarray(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY))


def _block_coefficients(luma_grid: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    low, details = pywt.dwt2(luma_grid, "haar")
    n = low.shape[0] // BLOCK
    blocks = low.reshape(n, BLOCK, n, BLOCK).transpose(0, 2, 1, 3).reshape(-1, BLOCK, BLOCK)
    return dctn(blocks, axes=(1, 2), norm="ortho"), details


def _to_grid(frame: np.ndarray) -> np.ndarray:
    return cv2.resize(_luma(frame), (GRID, GRID), interpolation=cv2.INTER_AREA)


def _pair_differences(luma_grid: np.ndarray) -> np.ndarray:
    coefficients, _ = _block_coefficients(luma_grid)
    dc = coefficients[:, 0, 0]
    return np.asarray(dc[0::2] - dc[1::2])


def _pair_residual(change: np.ndarray) -> np.ndarray:
    """The brightness change on the grid that moves each pair's DC difference by
    ``change`` (half up on the left block, half down on the right)."""
    n = GRID // 2 // BLOCK
    coefficients = np.zeros((n * n, BLOCK, BLOCK))
    coefficients[0::2, 0, 0] = change / 2.0
    coefficients[1::2, 0, 0] = -change / 2.0
    blocks = idctn(coefficients, axes=(1, 2), norm="ortho")
    low = blocks.reshape(n, n, BLOCK, BLOCK).transpose(0, 2, 1, 3).reshape(n * BLOCK, n * BLOCK)
    zeros = np.zeros_like(low)
    return np.asarray(pywt.idwt2((low, (zeros, zeros, zeros)), "haar"))


def embed_video_id_in_frame(frame: np.ndarray, video_id: str, *, layout: int = 0) -> np.ndarray:
    """Return ``frame`` (H x W x 3 uint8 RGB) carrying ``video_id`` invisibly, spread
    with shuffle number ``layout`` (see ``layout_at``)."""
    want = np.where(_id_to_bits(video_id)[_layouts()[layout % LAYOUTS]] == 1, 1.0, -1.0)
    height, width = frame.shape[:2]
    out = frame.astype(np.float32)
    spent = np.zeros_like(want)
    # Where bright or dark pixels clipped part of a change, another pass asks for the
    # rest; most frames need only one.
    for _ in range(EMBED_PASSES):
        difference = _pair_differences(_to_grid(out))
        # Move each pair just far enough that its order says the bit with some margin.
        change = np.where(difference * want >= MARGIN, 0.0, want * MARGIN - difference)
        change = np.clip(change, -MAX_CHANGE - spent, MAX_CHANGE - spent)
        if not np.any(np.abs(change) > 0.5):
            break
        spent += change
        residual = cv2.resize(
            _pair_residual(change).astype(np.float32),
            (width, height),
            interpolation=cv2.INTER_LINEAR,
        )
        out += residual[:, :, None]
        low, high = float(out.min()), float(out.max())
        np.clip(out, 0, 255, out=out)
        if low >= 0 and high <= 255:
            break
    return np.round(out).astype(np.uint8)


def _frame_votes(frame: np.ndarray) -> np.ndarray:
    difference = _pair_differences(_to_grid(frame))
    # Each pair votes +1 for "1" and -1 for "0"; nearly equal pairs vote softly, and
    # pairs far apart count little: a change too large to make leaves them as they were.
    soft = np.tanh(difference / MARGIN) / (1.0 + (np.abs(difference) / MAX_CHANGE) ** 4)
    # The shuffle this frame used is the one under which its votes agree the most.
    best: np.ndarray | None = None
    for layout in _layouts():
        votes = np.zeros(_PAYLOAD_BITS, dtype=np.float64)
        np.add.at(votes, layout, soft)
        if best is None or np.abs(votes).sum() > np.abs(best).sum():
            best = votes
    assert best is not None
    return best


def read_video_id_from_frames(frames: Iterable[np.ndarray]) -> str | None:
    """The video id carried by these frames, or None when there is none (or too little
    of it survived to be sure)."""
    total = np.zeros(_PAYLOAD_BITS, dtype=np.float64)
    seen = False
    for frame in frames:
        total += _frame_votes(frame)
        seen = True
    if not seen:
        return None
    bits = (total > 0).astype(np.uint8)
    unsure = np.argsort(np.abs(total))[:UNSURE_BITS]
    flips: list[tuple[int, ...]] = [()]
    flips += [(int(i),) for i in unsure]
    flips += [(int(i), int(j)) for i, j in itertools.combinations(unsure, 2)]
    for flip in flips:
        candidate = bits.copy()
        candidate[list(flip)] ^= 1
        found = _bits_to_id(candidate)
        if found is not None:
            return found
    return None


def read_video_id(path: Path, *, max_frames: int = 48) -> str | None:
    """Read the invisible video id from a video file (sampling up to ``max_frames``
    frames spread over it) or from a still image."""
    path = Path(path)
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is not None:
        return read_video_id_from_frames([cv2.cvtColor(image, cv2.COLOR_BGR2RGB)])
    frames = [rgb for _, rgb in iter_frames(path)]
    if len(frames) > max_frames:
        picks = np.linspace(0, len(frames) - 1, max_frames).round().astype(int)
        frames = [frames[i] for i in picks]
    return read_video_id_from_frames(frames)
