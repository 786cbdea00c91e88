"""A video's dialogue as a WebVTT caption track for players.

The cues come from what was said and when: the transcript the engine returned (each
line timed after speech), else the dialogue in the stored scene description. Videos
made before lines were timed get their lines spread evenly over the shot that speaks
them (or over the whole video), so every video has a usable track. A video without
speech gets an empty but valid ``WEBVTT`` file.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

MEDIA_TYPE = "text/vtt; charset=utf-8"
DEFAULT_LANGUAGE = "en"
# eSpeak NG voice codes that are not the tag players know the language by.
_LANGUAGE_TAGS = {
    "cmn": "zh",
    "yue": "zh-yue",
    "en-us": "en-US",
    "en-gb": "en-GB",
    "pt-br": "pt-BR",
    "pt-pt": "pt-PT",
    "es-419": "es-419",
}
# Names of the languages the engines speak, for a track's label.
_LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "pt": "Portuguese",
    "it": "Italian",
    "nl": "Dutch",
    "ru": "Russian",
    "ko": "Korean",
    "ja": "Japanese",
    "zh": "Chinese",
    "pl": "Polish",
    "tr": "Turkish",
    "sv": "Swedish",
    "nb": "Norwegian",
    "da": "Danish",
    "fi": "Finnish",
    "el": "Greek",
    "cs": "Czech",
    "uk": "Ukrainian",
    "ar": "Arabic",
    "hi": "Hindi",
    "vi": "Vietnamese",
    "id": "Indonesian",
    "th": "Thai",
    "he": "Hebrew",
    "hu": "Hungarian",
    "ro": "Romanian",
}
_TAG = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str
    speaker: str  # a name, or "" when nobody in particular says it
    language: str  # a BCP 47 tag


def language_tag(code: Any) -> str:
    """A line's language (an eSpeak NG voice code such as ``en``, ``cmn``, ``pt-br``) as
    the BCP 47 tag a ``<track srclang>`` wants; ``en`` for anything unusable."""
    text = str(code or "").strip()
    text = _LANGUAGE_TAGS.get(text.lower(), text)
    return text if _TAG.match(text) else DEFAULT_LANGUAGE


def language_name(tag: str) -> str:
    """``"fr"`` -> ``"French"``, the label a player shows for the track."""
    return _LANGUAGE_NAMES.get(tag.split("-")[0].lower(), tag)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if number == number and number >= 0 else None  # not NaN, not negative


def _timed(start: float | None, end: float | None) -> bool:
    return start is not None and end is not None and end > start


def _transcript_cues(transcript: Sequence[Any]) -> list[Cue] | None:
    """Cues from the transcript, or None when it is empty or has no timings."""
    lines = [line for line in transcript if isinstance(line, dict) and _text(line)]
    if not lines:
        return None
    spans = [(_number(line.get("start")), _number(line.get("end"))) for line in lines]
    if not any(_timed(start, end) for start, end in spans):
        return None
    return [
        Cue(
            start,
            end,
            _text(line),
            _speaker(line.get("speaker")),
            language_tag(line.get("language")),
        )
        for line, (start, end) in zip(lines, spans, strict=True)
        if start is not None and end is not None and end > start
    ]


def _text(line: dict[str, Any]) -> str:
    return _SPACES.sub(" ", str(line.get("text") or "")).strip()


def _speaker(name: Any) -> str:
    text = _SPACES.sub(" ", str(name or "")).strip()
    # Nouns name subjects ("fox"); a caption names them as a person would ("Fox").
    return text[:1].upper() + text[1:] if text.islower() else text


def _plan_cues(plan: dict[str, Any], seconds: float) -> list[Cue]:
    """Cues from the scene description's dialogue: the lines' own timings where they
    were timed, else each shot's lines spread evenly over that shot."""
    shots = [shot for shot in plan.get("shots") or [] if isinstance(shot, dict)]
    cues: list[Cue] = []
    for shot in shots:
        lines = [
            line for line in shot.get("dialogue") or [] if isinstance(line, dict) and _text(line)
        ]
        if not lines:
            continue
        names = {
            subject.get("id"): subject.get("name") or subject.get("noun")
            for subject in shot.get("subjects") or []
            if isinstance(subject, dict)
        }
        shot_start = _number(shot.get("start")) or 0.0
        shot_length = _number(shot.get("duration")) or max(seconds - shot_start, 0.0)
        timed = all(_timed(_number(line.get("start")), _number(line.get("end"))) for line in lines)
        share = shot_length / len(lines)
        for index, line in enumerate(lines):
            if timed:
                start, end = float(line["start"]), float(line["end"])
            else:
                start = shot_start + index * share
                end = start + share
            speaker = names.get(line.get("speaker")) or "narrator"
            cues.append(
                Cue(start, end, _text(line), _speaker(speaker), language_tag(line.get("language")))
            )
    return cues


def _spread(transcript: Sequence[Any], seconds: float) -> list[Cue]:
    """Untimed transcript lines, one after another over the whole video."""
    lines = [line for line in transcript if isinstance(line, dict) and _text(line)]
    if not lines or seconds <= 0:
        return []
    share = seconds / len(lines)
    return [
        Cue(
            index * share,
            (index + 1) * share,
            _text(line),
            _speaker(line.get("speaker")),
            language_tag(line.get("language")),
        )
        for index, line in enumerate(lines)
    ]


def caption_cues(
    transcript: Sequence[Any] | None, plan: dict[str, Any] | None, seconds: float
) -> list[Cue]:
    """The video's dialogue as timed cues, in order, each within the video."""
    transcript = transcript if isinstance(transcript, list) else []
    plan = plan if isinstance(plan, dict) else {}
    cues = _transcript_cues(transcript)
    if cues is None:
        cues = _plan_cues(plan, seconds) or _spread(transcript, seconds)
    if seconds > 0:
        cues = [
            Cue(c.start, min(c.end, seconds), c.text, c.speaker, c.language)
            for c in cues
            if c.start < seconds
        ]
    return sorted(cues, key=lambda cue: (cue.start, cue.end))


def track_language(cues: Iterable[Cue]) -> str | None:
    """The language most of the dialogue is in (the track's ``srclang``); None when
    nothing is said."""
    counts = Counter(cue.language for cue in cues)
    return counts.most_common(1)[0][0] if counts else None


def _timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    whole, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{whole:02d}.{millis:03d}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webvtt(cues: Sequence[Cue]) -> str:
    """The cues as a WebVTT file: a voice span names who speaks, and a line in another
    language than the track's is marked with a language span."""
    language = track_language(cues)
    blocks = ["WEBVTT"]
    for number, cue in enumerate(cues, start=1):
        text = _escape(cue.text)
        if cue.language != language:
            text = f"<lang {cue.language}>{text}</lang>"
        if cue.speaker:
            text = f"<v {_escape(cue.speaker)}>{text}</v>"
        blocks.append(f"{number}\n{_timestamp(cue.start)} --> {_timestamp(cue.end)}\n{text}")
    return "\n\n".join(blocks) + "\n"
