"""Small signal tools for speech, in NumPy alone: changing a clip's sample rate, keeping
one band of frequencies and smoothing a pitch track.

Speech is made before any frame is drawn, so whatever it loads delays the whole video;
these keep SciPy's signal package (about a second to import) out of that stage. The mix,
which runs beside the rendering, still uses SciPy.
"""

from __future__ import annotations

import numpy as np


def resample(x: np.ndarray, up: int, down: int) -> np.ndarray:
    """``x`` at ``up / down`` times its sample rate, band-limited (through the FFT, with
    the clip padded so its ends do not ring into each other)."""
    x = np.asarray(x, dtype=np.float64).ravel()
    if up == down or x.size == 0:
        return x.astype(np.float32)
    pad = min(x.size, 1024)
    padded = np.concatenate([np.zeros(pad), x, np.zeros(pad)])
    n_in = padded.size
    n_out = max(1, round(n_in * up / down))
    spectrum = np.fft.rfft(padded)
    keep = min(spectrum.size, n_out // 2 + 1)
    out_spectrum = np.zeros(n_out // 2 + 1, dtype=complex)
    out_spectrum[:keep] = spectrum[:keep]
    y = np.fft.irfft(out_spectrum, n_out) * (n_out / n_in)
    start = round(pad * up / down)
    length = int(np.ceil(x.size * up / down))
    return y[start: start + length].astype(np.float32)


def band(x: np.ndarray, sample_rate: int, low: float, high: float) -> np.ndarray:
    """``x`` with only the frequencies from ``low`` to ``high`` Hz, softly edged."""
    x = np.asarray(x, dtype=np.float64).ravel()
    if x.size == 0:
        return x
    spectrum = np.fft.rfft(x)
    freqs = np.fft.rfftfreq(x.size, 1.0 / sample_rate)
    # A raised-cosine edge an octave wide on each side, like a gentle filter.
    gain = np.clip(np.log2(np.maximum(freqs, 1e-9) / (low / 2)), 0.0, 1.0)
    gain *= np.clip(np.log2((high * 2) / np.maximum(freqs, 1e-9)), 0.0, 1.0)
    gain = 0.5 - 0.5 * np.cos(np.pi * gain)
    return np.fft.irfft(spectrum * gain, x.size)


def median_smooth(x: np.ndarray, size: int) -> np.ndarray:
    """A running median over ``size`` values (odd), the ends padded with their nearest
    values, as a pitch track is smoothed."""
    x = np.asarray(x, dtype=np.float64).ravel()
    if x.size == 0 or size <= 1:
        return x
    half = size // 2
    padded = np.concatenate([np.full(half, x[0]), x, np.full(half, x[-1])])
    windows = np.lib.stride_tricks.sliding_window_view(padded, size)
    return np.median(windows, axis=1)
