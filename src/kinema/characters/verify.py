"""Verifying a capture clip: the checks that make a recording a character.

A person's clip must show one face (judged by the main face: small face-like patches
are ignored) in at least 80% of the sampled frames, the same identity throughout, the
head turns the challenge asked for, in order, and someone speaking. A pet's or an
object's clip only needs a clear subject. Every refusal is a ``VerificationRefused``
whose message says why in plain words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np

from kinema.characters.cutout import NoClearSubject, person_cutout, subject_cutout
from kinema.characters.face_views import capture_face_views
from kinema.characters.faces import FaceObservation, descriptor_distance, face_models, observe_face
from kinema.characters.voice import VoiceAnalysis, analyse_voice, read_sound

MIN_CLIP_SECONDS, MAX_CLIP_SECONDS = 3.0, 15.0
SAMPLE_FPS = 6.0
MAX_SAMPLES = 90
# Frames are analysed at most this size on the long side (phones record 1080p+).
FRAME_SIDE = 720
MIN_FACE_SHARE = 0.8
# Above this descriptor distance two faces belong to different people.
SAME_PERSON_DISTANCE = 0.6
# A share of frames this large with a face far from the clip's own is a swap.
MAX_STRANGER_SHARE = 0.1
MAX_SECOND_PERSON_SHARE = 0.2
# How far from the resting pose the nose must move to count as a turn (see faces.head_pose).
YAW_TURN = 0.06
PITCH_TURN = 0.035
TURNS = ("left", "right", "up", "down")


class VerificationRefused(Exception):
    """The clip does not verify; the message says why, fit to show."""


@dataclass(frozen=True)
class ClipFacts:
    seconds: float
    width: int
    height: int
    has_audio: bool


def probe_clip(path: Path) -> ClipFacts:
    """Duration, size and sound of an uploaded clip; ``VerificationRefused`` if it is
    not a readable video."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise VerificationRefused("The file has no video in it.")
            stream = container.streams.video[0]
            if container.duration is not None:
                seconds = container.duration / 1_000_000
            elif stream.duration is not None and stream.time_base is not None:
                seconds = float(stream.duration * stream.time_base)
            else:
                seconds = 0.0
            if seconds <= 0:
                # Browser recordings (MediaRecorder WebM) often carry no duration: read it
                # off the last packet instead.
                seconds = _packet_span(container, stream)
            return ClipFacts(
                seconds=seconds,
                width=stream.codec_context.width,
                height=stream.codec_context.height,
                has_audio=bool(container.streams.audio),
            )
    except (av.error.FFmpegError, UnicodeDecodeError, AttributeError, ValueError):
        # Also metadata that is not UTF-8 and streams without a codec context.
        raise VerificationRefused("The file could not be read as a video.") from None


def _packet_span(container: av.container.InputContainer, stream: av.VideoStream) -> float:
    end = 0.0
    for packet in container.demux(stream):
        if packet.pts is not None and packet.time_base is not None:
            end = max(end, float((packet.pts + (packet.duration or 0)) * packet.time_base))
    return end


def check_clip(facts: ClipFacts) -> None:
    """Refuse clips that are too short, too long or silent."""
    if not facts.has_audio:
        raise VerificationRefused("The recording has no sound; record it with the microphone on.")
    if facts.seconds < MIN_CLIP_SECONDS or facts.seconds > MAX_CLIP_SECONDS + 0.5:
        raise VerificationRefused(
            f"The recording is {facts.seconds:.1f} seconds long; it must be between "
            f"{MIN_CLIP_SECONDS:.0f} and {MAX_CLIP_SECONDS:.0f} seconds."
        )


def sample_frames(path: Path, fps: float = SAMPLE_FPS) -> list[tuple[float, np.ndarray]]:
    """RGB frames about ``fps`` times a second (at most ``MAX_SAMPLES``) with their times."""
    frames: list[tuple[float, np.ndarray]] = []
    next_time = 0.0
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            for frame in container.decode(stream):
                time = float(frame.time) if frame.time is not None else next_time
                if time + 1e-6 < next_time:
                    continue
                image: np.ndarray = np.asarray(frame.to_ndarray(format="rgb24"))
                height, width = image.shape[:2]
                scale = FRAME_SIDE / max(height, width)
                if scale < 1:
                    size = (round(width * scale), round(height * scale))
                    image = np.asarray(cv2.resize(image, size))
                frames.append((time, image))
                next_time = time + 1 / fps
                if len(frames) >= MAX_SAMPLES:
                    break
    except (av.error.FFmpegError, UnicodeDecodeError, AttributeError, ValueError):
        raise VerificationRefused("The video could not be decoded.") from None
    if not frames:
        raise VerificationRefused("The video has no frames.")
    return frames


def read_turns(observations: Sequence[FaceObservation]) -> list[str]:
    """The head turns made during the clip, in order, from the person's own point of
    view. The resting pose is the clip's median pose, so a person who looks slightly
    off-camera throughout is not read as turning."""
    if not observations:
        return []
    rest_yaw = float(np.median([o.yaw for o in observations]))
    rest_pitch = float(np.median([o.pitch for o in observations]))
    seen: list[str] = []
    previous = "front"
    for obs in observations:
        yaw_score = (obs.yaw - rest_yaw) / YAW_TURN
        pitch_score = (obs.pitch - rest_pitch) / PITCH_TURN
        if max(abs(yaw_score), abs(pitch_score)) < 1:
            pose = "front"
        elif abs(yaw_score) >= abs(pitch_score):
            # The nose toward the right of the picture: the person turned to their left.
            pose = "left" if yaw_score > 0 else "right"
        else:
            pose = "up" if pitch_score < 0 else "down"
        if pose != previous and pose != "front":
            seen.append(pose)
        previous = pose
    return seen


