"""Whole videos from prompts the way people write them: decode the MP4, read the plan."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from videocheck import decode

from kinema.engines.base import GenerationRequest
from kinema.engines.procedural.engine import ProceduralEngine
from kinema.engines.procedural.plan import Plan
from kinema.engines.procedural.speech import estimate_pitch

pytestmark = pytest.mark.slow


def _generate(tmp_path: Path, prompt: str, seconds: float = 4) -> tuple[Plan, np.ndarray, int]:
    request = GenerationRequest(prompt=prompt, output=tmp_path / "v.mp4", width=160,
                                height=288, seconds=seconds, fps=12, seed=3)
    result = ProceduralEngine(workers=1).generate(request)
    video = decode(result.video_path)
    assert len(video.frames) == int(seconds * 12)
    return Plan.from_dict(result.plan), video.audio.mean(axis=0), video.sample_rate


def test_the_two_speakers_lines_come_from_different_voices(tmp_path: Path) -> None:
    plan, mono, rate = _generate(
        tmp_path, "Two friends sit in a cafe. The woman says \"I can't believe you came!\" "
                  "and the man replies \"I wouldn't miss it, seriously.\"", seconds=6)
    lines = [line for shot in plan.shots for line in shot.dialogue]
    assert len({line.speaker for line in lines}) == 2
    pitches = []
    for line in lines:
        clip = mono[int(line.start * rate): int(line.end * rate)]
        assert np.sqrt(np.mean(clip ** 2)) > 0.01  # the line is heard
        pitch = estimate_pitch(clip, rate)
        assert pitch is not None
        pitches.append(pitch)
    woman, man = pitches
    assert woman > man * 1.25


def test_a_korean_prompt_about_a_rabbit_draws_a_rabbit(tmp_path: Path) -> None:
    plan, _mono, _rate = _generate(tmp_path, "토끼가 눈 덮인 들판에서 깡충깡충 뛰어다니는 모습")
    shot = plan.shots[0]
    assert [s.glyph for s in shot.subjects] == ["🐇"]
    assert shot.subjects[0].action == "jump"
    assert shot.setting == "snow"
    assert plan.language == "ko"


def test_a_knight_rides_the_dragon_for_the_whole_clip(tmp_path: Path) -> None:
    plan, _mono, _rate = _generate(tmp_path, "a knight riding a dragon over the mountains")
    shot = plan.shots[0]
    knight = next(s for s in shot.subjects if s.noun == "knight")
    dragon = next(s for s in shot.subjects if s.noun == "dragon")
    assert (knight.relation, knight.anchor) == ("on", dragon.id)
    assert dragon.action == "fly" and dragon.scale > knight.scale


def test_nothing_to_draw_makes_no_video(tmp_path: Path) -> None:
    from kinema.engines.base import InvalidRequest

    request = GenerationRequest(prompt="qwzx plorb", output=tmp_path / "n.mp4", width=160,
                                height=288, seconds=1, fps=12)
    with pytest.raises(InvalidRequest, match="Nothing in this prompt could be drawn"):
        ProceduralEngine(workers=1).generate(request)
    assert not (tmp_path / "n.mp4").exists()
