"""Singing and applause: who sings (from the prompt), the sung line that follows the
music's tune and key, and an audience that applauds performers."""

from __future__ import annotations

import re

import numpy as np

from kinema.engines.procedural.audio_instruments import hz, sung
from kinema.engines.procedural.audio_synth import SAMPLE_RATE, place
from kinema.engines.procedural.music import Track
from kinema.engines.procedural.plan import Plan, Shot, Subject

_SINGING = re.compile(r"\b(sing|sings|singing|sang|sung|singer|singers|choir|karaoke|"
                      r"serenad\w*|hums?|humming|croon\w*|vocalist|opera)\b", re.IGNORECASE)
_PERFORMERS = frozenset((
    "singer", "band", "musician", "pianist", "guitarist", "dancer", "drummer", "violinist",
    "cellist", "rapper", "dj", "magician", "comedian", "ballerina", "rockstar", "rock star",
    "idol", "performer", "orchestra", "choir", "conductor", "saxophonist", "trumpeter",
    "juggler", "clown", "acrobat",
))
_INSTRUMENTS = frozenset(("guitar", "piano", "violin", "cello", "drum", "drums", "saxophone",
                          "trumpet", "microphone", "flute", "harp", "banjo", "ukulele"))
STAGES = frozenset(("stage", "concert_hall", "stadium"))


def singer(plan: Plan) -> str | None:
    """The id of the subject who sings, or ``None`` when the prompt has no singing: the
    subject called a singer, else the one named closest before the word "sings"."""
    match = _SINGING.search(plan.prompt)
    if match is None:
        return None
    subjects = [s for shot in plan.shots for s in shot.subjects]
    if not subjects:
        return None
    for subject in subjects:
        if subject.noun.lower() in ("singer", "choir", "vocalist", "idol"):
            return subject.id
    text = plan.prompt.lower()
    best: tuple[int, str] | None = None
    for subject in subjects:
        at = text.rfind(subject.noun.lower(), 0, match.start() + 1)
        if at >= 0 and (best is None or at > best[0]):
            best = (at, subject.id)
    return best[1] if best else subjects[0].id


def performs(subject: Subject, sings: bool) -> bool:
    """Whether an audience would applaud ``subject``: it sings, dances, plays or is a
    performer."""
    return (sings or subject.action == "dance" or subject.noun.lower() in _PERFORMERS
            or any(h.item.lower() in _INSTRUMENTS for h in subject.held))


def sung_line(track: Track, start: float, end: float, kind: str,
              rng: np.random.Generator) -> np.ndarray:
    """A singer's voice from ``start`` to ``end`` seconds (mono, placed from ``start``),
    singing the track's tune on open vowels and hums, in the track's key; a voice of
    ``kind`` (see ``voices.speaker_kind``) sings in its own octave."""
    n = max(0, int((end - start) * SAMPLE_RATE))
    out = np.zeros(n + SAMPLE_RATE // 2)
    if n == 0:
        return out[:0]
    octave = {"woman": 12, "girl": 12, "boy": 12, "animal": 12, "old_woman": 12}.get(kind, 0)
    notes = [(s, d, m) for s, d, m in track.melody if start <= s < end - 0.1]
    if not notes:
        # Music without a tune (or none at all): hum slow chord tones of the key.
        beat = 60.0 / (track.tempo or 90.0)
        t, step = start, 0
        while t < end - 0.2:
            degree = int(rng.choice((0, 2, 4, 2, 1, 0, 4, 5)))
            midi = track.root + 24 + track.scale[degree % len(track.scale)]
            notes.append((t, 2 * beat, midi))
            t += 2 * beat
            step += 1
    vowels = ("a", "o", "e", "a", "u", "m")
    for k, (s, d, midi) in enumerate(notes):
        note = midi + octave
        while note > 79:
            note -= 12
        while note < 52:
            note += 12
        voice = sung(hz(note), min(d * 0.95, end - s), vowels[int(rng.integers(0, 6))]
                     if k % 4 else "a")
        place(out, voice, int((s - start) * SAMPLE_RATE))
    return out[:n]


def applause_times(shot: Shot, sings: str | None) -> list[tuple[float, float]]:
    """When an audience applauds in ``shot``: (start, seconds) at the end of a shot on a
    stage, in a concert hall or a stadium where someone performs."""
    if shot.setting not in STAGES:
        return []
    if not any(performs(s, s.id == sings) for s in shot.subjects):
        return []
    length = min(3.0, max(1.2, shot.duration * 0.4))
    return [(shot.end - length, length)]
