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

Only the DC coefficients are used, and those are plain sums of the grid's 8x8 blocks,
so they are computed that way. Making the mark only has to move each block's mean
brightness, and it does so where the eye does not look: busy blocks are pushed further
than smooth ones (skies, sand, water), each block's change is a smooth hump that is zero
on the block's edges (no block pattern on a gradient), and a pair that would need a
change too large to hide is left alone. Rendered videos are marked on their luma plane as H.264
stores it (``embed_video_id_in_luma``), with no colour conversion, and videos are read
from their luma plane too; ``embed_video_id_in_frame`` makes the same mark in an RGB
picture, and stills are read from RGB.
"""

from __future__ import annotations

import binascii
import itertools
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from kinema.errors import InvalidInput
from kinema.provenance.video import iter_luma

GRID = 256
BLOCK = 4
# Smallest DC difference a marked pair is pushed to (DC units: 8x the mean pixel level),
# and the largest change made to one pair, so busy areas are never visibly disturbed.
MARGIN = 28.0
MAX_CHANGE = 120.0
# Perceptual masking: a change hides in busy picture and shows on smooth areas (skies,
# sand, water), so busy blocks carry more of the mark. Smooth blocks get the margin
# (``FLAT_STRENGTH`` of it); blocks with ``BUSY_TEXTURE`` of detail one more margin, up
# to ``BUSY_STRENGTH``. Detail is the absolute Laplacian of the brightness on the 256x256
# grid, counted only where it fills ``TEXTURE_SPAN`` grid pixels around: a lone edge or a
# thin line on a plain background hides nothing, the eye sees the plain background.
FLAT_STRENGTH = 1.0
BUSY_STRENGTH = 2.0
BUSY_TEXTURE = 8.0
TEXTURE_SPAN = 5
# Inside a block the change is shaped by a sine window, zero on the block's edges so
# that neighbouring blocks meet without a step, and leaning toward the block's busy
# side: smooth pixels weigh ``FLAT_DETAIL``, busy ones up to ``FLAT_DETAIL + DETAIL_CAP``.
FLAT_DETAIL = 2.0
DETAIL_CAP = 8.0
# Reading retries with the least certain bits flipped (up to two of these many), which
# mends a few wrong votes while the checksum still rules out chance matches.
UNSURE_BITS = 10
EMBED_PASSES = 2
LAYOUTS = 4
SECONDS_PER_LAYOUT = 0.5
# Black and white in video-range luma.
_BLACK, _WHITE = 16, 235
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


def check_video_id(video_id: str) -> None:
    """Raise ``InvalidInput`` unless ``video_id`` is a Kinema video id the mark can carry."""
    _id_to_bits(video_id)


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


@lru_cache(maxsize=64)
def _wanted_signs(video_id: str, layout: int) -> np.ndarray:
    """+1 / -1 per pair of blocks: the bit each pair must say under shuffle ``layout``."""
    signs = np.where(_id_to_bits(video_id)[_layouts()[layout % LAYOUTS]] == 1, 1.0, -1.0)
    signs.setflags(write=False)
    return signs


def _luma(frame: np.ndarray) -> np.ndarray:
    if frame.dtype != np.float32:
        frame = frame.astype(np.float32)
    return np.asarray(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY))


def _block_means(luma: np.ndarray) -> np.ndarray:
    """The mean brightness of each of the 32x32 blocks the marked pairs are made of
    (each covers 8x8 pixels of the 256x256 grid). Averaged straight from the full
    picture, rows first, in float: the same areas as going through the grid, at a third
    of the cost."""
    n = GRID // 2 // BLOCK
    if luma.dtype != np.float32:
        luma = luma.astype(np.float32)
    rows = cv2.resize(luma, (luma.shape[1], n), interpolation=cv2.INTER_AREA)
    return np.asarray(cv2.resize(rows, (n, n), interpolation=cv2.INTER_AREA), dtype=np.float64)


def _pair_differences(luma: np.ndarray) -> np.ndarray:
    """How much brighter the left block of each pair is than the right one, in DC units,
    for a whole picture's grey levels (any size)."""
    # The DC coefficient of a 4x4 block of the Haar low band is the sum of the 8x8 grid
    # pixels under it over 8 (each low-band value is half the sum of its 2x2 pixels, the
    # orthonormal DC a quarter of its 16 values), so 8x the block's mean: the same
    # numbers as running the transforms.
    dc = 8.0 * _block_means(luma).reshape(-1)
    return np.asarray(dc[0::2] - dc[1::2])


_BLOCKS = GRID // 2 // BLOCK  # blocks per side of the grid (32)
_CELL = GRID // _BLOCKS  # grid pixels per block side (8)


