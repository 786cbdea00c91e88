"""Which mouth shape a speaker makes, frame by frame, from the phonemes of their own line.

eSpeak NG names the phonemes of every line it speaks, each with the moment it starts.
For a line eSpeak NG spoke itself those moments are exact. The neural voice phonemizes
with eSpeak NG too but keeps its own timing, so eSpeak NG's take of the same line is
aligned to the neural one by dynamic time warping over their spectra (both say the same
sounds in the same order) and each phoneme start is carried across.

Phonemes map to a few visemes, the shapes lips make: ``OPEN`` (a, the neutral jaw
drop), ``WIDE`` (e, i, s: lips stretched), ``ROUND`` (o, u, w, sh: lips narrowed and
pushed), ``CLOSED`` (m, b, p: lips pressed) and ``TEETH`` (f, v, th: lower lip under the
teeth). How far the mouth opens still comes from the loudness of the line
(``audio_lipsync``); the viseme is its shape.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Mapping

import numpy as np

from kinema.engines.base import EngineError
from kinema.engines.procedural.audio_lipsync import speaker_tracks
from kinema.engines.procedural.plan import Plan, Voice

OPEN, WIDE, ROUND, CLOSED, TEETH = range(5)
VISEMES = ("open", "wide", "round", "closed", "teeth")

_VOWELS = {
    **dict.fromkeys("aɑɐæʌɒəɜɚɝɶäɤ", OPEN),
    **dict.fromkeys("iɪeɛɨɯɘ", WIDE),
    **dict.fromkeys("oɔuʊyʏøœɵɞʉ", ROUND),
}
_CONSONANTS = {
    **dict.fromkeys("mbpʙɓ", CLOSED),
    **dict.fromkeys("fvɱθðʋ", TEETH),
    **dict.fromkeys("wʍɥʃʒɹɻ", ROUND),
    **dict.fromkeys("sztdnjcɟɕʑçʂʐɲ", WIDE),
}
_MARKS = set("ˈˌːˑ‿‍^_-'")
_LEAD = 0.03  # lips move a little before the sound they make is heard


def phoneme_visemes(phoneme: str) -> tuple[int, ...]:
    """The viseme(s) of one eSpeak NG phoneme in IPA: two for a diphthong (its start
    and its end), ``()`` for a pause."""
    letters = [c for c in unicodedata.normalize("NFD", phoneme)
               if c not in _MARKS and not unicodedata.combining(c) and not c.isspace()]
    if not letters:
        return ()
    if len(letters) >= 2 and letters[0] in "td" and letters[1] in "ʃʒ":
        return (ROUND,)  # ch, j: lips pushed out
    vowels = [_VOWELS[c] for c in letters if c in _VOWELS]
    if len(vowels) > 1 and letters[0] in "əɜɐ":
        return (vowels[-1],)  # a neutral start (the "o" of British "go") is its end's
    if vowels:
        return (vowels[0], vowels[-1]) if len(vowels) > 1 and vowels[-1] != vowels[0] else (
            vowels[0],)
    return (_CONSONANTS.get(letters[0], OPEN),)


def segments(phonemes: tuple[tuple[float, str], ...],
             end: float) -> list[tuple[float, float, int | None]]:
    """(start, stop, viseme) spans of timed ``phonemes`` (start second, IPA) that last
    until ``end``; a pause has viseme ``None``. A diphthong is split in half."""
    spans: list[tuple[float, float, int | None]] = []
    for k, (start, name) in enumerate(phonemes):
        stop = phonemes[k + 1][0] if k + 1 < len(phonemes) else end
        if stop <= start:
            continue
        shapes = phoneme_visemes(name)
        if not shapes:
            spans.append((start, stop, None))
        elif len(shapes) == 1:
            spans.append((start, stop, shapes[0]))
        else:
            middle = (start + stop) / 2
            spans.extend([(start, middle, shapes[0]), (middle, stop, shapes[1])])
    return spans


def viseme_frames(spans: list[tuple[float, float, int | None]], seconds: float,
                  rate: float) -> np.ndarray:
    """The viseme of each of ``seconds * rate`` frames (frame ``k`` covers ``k / rate``
    to ``(k + 1) / rate``): the one that lasts longest in it. A closing of the lips
    (m, b, p) always shows in at least one frame, however short it is: a mouth that
    says "mama" without ever closing reads wrong."""
    count = int(np.ceil(seconds * rate - 1e-9)) if seconds > 0 and rate > 0 else 0
    share = np.zeros((count, len(VISEMES)), dtype=np.float64)
    if not count:
        return np.zeros(0, dtype=np.uint8)
    closures: list[tuple[int, int]] = []
    for start, stop, shape in spans:
        if shape is None:
            continue
        a, b = max(0.0, (start - _LEAD) * rate), min(float(count), (stop - _LEAD) * rate)
        if b <= a:
            continue
        first, last = int(a), min(count - 1, int(np.ceil(b)) - 1)
        for k in range(first, last + 1):
            share[k, shape] += min(b, k + 1) - max(a, k)
        if shape == CLOSED:
            closures.append((first, last))
    frames = np.argmax(share, axis=1).astype(np.uint8)
    for first, last in closures:
        if not np.any(frames[first:last + 1] == CLOSED):
            frames[first + int(np.argmax(share[first:last + 1, CLOSED]))] = CLOSED
    return frames


# --- aligning eSpeak NG's take of a line to the voice that spoke it ------------------

_HOP = 0.01  # seconds per analysis frame
_BANDS = 24


def _features(x: np.ndarray, rate: int) -> np.ndarray:
    """Log energies in ``_BANDS`` bands (100 Hz - 6 kHz, log spaced) per 10 ms, with
    each band's mean over the line taken off (what differs between voices), scaled
    to unit spread."""
    win, hop = max(16, int(0.025 * rate)), max(1, int(_HOP * rate))
    x = np.asarray(x, dtype=np.float64).ravel()
    if x.size < win:
        x = np.pad(x, (0, win - x.size))
    count = 1 + (x.size - win) // hop
    index = np.arange(win)[None, :] + hop * np.arange(count)[:, None]
    spectrum = np.abs(np.fft.rfft(x[index] * np.hanning(win), axis=1)) ** 2
    freqs = np.fft.rfftfreq(win, 1.0 / rate)
    edges = np.geomspace(100.0, min(6000.0, 0.45 * rate), _BANDS + 1)
    bands = np.stack([spectrum[:, (freqs >= lo) & (freqs < hi)].sum(axis=1)
                      for lo, hi in itertools.pairwise(edges)], axis=1)
    loud = np.log(bands + 1e-9)
    floor = np.percentile(loud, 95, axis=0) - 12.0  # about 50 dB under the loud parts
    loud = np.maximum(loud, floor)
    loud -= loud.mean(axis=0)
    return loud / max(float(loud.std()), 1e-9)


# Steps of the warping path (clip frames, reference frames): slopes from 1/3 to 3, so
# a pause or a drawn-out vowel can differ in length, but the path cannot stall.
_STEPS = ((1, 1), (1, 2), (2, 1), (1, 3), (3, 1))


def _warp(clip: np.ndarray, reference: np.ndarray, free_end: bool) -> np.ndarray | None:
    """For each reference frame, the clip frame it matches (fractional), by dynamic
    time warping; ``None`` when no path fits the step limits. With ``free_end`` the
    clip may stop before the reference does (a line cut short)."""
    n, m = len(clip), len(reference)
    if n < 2 or m < 2:
        return None
    cost = np.sqrt(np.maximum(
        (clip**2).sum(1)[:, None] + (reference**2).sum(1)[None, :] - 2 * clip @ reference.T,
        0.0))
    total = np.full((n, m), np.inf)
    step = np.zeros((n, m), dtype=np.int8)
    total[0, 0] = 2 * cost[0, 0]
    for i in range(1, n):
        best = np.full(m, np.inf)
        for s, (di, dj) in enumerate(_STEPS):
            if i - di < 0:
                continue
            # A step pays for the frames it spans, so a steep path is not cheaper.
            came = np.full(m, np.inf)
            came[dj:] = total[i - di, : m - dj] + (di + dj) * cost[i, dj:]
            better = came < best
            best[better] = came[better]
            step[i, better] = s
        total[i] = best
    end = int(np.argmin(total[n - 1] / (np.arange(m) + n))) if free_end else m - 1
    if not np.isfinite(total[n - 1, end]):
        return None
    i, j = n - 1, end
    path = [(i, j)]
    while i > 0 or j > 0:
        di, dj = _STEPS[step[i, j]]
        i, j = i - di, j - dj
        if i < 0 or j < 0:
            return None
        path.append((i, j))
    path.reverse()
    ci = np.array([p[0] for p in path], dtype=np.float64)
    rj = np.array([p[1] for p in path], dtype=np.float64)
    # Reference frames past a cut end map past the clip: those phonemes are not heard.
    return np.interp(np.arange(m), rj, ci, right=np.inf)


def align(phonemes: tuple[tuple[float, str], ...], reference: np.ndarray, reference_rate: int,
          clip: np.ndarray, rate: int, complete: bool = True) -> tuple[tuple[float, str], ...]:
    """``phonemes`` timed on ``reference`` (eSpeak NG's audio of a line), moved onto
    ``clip``, another voice's audio of the same line. Where the warp fails the times are
    stretched to the clip's length."""
    clip_seconds = np.size(clip) / rate
    ref_seconds = np.size(reference) / max(reference_rate, 1)
    if not phonemes or clip_seconds <= 0 or ref_seconds <= 0:
        return ()
    warp = _warp(_features(clip, rate), _features(reference, reference_rate),
                 free_end=not complete)
    if warp is None:
        scale = clip_seconds / ref_seconds
        return tuple((t * scale, name) for t, name in phonemes)
    frames = np.arange(len(warp)) * _HOP
    moved = np.interp([t for t, _ in phonemes], frames, warp * _HOP)
    return tuple((float(t), name) for t, (_, name) in zip(moved, phonemes, strict=True)
                 if np.isfinite(t))


def line_visemes(text: str, language: str, voice: Voice, clip: np.ndarray, sample_rate: int,
                 rate: float, complete: bool = True) -> np.ndarray:
    """The viseme of every frame (``rate`` per second) of ``clip``, ``voice``'s audio
    of ``text``; all ``OPEN`` where eSpeak NG does not speak the language."""
    from kinema.engines.procedural.speech import phoneme_timing
    from kinema.engines.procedural.voices import is_neural_language, neural_available

    seconds = np.size(clip) / sample_rate
    count = int(np.ceil(seconds * rate - 1e-9)) if seconds > 0 else 0
    try:
        timing = phoneme_timing(text, language, voice)
    except EngineError:
        timing = None  # the line is heard all the same; its mouth only opens and shuts
    if timing is None or not timing.phonemes:
        return np.full(count, OPEN, dtype=np.uint8)
    neural = voice.engine == "neural" and is_neural_language(language) and neural_available()
    phonemes = (align(timing.phonemes, timing.audio, timing.sample_rate, clip, sample_rate,
                      complete) if neural else timing.phonemes)
    return viseme_frames(segments(phonemes, seconds), seconds, rate)


def speech_visemes(plan: Plan, clips: Mapping[tuple[int, int], np.ndarray],
                   sample_rate: int) -> dict[str, np.ndarray]:
    """Each speaking subject's viseme at every frame of ``plan``, from its own lines
    (``clips`` keyed by (shot index, line index), placed at each line's start). Frames
    outside its lines are ``OPEN`` (the mouth is shut there by its zero openness)."""
    from kinema.engines.procedural.voices import NARRATOR

    voices = {s.id: s.voice for shot in plan.shots for s in shot.subjects if s.voice}
    return speaker_tracks(
        plan, clips,
        lambda line, clip: line_visemes(line.text, line.language,
                                        voices.get(line.speaker or "", NARRATOR), clip,
                                        sample_rate, plan.fps, complete=not line.cut),
        empty=OPEN, dtype=np.uint8, merge=lambda old, new: new)
