"""Finding a model's weights: a local directory first, then the local hub cache, and the
hub itself only when downloads are allowed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from kinema.engines.diffusers.errors import MissingWeights


@dataclass(frozen=True)
class ModelSource:
    """Where the weights were found: a directory to load from, and the name to record."""

    path: str  # a local directory, or a hub id when downloads are allowed
    name: str  # what the video's plan records as the model
    local: bool


def missing_parts(directory: Path) -> list[str]:
    """Subfolders and files the directory's ``model_index.json`` needs but lacks."""
    index_file = directory / "model_index.json"
    if not index_file.is_file():
        return ["model_index.json"]
    try:
        index = json.loads(index_file.read_text())
    except (OSError, ValueError):
        return ["model_index.json (unreadable)"]
    missing = []
    for component, spec in index.items():
        if component.startswith("_") or not isinstance(spec, list) or spec[0] is None:
            continue
        folder = directory / component
        if not folder.is_dir() or not any(folder.iterdir()):
            missing.append(component + "/")
    return missing


def download_advice(repo_id: str, target: Path | None, parts: list[str]) -> str:
    """The sentence that tells people what to fetch and where it must go."""
    where = target if target is not None else Path("$KINEMA_MODEL_DIR") / repo_id
    wanted = ", ".join(parts) if parts else "the whole repository"
    return (
        f"Download {repo_id} ({wanted}) from Hugging Face into {where}, e.g. "
        f"`hf download {repo_id} --local-dir {where}`, then set KINEMA_MODEL_DIR to the "
        f"folder that holds {repo_id.split('/')[0]}/ (or point KINEMA_<ENGINE>_MODEL at "
        "the model folder itself)."
    )


def locate_weights(
    label: str,
    repo_id: str,
    needed: list[str],
    model: str | None,
    model_dir: Path | None,
    allow_download: bool,
) -> ModelSource:
    """Find the weights for a model, offline first.

    ``model`` (a directory or a hub id) wins over ``repo_id``, the family's default.
    Directories are checked against their ``model_index.json``; a hub id is looked up
    under ``model_dir`` (as ``model_dir/<owner>/<name>`` or ``model_dir/<name>``) and
    then in the local Hugging Face cache. Raises ``MissingWeights`` naming exactly what
    to download and where, unless downloads are allowed."""
    wanted = model or repo_id
    as_path = Path(wanted).expanduser()
    if as_path.is_dir() or wanted.startswith(("/", ".", "~")):
        parts = missing_parts(as_path) if as_path.is_dir() else needed
        if parts:
            raise MissingWeights(
                f"The {label} model folder {as_path} is incomplete (missing "
                f"{', '.join(parts)}). " + download_advice(repo_id, as_path, parts)
            )
        return ModelSource(str(as_path), wanted, local=True)

    candidates: list[Path] = []
    if model_dir is not None:
        candidates = [model_dir / wanted, model_dir / wanted.split("/")[-1]]
    for folder in candidates:
        if folder.is_dir():
            parts = missing_parts(folder)
            if parts:
                raise MissingWeights(
                    f"The {label} weights in {folder} are incomplete (missing "
                    f"{', '.join(parts)}). " + download_advice(wanted, folder, parts)
                )
            return ModelSource(str(folder), wanted, local=True)

    cached = _hub_cache_snapshot(wanted)
    if cached is not None and not missing_parts(cached):
        return ModelSource(str(cached), wanted, local=True)
    if allow_download:
        return ModelSource(wanted, wanted, local=False)
    target = candidates[0] if candidates else None
    raise MissingWeights(
        f"The {label} weights are not on this machine. "
        + download_advice(wanted, target, ["model_index.json", *needed])
    )


def _hub_cache_snapshot(repo_id: str) -> Path | None:
    if repo_id.count("/") != 1:
        return None
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(repo_id, local_files_only=True))
    except Exception:  # any failure here just means "not cached"
        return None
