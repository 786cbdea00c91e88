"""Who sounds like what: the neural English voice, a cast of distinct voices, and mouths
that open with each speaker's own words."""

from __future__ import annotations

import numpy as np
import pytest

from kinema.engines.base import VoiceProfile
from kinema.engines.procedural.audio_lipsync import mouth_envelope, speech_levels
from kinema.engines.procedural.plan import Line, Plan, Shot, Subject, Voice
from kinema.engines.procedural.speech import estimate_pitch, speak
from kinema.engines.procedural.voices import (
    cast_voices,
    neural_available,
    speaker_kind,
    voice_for,
    voice_for_character,
)

RATE = 24000
SENTENCE = "Hello there, I have been waiting for you all morning."

needs_neural = pytest.mark.skipif(not neural_available(), reason="neural voice not installed")


def _subject(noun: str, sid: str = "a-1", gender: str | None = None,
             age: str | None = None) -> Subject:
    return Subject(id=sid, noun=noun, glyph="", name=noun, gender=gender, age=age)


def _pitch(voice: Voice, language: str = "en") -> float:
    hz = estimate_pitch(speak(SENTENCE, language, voice, RATE), RATE)
    assert hz is not None
    return hz


def test_kinds_of_speaker_come_from_the_prompts_words() -> None:
    assert speaker_kind(_subject("man", age="old")) == "old_man"
    assert speaker_kind(_subject("grandma")) == "old_woman"
    assert speaker_kind(_subject("girl")) == "girl"
    assert speaker_kind(_subject("person", gender="female", age="child")) == "girl"
    assert speaker_kind(_subject("robot")) == "robot"
    assert speaker_kind(_subject("cat")) == "animal"
    assert speaker_kind(_subject("woman")) == "woman"
    assert speaker_kind(_subject("person")) == ""


@needs_neural
def test_english_is_spoken_by_the_neural_voice_for_the_length_of_the_words() -> None:
    voice = voice_for(_subject("woman"), 0, "en")
    assert voice.engine == "neural"
    audio = speak(SENTENCE, "en", voice, RATE)
    assert audio.dtype == np.float32
    assert 1.5 < audio.size / RATE < 6.0
    assert np.abs(audio).max() <= 1.0
    assert np.sqrt(np.mean(audio.astype(np.float64) ** 2)) > 0.02
    # The same line in the same voice is the same sound, every time.
    assert np.array_equal(audio, speak(SENTENCE, "en", voice, RATE))


def test_other_languages_fall_back_to_espeak() -> None:
    voice = voice_for(_subject("woman"), 0, "ko")
    assert voice.engine == "espeak"
    audio = speak("안녕하세요, 만나서 반갑습니다.", "ko", voice, RATE)
    assert audio.size / RATE > 1.0
    # A neural voice asked for a language it cannot speak still speaks, through eSpeak.
    neural = Voice("joe", 50, 165, engine="neural", hz=210.0, formant=1.17)
    assert speak("Bonjour tout le monde.", "fr", neural, RATE).size > RATE // 2


@needs_neural
def test_an_old_man_speaks_lower_than_a_girl() -> None:
    old_man = voice_for(_subject("man", age="old"), 0, "en")
    girl = voice_for(_subject("girl"), 1, "en")
    assert _pitch(old_man) * 1.8 < _pitch(girl)


@needs_neural
def test_women_and_men_are_apart_and_two_of_each_differ() -> None:
    cast: list[Voice] = []
    pitches = []
    for index, noun in enumerate(("man", "woman", "man", "woman")):
        voice = voice_for(_subject(noun, f"s-{index}"), index, "en", taken=cast)
        cast.append(voice)
        pitches.append(_pitch(voice))
    men, women = pitches[0::2], pitches[1::2]
    assert max(men) < min(women)
    for a, b in ((men[0], men[1]), (women[0], women[1])):
        assert abs(np.log2(a / b)) * 12 > 1.0  # over a semitone apart


def _two_speaker_plan(first: Subject, second: Subject, seed: int = 5) -> Plan:
    shot = Shot(0.0, 6.0, setting="park", subjects=[first, second], dialogue=[
        Line("Good morning, how did you sleep?", first.id, "en"),
        Line("Very well, thank you for asking.", second.id, "en"),
    ])
    return Plan("two friends talk", seed, 256, 144, 12, 6.0, [shot])


