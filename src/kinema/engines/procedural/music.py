"""Music per mood: a small seeded composer and a handful of soft synth voices.

A mood picks tempo, key, scale, chord progression, instruments and groove. The composer
lays down a pad holding each chord, a bass line, an arpeggio or a melody drawn from the
chord tones, and (for lively moods) light drums, then adds a room reverb.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.signal import fftconvolve

from kinema.engines.procedural.audio_synth import (
    SAMPLE_RATE,
    at_level,
    bandpass,
    decay,
    fade,
    highpass,
    lowpass,
    noise,
    place,
    sweep,
    times,
    to_stereo,
)

MAJOR = (0, 2, 4, 5, 7, 9, 11)
MINOR = (0, 2, 3, 5, 7, 8, 10)
DORIAN = (0, 2, 3, 5, 7, 9, 10)
PHRYGIAN = (0, 1, 3, 5, 7, 8, 10)


@dataclass(frozen=True)
class Style:
    """How a mood sounds."""

    tempo: float  # beats per minute
    root: int  # MIDI note of the key's tonic (bass octave)
    scale: tuple[int, ...]
    progression: tuple[int, ...]  # scale degrees (0 = tonic), one chord per bar
    sevenths: bool
    pad: str  # "warm" | "bright" | "dark" | "brass"
    lead: str  # "piano" | "bell" | "marimba" | "flute" | "none"
    arpeggio: int  # notes per beat of the arpeggio; 0 for none
    melody: bool
    drums: str  # "none" | "soft" | "pop" | "big" | "pulse"
    reverb: float  # wet level 0..1


STYLES: dict[str, Style] = {
    "calm": Style(72, 41, MAJOR, (0, 5, 3, 4), True, "warm", "piano", 2, True, "none", 0.35),
    "happy": Style(112, 48, MAJOR, (0, 4, 5, 3), False, "bright", "piano", 2, True, "pop", 0.2),
    "playful": Style(
        126, 43, MAJOR, (0, 3, 4, 3), False, "bright", "marimba", 4, True, "soft", 0.15
    ),
    "tense": Style(96, 38, PHRYGIAN, (0, 0, 1, 0), False, "dark", "none", 4, False, "pulse", 0.3),
    "sad": Style(66, 45, MINOR, (0, 5, 2, 6), True, "warm", "piano", 2, True, "none", 0.45),
    "epic": Style(88, 38, MINOR, (0, 5, 2, 6), False, "brass", "none", 2, True, "big", 0.4),
    "mysterious": Style(70, 40, DORIAN, (0, 3, 5, 4), True, "dark", "bell", 1, False, "none", 0.55),
    "romantic": Style(76, 39, MAJOR, (0, 2, 3, 4), True, "warm", "piano", 3, True, "none", 0.4),
}


def _hz(midi: float) -> float:
    return 440.0 * 2 ** ((midi - 69) / 12)


def _chord(style: Style, degree: int) -> list[int]:
    """MIDI notes (bass octave) of the chord on ``degree`` of the style's scale."""
    steps = (0, 2, 4, 6) if style.sevenths else (0, 2, 4)
    notes = []
    for step in steps:
        index = degree + step
        octave, position = divmod(index, len(style.scale))
        notes.append(style.root + 12 * octave + style.scale[position])
    return notes


_TABLE_SIZE = 4096


@lru_cache(maxsize=8)
def _pad_table(kind: str) -> np.ndarray:
    """One cycle of the pad's waveform: a saw with its upper harmonics tilted away."""
    partials = {"warm": 6, "bright": 9, "dark": 4, "brass": 12}[kind]
    tilt = {"warm": 1.6, "bright": 1.2, "dark": 2.0, "brass": 1.0}[kind]
    phase = 2 * np.pi * np.arange(_TABLE_SIZE + 1) / _TABLE_SIZE
    return sum(np.sin(k * phase) / k**tilt for k in range(1, partials + 1))


def _pad_note(freq: float, seconds: float, kind: str, rng: np.random.Generator) -> np.ndarray:
    """A sustained chord voice: three detuned copies of a soft saw, with a slow swell."""
    n = int(seconds * SAMPLE_RATE)
    t = times(n)
    table = _pad_table(kind)
    out = np.zeros(n)
    for detune in (-0.0025, 0.0, 0.0025):
        # Wavetable lookup: one gather per copy instead of one sine per harmonic.
        position = (freq * (1 + detune) * t + rng.uniform(0, 1)) % 1.0 * _TABLE_SIZE
        index = position.astype(np.int64)
        frac = position - index
        out += table[index] * (1 - frac) + table[index + 1] * frac
    attack = {"brass": 0.12, "bright": 0.08}.get(kind, 0.6)
    env = np.minimum(1.0, t / attack) * np.minimum(1.0, (seconds - t) / 0.5).clip(0, 1)
    return out * env


