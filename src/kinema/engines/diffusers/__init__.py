"""GPU engines through Hugging Face diffusers: LTX-2 (video with its own sound),
LTX-Video and Wan 2.x. They need the ``kinema[gpu]`` extra; importing this package
does not import torch, so the app and the registry work without it.

Engines: ``ltx2``, ``ltx-video`` and ``wan`` (entry points in the ``kinema.engines``
group). Each takes a ``DiffusersOptions`` (or reads ``KINEMA_*`` variables when built by
the registry), keeps its pipeline loaded between generations, reports ``"denoise"``
progress per step, stops at the next step when cancelled (``engine.cancel()`` or a
``should_cancel`` callable) with ``GenerationCancelled``, and turns GPU out-of-memory
into ``OutOfMemory`` with advice.
"""

from kinema.engines.diffusers.errors import (
    GenerationCancelled,
    GpuExtraMissing,
    MissingWeights,
    OutOfMemory,
)
from kinema.engines.diffusers.options import PRESETS, DiffusersOptions

__all__ = [
    "PRESETS",
    "DiffusersOptions",
    "GenerationCancelled",
    "GpuExtraMissing",
    "MissingWeights",
    "OutOfMemory",
]
