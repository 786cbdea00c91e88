"""The procedural engine: prompt (and image) -> plan -> speech -> frames + soundtrack ->
MP4, on CPU, offline, deterministic for a seed.

Frames are rendered in a small process pool while this process encodes them, and the
soundtrack is mixed in the same pool alongside the first frames, so both CPU cores work.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import av
import numpy as np
from PIL import Image, UnidentifiedImageError

from kinema.engines.base import (
    MAX_FPS,
    MAX_SECONDS,
    MAX_SIDE,
    MIN_FPS,
    MIN_SECONDS,
    MIN_SIDE,
    EngineError,
    GenerationRequest,
    GenerationResult,
    InvalidRequest,
    ProgressCallback,
    TranscriptLine,
)
from kinema.engines.procedural.encode import AUDIO_RATE, VideoWriter, rgb_to_yuv420
from kinema.engines.procedural.languages import preload_identifier
from kinema.engines.procedural.photo import (
    load_picture,
    picture_sha256,
    place_beside,
    subject_in_frame,
)
from kinema.engines.procedural.plan import (
    ACTIONS,
    ANCHORS,
    CAMERA_MOVES,
    MOODS,
    SETTINGS,
    STYLES,
    TIMES_OF_DAY,
    WEATHERS,
    Line,
    Plan,
    Shot,
)
from kinema.engines.procedural.planner import (
    OPENMOJI_CREDIT,
    SPEECH_CREDIT,
    dress_characters,
    edit_plan,
    make_plan,
    mark_photo_subjects,
    nothing_to_draw,
    refresh_sound_cues,
)
from kinema.engines.procedural.render import FrameRenderer, RenderInputs, picture_credits

LINE_LEAD = 0.3  # seconds of quiet at the start of a shot before its first line
LINE_GAP = 0.25  # between two lines of the same shot
LINE_TAIL = 0.2  # after the last line, before the cut
MIN_SHOT = 1.0  # a shot without dialogue keeps at least this long when lines need room
# The sound modules (``speech``, ``audio``) are imported where they are first needed, not
# here: they load SciPy, about a second of start-up that a video without dialogue can
# spend in a worker process, in parallel with the first frames.
SAMPLE_RATE = AUDIO_RATE  # speech and the soundtrack are made at the encoder's rate
CHUNK = 6  # frames per pool task
# Below this many pixels to render, starting worker processes costs more than it saves.
POOL_MIN_PIXELS = 40 * 720 * 1280
IMAGE_MAX_PIXELS = 60_000_000


def _noop(_stage: str, _fraction: float) -> None:
    return None


def check_image(path: Path) -> None:
    """Raise ``InvalidRequest`` unless ``path`` is an image Pillow can fully decode."""
    try:
        with Image.open(path) as image:
            if image.width * image.height > IMAGE_MAX_PIXELS:
                raise InvalidRequest(f"The image {path.name} is too large "
                                     f"({image.width}x{image.height}).")
            image.load()
    except InvalidRequest:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError) as exc:
        raise InvalidRequest(f"The image {path.name} cannot be read: it is not a "
                             "supported picture or it is damaged.") from exc


def check_plan(plan: Plan) -> None:
    """Raise ``InvalidRequest`` with a plain sentence for a plan this engine cannot render
    (a hand-edited one, say): sizes, timing and names out of range."""
    if not plan.shots:
        raise InvalidRequest("The plan has no shots.")
    for side in (plan.width, plan.height):
        if not isinstance(side, int) or not (MIN_SIDE <= side <= MAX_SIDE) or side % 2:
            raise InvalidRequest(f"The plan's size must be even numbers from {MIN_SIDE} to "
                                 f"{MAX_SIDE} per side, got {plan.width}x{plan.height}.")
    if not isinstance(plan.fps, int) or not (MIN_FPS <= plan.fps <= MAX_FPS):
        raise InvalidRequest(f"The plan's frame rate must be {MIN_FPS}-{MAX_FPS} fps.")
    if not isinstance(plan.seconds, int | float) or not (
            MIN_SECONDS <= plan.seconds <= MAX_SECONDS):
        raise InvalidRequest(f"The plan must last {MIN_SECONDS}-{MAX_SECONDS} seconds.")
    known = {"style": (plan.style, STYLES), "mood": (plan.mood, MOODS)}
    for index, shot in enumerate(plan.shots, start=1):
        if not (shot.duration > 0 and shot.start >= 0):
            raise InvalidRequest(f"Shot {index} of the plan has no duration.")
        known[f"shot {index} setting"] = (shot.setting, SETTINGS)
        known[f"shot {index} time_of_day"] = (shot.time_of_day, TIMES_OF_DAY)
        known[f"shot {index} weather"] = (shot.weather, WEATHERS)
        known[f"shot {index} camera"] = (shot.camera.move, CAMERA_MOVES)
        for subject in shot.subjects:
            known[f"{subject.id} action"] = (subject.action, ACTIONS)
            for worn in subject.accessories:
                known[f"{subject.id} {worn.item} anchor"] = (worn.anchor, ANCHORS)
                if not (isinstance(worn.glyph, str) and worn.glyph) or not _is_color(worn.color):
                    raise InvalidRequest(f"The plan's {worn.item!r} on {subject.id} needs a "
                                         "glyph and a colour of three numbers 0-255 (or none).")
    for what, (value, allowed) in known.items():
        if value not in allowed:
            raise InvalidRequest(f"The plan's {what} {value!r} is not one of: "
                                 f"{', '.join(allowed)}.")


def _match_picture(plan: Plan, request: GenerationRequest, explicit: bool) -> None:
    """Tie the plan to the request's picture. A plan made with a picture renders only
    with that same picture (its SHA-256 is in the plan): anything else would silently
    draw a different video. A new plan keeps the picture's hash, and its drawn subjects
    are moved clear of the picture's own subject."""
    digest = picture_sha256(request.image) if request.image is not None else None
    if explicit and plan.image_sha256:
        if digest is None:
            raise InvalidRequest("This plan was made with a picture; give the same "
                                 "picture again to render it.")
        if digest != plan.image_sha256:
            raise InvalidRequest("This plan was made with a different picture; give the "
                                 "same picture again to render it.")
    plan.image = digest is not None
    plan.image_sha256 = digest
    if digest is not None and not explicit:
        picture = load_picture(Path(str(request.image)), max_side=640)
        place_beside(plan, subject_in_frame(picture, plan.width, plan.height))


