"""`kinema generate`: a video from the command line, and one plain line for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import av
import pytest
from typer.testing import CliRunner

from kinema.cli import app

SMALL = ["--size", "160x288", "--seconds", "1", "--fps", "12"]


def _run(args: list[str], cwd: Path | None = None) -> tuple[int, str, str]:
    """Run ``kinema`` for real, as a person would."""
    kinema = Path(sys.executable).with_name("kinema")
    done = subprocess.run([str(kinema), *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.slow
def test_generate_writes_the_video_and_prints_its_path(tmp_path: Path) -> None:
    code, out, err = _run(["generate", "a cat says 'hi' on the beach", *SMALL,
                           "--plan-out", "plan.json"], cwd=tmp_path)
    assert code == 0, err
    path = tmp_path / out.strip()
    assert path.name.startswith("kinema-a-cat-says") and path.suffix == ".mp4"
    with av.open(str(path)) as container:
        assert container.streams.video[0].codec_context.name == "h264"
        assert container.streams.audio[0].codec_context.sample_rate == 48000
        assert container.streams.video[0].codec_context.width == 160
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert plan["shots"][0]["dialogue"][0]["text"] == "hi"
    assert "Traceback" not in err

    # The saved plan renders again, with no prompt.
    code, out, err = _run(["generate", "--plan", "plan.json", "-o", "again.mp4"], cwd=tmp_path)
    assert code == 0, err
    assert out.strip() == "again.mp4" and (tmp_path / "again.mp4").stat().st_size > 0


def test_generate_in_process(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["generate", "a frog jumps", *SMALL, "-o",
                                      str(tmp_path / "frog.mp4")])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(tmp_path / "frog.mp4")
    assert (tmp_path / "frog.mp4").stat().st_size > 1000
    assert (tmp_path / "frog.jpg").is_file()


def _bad_inputs(tmp_path: Path) -> list[tuple[list[str], str]]:
    corrupt = tmp_path / "corrupt.jpg"
    corrupt.write_bytes(b"\xff\xd8\xff\xe0 this is not a jpeg")
    not_json = tmp_path / "plan.json"
    not_json.write_text("{ nope")
    wrong_plan = tmp_path / "wrong.json"
    wrong_plan.write_text(json.dumps({"version": 99, "shots": []}))
    empty_plan = tmp_path / "empty.json"
    empty_plan.write_text(json.dumps({"prompt": "x", "seed": 0, "width": 160, "height": 288,
                                      "fps": 12, "seconds": 1, "shots": []}))
    odd_setting = tmp_path / "odd.json"
    odd_setting.write_text(json.dumps({
        "prompt": "x", "seed": 0, "width": 160, "height": 288, "fps": 12, "seconds": 1,
        "shots": [{"start": 0, "duration": 1, "setting": "volcano"}]}))
    huge = tmp_path / "huge.json"
    huge.write_text(json.dumps({
        "prompt": "x", "seed": 0, "width": 10000, "height": 288, "fps": 12, "seconds": 1,
        "shots": [{"start": 0, "duration": 1}]}))
    return [
        (["generate", "--plan", str(odd_setting)], "volcano"),
        (["generate", "--plan", str(huge)], "Size"),
        (["generate", "a cat", "--size", "100x100"], "Size"),
        (["generate", "a cat", "--size", "big"], "WIDTHxHEIGHT"),
        (["generate", "a cat", "--size", "721x1280"], "even"),
        (["generate", "a cat", "--seconds", "0"], "Duration"),
        (["generate", "a cat", "--seconds", "25"], "Duration"),
        (["generate", "a cat", "--seconds", "soon"], "number"),
        (["generate", "a cat", "--fps", "0"], "Frame rate"),
        (["generate", "a cat", "--fps", "200"], "Frame rate"),
        (["generate", "a cat", "--image", str(tmp_path / "missing.png")], "does not exist"),
        (["generate", "a cat", "--image", str(corrupt)], "cannot be read"),
        (["generate", ""], "empty"),
        (["generate", "   "], "empty"),
        (["generate"], "empty"),
        (["generate", "--plan", str(not_json)], "not valid JSON"),
        (["generate", "--plan", str(wrong_plan)], "version"),
        (["generate", "--plan", str(empty_plan)], "no shots"),
        (["generate", "--plan", str(tmp_path / "nowhere.json")], "cannot read"),
        (["generate", "a cat", "--engine", "nonesuch"], "Unknown engine"),
    ]


def test_bad_input_gets_one_plain_line(tmp_path: Path) -> None:
    runner = CliRunner()
    for args, words in _bad_inputs(tmp_path):
        result = runner.invoke(app, [*args, "-o", str(tmp_path / "out.mp4")])
        assert result.exit_code != 0, args
        assert isinstance(result.exception, SystemExit), (args, result.exception)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, (args, result.stderr)
        assert words in lines[0], (args, lines[0])
        assert "Traceback" not in result.output
        assert not (tmp_path / "out.mp4").exists()


@pytest.mark.slow
def test_bad_input_from_a_real_shell(tmp_path: Path) -> None:
    code, out, err = _run(["generate", "a cat", "--size", "99x99"], cwd=tmp_path)
    assert code != 0 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
