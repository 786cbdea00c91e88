"""The soundtrack a plan gets: length, level, what can be heard where and when."""

from __future__ import annotations

import numpy as np
import pytest

from kinema.engines.base import EngineError
from kinema.engines.procedural.audio import (
    SAMPLE_RATE,
    SOUND_CUES,
    integrated_loudness,
    render_soundtrack,
)
from kinema.engines.procedural.plan import (
    MOODS,
    SETTINGS,
    Line,
    Plan,
    Shot,
    SoundCue,
    Subject,
    Voice,
)
from kinema.engines.procedural.speech import speak


def _plan(
    seconds: float = 3.0,
    setting: str = "park",
    weather: str = "clear",
    time_of_day: str = "day",
    mood: str = "calm",
    dialogue: list[Line] | None = None,
    cues: list[SoundCue] | None = None,
    seed: int = 11,
    speaker_x: float = 0.5,
) -> Plan:
    parrot = Subject(
        id="parrot-1",
        noun="parrot",
        glyph="🦜",
        name="the parrot",
        x=speaker_x,
        voice=Voice("f2", 60, 175),
    )
    shot = Shot(
        start=0.0,
        duration=seconds,
        setting=setting,
        weather=weather,
        time_of_day=time_of_day,
        subjects=[parrot],
        dialogue=dialogue or [],
        sound_cues=cues or [],
    )
    return Plan(
        prompt="a parrot in the park",
        seed=seed,
        width=256,
        height=144,
        fps=12,
        seconds=seconds,
        shots=[shot],
        mood=mood,
    )


def _band_energy(audio: np.ndarray, low: float, high: float, start: float, end: float) -> float:
    """Mean power of both channels between ``low`` and ``high`` Hz from ``start`` to ``end`` s."""
    segment = audio[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)].astype(np.float64)
    spectrum = np.abs(np.fft.rfft(segment, axis=0)) ** 2
    freqs = np.fft.rfftfreq(segment.shape[0], 1 / SAMPLE_RATE)
    band = (freqs >= low) & (freqs < high)
    return float(spectrum[band].sum() / segment.shape[0])


def _high_share(audio: np.ndarray, cutoff: float = 4000.0) -> float:
    seconds = audio.shape[0] / SAMPLE_RATE
    return _band_energy(audio, cutoff, 24000, 0, seconds) / _band_energy(
        audio, 20, 24000, 0, seconds
    )


def test_required_cue_names_are_known() -> None:
    assert {
        "steps",
        "run_steps",
        "jump",
        "land",
        "splash",
        "engine",
        "whoosh",
        "thunder",
        "wings",
        "snore",
        "fall",
        "spin",
    } <= SOUND_CUES


@pytest.mark.parametrize("seconds", [1.0, 2.37, 3.0])
def test_soundtrack_is_stereo_float_of_exact_length(seconds: float) -> None:
    audio = render_soundtrack(_plan(seconds=seconds))
    assert audio.shape == (round(seconds * SAMPLE_RATE), 2)
    assert audio.dtype == np.float32
    assert np.all(np.isfinite(audio))


@pytest.mark.parametrize(
    ("setting", "weather", "mood", "with_line"),
    [
        ("beach", "clear", "happy", True),
        ("city", "storm", "epic", False),
        ("space", "clear", "mysterious", True),
        ("forest", "rain", "sad", True),
        ("stage", "clear", "playful", False),
    ],
)
def test_soundtrack_never_clips_and_sits_near_minus_16_lufs(
    setting: str, weather: str, mood: str, with_line: bool
) -> None:
    lines = (
        [Line("Look at the sky, it is beautiful!", "parrot-1", "en", 0.5, 2.2)] if with_line else []
    )
    cues = [SoundCue("thunder", 0.3, 2.0), SoundCue("splash", 1.0), SoundCue("jump", 2.0)]
    audio = render_soundtrack(
        _plan(seconds=3.0, setting=setting, weather=weather, mood=mood, dialogue=lines, cues=cues)
    )
    assert np.abs(audio).max() <= 0.98
    assert integrated_loudness(audio) == pytest.approx(-16.0, abs=1.5)


@pytest.mark.parametrize("setting", SETTINGS)
def test_every_setting_has_an_audible_ambience(setting: str) -> None:
    for time_of_day in ("day", "night"):
        audio = render_soundtrack(_plan(seconds=1.0, setting=setting, time_of_day=time_of_day))
        assert np.sqrt(np.mean(audio.astype(np.float64) ** 2)) > 0.02
        assert np.abs(audio).max() <= 0.98


