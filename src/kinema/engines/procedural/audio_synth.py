"""Building blocks shared by the ambience, effects and music synthesizers.

Everything works on whole NumPy arrays (a filter is a few matrix products over blocks of
samples), so a soundtrack costs milliseconds per layer instead of a Python loop per sample.
"""

from __future__ import annotations

import zlib

import numpy as np

from kinema.engines.procedural.audio_dsp import butterworth, filter_sections

SAMPLE_RATE = 48000


def rng_for(seed: int, *keys: object) -> np.random.Generator:
    """A generator that depends only on the plan's seed and stable labels (never on
    Python's per-process string hashing), so a plan always sounds the same."""
    words = [int(seed) & 0xFFFFFFFF]
    words.extend(zlib.crc32(str(key).encode()) for key in keys)
    return np.random.default_rng(np.random.SeedSequence(words))


def _design(kind: str, low: float, high: float, order: int) -> np.ndarray:
    top = SAMPLE_RATE / 2 * 0.99
    if kind == "lowpass":
        return butterworth(order, min(low, top), "lowpass", SAMPLE_RATE)
    if kind == "highpass":
        return butterworth(order, low, "highpass", SAMPLE_RATE)
    return butterworth(order, (low, min(high, top)), "bandpass", SAMPLE_RATE)


def lowpass(x: np.ndarray, cutoff: float, order: int = 2) -> np.ndarray:
    """Butterworth low-pass along the first axis."""
    return filter_sections(_design("lowpass", float(cutoff), 0.0, order), x)


def highpass(x: np.ndarray, cutoff: float, order: int = 2) -> np.ndarray:
    """Butterworth high-pass along the first axis."""
    return filter_sections(_design("highpass", float(cutoff), 0.0, order), x)


def bandpass(x: np.ndarray, low: float, high: float, order: int = 2) -> np.ndarray:
    """Butterworth band-pass along the first axis."""
    return filter_sections(_design("bandpass", float(low), float(high), order), x)


def noise(rng: np.random.Generator, n: int, channels: int = 1) -> np.ndarray:
    """White noise, (n,) or (n, channels)."""
    if channels == 1:
        return rng.standard_normal(n)
    return rng.standard_normal((n, channels))


def pink_noise(rng: np.random.Generator, n: int) -> np.ndarray:
    """1/f noise shaped in the frequency domain, unit RMS."""
    if n == 0:
        return np.zeros(0)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / SAMPLE_RATE)
    spectrum /= np.sqrt(np.maximum(freqs, 20.0))
    out = np.fft.irfft(spectrum, n)
    return out / (np.sqrt(np.mean(out**2)) + 1e-12)


def slow_curve(
    rng: np.random.Generator, n: int, rate_hz: float, low: float = 0.0, high: float = 1.0
) -> np.ndarray:
    """A smooth random control curve (gusts, swells) changing about ``rate_hz`` times a second."""
    if n == 0:
        return np.zeros(0)
    points = max(2, int(n / SAMPLE_RATE * rate_hz) + 3)
    values = rng.uniform(low, high, points)
    # Cosine interpolation between control points: smooth, no corners to hear.
    position = np.linspace(0, points - 1.001, n)
    index = position.astype(int)
    frac = position - index
    frac = (1 - np.cos(np.pi * frac)) / 2
    return values[index] * (1 - frac) + values[index + 1] * frac


def pan_gains(pan: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Constant-power gains (left, right) for ``pan`` in -1 (left) .. +1 (right)."""
    angle = (np.clip(pan, -1.0, 1.0) + 1) * np.pi / 4
    return np.cos(angle), np.sin(angle)


def to_stereo(mono: np.ndarray, pan: float | np.ndarray = 0.0) -> np.ndarray:
    """A mono signal placed in the stereo field; ``pan`` may vary per sample."""
    left, right = pan_gains(pan)
    return np.stack([mono * left, mono * right], axis=1)


def place(track: np.ndarray, sound: np.ndarray, start: int) -> None:
    """Add ``sound`` into ``track`` from sample ``start``, cutting what falls outside."""
    if sound.shape[0] == 0:
        return
    begin = max(start, 0)
    end = min(start + sound.shape[0], track.shape[0])
    if end <= begin:
        return
    track[begin:end] += sound[begin - start : end - start]


def times(n: int) -> np.ndarray:
    """Seconds for each of ``n`` samples."""
    return np.arange(n) / SAMPLE_RATE


def decay(n: int, seconds: float, attack: float = 0.002) -> np.ndarray:
    """A percussive envelope: a short linear attack, exponential decay, and a last few
    milliseconds tapered to zero so a sound cut at ``n`` samples never ends in a click."""
    t = times(n)
    env = np.exp(-t / max(seconds, 1e-4))
    attack_n = min(max(1, int(attack * SAMPLE_RATE)), n)
    env[:attack_n] *= np.linspace(0, 1, attack_n)
    tail_n = min(int(0.006 * SAMPLE_RATE), n - attack_n)
    if tail_n > 1:
        env[n - tail_n :] *= np.linspace(1, 0, tail_n)
    return env


def fade(signal: np.ndarray, fade_in: float, fade_out: float) -> np.ndarray:
    """Raised-cosine fades at both ends (in place and returned)."""
    n = signal.shape[0]
    for seconds, tail in ((fade_in, False), (fade_out, True)):
        k = min(n, int(seconds * SAMPLE_RATE))
        if k <= 1:
            continue
        ramp = (1 - np.cos(np.linspace(0, np.pi, k))) / 2
        if tail:
            ramp = ramp[::-1]
            segment = signal[n - k :]
        else:
            segment = signal[:k]
        segment *= ramp if signal.ndim == 1 else ramp[:, None]
    return signal


def rms(x: np.ndarray) -> float:
    """Root-mean-square level of all samples."""
    return float(np.sqrt(np.mean(np.square(x)))) if x.size else 0.0


def at_level(x: np.ndarray, db: float) -> np.ndarray:
    """``x`` scaled so its RMS is ``db`` dBFS (silence stays silence)."""
    level = rms(x)
    if level < 1e-9:
        return x
    return x * (10 ** (db / 20) / level)


def sweep(n: int, start_hz: float, end_hz: float, curve: str = "exp") -> np.ndarray:
    """Phase of a sine sweeping from ``start_hz`` to ``end_hz`` over ``n`` samples."""
    if n == 0:
        return np.zeros(0)
    if curve == "exp":
        freq = start_hz * (end_hz / start_hz) ** np.linspace(0, 1, n)
    else:
        freq = np.linspace(start_hz, end_hz, n)
    return 2 * np.pi * np.cumsum(freq) / SAMPLE_RATE


def impulses(rng: np.random.Generator, n: int, per_second: float) -> np.ndarray:
    """Random clicks (Poisson arrivals, random sizes): the raw material of rain and bubbles."""
    out = np.zeros(n)
    count = rng.poisson(per_second * n / SAMPLE_RATE)
    if count and n:
        out[rng.integers(0, n, count)] += rng.uniform(0.2, 1.0, count) * rng.choice(
            (-1.0, 1.0), count
        )
    return out