def _fm_note(freq: float, seconds: float, kind: str) -> np.ndarray:
    """Plucked and struck tones by FM synthesis: electric piano, bell, marimba."""
    ratio, index, length, brightness = {
        "piano": (1.0, 1.8, 1.2, 0.5),
        "bell": (3.5, 2.5, 2.5, 0.9),
        "marimba": (4.0, 1.2, 0.35, 0.15),
    }[kind]
    n = int(min(seconds + length, length * 3) * SAMPLE_RATE)
    t = times(n)
    modulator = index * np.exp(-t / brightness) * np.sin(2 * np.pi * freq * ratio * t)
    tone = np.sin(2 * np.pi * freq * t + modulator)
    return tone * decay(n, length * 0.5, attack=0.004)


def _flute_note(freq: float, seconds: float) -> np.ndarray:
    """A soft singing lead: rounded odd harmonics, gentle vibrato after the attack."""
    n = int((seconds + 0.15) * SAMPLE_RATE)
    t = times(n)
    vibrato = 1 + 0.004 * np.sin(2 * np.pi * 5.2 * t) * np.minimum(1, t / 0.4)
    phase = 2 * np.pi * freq * np.cumsum(vibrato) / SAMPLE_RATE
    tone = np.sin(phase) + np.sin(3 * phase) / 9 + np.sin(5 * phase) / 25
    env = np.minimum(1, t / 0.06) * np.clip((seconds + 0.15 - t) / 0.15, 0, 1)
    return tone * env


def _bass_note(freq: float, seconds: float) -> np.ndarray:
    n = int((seconds + 0.1) * SAMPLE_RATE)
    t = times(n)
    tone = (
        np.sin(2 * np.pi * freq * t)
        + 0.35 * np.sin(4 * np.pi * freq * t)
        + 0.12 * np.sin(6 * np.pi * freq * t)
    )
    env = decay(n, max(seconds * 0.7, 0.15), attack=0.006)
    env *= np.clip((seconds + 0.1 - t) / 0.1, 0, 1)
    return tone * env


def _kick(rng: np.random.Generator, big: bool = False) -> np.ndarray:
    n = int(0.45 * SAMPLE_RATE)
    body = np.sin(sweep(n, 140 if big else 120, 42)) * decay(n, 0.22 if big else 0.15)
    click = highpass(noise(rng, n), 2000) * decay(n, 0.004) * 0.2
    return body + click


def _snare(rng: np.random.Generator) -> np.ndarray:
    n = int(0.3 * SAMPLE_RATE)
    rattle = bandpass(noise(rng, n), 1500, 8000) * decay(n, 0.07)
    body = np.sin(2 * np.pi * 190 * times(n)) * decay(n, 0.05)
    return rattle * 0.7 + body * 0.5


def _hat(rng: np.random.Generator, open_hat: bool = False) -> np.ndarray:
    n = int((0.25 if open_hat else 0.08) * SAMPLE_RATE)
    return highpass(noise(rng, n), 7000, order=4) * decay(n, 0.08 if open_hat else 0.018)


def _tom(rng: np.random.Generator, pitch: float) -> np.ndarray:
    n = int(0.6 * SAMPLE_RATE)
    return (
        np.sin(sweep(n, pitch * 1.6, pitch)) * decay(n, 0.25)
        + lowpass(noise(rng, n), 800) * decay(n, 0.03) * 0.3
    )


def _reverb(signal: np.ndarray, wet: float, rng: np.random.Generator) -> np.ndarray:
    """A room: decaying noise impulse responses, different per channel for width."""
    if wet <= 0:
        return signal
    length = 1.6
    n = int(length * SAMPLE_RATE)
    t = times(n)
    out = signal.copy()
    for channel in range(2):
        ir = lowpass(noise(rng, n), 5000) * np.exp(-t / (length / 6.9) * 1.2)
        ir[: int(0.012 * SAMPLE_RATE)] = 0  # pre-delay keeps the dry note clear
        ir /= np.sqrt(np.sum(ir**2)) + 1e-12
        out[:, channel] += wet * fftconvolve(signal[:, channel], ir)[: signal.shape[0]]
    return out


