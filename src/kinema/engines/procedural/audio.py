"""The soundtrack of a plan: ambience, effects, music and speech, mixed for listening.

Layers are synthesized per shot (ambience, cues) or over the whole video (music,
speech), then mixed: the beds duck under speech, the integrated loudness is set to about
-16 LUFS (ITU-R BS.1770 with gating, the streaming norm) and a look-ahead limiter keeps
every sample inside the ceiling, so nothing ever clips.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from kinema.engines.base import EngineError
from kinema.engines.procedural.audio_ambience import render_ambience
from kinema.engines.procedural.audio_dsp import (
    convolve,
    filter_sections,
    running_max,
    running_mean,
    running_min,
)
from kinema.engines.procedural.audio_effects import (
    EFFECTS,
    continuous_sound,
    effects_for,
    render_effect,
)
from kinema.engines.procedural.audio_singing import applause_times, singer, sung_line
from kinema.engines.procedural.audio_synth import (
    SAMPLE_RATE,
    at_level,
    fade,
    place,
    rng_for,
    to_stereo,
)
from kinema.engines.procedural.music import Track, compose_track
from kinema.engines.procedural.plan import Plan, Subject, Voice
from kinema.engines.procedural.speech import speak
from kinema.engines.procedural.voices import (
    NARRATOR,
    NEURAL_CREDIT,
    cast_voices,
    is_neural_language,
    neural_available,
    speaker_kind,
)

__all__ = [
    "SAMPLE_RATE",
    "SOUND_CUES",
    "TARGET_LUFS",
    "integrated_loudness",
    "render_soundtrack",
    "sound_credits",
]

SOUND_CUES: frozenset[str] = frozenset(EFFECTS)

TARGET_LUFS = -16.0
CEILING = 0.95  # sample-peak ceiling; the gap below 1.0 absorbs inter-sample and codec overshoot

# Levels of each layer before loudness normalization (dBFS RMS); the balance is what
# matters: speech on top, music under it, the place and the effects around them. Ambience
# keeps the levels its synthesizers give it, so a storm is louder than a quiet room.
_SPEECH_DB = -17.0
_MUSIC_DB = -30.0
_SINGING_DB = -21.0
_AMBIENCE_GAIN = 10 ** (-3 / 20)
_EFFECT_PEAK = 0.6

# How far each layer ducks while someone speaks (fraction of its level removed).
_MUSIC_DUCK = 0.8
_BED_DUCK = 0.5
_EFFECT_DUCK = 0.3

_CROSSFADE = 0.25  # seconds of overlap between the ambiences of consecutive shots


def render_soundtrack(
    plan: Plan,
    speech: Mapping[tuple[int, int], np.ndarray] | None = None,
    progress: Callable[[float], None] | None = None,
) -> np.ndarray:
    """The plan's full soundtrack: ``(round(plan.seconds * SAMPLE_RATE), 2)`` float32.

    ``speech`` holds already synthesized clips (mono, ``SAMPLE_RATE``) keyed by
    (shot index, line index); lines without one are spoken here with the speaker's
    voice. Each clip starts at its line's ``start`` and is panned toward the speaker.
    Unknown cue names are skipped. The same plan always gives the same samples.
    """
    report = progress or (lambda _fraction: None)
    if not isinstance(plan.seconds, int | float) or not 0 <= plan.seconds <= 3600:
        raise EngineError("The plan's length must be a number of seconds from 0 to 3600.")
    n = round(plan.seconds * SAMPLE_RATE)
    report(0.0)

    ambience = _ambience_layer(plan, n)
    report(0.3)
    effects = _effects_layer(plan, n)
    report(0.45)
    track = compose_track(
        plan.prompt, [shot.setting for shot in plan.shots], plan.mood, plan.seed, n
    )
    music = at_level(track.audio, _MUSIC_DB) if np.any(track.audio) else track.audio
    report(0.65)
    voices = _speech_layer(plan, n, speech or {})
    singing = _singing_layer(plan, track, n)
    report(0.85)

    presence = _speech_presence(voices)[:, None]
    mix = (
        voices
        + singing * (1 - _MUSIC_DUCK * presence)
        + music * (1 - _MUSIC_DUCK * presence)
        + ambience * (1 - _BED_DUCK * presence)
        + effects * (1 - _EFFECT_DUCK * presence)
    )
    mix = _master(mix)
    report(1.0)
    return mix.astype(np.float32)


# --- layers -----------------------------------------------------------------------------


def _shot_bounds(plan: Plan, n: int) -> list[tuple[int, int]]:
    """Sample range of each shot; together they cover the whole video without gaps."""
    bounds = []
    for i, shot in enumerate(plan.shots):
        start = 0 if i == 0 else round(shot.start * SAMPLE_RATE)
        end = round(plan.shots[i + 1].start * SAMPLE_RATE) if i + 1 < len(plan.shots) else n
        start = min(max(start, 0), n)
        bounds.append((start, max(start, min(end, n))))
    return bounds


def _ambience_layer(plan: Plan, n: int) -> np.ndarray:
    out = np.zeros((n, 2))
    if not plan.shots:
        bed = render_ambience("plain", "clear", "day", n, rng_for(plan.seed, "ambience"))
        return bed * _AMBIENCE_GAIN
    overlap = int(_CROSSFADE * SAMPLE_RATE)
    for i, (shot, (start, end)) in enumerate(zip(plan.shots, _shot_bounds(plan, n), strict=True)):
        if end <= start:
            continue
        begin = max(0, start - overlap // 2)
        finish = min(n, end + overlap // 2)
        rng = rng_for(plan.seed, "ambience", i, shot.setting, shot.weather)
        timed_thunder = any(cue.name == "thunder" for cue in shot.sound_cues)
        bed = render_ambience(
            shot.setting,
            shot.weather,
            shot.time_of_day,
            finish - begin,
            rng,
            thunder_claps=not timed_thunder,
        )
        fade(bed, _CROSSFADE if begin > 0 else 0.0, _CROSSFADE if finish < n else 0.0)
        out[begin:finish] += bed * _AMBIENCE_GAIN
    return out


def _effects_layer(plan: Plan, n: int) -> np.ndarray:
    """The cues' effects, each made by what moves: a car's steps are its engine and
    tyres for the whole shot, a horse's are hooves; and applause for performers."""
    out = np.zeros((n, 2))
    sings = singer(plan)
    for i, shot in enumerate(plan.shots):
        nouns = {subject.id: subject.noun for subject in shot.subjects}
        for subject in shot.subjects:
            name = continuous_sound(subject.noun, subject.action)
            if name is None or shot.duration <= 0:
                continue
            sound = render_effect(name, shot.duration, rng_for(plan.seed, "vehicle", i, subject.id))
            if sound is not None:
                pan = _subject_pan(shot.subjects, subject.id)
                place(
                    out,
                    to_stereo(sound[: round(shot.duration * SAMPLE_RATE)] * _EFFECT_PEAK, pan),
                    round(shot.start * SAMPLE_RATE),
                )
        for j, cue in enumerate(shot.sound_cues):
            if not np.isfinite(cue.start):
                continue
            pan = (
                float(cue.pan)
                if cue.pan and np.isfinite(cue.pan)
                else _subject_pan(shot.subjects, cue.subject)
            )
            for name in effects_for(cue.name, nouns.get(cue.subject or "", "")):
                rng = rng_for(plan.seed, "cue", i, j, name)
                sound = render_effect(name, cue.duration, rng)
                if sound is not None:
                    place(out, to_stereo(sound * _EFFECT_PEAK, pan), round(cue.start * SAMPLE_RATE))
        for k, (start, length) in enumerate(applause_times(shot, sings)):
            sound = render_effect("applause", length, rng_for(plan.seed, "applause", i, k))
            if sound is not None:
                place(out, to_stereo(sound * _EFFECT_PEAK, 0.0), round(start * SAMPLE_RATE))
    return out


