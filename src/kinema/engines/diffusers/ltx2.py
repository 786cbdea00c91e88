"""LTX-2 (Lightricks): video and its soundtrack generated together in one pass."""

from __future__ import annotations

from typing import Any

from PIL import Image

from kinema.engines.diffusers import media
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

# How firmly the characters' picture holds. With nothing else to start from (a text
# request) the cast, on white, is the first frame this firmly: mostly the people as
# captured, while the prompt's scene paints over the white and carries the clip on.
CAST_STRENGTH = 0.7
# With a scene to start from (an input image, a parent video) the scene keeps the first
# frame, and the cast standing in that scene is a keyframe at the clip's last frame this
# firmly: a pull to have the people there by the end, not a cut to a pasted picture.
SCENE_CAST_STRENGTH = 0.5
_WHITE = (255, 255, 255)


class LTX2Engine(DiffusersEngine):
    """LTX-2: text or image to video with sound; remix and extension condition the new
    clip on the parent's frames, and characters come in as a frame condition showing
    them as captured."""

    family = LTX2

    def pipeline_class(self, inputs: Inputs, loaded: str) -> str | None:
        if inputs.cast:
            # Only the condition pipeline takes more than one picture, and at any frame.
            return "LTX2ConditionPipeline"
        return _PIPELINES.get(inputs.mode)

    def pipeline_arguments(self, pipe: Any, inputs: Inputs) -> dict[str, Any]:
        arguments: dict[str, Any] = {"frame_rate": inputs.shape.fps}
        if inputs.mode == "image" and not inputs.cast:
            arguments["image"] = inputs.image
            return arguments
        from diffusers.pipelines.ltx2 import LTX2VideoCondition

        conditions: list[Any] = []
        if inputs.image is not None:
            conditions.append(LTX2VideoCondition(frames=inputs.image, index=0, strength=1.0))
        elif inputs.mode in ("remix", "extend"):
            strength = 1.0 if inputs.mode == "extend" else inputs.remix_strength
            conditions.append(LTX2VideoCondition(frames=inputs.video, index=0, strength=strength))
        if inputs.cast:
            conditions.append(self._cast_condition(inputs, LTX2VideoCondition))
        if conditions:
            arguments["conditions"] = conditions
        return arguments

    def _cast_condition(self, inputs: Inputs, condition: Any) -> Any:
        """The characters as one frame condition: side by side on white as the first
        frame of a text request, or standing in the scene (the input image, the parent's
        last frame) at the clip's last frame."""
        shape = inputs.shape
        if inputs.mode == "text":
            white = Image.new("RGB", (shape.width, shape.height), _WHITE)
            return condition(
                frames=media.with_cast(white, inputs.cast), index=0, strength=CAST_STRENGTH
            )
        scene = inputs.image if inputs.mode == "image" else inputs.video[-1]
        assert scene is not None
        # Index -1 is the last latent frame, whatever the clip's length.
        return condition(
            frames=media.with_cast(scene, inputs.cast), index=-1, strength=SCENE_CAST_STRENGTH
        )


def from_env() -> LTX2Engine:
    """The ``ltx2`` engine configured from ``KINEMA_*`` variables (registry entry point)."""
    return LTX2Engine(DiffusersOptions.from_env("ltx2"))
