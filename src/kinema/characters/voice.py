"""Listening to a capture clip: is someone speaking, at what pitch and how fast.

Voice activity is judged per 30 ms frame: loud enough above the recording's own noise
floor *and* periodic like a voice (autocorrelation peak between 60 and 500 Hz), so a
steady hum or music bed alone does not pass. The median pitch comes from the engine's
own estimator, so a measured voice and a synthesized one are compared like for like.

The length of the vocal tract shows in the spacing of the formants (the resonances of
the throat and mouth): a tube closed at one end resonates at odd multiples of c / 4L,
so the mean gap between the first four formants is c / 2L. It is read per voiced frame
from a linear-prediction (LPC) fit and kept as a scale against a typical man's: voices
resynthesized for the character use it to sound the right size, not only the right
pitch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from kinema.engines.procedural.speech import estimate_pitch

ANALYSIS_RATE = 16000
FRAME_SECONDS = 0.03
# Less voiced speech than this is "no one spoke".
MIN_SPEECH_SECONDS = 0.4
# Syllables per spoken word in everyday English, used when the words are not known.
SYLLABLES_PER_WORD = 1.4
# Mean gap between the first four formants of a typical man's voice (Hz): c / 2L for a
# 17 cm vocal tract; a shorter tract spaces them wider.
TYPICAL_FORMANT_GAP = 1030.0
LPC_ORDER = 18


@dataclass(frozen=True)
class VoiceAnalysis:
    """What the recording's sound track says about the speaker."""

    speech_seconds: float  # voiced time in total
    speech_start: float | None  # first and last voiced moments, in seconds
    speech_end: float | None
    pitch_hz: float | None
    words_per_minute: float | None
    # Vocal-tract size against a typical man's (1.0); women about 1.15, children more.
    formant_scale: float | None = None

    @property
    def has_speech(self) -> bool:
        return self.speech_seconds >= MIN_SPEECH_SECONDS


def read_sound(path: Path) -> np.ndarray:
    """The clip's sound track as mono float32 samples at ``ANALYSIS_RATE`` (empty if
    there is none)."""
    chunks: list[np.ndarray] = []
    with av.open(str(path)) as container:
        if not container.streams.audio:
            return np.zeros(0, dtype=np.float32)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=ANALYSIS_RATE)
        for frame in container.decode(container.streams.audio[0]):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().reshape(-1))
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(chunks).astype(np.float32)