def _singing_layer(plan: Plan, track: Track, n: int) -> np.ndarray:
    """The singer's voice over every shot they are in, on the music's tune, kept clear
    of their own spoken lines."""
    out = np.zeros((n, 2))
    who = singer(plan)
    if who is None:
        return out
    for i, shot in enumerate(plan.shots):
        subject = next((s for s in shot.subjects if s.id == who), None)
        if subject is None:
            continue
        spoken = [(line.start, line.end) for line in shot.dialogue if line.speaker == who]
        start = max(shot.start, max((end for _, end in spoken), default=shot.start) + 0.2)
        if shot.end - start < 0.8:
            continue
        voice = sung_line(
            track, start, shot.end, speaker_kind(subject), rng_for(plan.seed, "singing", i)
        )
        if not np.any(voice):
            continue
        voice = fade(at_level(voice, _SINGING_DB), 0.1, 0.3)
        place(
            out, to_stereo(voice, _subject_pan(shot.subjects, who, 0.5)), round(start * SAMPLE_RATE)
        )
    return out


def _subject_pan(subjects: list[Subject], subject_id: str | None, width: float = 0.8) -> float:
    """Pan toward where the subject stands in the frame."""
    for subject in subjects:
        if subject.id == subject_id and np.isfinite(subject.x):
            return float(np.clip((subject.x - 0.5) * 2 * width, -width, width))
    return 0.0


