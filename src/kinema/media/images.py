"""Uploaded images: recognised by their content (never their name), checked against byte
and pixel caps before any pixels are decoded, and re-encoded without metadata."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from kinema.errors import InvalidInput, TooLarge

# Pillow format name -> (MIME type, file extension)
ACCEPTED_FORMATS = {
    "PNG": ("image/png", "png"),
    "JPEG": ("image/jpeg", "jpg"),
    "WEBP": ("image/webp", "webp"),
}


@dataclass(frozen=True)
class CleanImage:
    """An image re-encoded from its pixels only (no EXIF, GPS or other metadata)."""

    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def _not_an_image() -> InvalidInput:
    return InvalidInput("That file is not a PNG, JPEG or WebP image.", code="unsupported_image")


def clean_image(data: bytes, *, max_bytes: int, max_pixels: int) -> CleanImage:
    """Check that ``data`` is a PNG, JPEG or WebP image within the caps and return it
    re-encoded in the same format, upright and stripped of metadata.

    Raises ``TooLarge`` (413) for too many bytes or pixels and ``InvalidInput`` (400) for
    anything that is not a readable image of an accepted type.
    """
    if len(data) > max_bytes:
        raise TooLarge(
            f"The image is {len(data) / 1_048_576:.1f} MB; the limit is "
            f"{max_bytes / 1_048_576:.1f} MB."
        )
    if not data:
        raise InvalidInput("The file is empty.", code="unsupported_image")
    with warnings.catch_warnings():
        # Pillow warns (then errors) on huge images; our own pixel cap is checked first.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format or ""
                width, height = probe.size
                if fmt not in ACCEPTED_FORMATS:
                    raise _not_an_image()
                if width * height > max_pixels:
                    raise TooLarge(
                        f"The image is {width}x{height} pixels; the limit is "
                        f"{max_pixels:,} pixels.",
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
        except (TooLarge, InvalidInput):
            raise
        except Image.DecompressionBombError:
            raise TooLarge(
                f"The image has too many pixels; the limit is {max_pixels:,} pixels."
            ) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise _not_an_image() from None

    content_type, extension = ACCEPTED_FORMATS[fmt]
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or (
        upright.mode == "P" and "transparency" in upright.info
    )
    pixels = upright.convert("RGBA" if has_alpha and fmt != "JPEG" else "RGB")
    out = io.BytesIO()
    if fmt == "JPEG":
        pixels.save(out, "JPEG", quality=92, optimize=True)
    elif fmt == "WEBP":
        pixels.save(out, "WEBP", quality=90)
    else:
        pixels.save(out, "PNG", optimize=False)
    return CleanImage(
        data=out.getvalue(),
        content_type=content_type,
        extension=extension,
        width=pixels.width,
        height=pixels.height,
    )
