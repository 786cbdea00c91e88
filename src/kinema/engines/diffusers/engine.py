"""The shared body of the GPU engines: load a diffusers pipeline once and keep it warm,
turn a ``GenerationRequest`` into pipeline inputs, report denoising progress, honour
cancellation, turn GPU out-of-memory into advice, and write the MP4 with sound."""

from __future__ import annotations

import importlib.util
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from PIL import Image

from kinema.engines.base import (
    CharacterRef,
    EngineError,
    GenerationRequest,
    GenerationResult,
    InvalidRequest,
    ProgressCallback,
)
from kinema.engines.diffusers import media
from kinema.engines.diffusers.errors import GenerationCancelled, GpuExtraMissing, OutOfMemory
from kinema.engines.diffusers.options import DiffusersOptions, smaller_preset
from kinema.engines.diffusers.soundtrack import Soundtrack, plan_sound
from kinema.engines.diffusers.weights import ModelSource, locate_weights

CancelCheck = Callable[[], bool]
MODES = ("text", "image", "remix", "extend")


@dataclass(frozen=True)
class ModelFamily:
    """What Kinema needs to know about one open video model."""

    name: str  # the engine name people pick, e.g. "ltx2"
    label: str  # the model's own name, e.g. "LTX-2"
    repo_id: str  # default hub repository (diffusers format)
    components: tuple[str, ...]  # subfolders a complete download has
    credit: str  # shown with every video made by it
    size_multiple: int  # width and height must be multiples of this
    temporal: int  # frame counts are k * temporal + 1
    steps: int
    guidance: float
    max_seconds: float  # longest clip one pass makes; longer videos are extensions
    native_fps: int | None = None  # None: the model takes the requested frame rate
    negative_prompt: str = ""
    joint_audio: bool = False  # the model makes the soundtrack itself


@dataclass
class Shape:
    """The size, length and frame rate the model runs at for one request."""

    width: int
    height: int
    fps: float
    frames: int  # frames the model makes
    context: int = 0  # leading frames that repeat the parent (extension)


@dataclass
class Inputs:
    """Everything a family turns into pipeline arguments."""

    mode: str
    prompt: str
    shape: Shape
    image: Image.Image | None = None
    video: list[Image.Image] = field(default_factory=list)  # parent frames at shape.fps
    # Each character's picture (RGBA, transparent around them), in the request's order...
    cast: list[Image.Image] = field(default_factory=list)
    # ...and each on a white canvas of the frame size, as reference-image models take them.
    references: list[Image.Image] = field(default_factory=list)
    remix_strength: float = 0.6


def gpu_extra_available() -> bool:
    """Whether torch and diffusers can be imported (the ``kinema[gpu]`` extra)."""
    return all(importlib.util.find_spec(m) is not None for m in ("torch", "diffusers"))


