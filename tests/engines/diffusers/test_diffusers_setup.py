"""What people meet before a GPU engine runs: settings and presets, the advice when
weights are missing, and a clear message when the GPU extra is not installed. None of
this needs torch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kinema.engines.base import InvalidRequest
from kinema.engines.diffusers import DiffusersOptions, MissingWeights
from kinema.engines.diffusers.options import smaller_preset
from kinema.engines.diffusers.weights import locate_weights

LTX2_PARTS = ["scheduler", "text_encoder", "tokenizer", "connectors", "transformer",
              "vae", "audio_vae", "vocoder"]


def test_presets_trade_speed_for_memory() -> None:
    small = DiffusersOptions.for_preset("16")
    assert small.offload == "group" and small.fp8 and small.vae_tiling
    assert small.cache == "first_block"
    assert DiffusersOptions.for_preset("24gb").offload == "model"
    big = DiffusersOptions.for_preset("80GB", steps=8)
    assert big.offload == "none" and big.compile and big.steps == 8
    assert smaller_preset("80gb") == "48gb" and smaller_preset("16gb") is None
    with pytest.raises(InvalidRequest, match="16gb, 24gb, 48gb, 80gb"):
        DiffusersOptions.for_preset("12")


def test_options_come_from_kinema_variables(tmp_path: Path) -> None:
    env = {
        "KINEMA_MODEL_DIR": str(tmp_path),
        "KINEMA_WAN_MODEL": "Wan-AI/Wan2.1-T2V-1.3B-diffusers",
        "KINEMA_GPU_PRESET": "48",
        "KINEMA_GPU_OFFLOAD": "sequential",
        "KINEMA_GPU_FP8": "yes",
        "KINEMA_GPU_STEPS": "12",
        "KINEMA_GPU_GUIDANCE": "4.5",
    }
    options = DiffusersOptions.from_env("wan", env)
    assert options.model_dir == tmp_path and options.model == env["KINEMA_WAN_MODEL"]
    assert options.preset == "48gb" and options.vae_tiling  # from the preset
    assert options.offload == "sequential" and options.fp8  # overridden
    assert options.steps == 12 and options.guidance == 4.5
    assert DiffusersOptions.from_env("ltx-video", {"KINEMA_LTX_VIDEO_MODEL": "/m"}).model == "/m"
    with pytest.raises(InvalidRequest, match="KINEMA_GPU_STEPS"):
        DiffusersOptions.from_env("wan", {"KINEMA_GPU_STEPS": "many"})
    with pytest.raises(InvalidRequest, match="offload must be one of"):
        DiffusersOptions.from_env("wan", {"KINEMA_GPU_OFFLOAD": "disk"})
    with pytest.raises(InvalidRequest, match="KINEMA_GPU_MAG_RATIOS"):
        DiffusersOptions.from_env("wan", {"KINEMA_GPU_CACHE": "mag"})
    mag = DiffusersOptions.from_env(
        "wan", {"KINEMA_GPU_CACHE": "mag", "KINEMA_GPU_MAG_RATIOS": "1.0, 0.98,0.95"}
    )
    assert mag.mag_ratios == (1.0, 0.98, 0.95)


def test_missing_weights_say_exactly_what_to_download_and_where(tmp_path: Path) -> None:
    with pytest.raises(MissingWeights) as missing:
        locate_weights("LTX-2", "Lightricks/LTX-2", LTX2_PARTS, None, tmp_path, False)
    message = str(missing.value)
    assert "Lightricks/LTX-2" in message
    assert str(tmp_path / "Lightricks" / "LTX-2") in message
    for part in ["model_index.json", *LTX2_PARTS]:
        assert part in message


def test_an_incomplete_download_names_the_missing_folders(tmp_path: Path) -> None:
    folder = tmp_path / "Lightricks" / "LTX-2"
    index = {"_class_name": "LTX2Pipeline", "processor": [None, None]}
    index.update({part: ["diffusers", "Anything"] for part in LTX2_PARTS})
    folder.mkdir(parents=True)
    (folder / "model_index.json").write_text(json.dumps(index))
    for part in LTX2_PARTS[:-2]:
        (folder / part).mkdir()
        (folder / part / "config.json").write_text("{}")

    with pytest.raises(MissingWeights) as missing:
        locate_weights("LTX-2", "Lightricks/LTX-2", LTX2_PARTS, None, tmp_path, False)
    message = str(missing.value)
    assert "audio_vae/" in message and "vocoder/" in message
    assert "transformer/" not in message.split("missing")[1].split(")")[0]

    for part in LTX2_PARTS[-2:]:
        (folder / part).mkdir()
        (folder / part / "config.json").write_text("{}")
    found = locate_weights("LTX-2", "Lightricks/LTX-2", LTX2_PARTS, None, tmp_path, False)
    assert found.local and Path(found.path) == folder and found.name == "Lightricks/LTX-2"


def test_without_the_gpu_extra_the_engines_say_how_to_get_it() -> None:
    script = (
        "import sys\n"
        "sys.modules['torch'] = None\n"
        "sys.modules['diffusers'] = None\n"
        "import kinema.engines.diffusers\n"
        "from kinema.engines.diffusers.ltx2 import LTX2Engine\n"
        "from kinema.engines.diffusers.errors import GpuExtraMissing\n"
        "try:\n"
        "    LTX2Engine()\n"
        "except GpuExtraMissing as error:\n"
        "    print(error)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=True)
    assert "install kinema[gpu]" in done.stdout


def test_importing_the_engines_does_not_import_torch() -> None:
    script = (
        "import sys\n"
        "import kinema.engines.diffusers, kinema.engines.diffusers.wan\n"
        "import kinema.engines.diffusers.ltx2, kinema.engines.diffusers.ltx_video\n"
        "print('torch' in sys.modules, 'diffusers' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.split() == ["False", "False"]
