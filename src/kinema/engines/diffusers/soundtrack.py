"""The sound layer under video-only models (LTX-Video, Wan): the procedural engine plans
the prompt (dialogue with the characters' voices, ambience for the setting and weather,
effects, music for the mood) and its sound renderer mixes it, so a generated clip has
the same kind of soundtrack as a procedural one."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kinema.engines.base import GenerationRequest, InvalidRequest, TranscriptLine
from kinema.engines.diffusers.media import SAMPLE_RATE

LINE_GAP = 0.25  # seconds of quiet before and between lines of dialogue


@dataclass
class Soundtrack:
    audio: np.ndarray  # (n, 2) float32 at 48 kHz
    plan: dict[str, Any] | None = None  # the procedural plan that the sound follows
    transcript: list[TranscriptLine] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)


def _optional(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def plan_sound(
    request: GenerationRequest, seconds: float, progress: Callable[[float], None] | None = None
) -> Soundtrack:
    """Plan and render the soundtrack for ``seconds`` of the requested video."""
    planner = _optional("kinema.engines.procedural.planner")
    audio = _optional("kinema.engines.procedural.audio")
    speech = _optional("kinema.engines.procedural.speech")
    if planner is None or audio is None:
        return Soundtrack(audio=room_tone(seconds, request.seed))

    if request.plan is not None:
        from kinema.engines.procedural.plan import Plan

        try:
            plan = Plan.from_dict(request.plan)
        except ValueError as exc:
            raise InvalidRequest(str(exc)) from exc
        plan.seconds = float(seconds)
    elif _procedural_parent(request.parent_plan) is not None and request.prompt.strip():
        plan = planner.edit_plan(_procedural_parent(request.parent_plan), request.prompt,
                                 seed=request.seed, characters=request.characters)
        plan.seconds = float(seconds)
    else:
        plan = planner.make_plan(
            request.prompt, seconds=seconds, width=request.width, height=request.height,
            fps=request.fps, seed=request.seed, image=request.image is not None,
            characters=request.characters, shots=request.shots,
        )
    clips = _time_dialogue(plan, speech) if speech is not None else {}
    samples = audio.render_soundtrack(plan, clips, progress=progress)
    names = {s.id: (s.name or s.noun) for shot in plan.shots for s in shot.subjects}
    transcript = [
        TranscriptLine(
            speaker=names.get(line.speaker or "", "narrator"), text=line.text,
            language=line.language, start=line.start, end=line.end,
        )
        for shot in plan.shots
        for line in shot.dialogue
    ]
    credits = [c for c in plan.credits if "OpenMoji" not in c]  # no emoji artwork is drawn
    return Soundtrack(
        audio=np.asarray(samples, dtype=np.float32),
        plan=plan.to_dict(),
        transcript=transcript,
        credits=credits,
    )


def _procedural_parent(parent: dict[str, Any] | None) -> dict[str, Any] | None:
    """The procedural plan inside a parent's plan: the parent itself when a procedural
    engine made it, or the sound plan a GPU engine kept with it."""
    if not parent:
        return None
    if "shots" in parent:
        return parent
    sound = parent.get("sound_plan")
    return sound if isinstance(sound, dict) and "shots" in sound else None


def _time_dialogue(plan: Any, speech: Any) -> dict[tuple[int, int], np.ndarray]:
    """Speak every line once to learn its length, then place the lines one after another
    inside their shot; a line that would run past its shot ends at the shot's end."""
    clips: dict[tuple[int, int], np.ndarray] = {}
    for shot_index, shot in enumerate(plan.shots):
        voices = {s.id: s.voice for s in shot.subjects}
        cursor = shot.start + LINE_GAP
        for line_index, line in enumerate(shot.dialogue):
            samples = speech.speak(line.text, line.language, voices.get(line.speaker or ""),
                                   SAMPLE_RATE)
            length = len(samples) / SAMPLE_RATE
            start = min(cursor, max(shot.start, shot.end - length))
            end = min(shot.end, start + length)
            clips[(shot_index, line_index)] = samples[: max(0, round((end - start) * SAMPLE_RATE))]
            line.start, line.end = round(start, 3), round(end, 3)
            cursor = end + LINE_GAP
    return clips


def room_tone(seconds: float, seed: int) -> np.ndarray:
    """A quiet, band-limited room tone (used only when the procedural sound layer is
    not installed), so every video still carries a real, unobtrusive audio track."""
    from scipy.signal import butter, sosfilt

    rng = np.random.default_rng([seed, 7])
    n = round(seconds * SAMPLE_RATE)
    noise = rng.standard_normal((n, 2))
    sos = butter(2, [80, 900], btype="bandpass", fs=SAMPLE_RATE, output="sos")
    tone = sosfilt(sos, noise, axis=0)
    tone *= 0.01 / max(float(np.sqrt(np.mean(tone**2))), 1e-9)  # about -40 dBFS RMS
    fade = min(n // 2, SAMPLE_RATE // 4)
    if fade:
        ramp = np.linspace(0.0, 1.0, fade)[:, None]
        tone[:fade] *= ramp
        tone[n - fade :] *= ramp[::-1]
    return tone.astype(np.float32)