def follows_turns(seen: Sequence[str], asked: Sequence[str]) -> bool:
    """Whether ``asked`` happened in order within ``seen`` (extra movements are fine)."""
    position = 0
    for turn in seen:
        if position < len(asked) and turn == asked[position]:
            position += 1
    return position == len(asked)


@dataclass(frozen=True)
class VerifiedPerson:
    descriptor: np.ndarray
    cutout_png: bytes
    voice: VoiceAnalysis
    turns_seen: list[str]
    face_share: float
    face_views: bytes = b""  # the cameo archive: the face turned a few ways


@dataclass(frozen=True)
class VerifiedSubject:
    cutout_png: bytes
    voice: VoiceAnalysis


def _turn_words(turns: Sequence[str]) -> str:
    return ", then ".join(turns) if turns else "none"


def verify_person(path: Path, turns: Sequence[str], phrase_words: int) -> VerifiedPerson:
    """Run every check on a person's clip; ``VerificationRefused`` says which failed."""
    check_clip(probe_clip(path))
    frames = sample_frames(path)
    models = face_models()
    found_at: dict[float, FaceObservation] = {}
    for time, image in frames:
        found = observe_face(models, image, time)
        if found is not None:
            found_at[time] = found
    if found_at and len(found_at) < MIN_FACE_SHARE * len(frames):
        # Turned heads escape the quick detector; look again, more carefully, only where
        # it found nothing (and only when it found the face elsewhere).
        for time, image in frames:
            if time not in found_at:
                found = observe_face(models, image, time, thorough=True)
                if found is not None:
                    found_at[time] = found
    images = {time: image for time, image in frames if time in found_at}
    observations = [found_at[time] for time, _image in frames if time in found_at]
    share = len(observations) / len(frames)
    if not observations:
        raise VerificationRefused(
            "No face was found in the recording. Face the camera in good light."
        )
    if share < MIN_FACE_SHARE:
        raise VerificationRefused(
            f"A face was visible in only {share:.0%} of the recording; keep your face in "
            f"the picture the whole time (at least {MIN_FACE_SHARE:.0%})."
        )
    crowded = sum(1 for o in observations if o.other_people) / len(observations)
    if crowded > MAX_SECOND_PERSON_SHARE:
        raise VerificationRefused(
            "More than one person is in the recording; record yourself alone."
        )
    centre = np.median(np.stack([o.descriptor for o in observations]), axis=0)
    strangers = sum(
        1 for o in observations if descriptor_distance(o.descriptor, centre) > SAME_PERSON_DISTANCE
    )
    if strangers / len(observations) > MAX_STRANGER_SHARE:
        raise VerificationRefused(
            "The face changed during the recording; it must be the same person throughout."
        )
    seen = read_turns(observations)
    if not follows_turns(seen, turns):
        raise VerificationRefused(
            f"The head turns did not match: you were asked to turn {_turn_words(turns)}, "
            f"and the recording shows {_turn_words(seen)}. Turn clearly, in that order, "
            "and come back to face the camera between turns."
        )
    voice = analyse_voice(read_sound(path), words=phrase_words)
    if not voice.has_speech:
        raise VerificationRefused(
            "No one could be heard speaking; read the phrase aloud while recording."
        )
    same = [o for o in observations if descriptor_distance(o.descriptor, centre) <= 0.5]
    descriptor = np.mean(np.stack([o.descriptor for o in same or observations]), axis=0)
    rest_yaw = float(np.median([o.yaw for o in observations]))
    rest_pitch = float(np.median([o.pitch for o in observations]))
    # The most frontal, largest face makes the best portrait.
    best = min(
        observations,
        key=lambda o: (
            abs(o.yaw - rest_yaw) / YAW_TURN
            + abs(o.pitch - rest_pitch) / PITCH_TURN
            - 1e-4 * (o.box[2] - o.box[0])
        ),
    )
    try:
        cutout = person_cutout(images[best.time], best.landmarks)
    except NoClearSubject as exc:
        raise VerificationRefused(f"Your outline could not be cut out: {exc}") from None
    return VerifiedPerson(
        descriptor=descriptor,
        cutout_png=cutout,
        voice=voice,
        turns_seen=seen,
        face_share=share,
        face_views=capture_face_views(
            images, observations, best, yaw_turn=YAW_TURN, pitch_turn=PITCH_TURN
        ),
    )


def verify_subject(path: Path) -> VerifiedSubject:
    """Check a pet's or an object's clip and cut its main subject out of the sharpest
    of a few frames from the middle of the clip."""
    check_clip(probe_clip(path))
    frames = sample_frames(path, fps=2.0)
    middle = frames[len(frames) // 4 : max(len(frames) // 4 + 1, 3 * len(frames) // 4)]

    def sharpness(image: np.ndarray) -> float:
        grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
        return float(cv2.Laplacian(grey, cv2.CV_64F).var())

    _time, image = max(middle or frames, key=lambda item: sharpness(item[1]))
    try:
        cutout = subject_cutout(image)
    except NoClearSubject as exc:
        raise VerificationRefused(f"The subject could not be cut out: {exc}") from None
    return VerifiedSubject(cutout_png=cutout, voice=analyse_voice(read_sound(path)))
