"""The GPU engines end to end on CPU with tiny random-weight models: what comes out is a
real MP4 with sound, each mode actually conditions the model, progress follows the
denoising steps, and cancellation and out-of-memory leave the engine usable."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from PIL import Image

pytest.importorskip("torch", reason="the GPU engines need kinema[gpu] (torch)")
pytest.importorskip("diffusers", reason="the GPU engines need kinema[gpu] (diffusers)")

from kinema.engines.base import CharacterRef, GenerationRequest, InvalidRequest
from kinema.engines.diffusers import GenerationCancelled, OutOfMemory
from kinema.engines.diffusers.media import write_mp4

FAMILIES = ("ltx2", "ltx-video", "wan")
W, H, FPS = 128, 224, 8


def request(
    tmp_path: Path, name: str, prompt: str = "a dog runs on the beach", **kw: Any
) -> GenerationRequest:
    values: dict[str, Any] = {"seconds": 1, "width": W, "height": H, "fps": FPS, "seed": 3}
    values.update(kw)
    return GenerationRequest(prompt=prompt, output=tmp_path / f"{name}.mp4", **values)


def decode(path: Path) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Frames (n, h, w, 3) uint8, audio (channels, samples) and stream facts."""
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0]
        facts = {
            "video_codec": video.codec_context.name,
            "audio_codec": audio.codec_context.name,
            "sample_rate": audio.codec_context.sample_rate,
            "channels": audio.codec_context.channels,
            "fps": float(video.average_rate or 0),
            "duration": float(container.duration or 0) / 1e6,
        }
        frames = np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video)])
    with av.open(str(path)) as container:
        sound = np.concatenate(
            [f.to_ndarray() for f in container.decode(container.streams.audio[0])], axis=1
        )
    return frames, sound, facts


