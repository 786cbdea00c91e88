"""Wan 2.x (Alibaba): quality video; its VACE variant also takes a start image, a video
to follow, frames to continue and reference pictures of characters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image

from kinema.engines.diffusers.engine import DROP, DiffusersEngine, Inputs, ModelFamily
from kinema.engines.diffusers.options import DiffusersOptions

WAN = ModelFamily(
    name="wan",
    label="Wan",
    repo_id="Wan-AI/Wan2.1-VACE-1.3B-diffusers",
    components=("scheduler", "text_encoder", "tokenizer", "transformer", "vae"),
    credit="Video: Wan 2.1 by the Wan team, Alibaba (Apache-2.0).",
    size_multiple=16,
    temporal=4,
    steps=30,
    guidance=5.0,
    max_seconds=10,
    native_fps=16,
    negative_prompt=(
        "bright tones, overexposed, static, blurred details, subtitles, worst quality, "
        "low quality, JPEG compression residue, ugly, deformed, disfigured, extra fingers"
    ),
)

# Which pipeline runs each mode, by the class the weights were published as. The VACE
# weights do everything; text-to-video weights also remix (video-to-video); the
# image-to-video weights start from an image, and extend from the parent's last frame.
_PIPELINES: dict[str, dict[str, str]] = {
    "WanVACEPipeline": {m: "WanVACEPipeline" for m in ("text", "image", "remix", "extend")},
    "WanPipeline": {"text": "WanPipeline", "remix": "WanVideoToVideoPipeline"},
    "WanVideoToVideoPipeline": {"text": "WanPipeline", "remix": "WanVideoToVideoPipeline"},
    "WanImageToVideoPipeline": {"image": "WanImageToVideoPipeline",
                                "extend": "WanImageToVideoPipeline"},
}

_KEEP, _MAKE = 0, 255  # VACE masks: black keeps the given frame, white is generated


class WanEngine(DiffusersEngine):
    """Wan 2.x through diffusers. Characters appear through VACE reference images."""

    family = WAN

    def _load_overrides(self, path: str, dtype: Any) -> dict[str, Any]:
        # The Wan VAE is published and meant to run in float32 whatever the transformer's dtype.
        import torch
        from diffusers import AutoencoderKLWan

        if dtype == torch.float32 or not (Path(path) / "vae").is_dir():
            return {}
        return {"vae": AutoencoderKLWan.from_pretrained(path, subfolder="vae",
                                                        torch_dtype=torch.float32)}

    def pipeline_class(self, inputs: Inputs, loaded: str) -> str | None:
        return _PIPELINES.get(loaded, _PIPELINES["WanPipeline"]).get(inputs.mode)

    def unsupported(self, mode: str, loaded: str) -> str:
        need = {
            "image": "an image-to-video or VACE model",
            "extend": "an image-to-video or VACE model",
            "remix": "a text-to-video or VACE model",
            "text": "a text-to-video or VACE model",
        }[mode]
        return (
            f"The Wan weights loaded here ({loaded}) cannot do {mode}; point KINEMA_WAN_MODEL "
            f"at {need}, e.g. {WAN.repo_id}."
        )

    def pipeline_arguments(self, pipe: Any, inputs: Inputs) -> dict[str, Any]:
        name = type(pipe).__name__
        if name == "WanVACEPipeline":
            return self._vace(inputs)
        if name == "WanVideoToVideoPipeline":
            # The clip's length is the input video's.
            return {"video": inputs.video, "strength": inputs.remix_strength, "num_frames": DROP}
        if name == "WanImageToVideoPipeline":
            image = inputs.image if inputs.mode == "image" else inputs.video[-1]
            return {"image": image}
        return {}

    def _vace(self, inputs: Inputs) -> dict[str, Any]:
        shape = inputs.shape
        size = (shape.width, shape.height)
        blank = Image.new("RGB", size, (127, 127, 127))
        arguments: dict[str, Any] = {}
        given: list[Image.Image] = []
        if inputs.mode == "image" and inputs.image is not None:
            given = [inputs.image]
        elif inputs.mode == "extend":
            given = list(inputs.video[: shape.context])
        if inputs.mode == "remix":
            # The parent's frames guide the whole clip; every frame is generated anew.
            arguments["video"] = inputs.video[: shape.frames]
            arguments["mask"] = [Image.new("L", size, _MAKE)] * len(arguments["video"])
        elif given:
            rest = shape.frames - len(given)
            arguments["video"] = given + [blank] * rest
            arguments["mask"] = [Image.new("L", size, _KEEP)] * len(given) + [
                Image.new("L", size, _MAKE)
            ] * rest
        if inputs.references:
            arguments["reference_images"] = list(inputs.references)
        return arguments


def from_env() -> WanEngine:
    """The ``wan`` engine configured from ``KINEMA_*`` variables (registry entry point)."""
    return WanEngine(DiffusersOptions.from_env("wan"))
