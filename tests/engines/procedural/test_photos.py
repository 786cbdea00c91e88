"""A picture given with the prompt: it is shown whole, it moves, its own subject is not
covered by a sticker, and its plan renders only with the same picture."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner
from videocheck import SMALL, decode

from kinema.cli import app
from kinema.engines.base import GenerationRequest, InvalidRequest
from kinema.engines.procedural.engine import ProceduralEngine

DISC = (240, 200, 20)  # the picture's subject: a yellow disc
DISC_X, DISC_Y, DISC_R = 430, 170, 70  # in a 600 x 300 picture


def _picture(path: Path, disc: tuple[int, int, int] = DISC) -> Path:
    """A landscape photo: a bluish, gently textured background and, right of the
    middle, a yellow disc (its subject)."""
    rng = np.random.default_rng(7)
    yy, xx = np.mgrid[0:300, 0:600]
    picture = np.zeros((300, 600, 3), np.float32)
    picture[..., 0] = 50 + 60 * xx / 600
    picture[..., 1] = 70 + 40 * yy / 300
    picture[..., 2] = 150
    picture += rng.normal(0, 6, picture.shape)
    picture[(xx - DISC_X) ** 2 + (yy - DISC_Y) ** 2 < DISC_R**2] = disc
    Image.fromarray(np.clip(picture, 0, 255).astype(np.uint8)).save(path)
    return path


def _disc_pixels(frame: np.ndarray) -> np.ndarray:
    f = frame.astype(int)
    return (f[..., 0] > 190) & (f[..., 1] > 150) & (f[..., 2] < 90)


def _expected_disc_area(width: int, picture_width: int = 600) -> float:
    """The disc's area in frame pixels when the picture is shown whole across the
    frame's width (a portrait frame)."""
    return float(np.pi * (DISC_R * width / picture_width) ** 2)


def _render(prompt: str, out: Path, **fields: object):
    values = {**SMALL, **fields}
    request = GenerationRequest(prompt=prompt, output=out, **values)  # type: ignore[arg-type]
    result = ProceduralEngine(workers=1).generate(request)
    return result, decode(result.video_path)


def test_the_photos_subject_stays_whole_in_a_portrait_frame(tmp_path: Path) -> None:
    image = _picture(tmp_path / "disc.png")
    _result, video = _render("my sunflower in the garden", tmp_path / "v.mp4", image=image)
    expected = _expected_disc_area(video.width)
    for frame in video.frames[::3]:
        disc = _disc_pixels(frame)
        # All of it, in every frame (the Ken Burns only ever moves in closer).
        assert disc.sum() > 0.85 * expected
        _ys, xs = np.nonzero(disc)
        assert xs.min() > 0 and xs.max() < video.width - 1
    # Behind the picture, a dimmed, blurred fill of itself, not black bars.
    top = video.frames[0][:30].astype(int)
    assert 15 < top.mean() < 0.7 * video.frames[0][130:160].mean()
    assert top[..., 2].mean() > top[..., 0].mean()  # it is the picture's own blue


def test_the_photo_moves_but_keeps_its_subject(tmp_path: Path) -> None:
    image = _picture(tmp_path / "disc.png")
    _result, video = _render(
        "my sunflower in the garden", tmp_path / "v.mp4", image=image, seconds=3.0
    )
    # The picture (shown whole across the frame's width, the fill above and below it).
    shown = video.width * 300 // 600
    top = (video.height - shown) // 2
    band = [f[top : top + shown].astype(int) for f in video.frames]
    assert np.abs(band[0] - band[-1]).mean() > 2.0
    steps = [np.abs(band[i] - band[i + 1]).mean() for i in range(len(band) - 1)]
    assert sum(s > 0.2 for s in steps) > len(steps) // 2  # it keeps moving, not a still
    # The slow move goes somewhere: the disc is seen larger or elsewhere at the end.
    a, b = _disc_pixels(video.frames[0]), _disc_pixels(video.frames[-1])
    moved = abs(np.nonzero(a)[1].mean() - np.nonzero(b)[1].mean())
    assert moved > 1.0 or abs(int(b.sum()) - int(a.sum())) > 0.05 * a.sum()