@pytest.mark.parametrize("mood", MOODS)
def test_every_mood_has_music(mood: str) -> None:
    audio = render_soundtrack(_plan(seconds=2.0, mood=mood))
    # Music lives in the bass and mids; the ambience of a quiet park hardly does.
    assert _band_energy(audio, 60, 600, 0.5, 2.0) > 0.3 * _band_energy(audio, 20, 24000, 0.5, 2.0)


def test_rain_and_storm_add_high_frequency_noise() -> None:
    clear, rain, storm = (
        _high_share(render_soundtrack(_plan(seconds=3.0, setting="city", weather=weather)))
        for weather in ("clear", "rain", "storm")
    )
    assert rain > 1.5 * clear
    assert storm > 1.5 * clear


def test_speech_is_heard_during_its_line() -> None:
    line = Line("Hello everyone, welcome to the park!", "parrot-1", "en", 1.0, 2.5)
    spoken = render_soundtrack(_plan(seconds=3.5, dialogue=[line]))
    silent = render_soundtrack(_plan(seconds=3.5))

    def rise(audio: np.ndarray) -> float:
        during = _band_energy(audio, 300, 3400, 1.1, 2.3)
        before = _band_energy(audio, 300, 3400, 0.1, 0.9)
        return during / before

    assert rise(spoken) > 4.0
    assert rise(silent) < 2.0


def test_lines_without_clips_use_the_speakers_voice() -> None:
    # Same line, two voices a long way apart: the soundtracks must differ during the line.
    line = Line("Good morning to you.", "parrot-1", "en", 0.5, 2.0)
    plan = _plan(seconds=2.5, dialogue=[line])
    high = render_soundtrack(plan)
    plan.shots[0].subjects[0].voice = Voice("m3", 10, 120)
    low = render_soundtrack(plan)
    assert not np.array_equal(high, low)
    assert _band_energy(low, 70, 140, 0.6, 1.5) > _band_energy(high, 70, 140, 0.6, 1.5)


def test_given_speech_clips_are_placed_at_their_line() -> None:
    t = np.arange(int(0.8 * SAMPLE_RATE)) / SAMPLE_RATE
    beep = (0.5 * np.sin(2 * np.pi * 2000 * t)).astype(np.float32)
    line = Line("(a whistle)", "parrot-1", "en", 1.5, 2.3)
    audio = render_soundtrack(_plan(seconds=3.0, dialogue=[line]), speech={(0, 0): beep})
    before = _band_energy(audio, 1950, 2050, 1.1, 1.45)
    during = _band_energy(audio, 1950, 2050, 1.55, 2.25)
    assert during > 100 * before


def test_speech_is_panned_toward_the_speaker() -> None:
    line = Line("Over here, on the left!", "parrot-1", "en", 0.5, 2.0)
    audio = render_soundtrack(_plan(seconds=2.5, dialogue=[line], speaker_x=0.05))
    segment = audio[int(0.6 * SAMPLE_RATE) : int(1.6 * SAMPLE_RATE)].astype(np.float64)
    left, right = np.mean(segment**2, axis=0)
    assert left > 1.5 * right


def test_music_and_ambience_duck_under_speech() -> None:
    # A stand-in voice with all its energy at 2 kHz leaves the bass band to music alone.
    t = np.arange(int(1.5 * SAMPLE_RATE)) / SAMPLE_RATE
    voice = (0.5 * np.sin(2 * np.pi * 2000 * t)).astype(np.float32)
    line = Line("(humming)", "parrot-1", "en", 2.0, 3.5)
    with_speech = render_soundtrack(
        _plan(seconds=5.0, mood="epic", dialogue=[line]), speech={(0, 0): voice}
    )
    without = render_soundtrack(_plan(seconds=5.0, mood="epic"))

    def bass_under_line(audio: np.ndarray) -> float:
        return _band_energy(audio, 40, 400, 2.4, 3.3) / _band_energy(audio, 40, 400, 0.4, 1.3)

    drop_db = 10 * np.log10(bass_under_line(without) / bass_under_line(with_speech))
    assert drop_db > 4.0


def test_effects_are_heard_at_their_cue() -> None:
    quiet = render_soundtrack(_plan(seconds=3.0, setting="interior"))
    splash = render_soundtrack(
        _plan(seconds=3.0, setting="interior", cues=[SoundCue("splash", 1.5, 0.8)])
    )
    ratio = _band_energy(splash, 2000, 8000, 1.5, 2.0) / _band_energy(quiet, 2000, 8000, 1.5, 2.0)
    assert ratio > 3.0
    # Before the cue, the two soundtracks differ only by overall level.
    assert _band_energy(splash, 2000, 8000, 0.5, 1.4) < 2 * _band_energy(
        quiet, 2000, 8000, 0.5, 1.4
    )