def still_video(
    path: Path, color: tuple[int, int, int] | None, seconds: float = 1.0
) -> Path:
    """A plain coloured clip (or, without a colour, coarse random blocks) with a quiet
    tone, as a parent video."""
    if color is None:
        blocks = np.random.default_rng(5).integers(0, 256, (H // 16, W // 16, 3), np.uint8)
        picture = Image.fromarray(blocks).resize((W, H), Image.Resampling.NEAREST)
    else:
        picture = Image.new("RGB", (W, H), color)
    frames = [picture] * round(seconds * FPS)
    t = np.arange(round(seconds * 48000)) / 48000
    tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    write_mp4(path, frames, FPS, np.stack([tone, tone], axis=1))
    return path


def differ(a: np.ndarray, b: np.ndarray) -> float:
    n = min(len(a), len(b))
    return float(np.abs(a[:n].astype(np.int16) - b[:n].astype(np.int16)).mean())


@pytest.mark.slow
@pytest.mark.parametrize("family", FAMILIES)
def test_text_to_video_is_an_mp4_with_sound(
    family: str, tiny_engine: Callable[[str], Any], tmp_path: Path
) -> None:
    engine = tiny_engine(family)
    result = engine.generate(request(tmp_path, "clip"))

    frames, sound, facts = decode(result.video_path)
    assert frames.shape == (FPS, H, W, 3)
    assert facts["video_codec"] == "h264" and facts["fps"] == FPS
    assert facts["audio_codec"] == "aac" and facts["sample_rate"] == 48000
    assert facts["channels"] == 2
    assert abs(facts["duration"] - 1.0) <= 1.5 / FPS
    assert sound.shape[1] >= 0.9 * 48000 and np.abs(sound).max() > 0
    assert frames.std() > 1  # a picture, not a flat fill
    with Image.open(result.thumbnail_path) as poster:
        assert poster.format == "JPEG" and poster.size == (W, H)
    plan = result.plan
    assert plan["engine"] == family and plan["mode"] == "text"
    assert plan["model"].endswith(family) and plan["steps"] == 2
    assert plan["seed"] == 3 and plan["prompt"] == "a dog runs on the beach"
    assert isinstance(plan["guidance"], float)
    assert result.credits and result.engine == family


def test_progress_follows_each_denoising_step(
    tiny_model: Callable[[str], Path], tmp_path: Path
) -> None:
    from kinema.engines.diffusers.ltx_video import LTXVideoEngine
    from kinema.engines.diffusers.options import DiffusersOptions

    engine = LTXVideoEngine(DiffusersOptions(model=str(tiny_model("ltx-video")), steps=3))
    seen: list[tuple[str, float]] = []
    engine.generate(request(tmp_path, "steps"), lambda stage, f: seen.append((stage, f)))

    denoise = [round(f, 3) for stage, f in seen if stage == "denoise"]
    assert denoise == [0.0, 0.333, 0.667, 1.0]
    stages = [stage for stage, _ in seen]
    assert stages.index("load") < stages.index("denoise") < stages.index("sound")
    assert seen[-1] == ("encode", 1.0)


@pytest.mark.slow
@pytest.mark.parametrize("family", FAMILIES)
def test_input_image_conditions_the_video(
    family: str, tiny_engine: Callable[[str], Any], tmp_path: Path
) -> None:
    engine = tiny_engine(family)
    red, blue = tmp_path / "red.png", tmp_path / "blue.jpg"
    Image.new("RGB", (640, 480), (230, 30, 30)).save(red)  # other aspect: fitted, not stretched
    Image.new("RGB", (300, 500), (20, 40, 220)).save(blue)

    from_red = engine.generate(request(tmp_path, "red", image=red))
    from_blue = engine.generate(request(tmp_path, "blue", image=blue))

    assert from_red.plan["mode"] == "image"
    red_frames, _, _facts = decode(from_red.video_path)
    blue_frames, _, _ = decode(from_blue.video_path)
    assert red_frames.shape == (FPS, H, W, 3)
    # Same prompt and seed: only the image differs, and so does the video.
    assert differ(red_frames, blue_frames) > 0.05


@pytest.mark.slow
@pytest.mark.parametrize("family", FAMILIES)
def test_remix_follows_the_parent_video(
    family: str, tiny_engine: Callable[[str], Any], tmp_path: Path
) -> None:
    engine = tiny_engine(family)
    green = still_video(tmp_path / "green.mp4", (20, 200, 40))
    blocks = still_video(tmp_path / "blocks.mp4", None)

    a = engine.generate(request(tmp_path, "a", "make it night", parent_video=green))
    b = engine.generate(request(tmp_path, "b", "make it night", parent_video=blocks))

    assert a.plan["mode"] == "remix"
    frames_a, _, _ = decode(a.video_path)
    frames_b, _, _ = decode(b.video_path)
    assert frames_a.shape == (FPS, H, W, 3)
    assert differ(frames_a, frames_b) > 0.05


@pytest.mark.slow
@pytest.mark.parametrize("family", FAMILIES)
def test_extension_keeps_the_parent_and_adds_seconds(
    family: str, tiny_engine: Callable[[str], Any], tmp_path: Path
) -> None:
    engine = tiny_engine(family)
    parent = still_video(tmp_path / "parent.mp4", (200, 120, 20))

    longer = engine.generate(
        request(tmp_path, "longer", "it keeps going", seconds=2, parent_video=parent,
                extend_seconds=1)
    )

    frames, sound, facts = decode(longer.video_path)
    parent_frames, _parent_sound, _ = decode(parent)
    assert longer.plan["mode"] == "extend"
    assert len(frames) == 2 * FPS and abs(facts["duration"] - 2.0) <= 1.5 / FPS
    assert differ(frames[:FPS], parent_frames) < 3  # the parent plays first, unchanged
    # ...and so does its sound: the 440 Hz tone is there during the first second.
    first = sound[0, 4800:43200]
    spectrum = np.abs(np.fft.rfft(first))
    assert np.argmax(spectrum) * 48000 / len(first) == pytest.approx(440, abs=5)


def test_ltx2_makes_its_own_soundtrack(tiny_engine: Callable[[str], Any], tmp_path: Path) -> None:
    result = tiny_engine("ltx2").generate(request(tmp_path, "joint"))
    _, sound, _ = decode(result.video_path)
    assert result.plan["sound"] == "model"
    assert "sound_plan" not in result.plan
    assert float(np.sqrt(np.mean(sound**2))) > 1e-4


def test_video_only_models_get_the_procedural_sound_layer(
    tiny_engine: Callable[[str], Any], tmp_path: Path
) -> None:
    result = tiny_engine("ltx-video").generate(
        request(tmp_path, "talk", 'a parrot on the beach says "hello there"', seconds=2)
    )
    _, sound, _ = decode(result.video_path)
    assert result.plan["sound"] == "procedural"
    assert result.plan["sound_plan"]["shots"]
    assert [line.text for line in result.transcript] == ["hello there"]
    line = result.transcript[0]
    speaking = sound[0, round(line.start * 48000) : round(line.end * 48000)]
    assert float(np.sqrt(np.mean(speaking**2))) > 0.01


@pytest.mark.slow
def test_wan_puts_characters_in_as_reference_images(
    tiny_engine: Callable[[str], Any], tmp_path: Path
) -> None:
    cutout = Image.new("RGBA", (200, 300), (0, 0, 0, 0))
    cutout.paste((250, 200, 40, 255), (40, 40, 160, 260))
    cutout.save(tmp_path / "maya.png")
    maya = CharacterRef(handle="maya", name="Maya", appearance=tmp_path / "maya.png",
                        appearance_rules="always wears a red cap")
    engine = tiny_engine("wan")

    alone = engine.generate(request(tmp_path, "alone", "Maya waves"))
    with_maya = engine.generate(request(tmp_path, "maya", "@maya waves", characters=[maya]))

    assert with_maya.plan["characters"] == ["maya"]
    frames_alone, _, _ = decode(alone.video_path)
    frames_maya, _, _ = decode(with_maya.video_path)
    assert differ(frames_alone, frames_maya) > 0.05


def test_cancelling_stops_at_the_next_step_and_the_engine_stays_usable(
    tiny_engine: Callable[[str], Any], tmp_path: Path
) -> None:
    engine = tiny_engine("ltx-video")
    steps: list[float] = []

    def progress(stage: str, fraction: float) -> None:
        if stage == "denoise":
            steps.append(fraction)
            if fraction > 0:  # another thread asks to cancel after the first step
                worker = threading.Thread(target=engine.cancel)
                worker.start()
                worker.join()

    job = request(tmp_path, "cancelled")
    with pytest.raises(GenerationCancelled):
        engine.generate(job, progress)
    assert steps == [0.0, 0.5]
    assert not job.output.exists()

    with pytest.raises(GenerationCancelled):
        engine.generate(request(tmp_path, "asked"), should_cancel=lambda: True)

    again = engine.generate(request(tmp_path, "again"))
    assert again.video_path.is_file()


def test_out_of_memory_is_a_clean_failure_with_advice(
    tiny_engine: Callable[[str], Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch

    engine = tiny_engine("ltx-video")
    pipe = engine.load()

    def exhausted(*args: Any, **kwargs: Any) -> Any:
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")

    monkeypatch.setattr(pipe.transformer, "forward", exhausted)
    with pytest.raises(OutOfMemory) as failure:
        engine.generate(request(tmp_path, "oom"))
    message = str(failure.value)
    assert "out of memory" in message and "KINEMA_GPU_PRESET=" in message
    assert "KINEMA_GPU_OFFLOAD" in message

    monkeypatch.undo()
    assert engine.load() is pipe  # still loaded: the job can simply be retried
    assert engine.generate(request(tmp_path, "retry")).video_path.is_file()


def test_bad_requests_are_refused_with_a_sentence(
    tiny_engine: Callable[[str], Any], tmp_path: Path
) -> None:
    engine = tiny_engine("wan")
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    with pytest.raises(InvalidRequest, match="could not be read"):
        engine.generate(request(tmp_path, "x", image=broken))
    with pytest.raises(InvalidRequest, match="at most 10 seconds"):
        engine.generate(request(tmp_path, "y", seconds=12))
    with pytest.raises(InvalidRequest, match="does not exist"):
        engine.generate(request(tmp_path, "z", parent_video=tmp_path / "nope.mp4"))


def test_registry_builds_the_engines_from_the_environment(
    tiny_model: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kinema.engines import available_engines
    from kinema.engines.diffusers.ltx2 import LTX2Engine, from_env

    assert {"ltx2", "ltx-video", "wan"} <= set(available_engines())
    monkeypatch.setenv("KINEMA_LTX2_MODEL", str(tiny_model("ltx2")))
    monkeypatch.setenv("KINEMA_GPU_PRESET", "24")
    monkeypatch.setenv("KINEMA_GPU_STEPS", "2")
    engine = from_env()
    assert isinstance(engine, LTX2Engine)
    assert engine.options.preset == "24gb" and engine.options.offload == "model"
    assert engine.options.steps == 2 and engine.locate().local


def test_remixing_a_generated_video_edits_its_scene(
    tiny_engine: Callable[[str], Any], tmp_path: Path
) -> None:
    engine = tiny_engine("ltx-video")
    first = engine.generate(request(tmp_path, "first", "a dog walks in the park at noon"))

    remix = engine.generate(
        request(tmp_path, "remix", "make it night", parent_video=first.video_path,
                parent_plan=first.plan)
    )

    assert remix.plan["mode"] == "remix"
    assert remix.plan["parent_prompt"] == "a dog walks in the park at noon"
    assert first.plan["sound_plan"]["shots"][0]["time_of_day"] != "night"
    assert remix.plan["sound_plan"]["shots"][0]["time_of_day"] == "night"


@pytest.mark.parametrize(
    "settings",
    [
        {"preset": "16"},
        {"cache": "mag", "mag_ratios": (1.0, 0.99, 0.97)},
    ],
    ids=["16gb-preset", "magcache"],
)
def test_memory_and_speed_settings_apply_and_are_recorded(
    settings: dict[str, Any], tiny_model: Callable[[str], Path], tmp_path: Path
) -> None:
    from kinema.engines.diffusers.ltx_video import LTXVideoEngine
    from kinema.engines.diffusers.options import DiffusersOptions

    model = str(tiny_model("ltx-video"))
    if "preset" in settings:
        options = DiffusersOptions.for_preset(settings["preset"], model=model, steps=3)
    else:
        options = DiffusersOptions(model=model, steps=3, **settings)
    result = LTXVideoEngine(options).generate(request(tmp_path, "tuned"))

    frames, _, _ = decode(result.video_path)
    assert frames.shape == (FPS, H, W, 3)
    applied = result.plan["settings"]["applied"]
    if "preset" in settings:
        assert result.plan["settings"]["preset"] == "16gb"
        assert applied["fp8"] and applied["vae_tiling"] and applied["cache"] == "first_block"
        assert applied["offload"] == "none"  # nothing to offload to on a CPU-only machine
    else:
        assert applied["cache"] == "mag"
