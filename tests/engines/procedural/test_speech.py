"""Speech: real eSpeak NG through ctypes, checked by listening to what comes out."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

from kinema.engines.base import EngineError, VoiceProfile
from kinema.engines.procedural.plan import Voice
from kinema.engines.procedural.speech import (
    available_languages,
    distinct_voice,
    estimate_pitch,
    speak,
    voice_for_profile,
)

SENTENCE = "Hello there, how are you doing today?"


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def test_speech_is_audible_and_lasts_as_long_as_the_words() -> None:
    audio = speak(SENTENCE)
    assert audio.dtype == np.float32
    assert audio.ndim == 1
    seconds = audio.size / 48000
    assert 1.0 < seconds < 4.0
    assert _rms(audio) > 0.03
    assert np.abs(audio).max() <= 1.0


def test_more_words_take_longer() -> None:
    short = speak("Hello.")
    long = speak("Hello, and welcome to the show. Tonight we are going to the beach.")
    assert long.size > 3 * short.size


def test_sample_rate_changes_samples_not_duration() -> None:
    at_48k = speak(SENTENCE, sample_rate=48000)
    at_16k = speak(SENTENCE, sample_rate=16000)
    assert at_48k.size / 48000 == pytest.approx(at_16k.size / 16000, rel=0.01)


def test_korean_is_spoken() -> None:
    assert "ko" in available_languages()
    audio = speak("안녕하세요, 만나서 반갑습니다", language="ko")
    assert audio.size / 48000 > 1.0
    assert _rms(audio) > 0.03


def test_other_languages_and_regional_codes_are_spoken() -> None:
    languages = available_languages()
    assert {"en", "en-us", "fr", "de", "es", "ja", "zh"} <= set(languages)
    for language, text in (
        ("fr", "Bonjour tout le monde"),
        ("en_US", "Howdy partner"),
        ("zh", "你好"),
    ):
        assert _rms(speak(text, language=language)) > 0.02


def test_unknown_language_is_a_plain_error() -> None:
    with pytest.raises(EngineError, match="not available"):
        speak("hello", language="xx")


def test_empty_text_is_silence() -> None:
    assert speak("   ").size == 0


def test_distinct_voices_sound_different() -> None:
    voices = [distinct_voice(i) for i in range(8)]
    assert len({(v.variant, v.pitch, v.rate) for v in voices}) == 8
    pitches = [estimate_pitch(speak(SENTENCE, voice=v)) for v in voices[:2]]
    assert all(p is not None for p in pitches)
    low, high = sorted(p for p in pitches if p is not None)
    assert high > 1.4 * low
    # Past the first set the voices keep changing rather than repeating.
    assert distinct_voice(8) != distinct_voice(0)


def test_pitch_setting_moves_the_voice() -> None:
    low = estimate_pitch(speak(SENTENCE, voice=Voice("f2", 10, 170)))
    high = estimate_pitch(speak(SENTENCE, voice=Voice("f2", 90, 170)))
    assert low is not None and high is not None
    assert high > 1.5 * low


def test_rate_setting_changes_pace() -> None:
    slow = speak(SENTENCE, voice=Voice("m1", 50, 110))
    fast = speak(SENTENCE, voice=Voice("m1", 50, 260))
    assert slow.size > 1.6 * fast.size


def test_voice_for_profile_sounds_close_to_the_character() -> None:
    for target in (110.0, 210.0):
        voice = voice_for_profile(VoiceProfile(pitch_hz=target, words_per_minute=150), 0)
        assert voice.rate == 150
        measured = estimate_pitch(speak(SENTENCE, voice=voice))
        assert measured is not None
        assert measured == pytest.approx(target, rel=0.2)


def test_voice_for_profile_index_separates_similar_characters() -> None:
    profile = VoiceProfile(pitch_hz=180.0, words_per_minute=170)
    assert voice_for_profile(profile, 0).variant != voice_for_profile(profile, 1).variant


def test_voice_for_empty_profile_is_a_distinct_voice() -> None:
    assert voice_for_profile(VoiceProfile(), 3) == distinct_voice(3)


def test_estimate_pitch_of_a_tone() -> None:
    t = np.arange(48000) / 48000
    tone = 0.5 * np.sin(2 * np.pi * 150 * t) + 0.2 * np.sin(2 * np.pi * 300 * t)
    assert estimate_pitch(tone) == pytest.approx(150, rel=0.03)
    assert estimate_pitch(np.zeros(48000)) is None


def _speak_line(args: tuple[str, str]) -> np.ndarray:
    text, variant = args
    return speak(text, voice=Voice(variant, 50, 170))


def test_speech_from_many_threads_matches_speech_one_at_a_time() -> None:
    jobs = [(f"Line number {i} of the play.", ("m1", "f2", "m3", "f4")[i % 4]) for i in range(8)]
    expected = [_speak_line(job) for job in jobs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(_speak_line, jobs))
    for got, want in zip(results, expected, strict=True):
        assert np.array_equal(got, want)


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs fork start method"
)
def test_speech_works_in_worker_processes() -> None:
    jobs = [("The worker speaks.", "m3"), ("So does this one.", "f1")]
    expected = [_speak_line(job) for job in jobs]  # the parent has eSpeak loaded already
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork")) as pool:
        results = list(pool.map(_speak_line, jobs))
    for got, want in zip(results, expected, strict=True):
        assert np.array_equal(got, want)


@pytest.mark.parametrize("voice", [Voice("m1", 50, 170), Voice("f2", 60, 180)])
def test_a_line_sounds_the_same_whatever_was_said_before(voice: Voice) -> None:
    first = speak(SENTENCE, voice=voice)
    speak("Something else entirely, said by someone else.", "fr", Voice("m2", 80, 200))
    again = speak(SENTENCE, voice=voice)
    assert np.array_equal(first, again)