@lru_cache(maxsize=1)
def _sine_window() -> np.ndarray:
    """A 256x256 field, in every 8x8 block of the grid a raised hump: a sine across
    times a sine down, zero at the block's edges."""
    hump = np.sin(np.pi * (np.arange(_CELL, dtype=np.float32) + 0.5) / _CELL)
    row = np.tile(hump, _BLOCKS)
    window = np.outer(row, row).astype(np.float32)
    window.setflags(write=False)
    return window


def _to_grid(block_values: np.ndarray) -> np.ndarray:
    """Spread one value per block (32x32) over the block's 8x8 grid pixels."""
    return np.asarray(
        cv2.resize(block_values, (GRID, GRID), interpolation=cv2.INTER_NEAREST),
        dtype=np.float32,
    )


class _Masking:
    """Where in a picture the mark may go, and how strongly (see ``FLAT_STRENGTH``).

    ``shape`` is the 256x256 grid field the change of each block is drawn with (its mean
    over every block is 1, so a block's mean moves by exactly the amount asked);
    ``strength`` is each block's share of the margin (32x32); ``differences`` are the
    pairs' DC differences in the picture as it was (as ``_pair_differences`` measures
    them, from the same grid)."""

    def __init__(self, grey: np.ndarray, scale: float = 1.0) -> None:
        # Averaged rows first (as ``_block_means`` does, for speed), then scaled to grey
        # levels (``scale``) once small.
        if grey.dtype != np.float32:
            grey = grey.astype(np.float32)
        rows = cv2.resize(grey, (grey.shape[1], GRID), interpolation=cv2.INTER_AREA)
        grid = cv2.resize(rows, (GRID, GRID), interpolation=cv2.INTER_AREA) * np.float32(scale)
        dc = 8.0 * cv2.resize(grid, (_BLOCKS, _BLOCKS), interpolation=cv2.INTER_AREA)
        dc = dc.astype(np.float64).reshape(-1)
        self.differences = np.asarray(dc[0::2] - dc[1::2])
        # Lines and single edges on a plain background hide nothing (the eye sees the
        # plain background around them), so detail counts only where it fills a whole
        # neighbourhood: the least detail within a few grid pixels.
        detail = cv2.erode(
            cv2.blur(np.abs(cv2.Laplacian(grid, cv2.CV_32F)), (3, 3)),
            np.ones((TEXTURE_SPAN, TEXTURE_SPAN), np.uint8),
        )
        texture = cv2.resize(detail, (_BLOCKS, _BLOCKS), interpolation=cv2.INTER_AREA)
        self.strength = np.clip(
            FLAT_STRENGTH + texture / BUSY_TEXTURE, FLAT_STRENGTH, BUSY_STRENGTH
        ).astype(np.float64)
        # Smoothed over about a block: the change must stay in the low frequencies that
        # re-encoding and scaling keep, only leaning toward the busy side of each block.
        busy = cv2.resize(
            cv2.resize(
                np.minimum(detail, DETAIL_CAP),
                (_BLOCKS * 2, _BLOCKS * 2),
                interpolation=cv2.INTER_AREA,
            ),
            (GRID, GRID),
            interpolation=cv2.INTER_LINEAR,
        )
        weight = _sine_window() * (FLAT_DETAIL + busy)
        means = cv2.resize(weight, (_BLOCKS, _BLOCKS), interpolation=cv2.INTER_AREA)
        self.shape = weight / _to_grid(means)

    def pair_strength(self) -> np.ndarray:
        """The share of the margin each pair of blocks is pushed to: the mean of its two
        blocks."""
        flat = self.strength.reshape(-1)
        return np.asarray((flat[0::2] + flat[1::2]) / 2.0)

    def residual(
        self, change: np.ndarray, width: int, height: int, scale: float = 1.0
    ) -> np.ndarray:
        """The brightness change (grey levels, ``width`` x ``height``) that moves each
        pair's DC difference by ``change``. The busier block of a pair takes the larger
        part, the left one up and the right one down; a DC unit is 8x a block's mean."""
        flat = self.strength.reshape(-1)
        left, right = flat[0::2], flat[1::2]
        blocks = np.empty(_BLOCKS * _BLOCKS, dtype=np.float32)
        blocks[0::2] = change * left / (left + right) * (scale / 8.0)
        blocks[1::2] = -change * right / (left + right) * (scale / 8.0)
        field = _to_grid(blocks.reshape(_BLOCKS, _BLOCKS)) * self.shape
        return np.asarray(cv2.resize(field, (width, height), interpolation=cv2.INTER_LINEAR))


def _pair_change(
    difference: np.ndarray, want: np.ndarray, strength: np.ndarray, spent: np.ndarray
) -> np.ndarray:
    """How far to move each pair's DC difference so that its order says the wanted bit
    with this pair's share of the margin, and by no more than ``MAX_CHANGE`` in all.

    A pair that would need more is left as it is: half a move would be seen and would
    still say the wrong bit, only more firmly (reading trusts large differences little)."""
    target = MARGIN * strength
    change = np.where(difference * want >= target, 0.0, want * target - difference)
    return np.asarray(np.where(np.abs(spent + change) > MAX_CHANGE, 0.0, change))


