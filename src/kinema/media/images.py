"""Uploaded images: recognised by their content (never their name), checked against byte
and pixel caps before any pixels are decoded, and re-encoded without metadata."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from kinema.errors import InvalidInput, TooLarge
from kinema.media.decoding import (
    PILLOW_FAILURES,
    ImageHeader,
    heavy_decode,
    image_header,
    refuse_oversized,
)

CHECK_SIDE = 2048
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
    # The same picture at most ``CHECK_SIDE`` pixels on its longer side, for checks that
    # look at content (moderation), which do not need every pixel of a 40 MP photo.
    preview: bytes = b""


def _not_an_image() -> InvalidInput:
    return InvalidInput("That file is not a PNG, JPEG or WebP image.", code="unsupported_image")


def check_image(data: bytes, *, max_bytes: int, max_pixels: int) -> ImageHeader:
    """The format and size of an uploaded picture, from its header alone: ``TooLarge``
    (413) for too many bytes or pixels, ``InvalidInput`` (400) for anything that is not a
    PNG, JPEG or WebP image. Nothing is decoded."""
    if len(data) > max_bytes:
        raise TooLarge(
            f"The image is {len(data) / 1_048_576:.1f} MB; the limit is "
            f"{max_bytes / 1_048_576:.1f} MB."
        )
    if not data:
        raise InvalidInput("The file is empty.", code="unsupported_image")
    try:
        header = image_header(data)
    except TooLarge:
        raise
    except InvalidInput:
        raise _not_an_image() from None
    if header.format not in ACCEPTED_FORMATS:
        raise _not_an_image()
    refuse_oversized(header.width, header.height, max_pixels)
    return header


def clean_image(data: bytes, *, max_bytes: int, max_pixels: int) -> CleanImage:
    """Check that ``data`` is a PNG, JPEG or WebP image within the caps and return it
    re-encoded in the same format, upright and stripped of metadata.

    Raises ``TooLarge`` (413) for too many bytes or pixels and ``InvalidInput`` (400) for
    anything that is not a readable image of an accepted type.
    """
    # 1. The header alone: format and declared size, before any pixel is decoded.
    header = check_image(data, max_bytes=max_bytes, max_pixels=max_pixels)
    fmt = header.format
    # 2. Decode, turn upright and re-encode, as one of the few decodes that run at once.
    with heavy_decode(), warnings.catch_warnings():
        # Pillow warns (then errors) on huge images; our own pixel cap is checked first.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                # In place: the usual upright picture is not copied at all.
                ImageOps.exif_transpose(image, in_place=True)
                upright = image
                has_alpha = upright.mode in ("RGBA", "LA", "PA") or (
                    upright.mode == "P" and "transparency" in upright.info
                )
                mode = "RGBA" if has_alpha and fmt != "JPEG" else "RGB"
                # Only convert when the mode differs: each copy of a 40 MP picture is
                # another 120-160 MB.
                pixels = upright if upright.mode == mode else upright.convert(mode)
                if pixels is not upright:
                    upright.close()
                out = io.BytesIO()
                if fmt == "JPEG":
                    pixels.save(out, "JPEG", quality=92, optimize=True)
                elif fmt == "WEBP":
                    pixels.save(out, "WEBP", quality=90)
                else:
                    pixels.save(out, "PNG", optimize=False)
                width, height = pixels.width, pixels.height
                preview = out.getvalue()
                if max(width, height) > CHECK_SIDE:
                    scale = CHECK_SIDE / max(width, height)
                    size = (max(1, round(width * scale)), max(1, round(height * scale)))
                    small = pixels.resize(size, Image.Resampling.BILINEAR).convert("RGB")
                    small_out = io.BytesIO()
                    small.save(small_out, "JPEG", quality=92)
                    preview = small_out.getvalue()
        except (TooLarge, InvalidInput):
            raise
        except Image.DecompressionBombError:
            raise TooLarge(
                f"The image has too many pixels; the limit is {max_pixels:,} pixels."
            ) from None
        except PILLOW_FAILURES:
            raise _not_an_image() from None

    content_type, extension = ACCEPTED_FORMATS[fmt]
    return CleanImage(
        data=out.getvalue(),
        content_type=content_type,
        extension=extension,
        width=width,
        height=height,
        preview=preview,
    )