def _speaker_voices(plan: Plan) -> dict[str, Voice]:
    """Each speaking subject's voice: its own, or one cast for it now (``cast_voices``)."""
    cast = Plan.from_dict(plan.to_dict())
    cast_voices(cast)
    return {s.id: s.voice for shot in cast.shots for s in shot.subjects if s.voice is not None}


def sound_credits(plan: Plan) -> list[str]:
    """Credits for what the soundtrack of ``plan`` uses beyond the engine's own code: the
    neural voice when a line is spoken with it."""
    voices = _speaker_voices(plan)
    for shot in plan.shots:
        for line in shot.dialogue:
            voice = voices.get(line.speaker or "", NARRATOR)
            if (
                voice.engine == "neural"
                and is_neural_language(line.language)
                and (neural_available())
            ):
                return [NEURAL_CREDIT]
    return []


def _speech_layer(plan: Plan, n: int, clips: Mapping[tuple[int, int], np.ndarray]) -> np.ndarray:
    out = np.zeros((n, 2))
    voices = _speaker_voices(plan)
    for i, shot in enumerate(plan.shots):
        for j, line in enumerate(shot.dialogue):
            clip = clips.get((i, j))
            if clip is None:
                voice = voices.get(line.speaker or "", NARRATOR)
                clip = speak(line.text, line.language, voice, SAMPLE_RATE)
            mono = np.asarray(clip, dtype=np.float64)
            if mono.ndim == 2:
                mono = mono.mean(axis=1)  # a stereo clip is folded to mono, then panned
            mono = mono.reshape(-1)
            mono = np.nan_to_num(mono)
            if not mono.size or not np.any(mono):
                continue
            mono = _speech_level(mono)
            start = round(max(line.start, 0.0) * SAMPLE_RATE) if np.isfinite(line.start) else 0
            if start + mono.size > n:
                # The video ends mid-word: fade out instead of cutting with a click.
                mono = fade(mono[: max(0, n - start)].copy(), 0.0, 0.05)
            dry = to_stereo(mono, _subject_pan(shot.subjects, line.speaker, 0.5))
            place(out, _in_the_room(dry, shot.setting, rng_for(plan.seed, "room", i, j)), start)
    return out


# How much of a voice comes back from the place's walls (wet level) and how long the
# echo lasts (seconds): a cave or a hall rings, a living room barely, outdoors not at all.
_ROOMS: dict[str, tuple[float, float]] = {
    "cave": (0.35, 2.2),
    "concert_hall": (0.28, 2.0),
    "castle": (0.22, 1.6),
    "stadium": (0.18, 1.8),
    "stage": (0.16, 1.2),
    "train_platform": (0.16, 1.4),
    "airport": (0.14, 1.3),
    "gym": (0.16, 1.1),
    "supermarket": (0.1, 0.8),
    "library": (0.08, 0.7),
    "classroom": (0.1, 0.6),
    "space_station": (0.1, 0.5),
    "garage": (0.14, 0.8),
    "underwater": (0.2, 0.9),
    **{
        room: (0.07, 0.45)
        for room in (
            "interior",
            "living_room",
            "bedroom",
            "kitchen",
            "cafe",
            "bar",
            "restaurant",
            "office",
            "lab",
        )
    },
}


def _in_the_room(dry: np.ndarray, setting: str, rng: np.random.Generator) -> np.ndarray:
    """A stereo voice with the reflections of ``setting`` added (a short decaying noise
    response, different per ear), keeping its own length."""
    wet, seconds = _ROOMS.get(setting, (0.0, 0.0))
    if wet <= 0 or dry.shape[0] == 0:
        return dry
    m = int(seconds * SAMPLE_RATE)
    t = np.arange(m) / SAMPLE_RATE
    out = dry.copy()
    for channel in range(2):
        response = rng.standard_normal(m) * np.exp(-6.9 * t / seconds)
        response[: int(0.015 * SAMPLE_RATE)] = 0.0  # the first reflection arrives later
        response /= np.sqrt(np.sum(response**2)) + 1e-12
        out[:, channel] += wet * convolve(dry[:, channel], response, dry.shape[0])
    return out


def _speech_level(mono: np.ndarray) -> np.ndarray:
    """Every line at the same loudness, measured on its voiced parts only."""
    frame = int(0.02 * SAMPLE_RATE)
    energy = running_mean(mono**2, frame)
    active = energy > 0.05 * energy.max()
    level = float(np.sqrt(np.mean(mono[active] ** 2))) if np.any(active) else 0.0
    if level < 1e-6:
        return mono
    scaled = mono * (10 ** (_SPEECH_DB / 20) / level)
    peak = float(np.max(np.abs(scaled)))
    return scaled * (0.9 / peak) if peak > 0.9 else scaled


