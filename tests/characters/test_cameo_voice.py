"""A character's voice profile holds more than pitch and pace: the size of the voice
(vocal-tract length, read from the formants), so a resynthesized voice can match it."""

from __future__ import annotations

import numpy as np

from kinema.characters.voice import ANALYSIS_RATE, analyse_voice
from kinema.engines.procedural.plan import Voice
from kinema.engines.procedural.speech import speak

PHRASE = "four seven two nine one, the quick brown fox jumps over the lazy dog"


def _profile(variant: str, pitch: int = 50) -> float:
    samples = speak(PHRASE, "en", Voice(variant=variant, pitch=pitch, rate=140),
                    sample_rate=ANALYSIS_RATE)
    found = analyse_voice(np.asarray(samples, dtype=np.float32), words=14)
    assert found.formant_scale is not None
    return found.formant_scale


def test_a_womans_voice_measures_smaller_than_a_mans() -> None:
    man, woman = _profile("m1"), _profile("f4")
    assert woman > man + 0.12
    assert 0.6 < man < 1.2 and 0.8 < woman < 1.6


def test_the_size_of_a_voice_is_not_its_pitch() -> None:
    # The same speaker higher or lower keeps about the same vocal tract.
    low, high = _profile("m1", pitch=25), _profile("m1", pitch=75)
    assert abs(high - low) < 0.08


def test_silence_has_no_voice_size() -> None:
    quiet = np.random.default_rng(1).standard_normal(ANALYSIS_RATE * 2).astype(np.float32) * 1e-3
    assert analyse_voice(quiet).formant_scale is None
