"""Music that fits the genre and the place, and effects made by what moves."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from kinema.engines.procedural.audio import SAMPLE_RATE, render_soundtrack
from kinema.engines.procedural.audio_effects import continuous_sound, effects_for
from kinema.engines.procedural.music import choose_genre, compose_track
from kinema.engines.procedural.plan import Plan, Shot, SoundCue, Subject

SECONDS = 8.0
N = int(SECONDS * SAMPLE_RATE)


def _spectrum(audio: np.ndarray) -> np.ndarray:
    """Energy in 24 log-spaced bands from 40 Hz to 16 kHz, normalized to sum 1."""
    mono = audio.mean(axis=1) if audio.ndim == 2 else audio
    power = np.abs(np.fft.rfft(mono)) ** 2
    freqs = np.fft.rfftfreq(mono.size, 1 / SAMPLE_RATE)
    edges = np.geomspace(40, 16000, 25)
    bands = np.array([power[(freqs >= lo) & (freqs < hi)].sum()
                      for lo, hi in pairwise(edges)])
    return bands / bands.sum()


def _onset_rate(audio: np.ndarray) -> float:
    """Sharp rises in level per second (notes and hits)."""
    mono = np.abs(audio.mean(axis=1) if audio.ndim == 2 else audio)
    hop = SAMPLE_RATE // 40  # 25 ms: longer than an engine's firing ripple
    frames = mono[: mono.size // hop * hop].reshape(-1, hop).mean(axis=1)
    level = 20 * np.log10(frames + 1e-6)
    rises = np.diff(level) > 6.0
    return float(np.count_nonzero(rises[1:] & ~rises[:-1])) / (mono.size / SAMPLE_RATE)


@pytest.mark.parametrize(("prompt", "settings", "genre"), [
    ("a saxophonist plays in a smoky jazz bar", ["bar"], "jazz"),
    ("a pianist plays Chopin at a recital", ["concert_hall"], "classical"),
    ("a J-pop idol sings at a concert", ["stage"], "pop"),
    ("a cat studies at night with lo-fi beats", ["bedroom"], "lofi"),
    ("two knights in an epic battle", ["castle"], "orchestral"),
    ("an astronaut floats past the station", ["space"], "ambient"),
    ("a rock band plays a stadium", ["stadium"], "rock"),
    ("a DJ spins at a techno club", ["bar"], "electronic"),
    ("a rapper on the corner", ["street"], "hiphop"),
    ("friends sing folk songs at a campfire", ["forest"], "folk"),
    ("a girl reads quietly", ["library"], "none"),
    ("a cat sleeps in a bar", ["bar"], "jazz"),
])
def test_genre_comes_from_the_prompt_and_the_place(prompt: str, settings: list[str],
                                                   genre: str) -> None:
    assert choose_genre(prompt, settings, "calm") == genre


def test_a_jazz_bar_and_a_chopin_recital_sound_different() -> None:
    jazz = compose_track("a trio plays jazz in a bar", ["bar"], "calm", 3, N)
    piano = compose_track("a pianist plays Chopin at a recital", ["concert_hall"], "calm", 3, N)
    assert jazz.genre == "jazz" and piano.genre == "classical"
    # Swing with drums (a ride cymbal, brushes) against a piano alone: the jazz has far
    # more energy above 5 kHz and more, quicker onsets; the recital is slower.
    jazz_bands, piano_bands = _spectrum(jazz.audio), _spectrum(piano.audio)
    assert np.abs(jazz_bands - piano_bands).sum() > 0.3
    high = np.geomspace(40, 16000, 25)[:-1] >= 5000
    assert jazz_bands[high].sum() > 5 * piano_bands[high].sum()
    assert jazz.tempo > 1.4 * piano.tempo


def test_five_unrelated_prompts_get_five_different_tracks() -> None:
    prompts = [
        ("a dog runs on the beach", ["beach"]),
        ("a robot cooks dinner", ["kitchen"]),
        ("a dragon flies over the mountains", ["mountains"]),
        ("two friends talk in a cafe", ["cafe"]),
        ("a cat naps in the living room", ["living_room"]),
    ]
    tracks = [compose_track(prompt, settings, "calm", 0, N) for prompt, settings in prompts]
    spectra = [_spectrum(track.audio) for track in tracks]
    for a in range(len(tracks)):
        for b in range(a + 1, len(tracks)):
            assert not np.array_equal(tracks[a].audio, tracks[b].audio)
            melody_a = [note for _, _, note in tracks[a].melody[:12]]
            melody_b = [note for _, _, note in tracks[b].melody[:12]]
            different_tune = melody_a != melody_b or tracks[a].root != tracks[b].root
            different_sound = np.abs(spectra[a] - spectra[b]).sum() > 0.1
            assert different_tune or different_sound


def test_the_same_prompt_and_seed_always_give_the_same_track() -> None:
    first = compose_track("a jazz bar", ["bar"], "happy", 9, N // 2)
    second = compose_track("a jazz bar", ["bar"], "happy", 9, N // 2)
    other_seed = compose_track("a jazz bar", ["bar"], "happy", 10, N // 2)
    assert np.array_equal(first.audio, second.audio)
    assert not np.array_equal(first.audio, other_seed.audio)


@pytest.mark.parametrize("genre_prompt", [
    "jazz", "chopin piano", "k-pop", "rock", "techno", "lofi", "epic orchestra", "folk",
    "hip-hop", "ambient",
])
def test_every_genre_plays_music_within_range(genre_prompt: str) -> None:
    track = compose_track(genre_prompt, ["plain"], "happy", 1, N // 2)
    assert track.genre != "none"
    assert np.isfinite(track.audio).all()
    assert np.sqrt(np.mean(track.audio**2)) > 0.01
    assert track.melody, "a tune a singer could follow"


def test_a_library_is_quiet_unless_music_is_asked_for() -> None:
    assert not compose_track("reading", ["library"], "calm", 1, N // 4).audio.any()
    assert compose_track("jazz in the library", ["library"], "calm", 1, N // 4).audio.any()


# --- effects ---------------------------------------------------------------------------


def test_vehicles_make_engines_not_steps() -> None:
    assert effects_for("steps", "car") == []
    assert continuous_sound("car", "walk") == "car"
    assert continuous_sound("bus", "drive") == "car"
    assert continuous_sound("flying car", "fly") == "jet"
    assert continuous_sound("airplane", "fly") == "jet"
    assert continuous_sound("helicopter", "fly") == "propeller"
    assert continuous_sound("boat", "swim") == "boat"
    assert continuous_sound("car", "idle") is None
    assert continuous_sound("dog", "walk") is None
    assert effects_for("steps", "horse") == ["hooves"]
    assert effects_for("run_steps", "horse") == ["gallop"]
    assert effects_for("steps", "robot") == ["robot_steps"]
    assert effects_for("wings", "bird") == ["wings"]
    assert effects_for("steps", "dog") == ["steps"]


def _moving_plan(noun: str, setting: str = "library", action: str = "walk") -> Plan:
    # A library has no music, so what is heard is the room and what moves.
    subject = Subject(id="it-1", noun=noun, glyph="", action=action, x=0.5)
    cues = [SoundCue("steps", 0.3 + 0.5 * k, 0.15, "it-1") for k in range(7)]
    shot = Shot(0.0, 4.0, setting=setting, subjects=[subject], sound_cues=cues)
    return Plan("something moves", 4, 256, 144, 12, 4.0, [shot], mood="calm")


def _step_onsets(audio: np.ndarray) -> float:
    """Footstep-like thumps: sharp rises in the 60-900 Hz band, per second."""
    from scipy.signal import butter, sosfilt

    sos = butter(2, [60 / (SAMPLE_RATE / 2), 900 / (SAMPLE_RATE / 2)], "bandpass",
                 output="sos")
    return _onset_rate(sosfilt(sos, audio.mean(axis=1)))


def test_a_car_has_an_engine_sound_and_no_footsteps() -> None:
    car = render_soundtrack(_moving_plan("car"))
    person = render_soundtrack(_moving_plan("man"))
    # The person's steps thump twice a second; the car is one continuous engine.
    assert _step_onsets(person) >= 1.2
    assert _step_onsets(car) < 0.5 * _step_onsets(person)
    # The engine fills the low end for the whole shot.
    low = _spectrum(car)[np.geomspace(40, 16000, 25)[:-1] < 300].sum()
    assert low > _spectrum(render_soundtrack(_moving_plan("car", action="idle")))[
        np.geomspace(40, 16000, 25)[:-1] < 300].sum()


def test_performers_on_a_stage_get_applause_and_a_bar_has_a_crowd() -> None:
    dancer = Subject(id="d-1", noun="dancer", glyph="", action="dance")
    stage = Shot(0.0, 5.0, setting="stage", subjects=[dancer])
    empty = Shot(0.0, 5.0, setting="stage", subjects=[Subject(id="c-1", noun="chair",
                                                              glyph="")])
    with_show = render_soundtrack(Plan("the show", 2, 256, 144, 12, 5.0, [stage]))
    without = render_soundtrack(Plan("the show", 2, 256, 144, 12, 5.0, [empty]))

    def clap_band(audio: np.ndarray, start: float, end: float) -> float:
        part = audio[int(start * SAMPLE_RATE): int(end * SAMPLE_RATE)]
        return float(_spectrum(part)[(np.geomspace(40, 16000, 25)[:-1] >= 1000)
                                     & (np.geomspace(40, 16000, 25)[:-1] < 5000)].sum())

    assert clap_band(with_show, 3.2, 4.8) > 1.3 * clap_band(without, 3.2, 4.8)
    # Before the applause, the two are the same show.
    assert clap_band(with_show, 0.5, 2.5) < 1.2 * clap_band(without, 0.5, 2.5)

    bar = render_soundtrack(Plan("a quiet evening", 2, 256, 144, 12, 4.0,
                                 [Shot(0.0, 4.0, setting="bar")], mood="calm"))
    room = render_soundtrack(Plan("a quiet evening", 2, 256, 144, 12, 4.0,
                                  [Shot(0.0, 4.0, setting="living_room")], mood="calm"))
    # Voices murmur in the speech band of a bar, not in a living room.
    assert clap_band(bar, 0.5, 3.5) > 1.2 * clap_band(room, 0.5, 3.5)


def test_singing_follows_the_music_when_someone_sings() -> None:
    singer = Subject(id="s-1", noun="woman", glyph="", gender="female")
    shot = Shot(0.0, 6.0, setting="park", subjects=[singer])
    sung = render_soundtrack(Plan("a woman sings in the park", 5, 256, 144, 12, 6.0, [shot]))
    spoken = render_soundtrack(Plan("a woman stands in the park", 5, 256, 144, 12, 6.0,
                                    [Shot(0.0, 6.0, setting="park", subjects=[singer])]))
    low_edges = np.geomspace(40, 16000, 25)[:-1]
    voice_band = (low_edges >= 250) & (low_edges < 1200)
    assert _spectrum(sung)[voice_band].sum() > 1.2 * _spectrum(spoken)[voice_band].sum()
