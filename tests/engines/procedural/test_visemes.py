"""Mouths that take the shape of the sounds each speaker says: lips pressed for m, b and
p, stretched for e and i, rounded for o and u, from the phonemes of the speaker's own
line timed on the voice that spoke it; only on the speaker's face and only while the
line is heard."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from kinema.engines.procedural.audio_lipsync import mouth_envelope, speech_levels
from kinema.engines.procedural.audio_visemes import (
    CLOSED,
    OPEN,
    ROUND,
    TEETH,
    WIDE,
    align,
    line_visemes,
    phoneme_visemes,
    speech_visemes,
)
from kinema.engines.procedural.cameo import (
    GLYPH_FIGURE,
    _open_mouth,
    load_cameo,
    mouth_shape,
)
from kinema.engines.procedural.plan import Line, Plan, Shot, Subject, Voice
from kinema.engines.procedural.render import FrameRenderer, RenderInputs
from kinema.engines.procedural.speech import phoneme_timing, speak
from kinema.engines.procedural.voices import neural_available, voice_for

RATE = 24000
FPS = 24
ESPEAK = Voice("f2", 50, 170)
needs_neural = pytest.mark.skipif(not neural_available(), reason="neural voice not installed")
VOICES = [pytest.param("espeak", id="espeak"),
          pytest.param("neural", id="neural", marks=needs_neural)]


def _voice(kind: str) -> Voice:
    if kind == "espeak":
        return ESPEAK
    woman = Subject(id="w-1", noun="woman", glyph="", gender="female")
    return voice_for(woman, 0, "en")


def _heard(text: str, kind: str) -> list[int]:
    """The visemes of the frames of ``text`` where the mouth is open at least a little."""
    voice = _voice(kind)
    clip = speak(text, "en", voice, RATE)
    shapes = line_visemes(text, "en", voice, clip, RATE, FPS)
    levels = mouth_envelope(clip, RATE, FPS)
    assert shapes.size == levels.size
    return [int(s) for s, level in zip(shapes, levels, strict=True) if level > 0.25]


def test_phonemes_map_to_the_shapes_lips_make() -> None:
    assert phoneme_visemes("m") == (CLOSED,)
    assert phoneme_visemes("b") == phoneme_visemes("p") == (CLOSED,)
    assert phoneme_visemes("f") == phoneme_visemes("v") == (TEETH,)
    assert phoneme_visemes("ˈiː") == phoneme_visemes("ɪ") == (WIDE,)
    assert phoneme_visemes("uː") == phoneme_visemes("w") == phoneme_visemes("tʃ") == (ROUND,)
    assert phoneme_visemes("ˈɑː") == (OPEN,)
    assert phoneme_visemes("ˈaɪ") == (OPEN, WIDE)  # a diphthong moves from one to the other
    assert phoneme_visemes("əʊ") == (ROUND,)  # from a neutral start
    assert phoneme_visemes("") == ()  # a pause


@pytest.mark.parametrize("kind", VOICES)
def test_the_lips_close_between_the_syllables_of_mama(kind: str) -> None:
    heard = _heard("Mama, my mom.", kind)
    opened = [k for k, s in enumerate(heard) if s == OPEN]
    assert opened
    closed_between = [k for k, s in enumerate(heard) if s == CLOSED and opened[0] < k < opened[-1]]
    assert closed_between, heard
    # Each m closes the lips on its own: closed, open, closed, open...
    runs = [s for k, s in enumerate(heard) if k == 0 or heard[k - 1] != s]
    assert runs.count(CLOSED) >= 3, runs


@pytest.mark.parametrize("kind", VOICES)
@pytest.mark.parametrize(("word", "shape"), [("See.", WIDE), ("Eve.", WIDE), ("You.", ROUND),
                                             ("Go.", ROUND), ("Who?", ROUND)])
def test_vowels_shape_the_lips(kind: str, word: str, shape: int) -> None:
    heard = _heard(word, kind)
    assert heard
    assert heard.count(shape) > len(heard) / 2, (word, heard)


@pytest.mark.parametrize("kind", VOICES)
def test_a_phrase_shows_each_kind_of_shape(kind: str) -> None:
    heard = _heard("We found five blue boats.", kind)
    assert {WIDE, ROUND, CLOSED, TEETH} <= set(heard), heard


def test_an_espeak_take_aligns_to_another_voice_of_the_same_line() -> None:
    # Two eSpeak voices say the same phonemes at different paces: each one's timing is
    # known, so moving one's onto the other's audio can be checked phoneme by phoneme.
    text = "Where is the treasure? Behind the old mill, my friend."
    slow, quick = Voice("m3", 30, 140), Voice("f4", 80, 200)
    reference, target = phoneme_timing(text, "en", slow), phoneme_timing(text, "en", quick)
    assert reference is not None and target is not None
    assert [p for _, p in reference.phonemes] == [p for _, p in target.phonemes]
    moved = align(reference.phonemes, reference.audio, reference.sample_rate,
                  speak(text, "en", quick, RATE), RATE)
    error = np.abs([a - b for (a, _), (b, _) in zip(moved, target.phonemes, strict=True)])
    assert np.median(error) < 0.5 / FPS  # most within half a frame
    assert np.percentile(error, 90) < 1.0 / FPS


def test_a_line_cut_short_keeps_the_phonemes_heard_before_the_cut() -> None:
    text = "Where is the treasure? Behind the old mill, my friend."
    slow, quick = Voice("m3", 30, 140), Voice("f4", 80, 200)
    reference, target = phoneme_timing(text, "en", slow), phoneme_timing(text, "en", quick)
    assert reference is not None and target is not None
    clip = speak(text, "en", quick, RATE)
    cut = 0.6 * clip.size / RATE
    moved = align(reference.phonemes, reference.audio, reference.sample_rate,
                  clip[: round(cut * RATE)], RATE, complete=False)
    heard = [t for t, _ in target.phonemes if t < cut - 0.05]
    assert len(heard) - 2 <= len(moved) <= len(heard) + 2
    error = np.abs([a - b for (a, _), b in zip(moved, heard, strict=False)])
    assert np.median(error) < 0.5 / FPS


def _talking_plan() -> Plan:
    speaker = Subject(id="a-1", noun="woman", glyph="🧑", x=0.27, y=0.9, depth=0.0, scale=0.4,
                      gender="female", voice=ESPEAK)
    listener = Subject(id="b-1", noun="man", glyph="🧑", x=0.73, y=0.9, depth=0.0, scale=0.4,
                       gender="male", voice=Voice("m3", 30, 165))
    line = Line("Mama made me a pie, you see.", "a-1", "en", start=0.5)
    shot = Shot(0.0, 3.0, setting="park", subjects=[speaker, listener], dialogue=[line])
    return Plan("she talks", 3, 288, 512, FPS, 3.0, [shot])


def test_only_the_speakers_mouth_takes_shapes_and_only_during_the_line() -> None:
    plan = _talking_plan()
    line = plan.shots[0].dialogue[0]
    clip = speak(line.text, "en", ESPEAK, RATE)
    line.end = line.start + clip.size / RATE
    clips = {(0, 0): clip}
    levels = speech_levels(plan, clips, RATE)
    visemes = speech_visemes(plan, clips, RATE)
    assert set(visemes) == {"a-1"}
    track = visemes["a-1"]
    during = slice(round(line.start * FPS), round(line.end * FPS))
    assert (track[: during.start] == OPEN).all() and (track[during.stop:] == OPEN).all()
    assert len(set(track[during].tolist())) >= 4
    shaped = FrameRenderer(RenderInputs(plan=plan.to_dict(), speech_levels=levels,
                                        speech_visemes=visemes))
    plain = FrameRenderer(RenderInputs(plan=plan.to_dict(), speech_levels=levels))
    changed = []
    for index in range(0, round(plan.seconds * FPS), 2):
        a = np.asarray(shaped.render(index)).astype(int)
        b = np.asarray(plain.render(index)).astype(int)
        moved = np.abs(a - b).sum(axis=2) > 24
        if index < during.start or index >= during.stop:
            assert not moved.any(), index  # no line, no mouth shapes
        elif moved.any():
            changed.append(index)
            ys, xs = np.nonzero(moved)
            # Only around the speaker's mouth: the lower face of the left figure.
            assert xs.max() < plan.width / 2, index
            assert xs.max() - xs.min() < 0.4 * plan.width, index
            assert ys.max() - ys.min() < 0.15 * plan.height, index
    assert len(changed) >= 4


def _lips() -> tuple[Image.Image, tuple[float, float, float, float]]:
    """A plain face with red lips, and its mouth box."""
    face = Image.new("RGBA", (200, 220), (230, 190, 160, 255))
    box = (70.0, 120.0, 130.0, 142.0)
    ImageDraw.Draw(face).ellipse(box, fill=(170, 40, 50, 255))
    return face, box


def _lip_extent(image: Image.Image) -> tuple[int, int]:
    """Width and height of the red of the lips."""
    rgb = np.asarray(image).astype(int)[..., :3]
    red = (rgb[..., 0] - rgb[..., 1] > 90) & (rgb[..., 0] > 120)
    ys, xs = np.nonzero(red)
    return int(xs.max() - xs.min()), int(ys.max() - ys.min())


def test_each_shape_moves_the_lips_its_own_way() -> None:
    face, box = _lips()
    chin = (100.0, 180.0)

    def shaped(mouth: int, viseme: int) -> Image.Image:
        return _open_mouth(face, box, chin, mouth / 4, viseme)

    def inside(image: Image.Image) -> int:
        # The dark of an open mouth: darker than lips and skin both.
        return int((np.asarray(image).astype(int)[..., :3].sum(axis=2) < 200).sum())

    rest_w, rest_h = _lip_extent(face)
    assert inside(face) == 0
    assert inside(shaped(3, OPEN)) > 100  # the jaw drops and the lips part
    wide_w, _ = _lip_extent(shaped(3, WIDE))
    round_w, round_h = _lip_extent(shaped(3, ROUND))
    assert wide_w > rest_w + 6  # stretched
    assert round_w < rest_w - 6 and round_h > rest_h  # narrowed, and parted
    # Pressed lips: no gap however loud, the lips thinner where they meet.
    pressed = shaped(*mouth_shape(1.0, CLOSED))
    assert inside(pressed) == 0
    assert _lip_extent(pressed)[1] < rest_h
    assert mouth_shape(1.0, CLOSED) == mouth_shape(0.3, CLOSED)  # one shape however loud
    assert mouth_shape(0.0, ROUND) == (0, OPEN)  # a shut mouth has no shape to show
    # The lower lip under the teeth: a light band over it, no dark gap.
    tucked = shaped(*mouth_shape(1.0, TEETH))
    assert inside(tucked) == 0
    lighter = (np.asarray(tucked).astype(int) - np.asarray(face).astype(int))[..., :3].sum(axis=2)
    assert (lighter > 150).sum() > 20


@pytest.mark.parametrize("glyph", ["🧑", "👮", "👵"])
def test_a_drawn_face_opens_where_its_mouth_is_drawn(glyph: str) -> None:
    view = load_cameo(GLYPH_FIGURE + glyph).views["front"]
    assert view.mouth is not None
    x0, y0, x1, y1 = (round(v) for v in view.mouth)
    rgba = np.asarray(view.image).astype(int)
    dark = (rgba[..., :3].sum(axis=2) < 200) & (rgba[..., 3] > 200)
    # The mouth box fits the drawn mouth: its stroke reaches the box's top and bottom,
    # and the box is in the lower part of the face, below the eyes.
    assert dark[y0: y0 + 3, x0:x1].any() and dark[y1 - 3: y1, x0:x1].any()
    assert y0 > view.chin[1] - 0.3 * view.chin[1]
    opened = np.asarray(_open_mouth(view.image, view.mouth, view.chin, 1.0)).astype(int)
    ys, _ = np.nonzero(np.abs(opened - rgba)[..., :3].sum(axis=2) > 60)
    assert ys.size and ys.min() >= y0 - 0.3 * (y1 - y0)  # nothing moves above the mouth