class DiffusersEngine:
    """An engine that runs a diffusers pipeline. Subclasses name their ``family`` and
    map each mode to a pipeline class and its arguments.

    One instance loads its pipeline on first use and keeps it loaded; generations on one
    instance run one at a time. ``cancel()`` (from any thread) or a ``should_cancel``
    callable stops the current generation at the next denoising step."""

    family: ClassVar[ModelFamily]

    def __init__(self, options: DiffusersOptions | None = None, *, pipeline: Any = None) -> None:
        if not gpu_extra_available():
            raise GpuExtraMissing(
                f"The {self.family.name} engine needs the GPU extra: "
                "install kinema[gpu] (pip install 'kinema[gpu]')."
            )
        self.name = self.family.name
        self.options = options or DiffusersOptions()
        self._base = pipeline
        self._source: ModelSource | None = None
        self._pipelines: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self.device = ""
        self.applied: dict[str, Any] = {}

    # -- loading -----------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        return self._base is not None

    def locate(self) -> ModelSource:
        """Where this engine's weights are; raises ``MissingWeights`` with download advice."""
        return locate_weights(
            self.family.label, self.family.repo_id, list(self.family.components),
            self.options.model, self.options.model_dir, self.options.allow_download,
        )

    def load(self) -> Any:
        """Load the pipeline (once) and apply the memory and speed settings."""
        if self._base is not None and self.applied:
            return self._base
        import torch
        from diffusers import DiffusionPipeline

        self.device = self._pick_device(torch)
        dtype = self._pick_dtype(torch)
        if self._base is None:
            self._source = self.locate()
            try:
                self._base = DiffusionPipeline.from_pretrained(
                    self._source.path,
                    dtype=dtype,
                    local_files_only=self._source.local,
                    **self._load_overrides(self._source.path, dtype),
                )
            except (OSError, ValueError) as exc:
                raise EngineError(
                    f"The {self.family.label} weights at {self._source.path} could not be "
                    f"loaded: {exc}"
                ) from exc
        else:
            self._source = ModelSource("", type(self._base).__name__, local=True)
        try:
            self._apply_settings(self._base, torch, dtype)
        except RuntimeError as exc:  # torch.OutOfMemoryError is a RuntimeError too
            if not _out_of_memory(torch, exc):
                raise
            # Weights half moved to the GPU are useless; the next try loads afresh.
            if self._source.path:
                self._base = None
            self._free_memory(torch)
            raise OutOfMemory(self._memory_advice("load the")) from exc
        self._base.set_progress_bar_config(disable=True)
        self._pipelines = {type(self._base).__name__: self._base}
        return self._base

    def _load_overrides(self, path: str, dtype: Any) -> dict[str, Any]:
        """Extra ``from_pretrained`` arguments (e.g. a float32 VAE)."""
        return {}

    def _pick_device(self, torch: Any) -> str:
        if self.options.device != "auto":
            return self.options.device
        if torch.cuda.is_available():
            return "cuda"
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return "mps"
        return "cpu"

    def _pick_dtype(self, torch: Any) -> Any:
        name = self.options.dtype
        if name == "auto":
            name = "bfloat16" if self.device == "cuda" else "float32"
        return getattr(torch, name)

    def _apply_settings(self, pipe: Any, torch: Any, dtype: Any) -> None:
        options = self.options
        applied: dict[str, Any] = {"device": self.device, "dtype": str(dtype).split(".")[-1]}
        transformer = getattr(pipe, "transformer", None)
        if options.fp8 and transformer is not None:
            transformer.enable_layerwise_casting(
                storage_dtype=torch.float8_e4m3fn, compute_dtype=dtype
            )
            applied["fp8"] = True
        if options.cache != "none" and transformer is not None:
            applied["cache"] = self._enable_cache(transformer)
        if options.vae_tiling and hasattr(pipe.vae, "enable_tiling"):
            pipe.vae.enable_tiling()
            applied["vae_tiling"] = True
        # Offloading moves weights between CPU memory and an accelerator; on a CPU-only
        # machine everything already is in CPU memory, so it is skipped there.
        offload = options.offload if self.device != "cpu" else "none"
        if offload == "model":
            pipe.enable_model_cpu_offload(device=self.device)
        elif offload == "sequential":
            pipe.enable_sequential_cpu_offload(device=self.device)
        elif offload == "group":
            pipe.enable_group_offload(
                onload_device=torch.device(self.device), offload_device=torch.device("cpu"),
                offload_type="leaf_level", use_stream=self.device == "cuda",
            )
        elif self.device != "cpu":  # weights are loaded into CPU memory already
            pipe.to(self.device)
        applied["offload"] = offload
        if options.compile and transformer is not None:
            if hasattr(transformer, "compile_repeated_blocks"):
                transformer.compile_repeated_blocks(fullgraph=True)
            else:
                pipe.transformer = torch.compile(transformer)
            applied["compile"] = True
        self.applied = applied

    def _enable_cache(self, transformer: Any) -> str:
        """Turn on the step cache; returns what was applied. Models whose blocks the
        library cannot cache run without it (recorded in each video's plan)."""
        from diffusers.hooks import FirstBlockCacheConfig, MagCacheConfig

        options = self.options
        config: Any
        if options.cache == "mag" and options.mag_ratios:
            config = MagCacheConfig(
                mag_ratios=list(options.mag_ratios),
                num_inference_steps=options.steps or self.family.steps,
            )
        else:
            config = FirstBlockCacheConfig(threshold=options.cache_threshold)
        try:
            transformer.enable_cache(config)
        except (ValueError, IndexError, TypeError):
            return f"{options.cache} (not available for {self.family.label})"
        return options.cache

    def pipeline_for(self, inputs: Inputs) -> Any:
        """The pipeline that makes ``inputs``, sharing the loaded weights."""
        base = self.load()
        wanted = self.pipeline_class(inputs, type(base).__name__)
        if wanted is None:
            raise InvalidRequest(self.unsupported(inputs.mode, type(base).__name__))
        if wanted not in self._pipelines:
            import diffusers

            pipe = getattr(diffusers, wanted).from_pipe(base)
            pipe.set_progress_bar_config(disable=True)
            self._pipelines[wanted] = pipe
        return self._pipelines[wanted]

    # -- what subclasses provide -------------------------------------------------------

    def pipeline_class(self, inputs: Inputs, loaded: str) -> str | None:
        """The diffusers pipeline class that makes ``inputs`` (its mode, and whether
        characters come in) given the loaded model's class, or ``None`` when these
        weights cannot do it."""
        raise InvalidRequest(f"The {self.family.label} engine does not support {inputs.mode}.")

    def unsupported(self, mode: str, loaded: str) -> str:
        """The sentence shown when the loaded weights cannot do ``mode``."""
        return f"The {self.family.label} model loaded here ({loaded}) cannot do {mode}."

    def pipeline_arguments(self, pipe: Any, inputs: Inputs) -> dict[str, Any]:
        """Mode-specific pipeline arguments (image, conditions, video, masks...)."""
        return {}

    # -- generation --------------------------------------------------------------------

    def cancel(self) -> None:
        """Stop the generation running on this engine at its next denoising step."""
        self._cancel.set()

    def generate(
        self,
        request: GenerationRequest,
        progress: ProgressCallback | None = None,
        *,
        should_cancel: CancelCheck | None = None,
    ) -> GenerationResult:
        """Make the requested video (text, image, remix or extension) with this model and
        write it, with sound, to ``request.output``."""
        request.validate()
        report = progress or (lambda stage, fraction: None)
        mode = self._mode(request)
        with self._lock:
            self._cancel.clear()
            started = time.perf_counter()
            report("load", 0.0)
            self.load()
            report("load", 1.0)
            inputs, parent_frames, parent_fps = self._inputs(request, mode)
            pipe = self.pipeline_for(inputs)
            steps, guidance = self.steps_and_guidance()
            seconds_made = self._clip_seconds(request, mode)
            # The procedural sound layer needs only the request: it is made on the CPU
            # while the GPU denoises, so it adds no time to the clip.
            sound_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kinema-sound")
            planned = None
            if not self.family.joint_audio:
                planned = sound_pool.submit(plan_sound, request, seconds_made)
            try:
                output = self._run(pipe, inputs, steps, guidance, request.seed, report,
                                   should_cancel)
                frames = self._frames_out(output, inputs.shape, request, seconds_made)
                report("sound", 0.0)
                if planned is not None:
                    sound = planned.result()
                else:
                    sound = self._model_sound(pipe, output, seconds_made, inputs.shape)
            finally:
                sound_pool.shutdown(wait=False)
            audio = sound.audio
            if mode == "extend":
                assert request.parent_video is not None
                parent_seconds = len(parent_frames) / parent_fps
                parent = media.retime(parent_frames, parent_fps, request.fps,
                                      media.frames_for(parent_seconds, request.fps))
                parent = media.resize_frames(parent, request.width, request.height)
                parent_audio = media.fit_audio(
                    media.read_audio(request.parent_video).T, media.SAMPLE_RATE,
                    len(parent) / request.fps,
                )
                frames = parent + frames
                audio = np.concatenate([parent_audio, audio])
            report("sound", 1.0)
            report("encode", 0.0)
            plan = self._plan(request, mode, inputs.shape, steps, guidance, sound.plan,
                              len(frames) / request.fps, time.perf_counter() - started)
            credits = [self.family.credit, *sound.credits]
            media.write_mp4(
                request.output, frames, request.fps, audio,
                metadata={"comment": f"Made with Kinema ({self.family.label})",
                          "copyright": "; ".join(credits)},
            )
            thumbnail = media.write_thumbnail(request.output, frames)
            report("encode", 1.0)
        return GenerationResult(
            video_path=request.output, thumbnail_path=thumbnail, plan=plan,
            transcript=sound.transcript, credits=credits, engine=self.name,
        )

    def _mode(self, request: GenerationRequest) -> str:
        extend = request.extend_seconds
        if extend:
            if request.parent_video is None:
                raise InvalidRequest("Extending a video needs the video to continue.")
            return "extend"
        if request.parent_video is not None:
            return "remix"
        if request.image is not None:
            return "image"
        return "text"

    def _clip_seconds(self, request: GenerationRequest, mode: str) -> float:
        extend = request.extend_seconds
        return float(extend) if mode == "extend" and extend else float(request.seconds)

    def _shape(self, request: GenerationRequest, seconds: float, context: int) -> Shape:
        family = self.family
        if seconds > family.max_seconds:
            raise InvalidRequest(
                f"{family.label} makes at most {family.max_seconds:g} seconds in one pass; "
                "ask for a shorter clip and extend it."
            )
        # Keep the aspect ratio, round each side to what the model accepts.
        m = family.size_multiple
        width = max(m, round(request.width / m) * m)
        height = max(m, round(request.height / m) * m)
        fps = float(family.native_fps or request.fps)
        frames = media.round_up_frames(context + media.frames_for(seconds, fps), family.temporal)
        return Shape(width=width, height=height, fps=fps, frames=frames, context=context)

    def _inputs(
        self, request: GenerationRequest, mode: str
    ) -> tuple[Inputs, list[Image.Image], float]:
        seconds = self._clip_seconds(request, mode)
        parent_frames: list[Image.Image] = []
        parent_fps = float(request.fps)
        if request.parent_video is not None and mode in ("remix", "extend"):
            if not Path(request.parent_video).is_file():
                raise InvalidRequest(f"The parent video {request.parent_video} does not exist.")
            parent_frames, parent_fps = media.read_video(Path(request.parent_video))
        context = self.family.temporal + 1 if mode == "extend" else 0
        shape = self._shape(request, seconds, context)
        prompt = request.prompt.strip()
        for saved in (request.plan, request.parent_plan):
            if not prompt and saved:
                prompt = str(saved.get("prompt", "")).strip()
        parent_prompt = str((request.parent_plan or {}).get("prompt", "")).strip()
        if mode in ("remix", "extend") and parent_prompt and parent_prompt != prompt:
            # The model is told what the whole new clip shows: the parent, changed.
            prompt = f"{parent_prompt}. {prompt}"
        if request.shots:
            prompt = " Then ".join([p for p in (prompt, *request.shots) if p.strip()])
        rules = [c.appearance_rules for c in request.characters if c.appearance_rules]
        if rules:
            prompt = prompt + " " + " ".join(rules)
        inputs = Inputs(mode=mode, prompt=prompt, shape=shape,
                        remix_strength=self.options.remix_strength)
        if mode == "image" and request.image is not None:
            inputs.image = media.load_image(Path(request.image), shape.width, shape.height)
        if mode == "remix":
            retimed = media.retime(parent_frames, parent_fps, shape.fps, shape.frames)
            inputs.video = media.resize_frames(retimed, shape.width, shape.height)
        if mode == "extend":
            tail_start = max(0.0, len(parent_frames) / parent_fps - context / shape.fps)
            source = parent_frames[int(tail_start * parent_fps):]
            retimed = media.retime(source, parent_fps, shape.fps, context)
            inputs.video = media.resize_frames(retimed, shape.width, shape.height)
        for character in request.characters:
            picture = character_picture(character)
            if picture is not None:
                inputs.cast.append(picture)
                inputs.references.append(media.on_white(picture, shape.width, shape.height))
        return inputs, parent_frames, parent_fps

    def steps_and_guidance(self) -> tuple[int, float]:
        """The denoising steps and guidance scale this engine runs with."""
        steps = self.options.steps or self.family.steps
        guidance = self.options.guidance
        return steps, self.family.guidance if guidance is None else guidance

    def call_arguments(self, request: GenerationRequest) -> tuple[Any, dict[str, Any]]:
        """The pipeline and the exact arguments this engine passes it for ``request``,
        without the progress callback (used to compare against calling diffusers
        directly)."""
        request.validate()
        mode = self._mode(request)
        self.load()
        inputs, _, _ = self._inputs(request, mode)
        pipe = self.pipeline_for(inputs)
        steps, guidance = self.steps_and_guidance()
        return pipe, self._arguments(pipe, inputs, steps, guidance, request.seed)

    def _arguments(
        self, pipe: Any, inputs: Inputs, steps: int, guidance: float, seed: int
    ) -> dict[str, Any]:
        import torch

        arguments: dict[str, Any] = {
            "prompt": inputs.prompt,
            "height": inputs.shape.height,
            "width": inputs.shape.width,
            "num_frames": inputs.shape.frames,
            "num_inference_steps": steps,
            "guidance_scale": guidance,
            "generator": torch.Generator(device="cpu").manual_seed(seed),
            "output_type": "pt",
        }
        if self.family.negative_prompt:
            arguments["negative_prompt"] = self.family.negative_prompt
        tokenizer = getattr(pipe, "tokenizer", None)
        limit = getattr(tokenizer, "model_max_length", None)
        if isinstance(limit, int) and 0 < limit < 100_000:
            arguments["max_sequence_length"] = limit
        arguments.update(self.pipeline_arguments(pipe, inputs))
        return {k: v for k, v in arguments.items() if v is not _DROP}

    def _run(
        self, pipe: Any, inputs: Inputs, steps: int, guidance: float, seed: int,
        report: ProgressCallback, should_cancel: CancelCheck | None,
    ) -> Any:
        import torch

        def on_step_end(
            pipeline: Any, step: int, timestep: Any, tensors: dict[str, Any]
        ) -> dict[str, Any]:
            if self._cancel.is_set() or (should_cancel is not None and should_cancel()):
                raise GenerationCancelled("The generation was cancelled.")
            total = getattr(pipeline, "num_timesteps", None) or steps
            report("denoise", min(1.0, (step + 1) / total))
            return tensors

        arguments = self._arguments(pipe, inputs, steps, guidance, seed)
        arguments["callback_on_step_end"] = on_step_end
        arguments["callback_on_step_end_tensor_inputs"] = ["latents"]
        report("denoise", 0.0)
        try:
            with torch.inference_mode():
                return pipe(**arguments)
        except GenerationCancelled:
            self._free_memory(torch)
            raise
        except RuntimeError as exc:
            if _out_of_memory(torch, exc):
                self._free_memory(torch)
                raise OutOfMemory(self._memory_advice("make this")) from exc
            raise EngineError(f"{self.family.label} could not make this video: {exc}") from exc
        except (ValueError, TypeError) as exc:
            raise EngineError(f"{self.family.label} could not make this video: {exc}") from exc

    def _free_memory(self, torch: Any) -> None:
        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    def _memory_advice(self, doing: str) -> str:
        smaller = smaller_preset(self.options.preset)
        advice = [f"The GPU ran out of memory trying to {doing} {self.family.label} model."]
        if doing == "make this":
            advice = [f"The GPU ran out of memory making this {self.family.label} video."]
        if smaller:
            advice.append(f"Use a smaller preset (KINEMA_GPU_PRESET={smaller})")
        else:
            advice.append("Even the smallest preset is too big for this GPU")
        if self.options.offload in ("none", "model"):
            advice.append("or turn on offloading (KINEMA_GPU_OFFLOAD=group or sequential)")
        if not self.options.vae_tiling:
            advice.append("and tiled decoding (KINEMA_GPU_VAE_TILING=1)")
        return advice[0] + " " + ", ".join(advice[1:]) + "; shorter or smaller clips also fit."

    def _frames_out(
        self, output: Any, shape: Shape, request: GenerationRequest, seconds: float
    ) -> list[Image.Image]:
        frames = output.frames[0]  # (frames, channels, H, W), 0..1
        if hasattr(frames, "detach"):
            # Quantize where the frames are (the GPU) and move a quarter of the bytes.
            frames = (frames.detach()[shape.context:].float().clamp(0, 1) * 255 + 0.5).byte()
            pixels = frames.permute(0, 2, 3, 1).cpu().numpy()
        else:
            pixels = media.to_pixels(np.asarray(frames)[shape.context:].transpose(0, 2, 3, 1))
        images = [Image.fromarray(frame) for frame in pixels]
        images = media.resize_frames(images, request.width, request.height)
        return media.retime(images, shape.fps, request.fps, media.frames_for(seconds, request.fps))

    def _model_sound(self, pipe: Any, output: Any, seconds: float, shape: Shape) -> Soundtrack:
        """The soundtrack a joint audio-video model made, as 48 kHz stereo."""
        audio = output.audio
        samples = audio[0] if hasattr(audio, "__len__") else audio
        if hasattr(samples, "detach"):
            samples = samples.detach().float().cpu().numpy()
        rate = self._audio_rate(pipe)
        # The model's soundtrack covers the whole clip, context frames included.
        skip = shape.context / shape.fps
        fitted = media.fit_audio(np.asarray(samples), rate, skip + seconds)
        return Soundtrack(audio=fitted[round(skip * media.SAMPLE_RATE):])

    def _audio_rate(self, pipe: Any) -> int:
        vocoder = getattr(pipe, "vocoder", None)
        rate = getattr(getattr(vocoder, "config", None), "output_sampling_rate", None)
        return int(rate or media.SAMPLE_RATE)

    def _plan(
        self, request: GenerationRequest, mode: str, shape: Shape, steps: int, guidance: float,
        sound_plan: dict[str, Any] | None, seconds: float, elapsed: float,
    ) -> dict[str, Any]:
        plan: dict[str, Any] = {
            "engine": self.name,
            "model": self._source.name if self._source else self.family.repo_id,
            "mode": mode,
            "prompt": request.prompt,
            "seed": request.seed,
            "steps": steps,
            "guidance": guidance,
            "width": request.width,
            "height": request.height,
            "fps": request.fps,
            "seconds": round(seconds, 3),
            "model_size": [shape.width, shape.height],
            "model_fps": shape.fps,
            "model_frames": shape.frames,
            "characters": [c.handle for c in request.characters],
            "settings": {**self.options.describe(), "applied": dict(self.applied)},
            "sound": "model" if self.family.joint_audio else "procedural",
            "seconds_taken": round(elapsed, 2),
        }
        if mode == "extend":
            plan["extend_seconds"] = request.extend_seconds
        if sound_plan is not None:
            plan["sound_plan"] = sound_plan
        if request.parent_plan is not None:
            plan["parent_prompt"] = request.parent_plan.get("prompt")
        return plan


def character_picture(character: CharacterRef) -> Image.Image | None:
    """The picture of ``character`` a model conditions on (RGBA), or ``None`` without one.

    It is the capture's head-and-shoulders cutout: it is cut from the capture's most
    frontal, largest view of the face (the frame the front face view comes from too), at
    the capture's full resolution, with the hair, shoulders and clothes people know them
    by. The face views are the head alone, faded out under the chin and kept small, and a
    turned view would pin the person to that turn, so a model that takes one still per
    person gains nothing from them; the front view stands in only where there is no
    cutout."""
    for path in (character.appearance, *character.views[:1]):
        if path is not None and Path(path).is_file():
            return media.load_cutout(Path(path))
    return None


def _out_of_memory(torch: Any, exc: BaseException) -> bool:
    """Whether ``exc`` is the accelerator running out of memory."""
    if isinstance(exc, torch.cuda.OutOfMemoryError):
        return True
    return "out of memory" in str(exc).lower()


class _Drop:
    """Marks a default argument a pipeline does not take (e.g. ``num_frames`` for
    video-to-video, whose length is the input video's)."""


_DROP: Any = _Drop()
DROP = _DROP
