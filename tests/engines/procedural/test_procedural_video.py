"""What ends up in the MP4 the procedural engine writes: streams, size, timing, motion,
light, weather, colour, speech, determinism, images, characters, remixes and plans."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from videocheck import Decoded, band_energy, decode, luma

from kinema.engines import get_engine
from kinema.engines.base import CharacterRef, GenerationRequest, InvalidRequest
from kinema.engines.procedural import engine as engine_module
from kinema.engines.procedural.engine import ProceduralEngine
from kinema.engines.procedural.motion import pose
from kinema.engines.procedural.plan import Plan

RATE = 48000


def _mono(video: Decoded) -> np.ndarray:
    return video.audio.mean(axis=0)


def test_streams_size_fps_duration_and_credits(make_video, tmp_path: Path) -> None:
    result, video = make_video("a cat walks in the park", seconds=2.0, fps=12)
    assert (video.video_codec, video.pix_fmt) == ("h264", "yuv420p")
    assert (video.audio_codec, video.sample_rate, video.channels) == ("aac", 48000, 2)
    assert (video.width, video.height) == (160, 288)
    assert video.fps == pytest.approx(12)
    assert len(video.frames) == 24
    assert abs(video.duration - 2.0) <= 1 / 12 + 1e-6
    assert all(f.shape == (288, 160, 3) for f in video.frames)
    assert "OpenMoji" in video.metadata.get("comment", "")
    assert "CC BY-SA 4.0" in video.metadata.get("copyright", "")
    assert any("OpenMoji" in c and "CC BY-SA 4.0" in c for c in result.credits)
    assert any("OpenMoji" in c for c in result.plan["credits"])
    # faststart: the index comes before the media data.
    data = result.video_path.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")
    with Image.open(result.thumbnail_path) as poster:
        assert poster.format == "JPEG" and poster.size == (160, 288)


def test_audio_is_audible_and_never_clips(make_video) -> None:
    _result, video = make_video("a dog runs on the beach")
    mono = _mono(video)
    rms = float(np.sqrt(np.mean(mono**2)))
    assert rms > 0.01
    assert float(np.abs(video.audio).max()) < 1.0


def test_frames_move(make_video) -> None:
    _result, video = make_video("a horse runs across the field")
    first, last = video.frames[0].astype(int), video.frames[-1].astype(int)
    assert np.abs(first - last).mean() > 2.0
    steps = [np.abs(video.frames[i].astype(int) - video.frames[i + 1]).mean()
             for i in range(len(video.frames) - 1)]
    assert sum(s > 0.2 for s in steps) > len(steps) // 2


def test_night_is_darker_than_noon(make_video) -> None:
    _r1, noon = make_video("a fox in the forest at noon")
    _r2, night = make_video("a fox in the forest at night")
    assert luma(night.frames[6]) < 0.6 * luma(noon.frames[6])


@pytest.mark.parametrize("weather", ["rain", "snow"])
def test_weather_adds_moving_particles_and_ambience(make_video, weather: str) -> None:
    _r1, clear = make_video("a frog in the park, static camera", seed=3)
    _r2, wet = make_video(f"a frog in the park in the {weather}, static camera", seed=3)
    top = slice(0, 288 // 3)  # the sky: nothing else moves there

    def sky_motion(video: Decoded) -> float:
        return float(np.mean([np.abs(video.frames[i][top].astype(int)
                                     - video.frames[i + 1][top]).mean()
                              for i in range(len(video.frames) - 1)]))

    assert sky_motion(wet) > sky_motion(clear) + 0.5
    if weather == "rain":
        # Rain hisses: more of the sound's energy is high-frequency noise.
        def hiss_share(video: Decoded) -> float:
            mono = _mono(video)
            return band_energy(mono, RATE, 4000, 16000) / band_energy(mono, RATE, 20, 16000)

        assert hiss_share(wet) > 1.5 * hiss_share(clear)


def _subject_box(result_plan: dict, index: int, t: float) -> tuple[int, int, int, int]:
    plan = Plan.from_dict(result_plan)
    shot = plan.shots[0]
    subject = shot.subjects[index]
    p = pose(subject, shot, t)
    h = subject.scale * plan.height * (1 - 0.45 * subject.depth)
    cx, bottom = p.x * plan.width, p.y * plan.height
    return (int(cx - h * 0.4), int(bottom - h * 0.8), int(cx + h * 0.4), int(bottom - h * 0.2))


@pytest.mark.parametrize(("colour", "channel"), [("red", 0), ("blue", 2)])
def test_a_coloured_car_is_that_colour_where_the_car_is(make_video, colour: str,
                                                        channel: int) -> None:
    result, video = make_video(f"a {colour} car in the desert, static camera")
    assert result.plan["shots"][0]["subjects"][0]["noun"] == "car"
    # Half way through the clip the driving car is at its planned spot, on screen.
    x0, y0, x1, y1 = _subject_box(result.plan, 0, 1.0)
    assert 0 <= x0 < x1 <= 160 and 0 <= y0 < y1 <= 288
    region = video.frames[12][y0:y1, x0:x1].astype(int)
    others = [c for c in range(3) if c != channel]
    dominant = (region[..., channel] > region[..., others[0]] + 40) & (
        region[..., channel] > region[..., others[1]] + 40)
    assert dominant.mean() > 0.2


def test_same_seed_same_frames_other_seed_other_composition(make_video) -> None:
    prompt = "two penguins dance in the snow"
    _a, first = make_video(prompt, seed=5)
    _b, again = make_video(prompt, seed=5)
    _c, other = make_video(prompt, seed=6)
    assert all(np.array_equal(x, y) for x, y in zip(first.frames, again.frames, strict=True))
    assert np.array_equal(first.audio, again.audio)
    assert np.abs(first.frames[0].astype(int) - other.frames[0]).mean() > 3.0


def _speech_band(mono: np.ndarray, start: float, end: float) -> float:
    segment = mono[int(start * RATE): int(end * RATE)]
    return band_energy(segment, RATE, 300, 3400) / max(segment.size / RATE, 1e-3)


def test_dialogue_is_spoken_during_its_line(make_video) -> None:
    result, video = make_video("a parrot says 'hello there, my good friend' in the forest",
                               seconds=4.0)
    lines = [line for shot in result.plan["shots"] for line in shot["dialogue"]]
    assert [line["text"] for line in lines] == ["hello there, my good friend"]
    line = lines[0]
    assert result.transcript[0].speaker == "the parrot"
    assert 0 <= line["start"] < line["end"] <= 4.0
    mono = _mono(video)
    during = _speech_band(mono, line["start"], line["end"])
    outside = _speech_band(mono, line["end"] + 0.2, 4.0)
    assert during > 3 * outside


def test_no_dialogue_means_no_lines(make_video) -> None:
    result, _video = make_video("a parrot sits in the forest")
    assert all(not shot["dialogue"] for shot in result.plan["shots"])
    assert result.transcript == []


def test_korean_and_french_lines_are_spoken(make_video) -> None:
    result, video = make_video("a girl says '안녕하세요 친구' and a cat says in French "
                               "'bonjour mon ami'", seconds=5.0)
    languages = [line.language for line in result.transcript]
    assert languages == ["ko", "fr"]
    mono = _mono(video)
    for line in result.transcript:
        assert _speech_band(mono, line.start, line.end) > 0


def test_an_input_image_becomes_the_scene(make_video, tmp_path: Path) -> None:
    picture = np.zeros((300, 600, 3), np.uint8)
    picture[:, :300] = (200, 30, 160)  # magenta left half
    picture[:, 300:] = (20, 200, 60)  # green right half
    path = tmp_path / "scene.png"
    Image.fromarray(picture).save(path)
    result, video = make_video("a bird flies", image=path)
    assert result.plan["image"] is True
    frame = video.frames[0].astype(int)
    # Fitted whole without distortion: the portrait frame shows the whole landscape
    # picture across its width (both halves), over a dimmed fill of itself.
    middle = frame[frame.shape[0] // 2 - 20:frame.shape[0] // 2 + 20]
    left, right = middle[:, :30].reshape(-1, 3), middle[:, -30:].reshape(-1, 3)
    magenta = (left[:, 0] > 140) & (left[:, 1] < 90) & (left[:, 2] > 110)
    green = (right[:, 1] > 140) & (right[:, 0] < 90)
    assert magenta.mean() > 0.5 and green.mean() > 0.5
    assert frame[:20].mean() < 0.7 * middle.mean()


def test_a_corrupt_image_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really a picture")
    request = GenerationRequest(prompt="a cat", output=tmp_path / "x.mp4", image=bad,
                                width=160, height=288, seconds=1, fps=12)
    with pytest.raises(InvalidRequest, match="cannot be read"):
        ProceduralEngine(workers=1).generate(request)
    assert not (tmp_path / "x.mp4").exists()


def test_a_character_cutout_appears_and_speaks(make_video, tmp_path: Path) -> None:
    cutout = np.zeros((200, 160, 4), np.uint8)
    cutout[20:200, 20:140] = (30, 200, 230, 255)  # a cyan figure on transparency
    path = tmp_path / "ada.png"
    Image.fromarray(cutout, "RGBA").save(path)
    ada = CharacterRef(handle="ada", name="Ada", appearance=path)
    result, video = make_video("@ada says 'welcome to my show' on the stage", seconds=3.0,
                               characters=[ada])
    subject = result.plan["shots"][0]["subjects"][0]
    assert subject["character"] == "ada" and subject["glyph"] == ""
    assert result.transcript[0].speaker == "Ada"
    frame = video.frames[12].astype(int).reshape(-1, 3)
    cyan = (frame[:, 2] > 150) & (frame[:, 1] > 140) & (frame[:, 0] < 110)
    assert cyan.mean() > 0.015  # its head and, in its colour, the shirt of its figure


def test_remix_edits_the_parent_plan(make_video) -> None:
    parent, parent_video = make_video("a dog walks on the beach at noon")
    child, child_video = make_video("make it night and add rain", parent_plan=parent.plan)
    shot = child.plan["shots"][0]
    assert (shot["time_of_day"], shot["weather"], shot["setting"]) == ("night", "rain", "beach")
    assert [s["noun"] for s in shot["subjects"]] == ["dog"]
    assert luma(child_video.frames[5]) < luma(parent_video.frames[5])


def test_a_saved_plan_renders_the_same_video(make_video, tmp_path: Path) -> None:
    result, video = make_video("a turtle swims under the sea, then it spins")
    again = ProceduralEngine(workers=1).generate(GenerationRequest(
        prompt="", output=tmp_path / "again.mp4", plan=result.plan, width=160, height=288,
        seconds=2, fps=12))
    replay = decode(again.video_path)
    assert all(np.array_equal(x, y) for x, y in zip(video.frames, replay.frames, strict=True))


def test_storyboard_gives_one_shot_per_entry(make_video) -> None:
    result, video = make_video("", shots=["a cat in the desert at noon",
                                          "a cat in space"], seconds=2.0)
    assert [s["setting"] for s in result.plan["shots"]] == ["desert", "space"]
    assert luma(video.frames[-1]) < luma(video.frames[0])


@pytest.mark.parametrize("style", ["cinematic", "anime", "vintage film", "watercolor",
                                   "vaporwave"])
def test_styles_change_the_picture(make_video, style: str) -> None:
    _plain, plain = make_video("a cat in the park at noon, static camera", seed=2)
    _styled, styled = make_video(f"a cat in the park at noon, static camera, {style}", seed=2)
    assert np.abs(plain.frames[3].astype(int) - styled.frames[3]).mean() > 4.0


def test_camera_moves_the_scene(make_video) -> None:
    _s, still = make_video("a snail sleeps in the mountains, static camera")
    _p, panned = make_video("a snail sleeps in the mountains, pan left")
    _z, zoomed = make_video("a snail sleeps in the mountains, zoom in")

    def background_change(video: Decoded) -> float:
        top = slice(288 // 5, int(288 * 0.4))  # the distant ridges, above the subject
        return float(np.abs(video.frames[0][top].astype(int) - video.frames[-1][top]).mean())

    # (A still camera only differs by compression noise.)
    assert background_change(panned) > background_change(still) + 3.0
    assert background_change(zoomed) > background_change(still) + 3.0


def test_captions_show_the_line_while_it_is_spoken(make_video) -> None:
    prompt = "a duck says 'quack quack, my friends' in the park, static camera"
    result, plain = make_video(prompt, seconds=3.0, seed=1)
    _c, captioned = make_video(prompt, seconds=3.0, seed=1, captions=True)
    line = result.transcript[0]
    during = round((line.start + line.end) / 2 * 12)
    after = min(len(plain.frames) - 1, round((line.end + 0.3) * 12))
    bottom = slice(int(288 * 0.6), 288)
    def caption_difference(index: int) -> float:
        return float(np.abs(plain.frames[index][bottom].astype(int)
                            - captioned.frames[index][bottom]).mean())

    assert caption_difference(during) > 2.0
    assert caption_difference(after) < 0.5 * caption_difference(during)


def test_noir_is_black_and_white(make_video) -> None:
    _result, video = make_video("a red car drives in the city, film noir")
    frame = video.frames[8].astype(int)
    assert np.abs(frame[..., 0] - frame[..., 2]).mean() < 6


def test_progress_reports_every_stage(tmp_path: Path) -> None:
    seen: list[tuple[str, float]] = []
    engine = get_engine("procedural")
    engine.generate(GenerationRequest(prompt="a bee flies in the park", output=tmp_path / "p.mp4",
                                      width=160, height=288, seconds=1, fps=12),
                    lambda stage, fraction: seen.append((stage, fraction)))
    assert {stage for stage, _ in seen} == {"plan", "render", "sound", "encode"}
    assert all(0.0 <= fraction <= 1.0 for _, fraction in seen)
    assert seen[-1] == ("encode", 1.0)


@pytest.mark.slow
def test_worker_processes_render_the_same_frames(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(engine_module, "POOL_MIN_PIXELS", 0)
    request = {"prompt": "a dog chases a cat in the city at night, pan left",
               "width": 160, "height": 288, "seconds": 2, "fps": 12, "seed": 9}
    pooled = ProceduralEngine(workers=2).generate(
        GenerationRequest(output=tmp_path / "pool.mp4", **request))
    single = ProceduralEngine(workers=1).generate(
        GenerationRequest(output=tmp_path / "single.mp4", **request))
    a, b = decode(pooled.video_path), decode(single.video_path)
    assert len(a.frames) == 24
    assert all(np.array_equal(x, y) for x, y in zip(a.frames, b.frames, strict=True))
    assert np.array_equal(a.audio, b.audio)


@pytest.mark.slow
def test_worker_processes_from_a_threaded_server(tmp_path: Path, monkeypatch) -> None:
    """Servers run engines in threads; rendering then starts its workers from a clean
    fork server, and the video is the same."""
    import threading

    monkeypatch.setattr(engine_module, "POOL_MIN_PIXELS", 0)
    request = {"prompt": "a bee flies over the park", "width": 160, "height": 288,
               "seconds": 1, "fps": 12, "seed": 2}
    results = []
    idle = threading.Event()
    bystander = threading.Thread(target=idle.wait)  # another thread is alive, as in a server
    bystander.start()
    try:
        worker = threading.Thread(target=lambda: results.append(ProceduralEngine(
            workers=2).generate(GenerationRequest(output=tmp_path / "t.mp4", **request))))
        worker.start()
        worker.join()
    finally:
        idle.set()
        bystander.join()
    single = ProceduralEngine(workers=1).generate(
        GenerationRequest(output=tmp_path / "s.mp4", **request))
    a, b = decode(results[0].video_path), decode(single.video_path)
    assert all(np.array_equal(x, y) for x, y in zip(a.frames, b.frames, strict=True))
