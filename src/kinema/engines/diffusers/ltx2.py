"""LTX-2 (Lightricks): video and its soundtrack generated together in one pass."""

from __future__ import annotations

from typing import Any

from kinema.engines.diffusers.engine import DiffusersEngine, Inputs, ModelFamily
from kinema.engines.diffusers.options import DiffusersOptions

LTX2 = ModelFamily(
    name="ltx2",
    label="LTX-2",
    repo_id="Lightricks/LTX-2",
    components=("scheduler", "text_encoder", "tokenizer", "connectors", "transformer",
                "vae", "audio_vae", "vocoder"),
    credit="Video and sound: LTX-2 by Lightricks (LTX-2 Community License).",
    size_multiple=32,
    temporal=8,
    steps=40,
    guidance=4.0,
    max_seconds=20,
    negative_prompt=(
        "worst quality, inconsistent motion, blurry, jittery, distorted, "
        "muffled audio, distorted audio"
    ),
    joint_audio=True,
)

_PIPELINES = {
    "text": "LTX2Pipeline",
    "image": "LTX2ImageToVideoPipeline",
    "remix": "LTX2ConditionPipeline",
    "extend": "LTX2ConditionPipeline",
}


class LTX2Engine(DiffusersEngine):
    """LTX-2: text or image to video with sound; remix and extension condition the new
    clip on the parent's frames."""

    family = LTX2

    def pipeline_class(self, mode: str, loaded: str) -> str | None:
        return _PIPELINES.get(mode)

    def pipeline_arguments(self, pipe: Any, inputs: Inputs) -> dict[str, Any]:
        arguments: dict[str, Any] = {"frame_rate": inputs.shape.fps}
        if inputs.mode == "image":
            arguments["image"] = inputs.image
        elif inputs.mode in ("remix", "extend"):
            from diffusers.pipelines.ltx2 import LTX2VideoCondition

            strength = 1.0 if inputs.mode == "extend" else inputs.remix_strength
            arguments["conditions"] = [
                LTX2VideoCondition(frames=inputs.video, index=0, strength=strength)
            ]
        return arguments


def from_env() -> LTX2Engine:
    """The ``ltx2`` engine configured from ``KINEMA_*`` variables (registry entry point)."""
    return LTX2Engine(DiffusersOptions.from_env("ltx2"))