def test_unknown_cues_are_ignored() -> None:
    cues = [SoundCue("steps", 0.2, 1.0)]
    plain = render_soundtrack(_plan(seconds=2.0, cues=cues))
    odd = render_soundtrack(
        _plan(
            seconds=2.0, cues=[*cues, SoundCue("kazoo solo", 1.0), SoundCue("", 0.5, float("nan"))]
        )
    )
    assert np.array_equal(plain, odd)


def test_same_plan_same_samples_and_another_seed_differs() -> None:
    line = Line("Same words, same sound.", "parrot-1", "en", 0.5, 2.0)
    cues = [SoundCue("whoosh", 1.0), SoundCue("thunder", 0.2, 2.0)]
    first = render_soundtrack(_plan(seconds=2.5, weather="storm", dialogue=[line], cues=cues))
    speak("Something said in between.", "ko")
    second = render_soundtrack(_plan(seconds=2.5, weather="storm", dialogue=[line], cues=cues))
    other = render_soundtrack(
        _plan(seconds=2.5, weather="storm", dialogue=[line], cues=cues, seed=12)
    )
    assert np.array_equal(first, second)
    assert not np.array_equal(first, other)


def test_shots_change_the_ambience() -> None:
    beach = Shot(0.0, 2.0, setting="beach")
    space = Shot(2.0, 2.0, setting="space")
    plan = Plan("beach then space", 3, 256, 144, 12, 4.0, [beach, space], mood="calm")
    audio = render_soundtrack(plan)
    assert audio.shape == (4 * SAMPLE_RATE, 2)
    # Surf and foam are bright; space is a low hum.
    assert _band_energy(audio, 2000, 12000, 0.3, 1.7) > 3 * _band_energy(
        audio, 2000, 12000, 2.3, 3.7
    )


def test_a_plan_without_shots_still_sounds() -> None:
    plan = Plan("nothing", 1, 256, 144, 12, 1.5, [], mood="sad")
    audio = render_soundtrack(plan)
    assert audio.shape == (72000, 2)
    assert np.abs(audio).max() > 0.01


def test_progress_rises_to_one() -> None:
    seen: list[float] = []
    render_soundtrack(_plan(seconds=1.0), progress=seen.append)
    assert seen == sorted(seen)
    assert seen[-1] == 1.0


def test_integrated_loudness_of_a_reference_tone() -> None:
    # BS.1770: a full-scale 1 kHz sine reads -3.01 LUFS per channel, so about 0 LUFS in
    # both channels together; 20 dB quieter reads 20 LU lower.
    t = np.arange(3 * SAMPLE_RATE) / SAMPLE_RATE
    tone = np.sin(2 * np.pi * 1000 * t)
    stereo = np.stack([tone, tone], axis=1)
    assert integrated_loudness(stereo) == pytest.approx(0.0, abs=0.3)
    assert integrated_loudness(stereo * 0.1) == pytest.approx(-20.0, abs=0.3)
    assert integrated_loudness(np.zeros((SAMPLE_RATE, 2))) == float("-inf")


def test_a_step_cue_is_one_footstep_and_a_long_one_is_a_walk() -> None:
    def second_step(duration: float) -> float:
        audio = render_soundtrack(
            _plan(seconds=3.0, setting="interior", cues=[SoundCue("steps", 1.0, duration)])
        )
        # The thud band about half a second after the cue, against the same band before it.
        return _band_energy(audio, 60, 900, 1.44, 1.6) / _band_energy(audio, 60, 900, 0.3, 0.9)

    assert second_step(2.0) > 1.5 * second_step(0.15)


def test_a_hand_edited_plan_with_odd_numbers_still_sounds() -> None:
    line = Line("Still here.", "parrot-1", "en", float("nan"), 1.0)
    plan = _plan(seconds=2.0, dialogue=[line], cues=[SoundCue("jump", 0.5, pan=float("nan"))])
    plan.shots[0].subjects[0].x = float("nan")
    stereo_clip = np.zeros((SAMPLE_RATE // 2, 2), dtype=np.float32)
    stereo_clip[:, 0] = 0.3 * np.sin(np.arange(SAMPLE_RATE // 2) / 10)
    audio = render_soundtrack(plan, speech={(0, 0): stereo_clip})
    assert audio.shape == (2 * SAMPLE_RATE, 2)
    assert np.all(np.isfinite(audio))
    assert np.abs(audio).max() <= 0.98


def test_a_plan_with_an_impossible_length_is_a_plain_error() -> None:
    for seconds in (float("nan"), -1.0, 1e9):
        plan = _plan(seconds=1.0)
        plan.seconds = seconds
        with pytest.raises(EngineError, match="length"):
            render_soundtrack(plan)