def compose(mood: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """Stereo music ``(n, 2)`` for ``mood`` (an unknown mood plays as "calm")."""
    style = STYLES.get(mood, STYLES["calm"])
    out_pad = np.zeros((n, 2))
    out_bass = np.zeros(n)
    out_lead = np.zeros((n, 2))
    out_drums = np.zeros((n, 2))
    if n == 0:
        return np.zeros((0, 2))
    beat = 60.0 / style.tempo * rng.uniform(0.97, 1.03)
    bar = 4 * beat
    seconds = n / SAMPLE_RATE
    # A seeded transposition and a rotated progression: two seeds, two different tunes.
    transpose = int(rng.integers(-2, 3))
    rotation = int(rng.integers(0, len(style.progression)))
    progression = style.progression[rotation:] + style.progression[:rotation]
    bars = int(np.ceil(seconds / bar)) + 1
    previous = 7  # melody position in scale steps above the tonic

    for b in range(bars):
        start = b * bar
        if start >= seconds:
            break
        degree = progression[b % len(progression)]
        chord = [note + transpose for note in _chord(style, degree)]
        at = int(start * SAMPLE_RATE)

        for i, note in enumerate(chord):
            voice = _pad_note(_hz(note + 12), bar + 0.4, style.pad, rng)
            place(out_pad, to_stereo(voice, (-0.5, 0.5, -0.2, 0.2)[i % 4]), at)

        bass_pattern = {
            "pop": (0, 1.5, 2, 3),
            "pulse": (0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5),
            "big": (0, 2, 2.5),
            "soft": (0, 2),
        }.get(style.drums, (0, 2))
        for j, offset in enumerate(bass_pattern):
            length = (bass_pattern[j + 1] if j + 1 < len(bass_pattern) else 4) - offset
            # Root and fifth in the octave small speakers can still play.
            note = chord[0] if j % 2 == 0 or style.drums == "pulse" else chord[0] + 7
            place(
                out_bass,
                _bass_note(_hz(note), length * beat * 0.9),
                int((start + offset * beat) * SAMPLE_RATE),
            )

        if style.arpeggio and style.lead != "none":
            step_time = beat / style.arpeggio
            pattern = [*chord[1:], chord[0] + 12, *chord[1:][::-1]]
            for k in range(4 * style.arpeggio):
                note = pattern[k % len(pattern)] + 12
                tone = _fm_note(_hz(note), step_time, style.lead) * 0.35
                place(
                    out_lead,
                    to_stereo(tone, 0.35 if k % 2 else -0.35),
                    int((start + k * step_time) * SAMPLE_RATE),
                )
        elif style.arpeggio:
            # Dark moods: an ostinato in the low-mid register instead of a bright arpeggio.
            step_time = beat / style.arpeggio
            for k in range(4 * style.arpeggio):
                note = chord[0] + (12 if k % 4 else 0) + (1 if k % 8 == 6 else 0)
                tone = _fm_note(_hz(note + 12), step_time * 0.8, "marimba") * 0.3
                place(out_lead, to_stereo(tone, 0.0), int((start + k * step_time) * SAMPLE_RATE))

        if style.melody:
            rhythm = (
                [(0, 1.5), (1.5, 0.5), (2, 1), (3, 1)]
                if style.tempo > 100
                else [(0, 2), (2, 1), (3, 1)]
            )
            for offset, length in rhythm:
                if rng.random() < 0.2:
                    continue  # breathing space between phrases
                # Step-wise motion that leans toward chord tones sounds sung, not random.
                previous = int(np.clip(previous + rng.choice((-2, -1, 0, 1, 1, 2)), 4, 12))
                octave, position = divmod(degree + previous, len(style.scale))
                note = style.root + transpose + 24 + 12 * octave + style.scale[position]
                if offset == 0:
                    note = chord[(previous % 3)] + 24
                voice = (
                    _flute_note(_hz(note), length * beat * 0.95)
                    if style.lead in ("piano", "none")
                    else _fm_note(_hz(note), length * beat, style.lead)
                )
                place(
                    out_lead,
                    to_stereo(voice * 0.3, 0.1),
                    int((start + offset * beat) * SAMPLE_RATE),
                )

        _drums(out_drums, style.drums, start, beat, rng)

    mix = (
        at_level(lowpass(out_pad, 3500), -27)
        + to_stereo(at_level(lowpass(out_bass, 900), -27))
        + (at_level(out_lead, -28) if np.any(out_lead) else out_lead)
        + (at_level(out_drums, -29) if np.any(out_drums) else out_drums)
    )
    mix = _reverb(mix, style.reverb, rng)
    return fade(highpass(mix, 30), 0.4, min(1.0, seconds / 4))


def _drums(out: np.ndarray, kind: str, start: float, beat: float, rng: np.random.Generator) -> None:
    def hit(sound: np.ndarray, at_beat: float, pan: float = 0.0) -> None:
        place(out, to_stereo(sound, pan), int((start + at_beat * beat) * SAMPLE_RATE))

    if kind == "pop":
        for b in (0, 2):
            hit(_kick(rng), b)
        for b in (1, 3):
            hit(_snare(rng) * 0.8, b)
        for half in range(8):
            hit(_hat(rng) * (0.5 if half % 2 else 0.3), half / 2, 0.3)
    elif kind == "soft":
        hit(_kick(rng) * 0.8, 0)
        hit(_kick(rng) * 0.6, 2.5)
        for half in range(8):
            hit(_hat(rng) * 0.3, half / 2, -0.3)
    elif kind == "big":
        hit(_kick(rng, big=True), 0)
        hit(_kick(rng, big=True) * 0.8, 1.5)
        hit(_tom(rng, 95) * 0.7, 2, -0.3)
        hit(_tom(rng, 75) * 0.8, 3, 0.3)
        hit(_hat(rng, open_hat=True) * 0.25, 3.5, 0.4)
    elif kind == "pulse":
        for b in range(4):
            hit(_kick(rng) * 0.6, b)
        for quarter in range(16):
            hit(_hat(rng) * (0.25 if quarter % 4 else 0.4), quarter / 4, 0.2)
