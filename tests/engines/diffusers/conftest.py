"""Tiny random-weight models of each GPU engine's real architecture, written to disk and
loaded the way downloaded weights are. Nothing comes from the network."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

# Never reach the hub from tests, whatever the machine's settings.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

FAMILIES = ("ltx2", "ltx-video", "wan")


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """``tiny_model("wan")`` -> a model directory, built once per session."""
    pytest.importorskip("torch", reason="the GPU engines need kinema[gpu] (torch)")
    pytest.importorskip("diffusers", reason="the GPU engines need kinema[gpu] (diffusers)")
    from kinema.engines.diffusers.random_weights import save_random_model

    root = tmp_path_factory.mktemp("models")
    made: dict[str, Path] = {}

    def get(family: str) -> Path:
        if family not in made:
            made[family] = save_random_model(family, root / family)
        return made[family]

    return get


@pytest.fixture(scope="session")
def tiny_engine(tiny_model: Callable[[str], Path]) -> Callable[[str], object]:
    """``tiny_engine("ltx2")`` -> a warm engine on the tiny model, two denoising steps."""
    from kinema.engines.diffusers.ltx2 import LTX2Engine
    from kinema.engines.diffusers.ltx_video import LTXVideoEngine
    from kinema.engines.diffusers.options import DiffusersOptions
    from kinema.engines.diffusers.wan import WanEngine

    classes = {"ltx2": LTX2Engine, "ltx-video": LTXVideoEngine, "wan": WanEngine}
    engines: dict[str, object] = {}

    def get(family: str) -> object:
        if family not in engines:
            options = DiffusersOptions(model=str(tiny_model(family)), steps=2)
            engines[family] = classes[family](options)
        return engines[family]

    return get
