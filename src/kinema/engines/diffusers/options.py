"""How a GPU engine loads and runs its model: where the weights are, precision,
offloading, caching and compilation, with presets by the GPU's memory.

Engines never read the app's settings; ``DiffusersOptions.from_env`` is what the
engine registry's zero-argument factories use, and everything else passes options in.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from kinema.engines.base import InvalidRequest

DTYPES = ("auto", "bfloat16", "float16", "float32")
OFFLOADS = ("none", "model", "sequential", "group")
CACHES = ("none", "first_block", "mag")
DEVICES = ("auto", "cuda", "cpu", "mps")

# Presets by VRAM, smallest first. Each names only what it changes from the defaults.
# 16 GB: stream transformer blocks from CPU memory, store weights in fp8, decode in tiles
#        and skip near-identical steps;
# 24 GB: whole models move on and off the GPU one at a time, fp8 weights, tiled decode;
# 48 GB: everything stays on the GPU, tiled decode keeps long clips within memory;
# 80 GB: everything on the GPU, compiled transformer blocks for speed.
PRESETS: dict[str, dict[str, Any]] = {
    "16gb": {"offload": "group", "fp8": True, "vae_tiling": True, "cache": "first_block"},
    "24gb": {"offload": "model", "fp8": True, "vae_tiling": True},
    "48gb": {"offload": "none", "vae_tiling": True},
    "80gb": {"offload": "none", "compile": True},
}


@dataclass(frozen=True)
class DiffusersOptions:
    """Settings for one GPU engine. ``model`` is a local directory or a hub repository
    id; when empty the engine looks for its default repository under ``model_dir``."""

    model: str | None = None
    model_dir: Path | None = None
    device: str = "auto"
    dtype: str = "auto"
    offload: str = "none"
    vae_tiling: bool = False
    fp8: bool = False
    cache: str = "none"
    cache_threshold: float = 0.05
    # MagCache needs the model's magnitude ratios (one per step, from a calibration run).
    mag_ratios: tuple[float, ...] | None = None
    compile: bool = False
    steps: int | None = None  # denoising steps; None = the model's recommended number
    guidance: float | None = None  # guidance scale; None = the model's recommended value
    remix_strength: float = 0.6  # how far a remix may move away from its parent, 0..1
    allow_download: bool = False  # fetch missing weights from the hub (offline by default)
    preset: str | None = None

    def __post_init__(self) -> None:
        for name, value, allowed in (
            ("dtype", self.dtype, DTYPES),
            ("offload", self.offload, OFFLOADS),
            ("cache", self.cache, CACHES),
            ("device", self.device, DEVICES),
        ):
            if value not in allowed:
                raise InvalidRequest(
                    f"GPU engine {name} must be one of {', '.join(allowed)}; got {value!r}."
                )
        if self.preset is not None and self.preset not in PRESETS:
            raise InvalidRequest(
                f"GPU preset must be one of {', '.join(PRESETS)}; got {self.preset!r}."
            )
        if self.cache == "mag" and not self.mag_ratios:
            raise InvalidRequest(
                "MagCache needs the model's magnitude ratios: set KINEMA_GPU_MAG_RATIOS to "
                "the comma-separated ratios from a calibration run, or use the first_block "
                "cache."
            )
        if self.steps is not None and self.steps < 1:
            raise InvalidRequest("Denoising steps must be at least 1.")
        if not 0.0 < self.remix_strength <= 1.0:
            raise InvalidRequest("Remix strength must be between 0 and 1.")

    @classmethod
    def for_preset(cls, preset: str, **overrides: Any) -> DiffusersOptions:
        """The options of a VRAM preset (``16gb``, ``24gb``, ``48gb``, ``80gb``), with
        ``overrides`` on top."""
        preset = preset.lower().replace(" ", "")
        if not preset.endswith("gb"):
            preset += "gb"
        if preset not in PRESETS:
            raise InvalidRequest(
                f"GPU preset must be one of {', '.join(PRESETS)}; got {preset!r}."
            )
        return cls(**{**PRESETS[preset], "preset": preset, **overrides})

    @classmethod
    def from_env(cls, engine: str, environ: Mapping[str, str] | None = None) -> DiffusersOptions:
        """Options from ``KINEMA_*`` variables, for the engine registry.

        ``KINEMA_MODEL_DIR`` is where downloaded weights live; ``KINEMA_<ENGINE>_MODEL``
        (e.g. ``KINEMA_LTX2_MODEL``, ``KINEMA_LTX_VIDEO_MODEL``) picks a directory or
        hub id; ``KINEMA_GPU_PRESET`` picks a VRAM preset and ``KINEMA_GPU_DTYPE``,
        ``KINEMA_GPU_OFFLOAD``, ``KINEMA_GPU_VAE_TILING``, ``KINEMA_GPU_FP8``,
        ``KINEMA_GPU_CACHE``, ``KINEMA_GPU_COMPILE``, ``KINEMA_GPU_DEVICE``,
        ``KINEMA_GPU_STEPS``, ``KINEMA_GPU_GUIDANCE``, ``KINEMA_GPU_REMIX_STRENGTH`` and
        ``KINEMA_ALLOW_DOWNLOADS`` override single settings."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        key = "KINEMA_" + engine.upper().replace("-", "_") + "_MODEL"
        if env.get(key):
            values["model"] = env[key]
        if env.get("KINEMA_MODEL_DIR"):
            values["model_dir"] = Path(env["KINEMA_MODEL_DIR"]).expanduser()
        readers: dict[str, Callable[[str], Any]] = {
            "device": str, "dtype": str, "offload": str, "cache": str,
            "vae_tiling": _flag, "fp8": _flag, "compile": _flag,
            "steps": int, "guidance": float, "remix_strength": float,
        }
        for name, read in readers.items():
            raw = env.get("KINEMA_GPU_" + name.upper())
            if raw:
                try:
                    values[name] = read(raw.strip().lower() if read is str else raw)
                except ValueError:
                    raise InvalidRequest(
                        f"KINEMA_GPU_{name.upper()} has a bad value: {raw!r}."
                    ) from None
        if env.get("KINEMA_GPU_MAG_RATIOS"):
            try:
                values["mag_ratios"] = tuple(
                    float(x) for x in env["KINEMA_GPU_MAG_RATIOS"].split(",") if x.strip()
                )
            except ValueError:
                raise InvalidRequest(
                    "KINEMA_GPU_MAG_RATIOS must be numbers separated by commas."
                ) from None
        if env.get("KINEMA_ALLOW_DOWNLOADS"):
            values["allow_download"] = _flag(env["KINEMA_ALLOW_DOWNLOADS"])
        preset = env.get("KINEMA_GPU_PRESET")
        if preset:
            return cls.for_preset(preset, **values)
        return cls(**values)

    def with_changes(self, **changes: Any) -> DiffusersOptions:
        """A copy with some settings changed."""
        return replace(self, **changes)

    def describe(self) -> dict[str, Any]:
        """The settings as plain JSON values (kept in the plan of each video)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Path):
                value = str(value)
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out


def smaller_preset(current: str | None) -> str | None:
    """The next preset that needs less GPU memory than ``current`` (``None`` at the end)."""
    names = list(PRESETS)
    if current is None or current not in names:
        return names[-2]
    index = names.index(current)
    return names[index - 1] if index > 0 else None


def _flag(raw: str) -> bool:
    text = raw.strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(raw)
