"""Generation engines: a pure library that turns a ``GenerationRequest`` into an MP4
with sound. Nothing here imports the web app, the database or the queue."""

from kinema.engines.base import (
    CharacterRef,
    Engine,
    EngineError,
    GenerationRequest,
    GenerationResult,
    InvalidRequest,
    ProgressCallback,
    TranscriptLine,
    VoiceProfile,
)
from kinema.engines.registry import available_engines, get_engine

__all__ = [
    "CharacterRef",
    "Engine",
    "EngineError",
    "GenerationRequest",
    "GenerationResult",
    "InvalidRequest",
    "ProgressCallback",
    "TranscriptLine",
    "VoiceProfile",
    "available_engines",
    "get_engine",
]