def test_two_speakers_never_share_a_voice_and_a_seed_keeps_its_cast() -> None:
    for nouns in (("person", "person"), ("woman", "woman"), ("cat", "cat"), ("man", "man")):
        plan = _two_speaker_plan(_subject(nouns[0], "a-1"), _subject(nouns[1], "b-1"))
        cast_voices(plan)
        first, second = (s.voice for s in plan.shots[0].subjects)
        assert first is not None and second is not None
        assert first != second
        again = _two_speaker_plan(_subject(nouns[0], "a-1"), _subject(nouns[1], "b-1"))
        cast_voices(again)
        assert [s.voice for s in again.shots[0].subjects] == [first, second]


@needs_neural
def test_two_speakers_lines_differ_in_measured_pitch() -> None:
    plan = _two_speaker_plan(_subject("person", "a-1"), _subject("person", "b-1"))
    cast_voices(plan)
    pitches = []
    for line in plan.shots[0].dialogue:
        voice = next(s.voice for s in plan.shots[0].subjects if s.id == line.speaker)
        assert voice is not None
        hz = estimate_pitch(speak(line.text, line.language, voice, RATE), RATE)
        assert hz is not None
        pitches.append(hz)
    assert abs(np.log2(pitches[0] / pitches[1])) * 12 > 2.0


def test_a_robot_sounds_robotic_and_keeps_a_flat_pitch() -> None:
    voice = voice_for(_subject("robot"), 0, "en")
    assert voice.effect == "robot" or voice.variant == "robosoft"


@needs_neural
def test_a_character_with_a_measured_voice_gets_a_neural_voice_near_it() -> None:
    voice = voice_for_character(VoiceProfile(pitch_hz=200.0, words_per_minute=150), 0, "en")
    assert voice is not None and voice.engine == "neural"
    assert abs(np.log2(_pitch(voice) / 200.0)) * 12 < 2.5
    assert voice_for_character(VoiceProfile(pitch_hz=200.0), 0, "ko") is None


@needs_neural
def test_two_characters_sound_like_their_own_measured_profiles() -> None:
    low = VoiceProfile(pitch_hz=118.0, words_per_minute=150, formant_scale=1.02)
    high = VoiceProfile(pitch_hz=215.0, words_per_minute=170, formant_scale=1.22)
    voices = [voice_for_character(p, k, "en") for k, p in enumerate((low, high))]
    assert all(v is not None and v.engine == "neural" for v in voices)
    assert [v.formant for v in voices if v] == [1.02, 1.22]  # the measured tract size
    pitches = [_pitch(v) for v in voices if v]
    for hz, profile in zip(pitches, (low, high), strict=True):
        assert profile.pitch_hz is not None
        assert abs(hz / profile.pitch_hz - 1.0) < 0.15
    assert pitches[1] > pitches[0] * 1.4


def test_the_mouth_opens_while_the_line_is_spoken_and_closes_after() -> None:
    clip = speak(SENTENCE, "en", voice_for(_subject("woman"), 0, "en"), RATE)
    envelope = mouth_envelope(clip, RATE, 100)
    assert envelope.size == int(np.ceil(clip.size / RATE * 100))
    assert envelope.max() == pytest.approx(1.0, abs=0.01)
    # Speech has syllables: the mouth opens and closes many times, not once.
    opened = envelope > 0.6
    assert np.count_nonzero(np.diff(opened.astype(int)) == 1) >= 5
    # Silence keeps it closed.
    quiet = mouth_envelope(np.zeros(RATE), RATE, 100)
    assert not quiet.any()


def test_only_the_speakers_mouth_moves_and_only_during_the_line() -> None:
    first, second = _subject("woman", "a-1"), _subject("man", "b-1")
    plan = _two_speaker_plan(first, second)
    plan.fps = 25
    cast_voices(plan)
    clips = {}
    start = 0.5
    for j, line in enumerate(plan.shots[0].dialogue):
        voice = next(s.voice for s in plan.shots[0].subjects if s.id == line.speaker)
        clip = speak(line.text, line.language, voice, RATE)
        clips[(0, j)] = clip
        line.start, line.end = start, start + clip.size / RATE
        start = line.end + 0.3
    levels = speech_levels(plan, clips, RATE)
    first_line, second_line = plan.shots[0].dialogue
    a, b = levels["a-1"], levels["b-1"]
    assert a.size == b.size == 150

    def frames(begin: float, end: float) -> slice:
        return slice(round(begin * 25), round(end * 25))

    assert a[frames(first_line.start, first_line.end)].max() > 0.9
    assert not a[frames(first_line.end + 0.1, 6.0)].any()
    assert not b[frames(0.0, second_line.start)].any()
    assert b[frames(second_line.start, second_line.end)].max() > 0.9
