"""The one interface every engine implements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

# progress(stage, fraction): stage is one of "plan", "render", "sound", "encode" (engines
# may add their own, e.g. "denoise"); fraction is 0.0-1.0 within that stage.
ProgressCallback = Callable[[str, float], None]

MIN_SECONDS, MAX_SECONDS = 1, 20
MIN_SIDE, MAX_SIDE = 128, 1920
MIN_FPS, MAX_FPS = 1, 60


class EngineError(Exception):
    """A generation failed; the message is fit to show to the person who asked."""


class InvalidRequest(EngineError):
    """The request itself is wrong (size, duration, image, empty prompt...)."""


@dataclass(frozen=True)
class VoiceProfile:
    """How a character sounds: median pitch in Hz, speaking rate in words per minute and
    vocal-tract size against a typical man's (1.0; women about 1.15, children more), read
    from the spacing of the formants."""

    pitch_hz: float | None = None
    words_per_minute: float | None = None
    formant_scale: float | None = None


@dataclass(frozen=True)
class CharacterRef:
    """A character (cameo) the prompt names as ``@handle``."""

    handle: str
    name: str
    kind: str = "person"  # person | pet | object
    appearance: Path | None = None  # RGBA cutout (PNG) of the head and shoulders / subject
    voice: VoiceProfile = field(default_factory=VoiceProfile)
    # Appearance rules from the owner's preferences, e.g. "always wears a red cap".
    appearance_rules: str = ""
    # The face from the capture turned a few ways, front first (RGBA PNGs of the head):
    # what an engine shows so the person is recognisable, or conditions on.
    views: tuple[Path, ...] = ()


@dataclass
class GenerationRequest:
    prompt: str
    output: Path
    seconds: float = 8
    width: int = 720
    height: int = 1280
    fps: int = 24
    seed: int = 0
    image: Path | None = None  # an input image that becomes the scene / first frame
    characters: list[CharacterRef] = field(default_factory=list)
    shots: list[str] | None = None  # a storyboard: one prompt per shot
    parent_plan: dict[str, Any] | None = None  # remix: edit this plan with ``prompt``
    parent_video: Path | None = None  # remix/extension for engines that condition on video
    plan: dict[str, Any] | None = None  # render exactly this plan (``kinema generate --plan``)
    captions: bool = False  # burn dialogue captions into the frames
    # Extension: continue the parent (``parent_plan`` / ``parent_video``) by this many
    # seconds; the result is the whole, longer video (``seconds`` is then the new total).
    extend_seconds: float = 0.0

    def validate(self) -> None:
        """Raise ``InvalidRequest`` with a plain sentence for anything out of range."""
        if (
            self.plan is None
            and self.parent_plan is None
            and not self.prompt.strip()
            and not self.shots
        ):
            raise InvalidRequest("The prompt is empty: describe the video you want.")
        if not (MIN_SECONDS <= self.seconds <= MAX_SECONDS):
            raise InvalidRequest(
                f"Duration must be between {MIN_SECONDS} and {MAX_SECONDS} seconds."
            )
        for side in (self.width, self.height):
            if not (MIN_SIDE <= side <= MAX_SIDE) or side % 2:
                raise InvalidRequest(
                    f"Size must be even numbers from {MIN_SIDE} to {MAX_SIDE} per side, "
                    f"got {self.width}x{self.height}."
                )
        if not (MIN_FPS <= self.fps <= MAX_FPS):
            raise InvalidRequest(f"Frame rate must be between {MIN_FPS} and {MAX_FPS} fps.")
        if self.image is not None and not Path(self.image).is_file():
            raise InvalidRequest(f"The image {self.image} does not exist.")


@dataclass(frozen=True)
class TranscriptLine:
    speaker: str  # the subject's name, or "narrator"
    text: str
    language: str  # eSpeak NG voice / language code, e.g. "en", "ko"
    start: float  # seconds from the start of the video
    end: float


@dataclass
class GenerationResult:
    video_path: Path
    thumbnail_path: Path  # a JPEG poster frame
    plan: dict[str, Any]
    transcript: list[TranscriptLine] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    engine: str = ""


@runtime_checkable
class Engine(Protocol):
    """Every engine takes the same request and returns the same result."""

    name: str

    def generate(
        self, request: GenerationRequest, progress: ProgressCallback | None = None
    ) -> GenerationResult: ...


def parse_size(text: str) -> tuple[int, int]:
    """``"720x1280"`` -> ``(720, 1280)``; raises ``InvalidRequest`` with a plain sentence."""
    try:
        w_text, h_text = text.lower().strip().split("x")
        width, height = int(w_text), int(h_text)
    except ValueError:
        raise InvalidRequest(
            f"Size must look like WIDTHxHEIGHT, e.g. 720x1280; got {text!r}."
        ) from None
    for side in (width, height):
        if not (MIN_SIDE <= side <= MAX_SIDE) or side % 2:
            raise InvalidRequest(
                f"Size must be even numbers from {MIN_SIDE} to {MAX_SIDE} per side, got {text}."
            )
    return width, height