def _speech_presence(voices: np.ndarray) -> np.ndarray:
    """0..1 per sample: how much someone is speaking, opening a little before the first
    word and closing after the last so beds glide down and back up instead of pumping."""
    n = voices.shape[0]
    if n == 0 or not np.any(voices):
        return np.zeros(n)
    level = running_mean(np.abs(voices).sum(axis=1), int(0.03 * SAMPLE_RATE))
    active = (level > 0.01).astype(np.float64)
    held = running_max(active, int(0.5 * SAMPLE_RATE))
    return np.clip(running_mean(held, int(0.25 * SAMPLE_RATE)), 0.0, 1.0)


# --- mastering --------------------------------------------------------------------------


def _k_weighting(sample_rate: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The BS.1770 K-weighting pair (high shelf + high pass) at ``sample_rate``.

    Designed from the analog prototypes so it matches the standard's published 48 kHz
    coefficients and works at any rate.
    """
    # Stage 1: +4 dB high shelf around 1.68 kHz (the head's acoustic effect).
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = np.tan(np.pi * f0 / sample_rate)
    vh = 10 ** (gain_db / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf_b = np.array(
        [(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0]
    )
    shelf_a = np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])
    # Stage 2: the RLB high pass at 38 Hz.
    f1, q1 = 38.13547087602444, 0.5003270373238773
    k = np.tan(np.pi * f1 / sample_rate)
    hp_a = np.array(
        [1.0, 2 * (k * k - 1) / (1 + k / q1 + k * k), (1 - k / q1 + k * k) / (1 + k / q1 + k * k)]
    )
    hp_b = np.array([1.0, -2.0, 1.0])
    return [(shelf_b, shelf_a), (hp_b, hp_a)]


def integrated_loudness(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> float:
    """Integrated loudness in LUFS (ITU-R BS.1770-4: K-weighting, 400 ms blocks with 75 %
    overlap, absolute gate at -70 LUFS and relative gate at -10 LU).

    ``samples`` is (n,) mono or (n, channels); returns ``-inf`` for silence or audio
    shorter than one block.
    """
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    block = round(0.4 * sample_rate)
    hop = block // 4
    if x.shape[0] < block:
        return float("-inf")
    x = filter_sections(np.array([[*b, *a] for b, a in _k_weighting(sample_rate)]), x)
    # Mean square of every block from a running sum: no Python loop over blocks.
    power = np.concatenate([np.zeros((1, x.shape[1])), np.cumsum(x**2, axis=0)])
    starts = np.arange(0, x.shape[0] - block + 1, hop)
    block_power = ((power[starts + block] - power[starts]) / block).sum(axis=1)
    with np.errstate(divide="ignore"):
        block_loudness = -0.691 + 10 * np.log10(block_power)
    gated = block_power[block_loudness > -70.0]
    if gated.size == 0:
        return float("-inf")
    relative = -0.691 + 10 * np.log10(gated.mean()) - 10.0
    with np.errstate(divide="ignore"):
        keep = gated[-0.691 + 10 * np.log10(gated) > relative]
    if keep.size == 0:
        return float("-inf")
    return float(-0.691 + 10 * np.log10(keep.mean()))


def _limit(x: np.ndarray, ceiling: float = CEILING) -> np.ndarray:
    """Look-ahead peak limiter: the gain dips smoothly before each peak, so no sample
    exceeds ``ceiling`` and nothing is hard-clipped."""
    if x.shape[0] == 0:
        return x
    peak = np.abs(x).max(axis=1)
    needed = np.minimum(1.0, ceiling / np.maximum(peak, 1e-12))
    if needed.min() >= 1.0:
        return x
    window = int(0.005 * SAMPLE_RATE) | 1
    # The minimum over a window twice as wide as the smoothing window guarantees the
    # smoothed gain never rises above what any sample inside needs.
    floor = running_min(needed, 2 * window + 1, mode="nearest")
    gain = running_mean(floor, window, mode="nearest")
    gain = np.minimum(gain, needed)  # guards against rounding in the running mean
    return x * gain[:, None]


def _master(mix: np.ndarray) -> np.ndarray:
    """Loudness to ``TARGET_LUFS``, then the limiter; a second pass makes up for what the
    limiter took from very peaky mixes."""
    if mix.shape[0] == 0 or not np.any(mix):
        return mix
    out = mix
    for _ in range(2):
        loudness = integrated_loudness(out)
        if not np.isfinite(loudness):
            break
        gain = 10 ** ((TARGET_LUFS - loudness) / 20)
        out = _limit(out * min(gain, 10 ** (40 / 20)))
        if abs(TARGET_LUFS - loudness) < 0.1:
            break
    return np.clip(out, -CEILING, CEILING)