def _voiced_frames(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame (voiced flags, energy in dB)."""
    size = int(FRAME_SECONDS * ANALYSIS_RATE)
    count = samples.size // size
    if count == 0:
        return np.zeros(0, dtype=bool), np.zeros(0)
    frames = samples[: count * size].reshape(count, size).astype(np.float64)
    frames = frames - frames.mean(axis=1, keepdims=True)
    energy = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    floor = float(np.percentile(energy, 10))
    loud = (energy > floor + 10) & (energy > -55)
    windowed = frames * np.hanning(size)[None, :]
    spectrum = np.fft.rfft(windowed, n=2 * size, axis=1)
    ac = np.fft.irfft(np.abs(spectrum) ** 2, axis=1)[:, :size]
    lo, hi = ANALYSIS_RATE // 500, ANALYSIS_RATE // 60
    peak = ac[:, lo:hi].max(axis=1) / np.maximum(ac[:, 0], 1e-12)
    return loud & (peak > 0.3), energy


def _syllable_count(energy: np.ndarray, voiced: np.ndarray) -> int:
    """Energy peaks inside voiced stretches, at least 100 ms apart and 3 dB above the
    dips on both sides: one per syllable nucleus."""
    smooth = np.convolve(energy, np.ones(3) / 3, mode="same")
    count, last = 0, -10
    gap = max(1, round(0.1 / FRAME_SECONDS))
    for i in range(1, len(smooth) - 1):
        if not voiced[i] or smooth[i] < smooth[i - 1] or smooth[i] < smooth[i + 1]:
            continue
        left = smooth[max(0, i - 5) : i].min(initial=smooth[i])
        right = smooth[i + 1 : i + 6].min(initial=smooth[i])
        if smooth[i] - max(left, right) >= 3 and i - last >= gap:
            count += 1
            last = i
    return count


def analyse_voice(samples: np.ndarray, *, words: int | None = None) -> VoiceAnalysis:
    """Voice activity, median pitch and speaking rate of mono ``samples`` at
    ``ANALYSIS_RATE``. With ``words`` (how many words were read aloud) the rate is
    words over the spoken span; otherwise it is estimated from syllable nuclei."""
    voiced, energy = _voiced_frames(samples)
    if not voiced.any():
        return VoiceAnalysis(0.0, None, None, None, None)
    indexes = np.flatnonzero(voiced)
    start = float(indexes[0] * FRAME_SECONDS)
    end = float((indexes[-1] + 1) * FRAME_SECONDS)
    speech_seconds = float(voiced.sum() * FRAME_SECONDS)
    size = int(FRAME_SECONDS * ANALYSIS_RATE)
    spoken = samples[int(start * ANALYSIS_RATE) : int(end * ANALYSIS_RATE)]
    pitch = estimate_pitch(spoken, ANALYSIS_RATE) if spoken.size >= size else None
    span = max(end - start, FRAME_SECONDS)
    if words:
        rate = words / span * 60
    else:
        syllables = _syllable_count(energy, voiced)
        rate = syllables / SYLLABLES_PER_WORD / span * 60 if syllables else 0.0
    wpm = float(np.clip(rate, 60, 300)) if rate > 0 else None
    scale = formant_scale(samples, voiced)
    return VoiceAnalysis(
        speech_seconds=speech_seconds,
        speech_start=start,
        speech_end=end,
        pitch_hz=round(pitch, 1) if pitch else None,
        words_per_minute=round(wpm, 1) if wpm else None,
        formant_scale=round(scale, 3) if scale else None,
    )


def _lpc(frame: np.ndarray, order: int) -> np.ndarray | None:
    """Linear-prediction coefficients of ``frame`` (autocorrelation method,
    Levinson-Durbin); None for a silent or unstable frame."""
    r = np.correlate(frame, frame, "full")[len(frame) - 1 : len(frame) + order]
    if r[0] <= 0:
        return None
    a = np.zeros(order + 1)
    a[0], error = 1.0, float(r[0])
    for i in range(1, order + 1):
        k = -(r[i] + np.dot(a[1:i], r[i - 1 : 0 : -1])) / error
        a[1:i] = a[1:i] + k * a[i - 1 : 0 : -1]
        a[i] = k
        error *= 1 - k * k
        if error <= 0:
            return None
    return a


def formant_scale(samples: np.ndarray, voiced: np.ndarray | None = None) -> float | None:
    """The speaker's vocal-tract size against a typical man's, from the median gap
    between the first four formants of the voiced frames; None without enough voice."""
    if voiced is None:
        voiced, _energy = _voiced_frames(samples)
    size = int(FRAME_SECONDS * ANALYSIS_RATE)
    window = np.hamming(size)
    gaps: list[float] = []
    for i in np.flatnonzero(voiced):
        x = samples[i * size : (i + 1) * size].astype(np.float64)
        x = np.append(x[0], x[1:] - 0.97 * x[:-1]) * window  # pre-emphasis
        a = _lpc(x, LPC_ORDER)
        if a is None:
            continue
        roots = np.roots(a)
        roots = roots[roots.imag > 0]
        freqs = np.angle(roots) * ANALYSIS_RATE / (2 * np.pi)
        bandwidths = -np.log(np.abs(roots)) * ANALYSIS_RATE / np.pi
        formants = np.sort(freqs[(freqs > 250) & (freqs < 4800) & (bandwidths < 500)])
        if len(formants) >= 4:
            gaps.append(float(formants[3] - formants[0]) / 3)
    if len(gaps) < 5:
        return None
    return float(np.clip(np.median(gaps) / TYPICAL_FORMANT_GAP, 0.6, 1.8))