def _is_color(color: object) -> bool:
    return color is None or (isinstance(color, tuple) and len(color) == 3 and all(
        isinstance(c, int) and 0 <= c <= 255 for c in color))


class ProceduralEngine:
    """The default engine: everything drawn and synthesized on the CPU, no downloads."""

    name = "procedural"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers if workers is not None else min(2, os.cpu_count() or 1)

    # --- planning -----------------------------------------------------------------------

    def plan_for(self, request: GenerationRequest) -> Plan:
        """The plan this request will render, before any speech timing: an explicit
        plan, an edited parent plan (remix), a storyboard, or a plan from the prompt."""
        if request.plan is not None:
            try:
                plan = Plan.from_dict(request.plan)
            except ValueError as exc:
                raise InvalidRequest(str(exc)) from exc
            check_plan(plan)
            # An owner's appearance rules hold in a hand-written plan too.
            dress_characters(plan, request.characters)
            return plan
        if request.parent_plan is not None:
            try:
                parent = Plan.from_dict(request.parent_plan)
            except ValueError as exc:
                raise InvalidRequest(f"The video to remix has an unusable plan: {exc}") from exc
            plan = edit_plan(parent, request.prompt, seed=request.seed,
                             characters=request.characters)
            _fit_to_request(plan, request)
            plan.image = request.image is not None
            plan.captions = request.captions or plan.captions
            if plan.image:
                if not any(s.in_photo for shot in plan.shots for s in shot.subjects):
                    mark_photo_subjects(plan)
            else:  # a remix without the parent's picture draws every subject
                plan.image_sha256 = None
                for shot in plan.shots:
                    for subject in shot.subjects:
                        subject.in_photo = False
            return plan
        return make_plan(
            request.prompt, seconds=request.seconds, width=request.width,
            height=request.height, fps=request.fps, seed=request.seed,
            image=request.image is not None, captions=request.captions,
            characters=request.characters, shots=request.shots,
        )

    # --- generation ---------------------------------------------------------------------

    def generate(self, request: GenerationRequest,
                 progress: ProgressCallback | None = None) -> GenerationResult:
        """Render ``request`` to ``request.output`` (MP4) plus a JPEG poster beside it."""
        report = progress or _noop
        request.validate()
        if request.image is not None:
            check_image(Path(request.image))
        report("plan", 0.0)
        from kinema.engines.procedural.voices import preload_neural_voice

        preload_neural_voice(request.prompt)  # loads while the prompt is planned
        detector = preload_identifier(request.prompt)
        plan = self.plan_for(request)
        if detector is not None:
            detector.join()  # no thread may be left running when frame renderers fork
        problem = nothing_to_draw(plan) if not request.characters else None
        if problem is not None:
            raise InvalidRequest(problem)
        explicit = request.plan is not None
        _match_picture(plan, request, explicit)
        if OPENMOJI_CREDIT not in plan.credits:
            plan.credits.insert(0, OPENMOJI_CREDIT)
        self._assign_voices(plan, request)
        report("plan", 0.2)
        clips = self._speak(plan, report)
        _time_dialogue(plan, clips, keep_timing=explicit)
        if any(shot.dialogue for shot in plan.shots) and SPEECH_CREDIT not in plan.credits:
            plan.credits.append(SPEECH_CREDIT)
        from kinema.engines.procedural.audio import sound_credits

        plan.credits.extend(c for c in sound_credits(plan) if c not in plan.credits)
        plan.credits.extend(c for c in picture_credits(plan) if c not in plan.credits)
        report("plan", 1.0)
        inputs = RenderInputs(
            plan=plan.to_dict(),
            image=str(request.image) if request.image is not None else None,
            cutouts={c.handle: str(c.appearance) for c in request.characters
                     if c.appearance is not None},
            speech_levels=_speech_levels(plan, clips),
            speech_visemes=_speech_visemes(plan, clips),
        )
        output = Path(request.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        thumbnail = output.with_suffix(".jpg")
        if thumbnail == output:  # never let the poster overwrite the video
            thumbnail = output.with_name(output.name + ".poster.jpg")
        try:
            self._render_and_encode(plan, inputs, clips, output, thumbnail, report)
        except BrokenProcessPool as exc:
            raise EngineError("Rendering stopped: a worker process ended unexpectedly "
                              "(the machine may be out of memory).") from exc
        report("encode", 1.0)
        transcript = [
            TranscriptLine(speaker=_speaker_name(shot, line), text=line.text,
                           language=line.language, start=line.start, end=line.end)
            for shot in plan.shots for line in shot.dialogue
        ]
        return GenerationResult(video_path=output, thumbnail_path=thumbnail,
                                plan=plan.to_dict(), transcript=transcript,
                                credits=list(plan.credits), engine=self.name)

    def _assign_voices(self, plan: Plan, request: GenerationRequest) -> None:
        from kinema.engines.procedural.voices import cast_voices

        cast_voices(plan, {c.handle: c.voice for c in request.characters})

    def _speak(self, plan: Plan, report: ProgressCallback) -> dict[tuple[int, int], np.ndarray]:
        voices = {s.id: s.voice for shot in plan.shots for s in shot.subjects if s.voice}
        lines = [(i, j, line) for i, shot in enumerate(plan.shots)
                 for j, line in enumerate(shot.dialogue)]
        clips: dict[tuple[int, int], np.ndarray] = {}
        if lines:
            from kinema.engines.procedural.speech import speak
            from kinema.engines.procedural.voices import NARRATOR
        for k, (i, j, line) in enumerate(lines):
            clips[(i, j)] = speak(line.text, line.language,
                                  voices.get(line.speaker or "", NARRATOR), SAMPLE_RATE)
            report("plan", 0.2 + 0.8 * (k + 1) / len(lines))
        from kinema.engines.procedural.voices import release_neural_voice

        release_neural_voice()
        return clips

    def _render_and_encode(self, plan: Plan, inputs: RenderInputs,
                           clips: Mapping[tuple[int, int], np.ndarray], output: Path,
                           thumbnail: Path, report: ProgressCallback) -> None:
        renderer = FrameRenderer(inputs)
        total = renderer.frame_count
        # The poster is a frame a third of the way in: past any fade-in, early enough to
        # show the opening shot.
        poster = min(total - 1, total // 3)

        def keep_poster(index: int, yuv: np.ndarray) -> None:
            if index == poster:
                image = av.VideoFrame.from_ndarray(yuv, format="yuv420p").to_image()
                image.save(thumbnail, "JPEG", quality=85)

        metadata = {
            "title": plan.prompt[:200],
            "comment": " ".join(plan.credits),
            "copyright": OPENMOJI_CREDIT,
            "encoder": "Kinema procedural engine",
        }
        use_pool = self.workers > 1 and total * plan.width * plan.height >= POOL_MIN_PIXELS
        report("render", 0.0)
        with VideoWriter(output, plan.width, plan.height, plan.fps, metadata) as writer:
            if use_pool:
                with ProcessPoolExecutor(max_workers=self.workers, mp_context=_pool_context(),
                                         initializer=_worker_start,
                                         initargs=(inputs,)) as pool:
                    sound: Future[np.ndarray] | None = pool.submit(
                        _soundtrack_task, inputs.plan, dict(clips))
                    done = 0
                    for frames in _ordered_chunks(pool, total, self.workers * 3):
                        for yuv in frames:
                            keep_poster(done, yuv)
                            writer.add_frame(yuv)
                            done += 1
                        report("render", done / total)
                        if sound is not None and sound.done():
                            writer.add_soundtrack(_sound_result(sound, report))
                            sound = None
                    if sound is not None:
                        writer.add_soundtrack(_sound_result(sound, report))
            else:
                for index in range(total):
                    yuv = rgb_to_yuv420(renderer.render(index))
                    keep_poster(index, yuv)
                    writer.add_frame(yuv)
                    report("render", (index + 1) / total)
                report("sound", 0.0)
                from kinema.engines.procedural.audio import render_soundtrack

                writer.add_soundtrack(render_soundtrack(
                    plan, clips, lambda f: report("sound", f)))
                report("sound", 1.0)
            report("encode", 0.5)


def _pool_context() -> multiprocessing.context.BaseContext:
    # Forking is the quickest start and needs no importable __main__, but is only safe
    # with no other threads alive (one could hold a lock the child inherits). Servers
    # and queue workers run engines in threads, so they get a fork server instead.
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["kinema.engines.procedural.render",
                                    "kinema.engines.procedural.audio"])
    return context


def _sound_result(future: Future[np.ndarray], report: ProgressCallback) -> np.ndarray:
    report("sound", 0.0)
    samples = future.result()
    report("sound", 1.0)
    return samples


def _ordered_chunks(pool: ProcessPoolExecutor, total: int,
                    in_flight: int) -> Iterator[list[np.ndarray]]:
    """Frame chunks in order, keeping only a few in flight so memory stays bounded."""
    starts = list(range(0, total, CHUNK))
    pending: list[Future[list[np.ndarray]]] = []
    next_start = 0
    while next_start < len(starts) or pending:
        while next_start < len(starts) and len(pending) < in_flight:
            s = starts[next_start]
            pending.append(pool.submit(_render_task, s, min(total, s + CHUNK)))
            next_start += 1
        yield pending.pop(0).result()


_worker_renderer: FrameRenderer | None = None


def _worker_start(inputs: RenderInputs) -> None:
    global _worker_renderer
    _worker_renderer = FrameRenderer(inputs)


def _render_task(start: int, stop: int) -> list[np.ndarray]:
    if _worker_renderer is None:
        raise EngineError("The frame renderer did not start.")
    return [rgb_to_yuv420(_worker_renderer.render(i)) for i in range(start, stop)]


def _soundtrack_task(plan: dict[str, Any], clips: dict[tuple[int, int], np.ndarray]) -> np.ndarray:
    from kinema.engines.procedural.audio import render_soundtrack

    return render_soundtrack(Plan.from_dict(plan), clips)


# --- dialogue timing --------------------------------------------------------------------


def _speech_need(shot: Shot, clips: Mapping[tuple[int, int], np.ndarray], index: int) -> float:
    spoken = [clips[(index, j)].size / SAMPLE_RATE for j in range(len(shot.dialogue))]
    if not spoken:
        return 0.0
    return LINE_LEAD + sum(spoken) + LINE_GAP * (len(spoken) - 1) + LINE_TAIL


def _time_dialogue(plan: Plan, clips: Mapping[tuple[int, int], np.ndarray],
                   keep_timing: bool) -> None:
    """Give every line its real start and end: one after another inside its shot. Shots
    are first re-balanced so each has room for its lines; a line that still does not fit
    is cut at its shot's end and marked ``cut``."""
    if keep_timing and all(ln.end > ln.start for s in plan.shots for ln in s.dialogue):
        return
    needs = [_speech_need(shot, clips, i) for i, shot in enumerate(plan.shots)]
    if not keep_timing and any(n > s.duration for n, s in zip(needs, plan.shots, strict=True)):
        floor = min(MIN_SHOT, plan.seconds / len(plan.shots))
        wanted = [max(n, floor) for n in needs]
        spare = plan.seconds - sum(wanted)
        if spare >= 0:
            share = [s.duration for s in plan.shots]
            durations = [w + spare * d / sum(share) for w, d in zip(wanted, share, strict=True)]
        else:
            durations = [w * plan.seconds / sum(wanted) for w in wanted]
        start = 0.0
        for shot, duration in zip(plan.shots, durations, strict=True):
            shot.start, shot.duration = round(start, 4), round(duration, 4)
            start += duration
        plan.shots[-1].duration = round(plan.seconds - plan.shots[-1].start, 4)
        refresh_sound_cues(plan)
    for i, shot in enumerate(plan.shots):
        cursor = shot.start + min(LINE_LEAD, shot.duration * 0.1)
        for j, line in enumerate(shot.dialogue):
            length = clips[(i, j)].size / SAMPLE_RATE
            line.start = round(cursor, 3)
            line.end = round(cursor + length, 3)
            line.cut = False
            if line.end > shot.end:
                # No room left in the shot: the line is cut at the shot's end (or not
                # heard at all when the shot is already over), and says so.
                line.start = round(min(line.start, shot.end), 3)
                line.end = round(shot.end, 3)
                line.cut = True
            cursor = line.end + LINE_GAP
    _cut_clips(plan, clips)


def _cut_clips(plan: Plan, clips: Mapping[tuple[int, int], np.ndarray]) -> None:
    if not isinstance(clips, dict):
        return
    for i, shot in enumerate(plan.shots):
        for j, line in enumerate(shot.dialogue):
            if line.cut:
                keep = max(0, int((line.end - line.start) * SAMPLE_RATE))
                clip = clips[(i, j)][:keep].copy()
                fade = min(clip.size, int(0.05 * SAMPLE_RATE))
                if fade:
                    clip[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
                clips[(i, j)] = clip


def _speech_levels(plan: Plan, clips: Mapping[tuple[int, int], np.ndarray]) -> dict[
        str, np.ndarray]:
    """How open each speaking subject's mouth is at every frame, 0..1, from its own voice."""
    from kinema.engines.procedural.audio_lipsync import speech_levels

    return speech_levels(plan, clips, SAMPLE_RATE)


def _speech_visemes(plan: Plan, clips: Mapping[tuple[int, int], np.ndarray]) -> dict[
        str, np.ndarray]:
    """The shape of each speaking subject's mouth at every frame, from the phonemes of
    its own lines timed on its own voice."""
    from kinema.engines.procedural.audio_visemes import speech_visemes

    return speech_visemes(plan, clips, SAMPLE_RATE)


def _speaker_name(shot: Shot, line: Line) -> str:
    for subject in shot.subjects:
        if subject.id == line.speaker:
            return subject.name or subject.noun
    return "narrator"


def _fit_to_request(plan: Plan, request: GenerationRequest) -> None:
    """A remix keeps its parent's shots but takes the new request's size, fps and length
    (shots are stretched to the new length)."""
    factor = request.seconds / plan.seconds if plan.seconds else 1.0
    plan.width, plan.height, plan.fps = request.width, request.height, request.fps
    if abs(factor - 1.0) > 1e-9:
        for shot in plan.shots:
            shot.start = round(shot.start * factor, 4)
            shot.duration = round(shot.duration * factor, 4)
            for line in shot.dialogue:
                line.start = line.end = 0.0
        plan.seconds = float(request.seconds)
        refresh_sound_cues(plan)
    for shot in plan.shots:
        for line in shot.dialogue:
            line.start = line.end = 0.0  # retimed after the new speech is synthesized
