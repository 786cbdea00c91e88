"""How open a speaker's mouth is, frame by frame, from the sound of their own line.

The renderer opens a speaker's mouth by the level it is given for each frame. That level
is the loudness of the speech band (200 Hz - 4 kHz, where vowels carry their energy) of
the speaker's own synthesized line, on a decibel scale, so vowels open the mouth wide,
consonants a little and pauses close it; it is zero outside the line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from kinema.engines.procedural.audio_dsp import band
from kinema.engines.procedural.plan import Line, Plan

_RANGE_DB = 30.0  # from closed (30 dB under the line's loud vowels) to fully open


def mouth_envelope(clip: np.ndarray, sample_rate: int, rate: float) -> np.ndarray:
    """Mouth openness 0..1 of a spoken ``clip`` (mono), ``rate`` values per second.

    Value ``k`` covers the samples from ``k / rate`` to ``(k + 1) / rate`` seconds.
    """
    x = np.asarray(clip, dtype=np.float64).ravel()
    if x.size == 0 or rate <= 0:
        return np.zeros(0, dtype=np.float32)
    voiced = band(x, sample_rate, 200.0, min(4000.0, 0.45 * sample_rate))
    hop = sample_rate / rate
    count = int(np.ceil(x.size / hop))
    edges = np.minimum(np.round(np.arange(count + 1) * hop).astype(np.int64), x.size)
    power = np.concatenate([[0.0], np.cumsum(voiced**2)])
    lengths = np.maximum(edges[1:] - edges[:-1], 1)
    level = np.sqrt((power[edges[1:]] - power[edges[:-1]]) / lengths)
    loud = float(np.percentile(level, 95)) if level.size else 0.0
    if loud <= 1e-6:
        return np.zeros(count, dtype=np.float32)
    with np.errstate(divide="ignore"):
        db = 20 * np.log10(np.maximum(level, 1e-12) / loud)
    openness = np.clip(1 + db / _RANGE_DB, 0.0, 1.0)
    # Lips close faster than sound decays in a room: a light release, no attack lag.
    for k in range(1, openness.size):
        openness[k] = max(openness[k], openness[k - 1] * 0.45)
    return openness.astype(np.float32)


def speech_levels(plan: Plan, clips: Mapping[tuple[int, int], np.ndarray],
                  sample_rate: int) -> dict[str, np.ndarray]:
    """Each speaking subject's mouth openness at every frame of ``plan`` (0..1), from its
    own lines (``clips`` keyed by (shot index, line index), placed at each line's start).
    A subject who is not speaking has 0; the narrator has no mouth."""
    return speaker_tracks(plan, clips, lambda line, clip: mouth_envelope(
        clip, sample_rate, plan.fps), empty=0.0, dtype=np.float32, merge=np.maximum)


def speaker_tracks(plan: Plan, clips: Mapping[tuple[int, int], np.ndarray],
                   per_line: Callable[[Line, np.ndarray], np.ndarray], *, empty: float,
                   dtype: type, merge: Callable[[np.ndarray, np.ndarray], np.ndarray]
                   ) -> dict[str, np.ndarray]:
    """One value per frame of ``plan`` for each speaking subject: ``per_line(line,
    clip)`` gives a line's values from its start, ``merge(old, new)`` lays them over
    what is there, and ``empty`` fills the frames outside the subject's lines."""
    frames = max(1, round(plan.seconds * plan.fps))
    tracks: dict[str, np.ndarray] = {}
    for i, shot in enumerate(plan.shots):
        for j, line in enumerate(shot.dialogue):
            clip = clips.get((i, j))
            if line.speaker is None or clip is None or not np.size(clip):
                continue
            values = per_line(line, clip)
            first = round(line.start * plan.fps) if np.isfinite(line.start) else 0
            track = tracks.setdefault(line.speaker, np.full(frames, empty, dtype=dtype))
            begin, stop = max(first, 0), min(frames, first + values.size)
            if stop > begin:
                track[begin:stop] = merge(track[begin:stop], values[begin - first: stop - first])
    return tracks