def test_the_photos_own_subject_is_not_pasted_over_it(tmp_path: Path) -> None:
    image = _picture(tmp_path / "disc.png")
    result, video = _render("my cat watches a butterfly", tmp_path / "v.mp4", image=image)
    subjects = {s["noun"]: s for s in result.plan["shots"][0]["subjects"]}
    assert subjects["cat"]["in_photo"] is True
    assert subjects["butterfly"]["in_photo"] is False
    # The butterfly is drawn, beside the disc: the disc is never covered.
    expected = _expected_disc_area(video.width)
    for frame in video.frames[::2]:
        assert _disc_pixels(frame).sum() > 0.85 * expected

    # The same plan with the cat drawn as a sticker shows a cat the photo did not have.
    plan = json.loads(json.dumps(result.plan))
    plain = ProceduralEngine(workers=1).generate(
        GenerationRequest(prompt="", output=tmp_path / "same.mp4", image=image, plan=plan, **SMALL)
    )
    assert np.abs(decode(plain.video_path).frames[6].astype(int) - video.frames[6]).mean() < 1.0
    for shot in plan["shots"]:
        for subject in shot["subjects"]:
            subject["in_photo"] = False
    sticker = ProceduralEngine(workers=1).generate(
        GenerationRequest(
            prompt="", output=tmp_path / "sticker.mp4", image=image, plan=plan, **SMALL
        )
    )
    assert np.abs(decode(sticker.video_path).frames[6].astype(int) - video.frames[6]).mean() > 2.0


def test_a_plan_made_with_a_picture_renders_only_with_that_picture(tmp_path: Path) -> None:
    image = _picture(tmp_path / "disc.png")
    result, video = _render("my sunflower in the garden", tmp_path / "v.mp4", image=image)
    digest = hashlib.sha256(image.read_bytes()).hexdigest()
    assert result.plan["image"] is True and result.plan["image_sha256"] == digest

    def again(picture: Path | None) -> Path:
        request = GenerationRequest(
            prompt="", output=tmp_path / "again.mp4", image=picture, plan=result.plan, **SMALL
        )
        return ProceduralEngine(workers=1).generate(request).video_path

    with pytest.raises(InvalidRequest, match="made with a picture; give the same picture"):
        again(None)
    other = _picture(tmp_path / "other.png", disc=(220, 40, 40))
    with pytest.raises(InvalidRequest, match="different picture"):
        again(other)
    # A copy of the same picture under another name is the same picture.
    copy = tmp_path / "copy.png"
    copy.write_bytes(image.read_bytes())
    frames = decode(again(copy)).frames
    assert np.abs(frames[0].astype(int) - video.frames[0]).mean() < 1.0


def test_an_older_plan_with_an_image_still_renders_without_it(tmp_path: Path) -> None:
    image = _picture(tmp_path / "disc.png")
    result, _video = _render("a yellow car in the city", tmp_path / "v.mp4", image=image)
    old = json.loads(json.dumps(result.plan))
    old["version"] = 2
    del old["image_sha256"]
    for shot in old["shots"]:
        for subject in shot["subjects"]:
            del subject["in_photo"]
    request = GenerationRequest(prompt="", output=tmp_path / "old.mp4", plan=old, **SMALL)
    done = ProceduralEngine(workers=1).generate(request)
    assert done.plan["image"] is False and done.plan["image_sha256"] is None
    car = done.plan["shots"][0]["subjects"][0]
    assert car["noun"] == "car" and car["in_photo"] is False


def test_the_cli_renders_a_saved_plan_with_its_picture(tmp_path: Path) -> None:
    image = _picture(tmp_path / "disc.jpg")
    size = ["--size", "160x288", "--seconds", "1", "--fps", "12"]
    first = CliRunner().invoke(
        app,
        [
            "generate",
            "my sunflower in the garden",
            *size,
            "--image",
            str(image),
            "--plan-out",
            str(tmp_path / "plan.json"),
            "-o",
            str(tmp_path / "a.mp4"),
        ],
    )
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(
        app,
        [
            "generate",
            "--plan",
            str(tmp_path / "plan.json"),
            "--image",
            str(image),
            "-o",
            str(tmp_path / "b.mp4"),
        ],
    )
    assert again.exit_code == 0, again.output
    assert (tmp_path / "b.mp4").stat().st_size > 1000
    missing = CliRunner().invoke(
        app, ["generate", "--plan", str(tmp_path / "plan.json"), "-o", str(tmp_path / "c.mp4")]
    )
    assert missing.exit_code != 0
    assert "give the same picture again" in missing.output
    assert not (tmp_path / "c.mp4").exists()
