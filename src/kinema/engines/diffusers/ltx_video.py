"""LTX-Video (Lightricks): fast video-only generation; the procedural sound layer is
mixed under it."""

from __future__ import annotations

from typing import Any

from kinema.engines.diffusers.engine import DiffusersEngine, Inputs, ModelFamily
from kinema.engines.diffusers.options import DiffusersOptions

LTX_VIDEO = ModelFamily(
    name="ltx-video",
    label="LTX-Video",
    repo_id="Lightricks/LTX-Video-0.9.5",
    components=("scheduler", "text_encoder", "tokenizer", "transformer", "vae"),
    credit="Video: LTX-Video by Lightricks (LTX-Video Open Weights License).",
    size_multiple=32,
    temporal=8,
    steps=40,
    guidance=3.0,
    max_seconds=10,
    negative_prompt="worst quality, inconsistent motion, blurry, jittery, distorted",
)

_PIPELINES = {
    "text": "LTXPipeline",
    "image": "LTXImageToVideoPipeline",
    "remix": "LTXConditionPipeline",
    "extend": "LTXConditionPipeline",
}


class LTXVideoEngine(DiffusersEngine):
    """LTX-Video: text or image to video; remix and extension use the condition
    pipeline (LTX-Video 0.9.5 or later)."""

    family = LTX_VIDEO

    def pipeline_class(self, inputs: Inputs, loaded: str) -> str | None:
        return _PIPELINES.get(inputs.mode)

    def pipeline_arguments(self, pipe: Any, inputs: Inputs) -> dict[str, Any]:
        arguments: dict[str, Any] = {
            "frame_rate": round(inputs.shape.fps),
            # The VAE of 0.9.1+ decodes with a little noise; ignored by VAEs without it.
            "decode_timestep": 0.05,
            "decode_noise_scale": 0.025,
        }
        if inputs.mode == "image":
            arguments["image"] = inputs.image
        elif inputs.mode in ("remix", "extend"):
            from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition

            strength = 1.0 if inputs.mode == "extend" else inputs.remix_strength
            arguments["conditions"] = [
                LTXVideoCondition(video=inputs.video, frame_index=0, strength=strength)
            ]
        return arguments


def from_env() -> LTXVideoEngine:
    """The ``ltx-video`` engine configured from ``KINEMA_*`` variables (registry entry
    point)."""
    return LTXVideoEngine(DiffusersOptions.from_env("ltx-video"))
