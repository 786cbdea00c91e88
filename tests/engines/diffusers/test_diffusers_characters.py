"""Characters in the GPU engines (tiny random-weight models on the CPU): the pictures
the model is conditioned on show the people named in the prompt as they were captured,
so they stay recognisable in realistic video too. Each test catches the conditioning
tensors where the real pipeline makes them and looks at their pixels."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("torch", reason="the GPU engines need kinema[gpu] (torch)")
pytest.importorskip("diffusers", reason="the GPU engines need kinema[gpu] (diffusers)")

from kinema.engines.base import CharacterRef, GenerationRequest
from kinema.engines.diffusers.media import write_mp4

W, H, FPS = 128, 224, 8
SKIN, SHIRT = (236, 168, 120), (30, 60, 200)  # Maya
GREEN, PURPLE = (40, 190, 70), (150, 40, 160)  # Ade
RED = (230, 30, 30)  # the input image


def request(tmp_path: Path, name: str, prompt: str, **kw: Any) -> GenerationRequest:
    values: dict[str, Any] = {"seconds": 1, "width": W, "height": H, "fps": FPS, "seed": 3}
    values.update(kw)
    return GenerationRequest(prompt=prompt, output=tmp_path / f"{name}.mp4", **values)


def person(path: Path, head: tuple[int, int, int], body: tuple[int, int, int]) -> Path:
    """A head-and-shoulders cutout: a head over a wider body on a transparent ground."""
    cutout = Image.new("RGBA", (200, 300), (0, 0, 0, 0))
    cutout.paste((*head, 255), (50, 0, 150, 140))
    cutout.paste((*body, 255), (0, 140, 200, 300))
    cutout.save(path)
    return path


def maya(tmp_path: Path) -> CharacterRef:
    return CharacterRef(
        handle="maya", name="Maya", appearance=person(tmp_path / "maya.png", SKIN, SHIRT)
    )


def pixels(tensor: Any) -> np.ndarray:
    """A (3, H, W) picture tensor in -1..1 as (H, W, 3) uint8."""
    picture = ((tensor.detach().float().cpu() + 1) * 127.5).clamp(0, 255).round().byte()
    return picture.permute(1, 2, 0).numpy()


def covers(picture: np.ndarray, colour: tuple[int, int, int], tolerance: int = 40) -> np.ndarray:
    """Where ``picture`` shows ``colour`` (within ``tolerance`` per channel)."""
    difference = np.abs(picture.astype(np.int16) - np.array(colour, np.int16))
    return np.asarray(difference.max(axis=-1) <= tolerance)


def share(picture: np.ndarray, colour: tuple[int, int, int]) -> float:
    return float(covers(picture, colour).mean())


def middle_column(picture: np.ndarray, colour: tuple[int, int, int]) -> float:
    return float(np.nonzero(covers(picture, colour))[1].mean())


def middle_row(picture: np.ndarray, colour: tuple[int, int, int]) -> float:
    return float(np.nonzero(covers(picture, colour))[0].mean())


@pytest.fixture
def ltx2_conditions(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """Every frame condition the LTX-2 condition pipeline turns into tensors, as
    {"pictures": [(H, W, 3) per frame], "strength", "index"}."""
    from diffusers import LTX2ConditionPipeline

    seen: list[dict[str, Any]] = []
    original = LTX2ConditionPipeline.preprocess_conditions

    def catch(self: Any, *args: Any, **kwargs: Any) -> Any:
        frames, strengths, indices, counts = original(self, *args, **kwargs)
        for tensor, strength, index in zip(frames, strengths, indices, strict=True):
            seen.append(
                {
                    "pictures": [pixels(tensor[0, :, f]) for f in range(tensor.shape[2])],
                    "strength": strength,
                    "index": index,
                }
            )
        return frames, strengths, indices, counts

    monkeypatch.setattr(LTX2ConditionPipeline, "preprocess_conditions", catch)
    yield seen


@pytest.mark.slow
def test_ltx2_text_with_a_character_starts_from_their_picture(
    tiny_engine: Callable[[str], Any], tmp_path: Path, ltx2_conditions: list[dict[str, Any]]
) -> None:
    engine = tiny_engine("ltx2")

    alone = engine.generate(request(tmp_path, "alone", "Maya waves on the beach"))
    assert ltx2_conditions == []  # plain text to video: nothing to condition on

    made = engine.generate(
        request(tmp_path, "maya", "@maya waves on the beach", characters=[maya(tmp_path)])
    )

    assert made.plan["mode"] == "text" and made.plan["characters"] == ["maya"]
    assert made.video_path.is_file() and alone.video_path.is_file()
    [condition] = ltx2_conditions
    assert condition["index"] == 0  # the first frame...
    assert 0.5 <= condition["strength"] < 1  # ...held loosely enough for the scene to take over
    [picture] = condition["pictures"]
    assert picture.shape == (H, W, 3)
    # Maya, as captured, fills much of the frame: head over shirt, on a white ground.
    assert share(picture, SKIN) > 0.1 and share(picture, SHIRT) > 0.25
    assert middle_row(picture, SKIN) < middle_row(picture, SHIRT)
    assert share(picture[:20], (255, 255, 255)) > 0.9


@pytest.mark.slow
def test_ltx2_puts_each_character_in_the_picture_side_by_side(
    tiny_engine: Callable[[str], Any], tmp_path: Path, ltx2_conditions: list[dict[str, Any]]
) -> None:
    # Ade has no cutout on file, only the face views of the capture: the front one is used.
    front = person(tmp_path / "front.png", GREEN, PURPLE)
    turned = person(tmp_path / "left.png", RED, RED)
    ade = CharacterRef(
        handle="ade", name="Ade", appearance=tmp_path / "gone.png", views=(front, turned)
    )

    engine = tiny_engine("ltx2")
    engine.generate(
        request(tmp_path, "two", "@maya and @ade talk", characters=[maya(tmp_path), ade])
    )

    [condition] = ltx2_conditions
    [picture] = condition["pictures"]
    for colour in (SKIN, SHIRT, GREEN, PURPLE):
        assert share(picture, colour) > 0.03, colour
    # In the order the prompt names them: Maya on the left, Ade on the right.
    assert middle_column(picture, SHIRT) < W / 2 < middle_column(picture, PURPLE)
    assert share(picture, RED) < 0.01  # a turned view is not what the model starts from


@pytest.mark.slow
@pytest.mark.parametrize("start", ["image", "remix"])
def test_ltx2_scene_stays_the_start_and_the_character_joins_it(
    start: str,
    tiny_engine: Callable[[str], Any],
    tmp_path: Path,
    ltx2_conditions: list[dict[str, Any]],
) -> None:
    # The scene to start from: an input image, or the parent video of a remix.
    if start == "image":
        scene = {"image": tmp_path / "scene.png"}
        Image.new("RGB", (640, 480), RED).save(scene["image"])
    else:
        scene = {"parent_video": tmp_path / "parent.mp4"}
        silence = np.zeros((48000, 2), np.float32)
        write_mp4(scene["parent_video"], [Image.new("RGB", (W, H), RED)] * FPS, FPS, silence)

    made = tiny_engine("ltx2").generate(
        request(tmp_path, "scene", "@maya walks in", characters=[maya(tmp_path)], **scene)
    )

    assert made.plan["mode"] == start
    first, joined = ltx2_conditions
    # The scene, untouched, is where the clip starts (an image holds the first frame).
    assert first["index"] == 0 and first["strength"] == (1.0 if start == "image" else 0.6)
    assert all(share(picture, RED) > 0.95 for picture in first["pictures"])
    assert all(share(picture, SKIN) == 0 for picture in first["pictures"])
    # At the last latent frame Maya stands in that scene, as a looser pull.
    assert joined["index"] > 0 and 0 < joined["strength"] < 1
    [picture] = joined["pictures"]
    assert share(picture, SKIN) > 0.1 and share(picture, SHIRT) > 0.25
    assert share(picture[:20], RED) > 0.9  # the scene around her, not a white canvas
    assert middle_row(picture, SKIN) < middle_row(picture, SHIRT)


@pytest.mark.slow
def test_wan_reference_images_show_the_character(
    tiny_engine: Callable[[str], Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from diffusers import WanVACEPipeline

    references: list[np.ndarray] = []
    original = WanVACEPipeline.prepare_video_latents

    def catch(
        self: Any, video: Any, mask: Any, reference_images: Any = None, *args: Any, **kwargs: Any
    ) -> Any:
        for batch in reference_images or []:
            references.extend(pixels(tensor) for tensor in batch if tensor is not None)
        return original(self, video, mask, reference_images, *args, **kwargs)

    monkeypatch.setattr(WanVACEPipeline, "prepare_video_latents", catch)
    ade = CharacterRef(
        handle="ade", name="Ade", views=(person(tmp_path / "front.png", GREEN, PURPLE),)
    )

    tiny_engine("wan").generate(
        request(tmp_path, "pair", "@maya and @ade wave", characters=[maya(tmp_path), ade])
    )

    # One reference picture per character, in order, each showing that person upright
    # on white (the way VACE takes subjects).
    assert len(references) == 2
    for picture, (head, body) in zip(references, [(SKIN, SHIRT), (GREEN, PURPLE)], strict=True):
        assert share(picture, head) > 0.05 and share(picture, body) > 0.1
        assert middle_row(picture, head) < middle_row(picture, body)
        assert share(picture, (255, 255, 255)) > 0.2
    assert share(references[0], GREEN) == 0 and share(references[1], SKIN) == 0
