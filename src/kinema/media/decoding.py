"""Limits on decoding pictures and videos from users.

Two guards, applied wherever an uploaded file is turned into pixels:

- **Pixels are capped before decoding.** ``image_header`` reads only a picture's header
  (Pillow opens lazily) and ``refuse_oversized`` turns a too-large declared size into a
  413, so a 150 KB file that claims 40,000 x 40,000 pixels is refused without one pixel
  being allocated. Videos are capped the same way from their stream info
  (``kinema.media.probe.probe_video``).
- **Heavy decodes take turns.** ``heavy_decode()`` is a process-wide gate: a few decodes
  run at once, a bounded number wait for a turn, and callers beyond that get a 429 with
  ``Retry-After`` at once. Parallel requests therefore cannot each hold a full-size
  decode in memory at the same moment.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import struct
import threading
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError

from kinema.errors import InvalidInput, RateLimited, TooLarge

DEFAULT_SLOTS = 2
DEFAULT_QUEUE = 16
# How long a queued caller waits for a turn before being told to come back later.
DEFAULT_WAIT_SECONDS = 120.0
RETRY_AFTER_SECONDS = 5

# Everything Pillow's format plugins are known to raise on malformed input, besides its
# own UnidentifiedImageError: a bad file is the sender's problem (400), never a 500.
PILLOW_FAILURES: tuple[type[BaseException], ...] = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    AttributeError,
    ZeroDivisionError,
    struct.error,
    zlib.error,
    Image.DecompressionBombError,
)


class DecodeBusy(RateLimited):
    """Too many pictures or videos are being decoded and queued right now."""

    code = "busy"


class DecodeGate:
    """At most ``slots`` decodes at once and at most ``queue`` callers waiting."""

    def __init__(
        self,
        slots: int = DEFAULT_SLOTS,
        queue: int = DEFAULT_QUEUE,
        wait_seconds: float = DEFAULT_WAIT_SECONDS,
    ) -> None:
        self.slots = max(1, slots)
        self.queue = max(0, queue)
        self.wait_seconds = wait_seconds
        self._turns = threading.BoundedSemaphore(self.slots)
        self._lock = threading.Lock()
        self._waiting = 0
        self._held = threading.local()  # a thread already holding a turn nests freely

    @property
    def waiting(self) -> int:
        return self._waiting

    def _busy(self) -> DecodeBusy:
        return DecodeBusy(
            "The server is busy reading other files. Try again in a few seconds.",
            retry_after=RETRY_AFTER_SECONDS,
        )

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Hold one decode slot for the block; waits in the queue if all are taken."""
        depth = getattr(self._held, "depth", 0)
        if depth:
            self._held.depth = depth + 1
            try:
                yield
            finally:
                self._held.depth = depth
            return
        if not self._turns.acquire(blocking=False):
            with self._lock:
                if self._waiting >= self.queue:
                    raise self._busy()
                self._waiting += 1
            try:
                acquired = self._turns.acquire(timeout=self.wait_seconds)
            finally:
                with self._lock:
                    self._waiting -= 1
            if not acquired:
                raise self._busy()
        self._held.depth = 1
        try:
            yield
        finally:
            self._held.depth = 0
            self._turns.release()
            _return_freed_memory()


def _load_malloc_trim() -> Any:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None)
    except OSError:
        return None


_malloc_trim = _load_malloc_trim()


def _return_freed_memory() -> None:
    """Hand the memory of a finished decode back to the system. The C allocator keeps
    freed memory in per-thread arenas: without this, every thread-pool thread that ever
    decoded a large picture would keep its share, and the process would stay hundreds of
    megabytes larger after a burst."""
    if _malloc_trim is not None:
        _malloc_trim(0)


_gate = DecodeGate()


def configure_decoding(slots: int, queue: int) -> None:
    """Size the process-wide gate (from settings, when the app or a worker starts)."""
    global _gate
    if (_gate.slots, _gate.queue) != (slots, queue):
        _gate = DecodeGate(slots, queue)


def decode_gate() -> DecodeGate:
    return _gate


@contextmanager
def heavy_decode() -> Iterator[None]:
    """Run the block as one of the process's few concurrent heavy decodes."""
    with _gate.turn():
        yield


@dataclass(frozen=True)
class ImageHeader:
    format: str
    width: int
    height: int

    @property
    def pixels(self) -> int:
        return self.width * self.height


def not_an_image(what: str = "a picture Kinema can read") -> InvalidInput:
    return InvalidInput(f"That file is not {what}.", code="unsupported_image")


def image_header(source: bytes | Path) -> ImageHeader:
    """The format and declared size of a picture, from its header alone (nothing is
    decoded). ``InvalidInput`` when it is not a picture Pillow knows."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            opened = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
            with opened as image:
                width, height = image.size
                return ImageHeader(image.format or "", int(width), int(height))
        except Image.DecompressionBombError:
            # Pillow's own guard, for sizes far beyond any cap of ours.
            raise TooLarge("The image has far too many pixels to read.") from None
        except PILLOW_FAILURES:
            raise not_an_image() from None


def refuse_oversized(width: int, height: int, max_pixels: int, *, what: str = "image") -> None:
    """``TooLarge`` (413) when ``width`` x ``height`` is over ``max_pixels``."""
    if width <= 0 or height <= 0:
        raise InvalidInput(f"The {what} has no pictures in it.", code="unsupported_media")
    if width * height > max_pixels:
        raise TooLarge(
            f"The {what} is {width}x{height} pixels; the limit is {max_pixels:,} pixels."
        )
