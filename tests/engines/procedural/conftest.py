"""Fixtures for the procedural engine's tests: small real videos, decoded back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from videocheck import SMALL, Decoded, decode

from kinema.engines.base import GenerationRequest, GenerationResult
from kinema.engines.procedural.engine import ProceduralEngine

MakeVideo = Callable[..., tuple[GenerationResult, Decoded]]

@pytest.fixture
def make_video(tmp_path: Path) -> MakeVideo:
    """``make_video(prompt, **request fields)`` -> (result, decoded MP4); small and quick
    (rendered in this process)."""
    engine = ProceduralEngine(workers=1)
    counter = iter(range(10_000))

    def make(prompt: str, **fields: Any) -> tuple[GenerationResult, Decoded]:
        values = {**SMALL, **fields}
        request = GenerationRequest(prompt=prompt, output=tmp_path / f"v{next(counter)}.mp4",
                                    **values)
        result = engine.generate(request)
        return result, decode(result.video_path)

    return make