def embed_video_id_in_frame(frame: np.ndarray, video_id: str, *, layout: int = 0) -> np.ndarray:
    """Return ``frame`` (H x W x 3 uint8 RGB) carrying ``video_id`` invisibly, spread
    with shuffle number ``layout`` (see ``layout_at``)."""
    want = _wanted_signs(video_id, layout)
    height, width = frame.shape[:2]
    out = frame.astype(np.float32)
    masking = _Masking(_luma(out))
    strength = masking.pair_strength()
    spent = np.zeros_like(want)
    # Where bright or dark pixels clipped part of a change, another pass asks for the
    # rest; most frames need only one.
    for step in range(EMBED_PASSES):
        difference = masking.differences if step == 0 else _pair_differences(_luma(out))
        change = _pair_change(difference, want, strength, spent)
        if not np.any(np.abs(change) > 0.5):
            break
        spent += change
        out += masking.residual(change, width, height)[:, :, None]
        low, high = float(out.min()), float(out.max())
        np.clip(out, 0, 255, out=out)
        if low >= 0 and high <= 255:
            break
    return np.round(out).astype(np.uint8)


@lru_cache(maxsize=8)
def _level_planes(shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Planes of video-range black and white, to bound a luma plane pixel by pixel."""
    black = np.full(shape, _BLACK, dtype=np.uint8)
    white = np.full(shape, _WHITE, dtype=np.uint8)
    black.setflags(write=False)
    white.setflags(write=False)
    return black, white


def embed_video_id_in_luma(luma: np.ndarray, video_id: str, *, layout: int = 0) -> np.ndarray:
    """Hide ``video_id`` in a frame's video-range luma plane (H x W uint8, 16-235 as
    H.264 stores it), changing it in place, and return it.

    The same mark as ``embed_video_id_in_frame`` puts into an RGB picture, whose grey
    level this plane is, made without converting colours: rendered videos are marked
    this way, and ``read_video_id`` reads them back from the luma plane.
    """
    want = _wanted_signs(video_id, layout)
    height, width = luma.shape
    to_video_range = np.float32(219.0 / 255.0)
    # Detail is measured in video range; it is scaled like the rest to grey levels.
    masking = _Masking(luma, 1.0 / float(to_video_range))
    strength = masking.pair_strength()
    spent = np.zeros_like(want)
    for step in range(EMBED_PASSES):
        # Differences are linear in the levels: measure the plane as it is, then scale
        # from video range to grey levels (the offset cancels out).
        if step == 0:
            difference = masking.differences
        else:
            difference = _pair_differences(luma) / float(to_video_range)
        change = _pair_change(difference, want, strength, spent)
        if not np.any(np.abs(change) > 0.5):
            break
        spent += change
        residual = masking.residual(change, width, height, float(to_video_range))
        marked = cv2.add(luma, residual, dtype=cv2.CV_8U)  # rounds and saturates
        # A pixel pushed past black or white (as an RGB picture shows it) loses part of
        # its change: it stays at the edge, and the next pass measures again. Pixels
        # already beyond an edge are not pushed further out.
        black, white = _level_planes(luma.shape)
        lower, upper = cv2.min(luma, black), cv2.max(luma, white)
        cv2.min(marked, upper, dst=luma)
        cv2.max(luma, lower, dst=luma)
        clipped = cv2.norm(luma, marked, cv2.NORM_INF) > 0
        if not clipped:
            break
    return luma


def _frame_votes(frame: np.ndarray) -> np.ndarray:
    return _votes(_pair_differences(_luma(frame)))


def _votes(difference: np.ndarray) -> np.ndarray:
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
    return _read_votes(_frame_votes(frame) for frame in frames)


def _read_votes(frame_votes: Iterable[np.ndarray]) -> str | None:
    total = np.zeros(_PAYLOAD_BITS, dtype=np.float64)
    seen = False
    for votes in frame_votes:
        total += votes
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


def read_video_id(path: Path, *, max_frames: int = 240) -> str | None:
    """Read the invisible video id from a video file (sampling up to ``max_frames``
    frames spread over it: 10 s at 24 fps, so a short clip is read whole) or from a
    still image."""
    path = Path(path)
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is not None:
        return read_video_id_from_frames([cv2.cvtColor(image, cv2.COLOR_BGR2RGB)])
    # Only each frame's pair differences are kept (a few hundred numbers), so a long
    # video is read in little memory; the brightness comes from the luma plane as the
    # marking wrote it.
    differences = [_pair_differences(luma) for _, luma in iter_luma(path)]
    if len(differences) > max_frames:
        picks = np.linspace(0, len(differences) - 1, max_frames).round().astype(int)
        differences = [differences[i] for i in picks]
    return _read_votes(_votes(difference) for difference in differences)
