"""What can go wrong on a GPU engine, each with a message fit to show to people."""

from __future__ import annotations

from kinema.engines.base import EngineError


class GpuExtraMissing(EngineError):
    """torch / diffusers are not installed."""


class MissingWeights(EngineError):
    """The model's weights are not on this machine; the message says what to download
    and where to put it."""


class GenerationCancelled(EngineError):
    """The generation was cancelled while it ran; nothing was written."""


class OutOfMemory(EngineError):
    """The GPU ran out of memory. The engine stays loaded and usable, so the job can be
    retried, ideally with a smaller preset or more offloading (see the message)."""
