"""Instruments for the music of each genre, synthesized note by note with NumPy.

Every function returns mono samples at ``SAMPLE_RATE`` for one note or hit, peaking near
1.0; the arranger places them in time and the stereo field and sets their level.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from kinema.engines.procedural.audio_synth import (
    SAMPLE_RATE,
    bandpass,
    decay,
    highpass,
    lowpass,
    noise,
    sweep,
    times,
)


def hz(midi: float) -> float:
    """Frequency of a MIDI note number."""
    return 440.0 * 2 ** ((midi - 69) / 12)


def _n(seconds: float) -> int:
    return max(1, int(seconds * SAMPLE_RATE))


def piano(freq: float, seconds: float, velocity: float = 1.0) -> np.ndarray:
    """An acoustic piano: slightly stretched partials that die away faster the higher
    they are, a felt-hammer thump, and a damper that ends the note when the key lifts."""
    ring = min(4.5, 1.2 + 400 / freq)
    n = _n(min(seconds, ring) + 0.25)
    t = times(n)
    out = np.zeros(n)
    for k in range(1, 9):
        partial = freq * k * np.sqrt(1 + 0.0004 * k * k)
        if partial > 12000:
            break
        amp = velocity ** (0.5 + 0.15 * k) / k**1.1
        out += amp * np.sin(2 * np.pi * partial * t) * np.exp(-t * (1.0 + 0.9 * k) / ring)
    out += 0.15 * np.sin(2 * np.pi * freq * 0.5 * t) * np.exp(-t / 0.05)  # hammer
    release = np.clip((seconds + 0.25 - t) / 0.25, 0, 1)
    attack = np.minimum(1, t / 0.003)
    return out * release * attack


def rhodes(freq: float, seconds: float) -> np.ndarray:
    """An electric piano (tine and bell by FM), warm and round for lo-fi and jazz."""
    n = _n(seconds + 0.4)
    t = times(n)
    bell = 1.3 * np.exp(-t / 0.25) * np.sin(2 * np.pi * freq * 14 * t) * 0.15
    body = 0.9 * np.exp(-t / 0.6) * np.sin(2 * np.pi * freq * t)
    tone = np.sin(2 * np.pi * freq * t + body + bell)
    env = decay(n, max(0.6, seconds), attack=0.004) * np.clip((seconds + 0.4 - t) / 0.4, 0, 1)
    return tone * env


def pluck(freq: float, seconds: float, rng: np.random.Generator,
          brightness: float = 0.5) -> np.ndarray:
    """A plucked string (Karplus-Strong): acoustic guitar, banjo-like folk picking."""
    n = _n(seconds + 0.3)
    period = max(2, int(SAMPLE_RATE / freq))
    reps = int(np.ceil(n / period)) + 1
    burst = rng.uniform(-1, 1, period)
    burst = lowpass(burst, 1500 + 6000 * brightness)
    # Each pass round the loop averages neighbours (a low-pass) and loses a little energy:
    # computed one period at a time, vectorized inside the period.
    loss = 0.996 - 0.01 * (1 - brightness)
    rows = np.empty((reps, period))
    rows[0] = burst
    for r in range(1, reps):
        previous = rows[r - 1]
        rows[r] = loss * 0.5 * (previous + np.roll(previous, 1))
    out = rows.ravel()[:n]
    return out * np.clip((seconds + 0.3 - times(n)) / 0.3, 0, 1)


@lru_cache(maxsize=16)
def _saw_table(partials: int) -> np.ndarray:
    phase = 2 * np.pi * np.arange(4097) / 4096
    table = np.zeros(4097)
    for k in range(1, partials + 1):
        table += np.sin(k * phase) / k
    return table


def _saw(freq: float, n: int, phase0: float = 0.0, partials: int = 24) -> np.ndarray:
    partials = max(1, min(partials, int(16000 / max(freq, 1))))
    table = _saw_table(partials)
    position = (freq * times(n) + phase0) % 1.0 * 4096
    index = position.astype(np.int64)
    frac = position - index
    return table[index] * (1 - frac) + table[index + 1] * frac


def supersaw(freq: float, seconds: float, rng: np.random.Generator, attack: float = 0.01,
             detune: float = 0.012) -> np.ndarray:
    """Seven detuned saws: the wide, bright chord sound of pop and dance music."""
    n = _n(seconds + 0.15)
    out = np.zeros(n)
    for d in np.linspace(-detune, detune, 7):
        out += _saw(freq * (1 + d), n, rng.uniform(0, 1), 16)
    t = times(n)
    env = np.minimum(1, t / attack) * np.clip((seconds + 0.15 - t) / 0.15, 0, 1)
    return out * env / 7


def strings(freq: float, seconds: float, rng: np.random.Generator) -> np.ndarray:
    """A string section: detuned saws, slow bow attack, vibrato, darker than a synth."""
    n = _n(seconds + 0.5)
    t = times(n)
    out = np.zeros(n)
    for d in (-0.004, -0.0015, 0.0015, 0.004):
        vib = 1 + 0.003 * np.sin(2 * np.pi * rng.uniform(4.8, 5.6) * t + rng.uniform(0, 6))
        phase = np.cumsum(freq * (1 + d) * vib) / SAMPLE_RATE
        out += _saw_table(12)[((phase % 1.0) * 4096).astype(np.int64)]
    env = np.minimum(1, t / 0.35) * np.clip((seconds + 0.5 - t) / 0.5, 0, 1)
    return lowpass(out * env, 2000) / 4


def brass(freq: float, seconds: float) -> np.ndarray:
    """A brass section stab: a saw that brightens as it swells."""
    n = _n(seconds + 0.2)
    t = times(n)
    tone = _saw(freq, n, 0.0, 20)
    bright = lowpass(tone, 900) * (1 - np.minimum(1, t / 0.15)) + tone * np.minimum(1, t / 0.15)
    env = np.minimum(1, t / 0.06) * np.clip((seconds + 0.2 - t) / 0.2, 0, 1)
    return bright * env * 0.6


def power_chord(freq: float, seconds: float, rng: np.random.Generator) -> np.ndarray:
    """A distorted electric guitar playing root, fifth and octave."""
    n = _n(seconds + 0.1)
    raw = sum(_saw(freq * r * (1 + rng.uniform(-0.002, 0.002)), n, rng.uniform(0, 1), 20)
              for r in (1.0, 1.4983, 2.0))
    driven = np.tanh(4.0 * lowpass(np.asarray(raw), 3500))
    body = bandpass(driven, 90, 5000)
    t = times(n)
    return body * np.clip((seconds + 0.1 - t) / 0.1, 0, 1) * np.minimum(1, t / 0.004)


def upright_bass(freq: float, seconds: float) -> np.ndarray:
    """A plucked double bass: round fundamental, a woody thump, quick decay."""
    n = _n(seconds + 0.1)
    t = times(n)
    tone = np.sin(2 * np.pi * freq * t) + 0.4 * np.sin(4 * np.pi * freq * t) * np.exp(-t / 0.1)
    return tone * decay(n, max(0.25, seconds * 0.8), attack=0.008)


def sub_bass(freq: float, seconds: float) -> np.ndarray:
    """An 808-style sub bass: a sine with a pitch drop at the start."""
    n = _n(seconds + 0.05)
    t = times(n)
    bend = freq * (1 + 0.5 * np.exp(-t / 0.03))
    tone = np.sin(2 * np.pi * np.cumsum(bend) / SAMPLE_RATE)
    return np.tanh(1.5 * tone) * decay(n, max(0.3, seconds), attack=0.003)


def synth_bass(freq: float, seconds: float) -> np.ndarray:
    """A filtered saw bass for pop, rock and dance."""
    n = _n(seconds + 0.05)
    tone = lowpass(_saw(freq, n, 0.0, 12), 700)
    return tone * decay(n, max(0.2, seconds * 0.8), attack=0.004)


def lead(freq: float, seconds: float, kind: str = "flute") -> np.ndarray:
    """A melody voice: "flute" (soft, breathy), "sax" (reedy), "square" (chiptune-bright
    pop lead) or "whistle"."""
    n = _n(seconds + 0.1)
    t = times(n)
    vibrato = 1 + 0.005 * np.sin(2 * np.pi * 5.3 * t) * np.minimum(1, t / 0.3)
    phase = 2 * np.pi * freq * np.cumsum(vibrato) / SAMPLE_RATE
    if kind == "sax":
        tone = np.tanh(2.2 * (np.sin(phase) + 0.5 * np.sin(2 * phase) + 0.3 * np.sin(3 * phase)))
        tone = bandpass(tone, 250, 3500)
    elif kind == "square":
        tone = np.sign(np.sin(phase)) * 0.5 + 0.5 * np.sin(phase)
        tone = lowpass(tone, 5000)
    elif kind == "whistle":
        tone = np.sin(phase)
    else:
        tone = np.sin(phase) + np.sin(3 * phase) / 9 + np.sin(5 * phase) / 25
    env = np.minimum(1, t / 0.04) * np.clip((seconds + 0.1 - t) / 0.1, 0, 1)
    return tone * env


def pad(freq: float, seconds: float, rng: np.random.Generator, attack: float = 1.2) -> np.ndarray:
    """A slow evolving pad for ambient music: detuned soft saws under a moving filter."""
    n = _n(seconds + 1.0)
    t = times(n)
    out = sum(_saw(freq * (1 + d), n, rng.uniform(0, 1), 6) for d in (-0.003, 0.0, 0.003))
    env = np.minimum(1, t / attack) * np.clip((seconds + 1.0 - t) / 1.0, 0, 1)
    return lowpass(np.asarray(out), 1800) * env / 3


def sung(freq: float, seconds: float, vowel: str = "a") -> np.ndarray:
    """A sung (hummed or open) vowel: a glottal buzz through the vowel's formants, with
    vibrato that grows as the note is held."""
    n = _n(seconds + 0.12)
    t = times(n)
    vibrato = 1 + 0.012 * np.sin(2 * np.pi * 5.5 * t) * np.minimum(1, t / 0.5)
    phase = np.cumsum(freq * vibrato) / SAMPLE_RATE
    buzz = _saw_table(30)[((phase % 1.0) * 4096).astype(np.int64)]
    formants = {"a": (800, 1150, 2900), "o": (450, 800, 2830), "u": (325, 700, 2530),
                "m": (280, 1000, 2200), "e": (400, 1600, 2700)}[vowel]
    voiced = sum(bandpass(buzz, f * 0.85, f * 1.15) * (1.0, 0.5, 0.25)[i]
                 for i, f in enumerate(formants))
    env = np.minimum(1, t / 0.08) * np.clip((seconds + 0.12 - t) / 0.12, 0, 1)
    return np.asarray(voiced) * env


# --- drums ------------------------------------------------------------------------------


def kick(rng: np.random.Generator, weight: float = 1.0) -> np.ndarray:
    n = _n(0.4)
    body = np.sin(sweep(n, 150 * weight, 45)) * decay(n, 0.16 * weight)
    click = highpass(noise(rng, n), 2500) * decay(n, 0.004) * 0.25
    return body + click


def snare(rng: np.random.Generator, tone: float = 190.0) -> np.ndarray:
    n = _n(0.3)
    rattle = bandpass(noise(rng, n), 1500, 9000) * decay(n, 0.08)
    body = np.sin(2 * np.pi * tone * times(n)) * decay(n, 0.05)
    return rattle * 0.7 + body * 0.5


def clap(rng: np.random.Generator) -> np.ndarray:
    n = _n(0.25)
    out = np.zeros(n)
    for offset in (0.0, 0.011, 0.022):
        start = int(offset * SAMPLE_RATE)
        out[start:] += bandpass(noise(rng, n - start), 900, 5000) * decay(n - start, 0.02)
    tail = bandpass(noise(rng, n), 900, 4000) * decay(n, 0.09) * 0.4
    return out + tail


def hat(rng: np.random.Generator, open_hat: bool = False) -> np.ndarray:
    n = _n(0.3 if open_hat else 0.07)
    return highpass(noise(rng, n), 7000, order=4) * decay(n, 0.1 if open_hat else 0.016)


def ride(rng: np.random.Generator) -> np.ndarray:
    """A jazz ride cymbal: a bell-like ping over a long metallic wash."""
    n = _n(0.9)
    t = times(n)
    ping = sum(np.sin(2 * np.pi * f * t) for f in (3100, 4270, 5530)) * decay(n, 0.12) / 3
    wash = bandpass(noise(rng, n), 4000, 12000) * decay(n, 0.4)
    return ping * 0.5 + wash * 0.6


def brush(rng: np.random.Generator, seconds: float = 0.2) -> np.ndarray:
    """A brush swept across the snare: a soft swish, not a hit."""
    n = _n(seconds)
    swell = np.sin(np.linspace(0, np.pi, n)) ** 1.5
    return bandpass(noise(rng, n), 2000, 9000) * swell


def crash(rng: np.random.Generator) -> np.ndarray:
    n = _n(1.6)
    return bandpass(noise(rng, n), 3000, 14000) * decay(n, 0.55)


def tom(rng: np.random.Generator, pitch: float) -> np.ndarray:
    n = _n(0.6)
    return (np.sin(sweep(n, pitch * 1.6, pitch)) * decay(n, 0.25)
            + lowpass(noise(rng, n), 800) * decay(n, 0.03) * 0.3)


def timpani(rng: np.random.Generator, freq: float) -> np.ndarray:
    n = _n(1.5)
    t = times(n)
    tone = sum(np.sin(2 * np.pi * freq * r * t) / (i + 1) for i, r in enumerate((1.0, 1.5, 1.98)))
    return np.asarray(tone) * decay(n, 0.6) + lowpass(noise(rng, n), 400) * decay(n, 0.05) * 0.5


def shaker(rng: np.random.Generator) -> np.ndarray:
    n = _n(0.09)
    swell = np.sin(np.linspace(0, np.pi, n)) ** 2
    return bandpass(noise(rng, n), 5000, 12000) * swell


def crackle(rng: np.random.Generator, n: int) -> np.ndarray:
    """Vinyl surface noise: sparse clicks over a faint hiss."""
    out = np.zeros(n)
    count = rng.poisson(18 * n / SAMPLE_RATE)
    if count:
        out[rng.integers(0, n, count)] = rng.uniform(-1, 1, count)
    out = bandpass(out, 1000, 8000) * 3
    return out + lowpass(noise(rng, n), 6000) * 0.02
