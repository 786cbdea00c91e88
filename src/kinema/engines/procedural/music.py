"""Music by genre and mood: a small seeded composer and synthesized instruments.

A mood picks tempo, key, scale, chord progression, instruments and groove. The composer
lays down a pad holding each chord, a bass line, an arpeggio or a melody drawn from the
chord tones, and (for lively moods) light drums, then adds a room reverb.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from kinema.engines.procedural.audio_dsp import convolve
from kinema.engines.procedural.audio_instruments import (
    brass,
    brush,
    clap,
    crackle,
    crash,
    hat,
    hz,
    kick,
    lead,
    pad,
    piano,
    pluck,
    power_chord,
    rhodes,
    ride,
    shaker,
    snare,
    strings,
    sub_bass,
    supersaw,
    synth_bass,
    timpani,
    tom,
    upright_bass,
)
from kinema.engines.procedural.audio_synth import (
    SAMPLE_RATE,
    at_level,
    bandpass,
    decay,
    fade,
    highpass,
    lowpass,
    noise,
    place,
    sweep,
    times,
    to_stereo,
)

MAJOR = (0, 2, 4, 5, 7, 9, 11)
MINOR = (0, 2, 3, 5, 7, 8, 10)
DORIAN = (0, 2, 3, 5, 7, 9, 10)
PHRYGIAN = (0, 1, 3, 5, 7, 8, 10)


@dataclass(frozen=True)
class Style:
    """How a mood sounds."""

    tempo: float  # beats per minute
    root: int  # MIDI note of the key's tonic (bass octave)
    scale: tuple[int, ...]
    progression: tuple[int, ...]  # scale degrees (0 = tonic), one chord per bar
    sevenths: bool
    pad: str  # "warm" | "bright" | "dark" | "brass"
    lead: str  # "piano" | "bell" | "marimba" | "flute" | "none"
    arpeggio: int  # notes per beat of the arpeggio; 0 for none
    melody: bool
    drums: str  # "none" | "soft" | "pop" | "big" | "pulse"
    reverb: float  # wet level 0..1


STYLES: dict[str, Style] = {
    "calm": Style(72, 41, MAJOR, (0, 5, 3, 4), True, "warm", "piano", 2, True, "none", 0.35),
    "happy": Style(112, 48, MAJOR, (0, 4, 5, 3), False, "bright", "piano", 2, True, "pop", 0.2),
    "playful": Style(
        126, 43, MAJOR, (0, 3, 4, 3), False, "bright", "marimba", 4, True, "soft", 0.15
    ),
    "tense": Style(96, 38, PHRYGIAN, (0, 0, 1, 0), False, "dark", "none", 4, False, "pulse", 0.3),
    "sad": Style(66, 45, MINOR, (0, 5, 2, 6), True, "warm", "piano", 2, True, "none", 0.45),
    "epic": Style(88, 38, MINOR, (0, 5, 2, 6), False, "brass", "none", 2, True, "big", 0.4),
    "mysterious": Style(70, 40, DORIAN, (0, 3, 5, 4), True, "dark", "bell", 1, False, "none", 0.55),
    "romantic": Style(76, 39, MAJOR, (0, 2, 3, 4), True, "warm", "piano", 3, True, "none", 0.4),
}


def _hz(midi: float) -> float:
    return 440.0 * 2 ** ((midi - 69) / 12)


def _chord(style: Style, degree: int) -> list[int]:
    """MIDI notes (bass octave) of the chord on ``degree`` of the style's scale."""
    steps = (0, 2, 4, 6) if style.sevenths else (0, 2, 4)
    notes = []
    for step in steps:
        index = degree + step
        octave, position = divmod(index, len(style.scale))
        notes.append(style.root + 12 * octave + style.scale[position])
    return notes


_TABLE_SIZE = 4096


@lru_cache(maxsize=8)
def _pad_table(kind: str) -> np.ndarray:
    """One cycle of the pad's waveform: a saw with its upper harmonics tilted away."""
    partials = {"warm": 6, "bright": 9, "dark": 4, "brass": 12}[kind]
    tilt = {"warm": 1.6, "bright": 1.2, "dark": 2.0, "brass": 1.0}[kind]
    phase = 2 * np.pi * np.arange(_TABLE_SIZE + 1) / _TABLE_SIZE
    return sum(np.sin(k * phase) / k**tilt for k in range(1, partials + 1))


def _pad_note(freq: float, seconds: float, kind: str, rng: np.random.Generator) -> np.ndarray:
    """A sustained chord voice: three detuned copies of a soft saw, with a slow swell."""
    n = int(seconds * SAMPLE_RATE)
    t = times(n)
    table = _pad_table(kind)
    out = np.zeros(n)
    for detune in (-0.0025, 0.0, 0.0025):
        # Wavetable lookup: one gather per copy instead of one sine per harmonic.
        position = (freq * (1 + detune) * t + rng.uniform(0, 1)) % 1.0 * _TABLE_SIZE
        index = position.astype(np.int64)
        frac = position - index
        out += table[index] * (1 - frac) + table[index + 1] * frac
    attack = {"brass": 0.12, "bright": 0.08}.get(kind, 0.6)
    env = np.minimum(1.0, t / attack) * np.minimum(1.0, (seconds - t) / 0.5).clip(0, 1)
    return out * env


def _fm_note(freq: float, seconds: float, kind: str) -> np.ndarray:
    """Plucked and struck tones by FM synthesis: electric piano, bell, marimba."""
    ratio, index, length, brightness = {
        "piano": (1.0, 1.8, 1.2, 0.5),
        "bell": (3.5, 2.5, 2.5, 0.9),
        "marimba": (4.0, 1.2, 0.35, 0.15),
    }[kind]
    n = int(min(seconds + length, length * 3) * SAMPLE_RATE)
    t = times(n)
    modulator = index * np.exp(-t / brightness) * np.sin(2 * np.pi * freq * ratio * t)
    tone = np.sin(2 * np.pi * freq * t + modulator)
    return tone * decay(n, length * 0.5, attack=0.004)


def _flute_note(freq: float, seconds: float) -> np.ndarray:
    """A soft singing lead: rounded odd harmonics, gentle vibrato after the attack."""
    n = int((seconds + 0.15) * SAMPLE_RATE)
    t = times(n)
    vibrato = 1 + 0.004 * np.sin(2 * np.pi * 5.2 * t) * np.minimum(1, t / 0.4)
    phase = 2 * np.pi * freq * np.cumsum(vibrato) / SAMPLE_RATE
    tone = np.sin(phase) + np.sin(3 * phase) / 9 + np.sin(5 * phase) / 25
    env = np.minimum(1, t / 0.06) * np.clip((seconds + 0.15 - t) / 0.15, 0, 1)
    return tone * env


def _bass_note(freq: float, seconds: float) -> np.ndarray:
    n = int((seconds + 0.1) * SAMPLE_RATE)
    t = times(n)
    tone = (
        np.sin(2 * np.pi * freq * t)
        + 0.35 * np.sin(4 * np.pi * freq * t)
        + 0.12 * np.sin(6 * np.pi * freq * t)
    )
    env = decay(n, max(seconds * 0.7, 0.15), attack=0.006)
    env *= np.clip((seconds + 0.1 - t) / 0.1, 0, 1)
    return tone * env


def _kick(rng: np.random.Generator, big: bool = False) -> np.ndarray:
    n = int(0.45 * SAMPLE_RATE)
    body = np.sin(sweep(n, 140 if big else 120, 42)) * decay(n, 0.22 if big else 0.15)
    click = highpass(noise(rng, n), 2000) * decay(n, 0.004) * 0.2
    return body + click


def _snare(rng: np.random.Generator) -> np.ndarray:
    n = int(0.3 * SAMPLE_RATE)
    rattle = bandpass(noise(rng, n), 1500, 8000) * decay(n, 0.07)
    body = np.sin(2 * np.pi * 190 * times(n)) * decay(n, 0.05)
    return rattle * 0.7 + body * 0.5


def _hat(rng: np.random.Generator, open_hat: bool = False) -> np.ndarray:
    n = int((0.25 if open_hat else 0.08) * SAMPLE_RATE)
    return highpass(noise(rng, n), 7000, order=4) * decay(n, 0.08 if open_hat else 0.018)


def _tom(rng: np.random.Generator, pitch: float) -> np.ndarray:
    n = int(0.6 * SAMPLE_RATE)
    return (
        np.sin(sweep(n, pitch * 1.6, pitch)) * decay(n, 0.25)
        + lowpass(noise(rng, n), 800) * decay(n, 0.03) * 0.3
    )


def _reverb(signal: np.ndarray, wet: float, rng: np.random.Generator) -> np.ndarray:
    """A room: decaying noise impulse responses, different per channel for width."""
    if wet <= 0:
        return signal
    length = 1.6
    n = int(length * SAMPLE_RATE)
    t = times(n)
    out = signal.copy()
    for channel in range(2):
        ir = lowpass(noise(rng, n), 5000) * np.exp(-t / (length / 6.9) * 1.2)
        ir[: int(0.012 * SAMPLE_RATE)] = 0  # pre-delay keeps the dry note clear
        ir /= np.sqrt(np.sum(ir**2)) + 1e-12
        out[:, channel] += wet * convolve(signal[:, channel], ir, signal.shape[0])
    return out


def compose(mood: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """Stereo music ``(n, 2)`` for ``mood`` (an unknown mood plays as "calm")."""
    style = STYLES.get(mood, STYLES["calm"])
    out_pad = np.zeros((n, 2))
    out_bass = np.zeros(n)
    out_lead = np.zeros((n, 2))
    out_drums = np.zeros((n, 2))
    if n == 0:
        return np.zeros((0, 2))
    beat = 60.0 / style.tempo * rng.uniform(0.97, 1.03)
    bar = 4 * beat
    seconds = n / SAMPLE_RATE
    # A seeded transposition and a rotated progression: two seeds, two different tunes.
    transpose = int(rng.integers(-2, 3))
    rotation = int(rng.integers(0, len(style.progression)))
    progression = style.progression[rotation:] + style.progression[:rotation]
    bars = int(np.ceil(seconds / bar)) + 1
    previous = 7  # melody position in scale steps above the tonic

    for b in range(bars):
        start = b * bar
        if start >= seconds:
            break
        degree = progression[b % len(progression)]
        chord = [note + transpose for note in _chord(style, degree)]
        at = int(start * SAMPLE_RATE)

        for i, note in enumerate(chord):
            voice = _pad_note(_hz(note + 12), bar + 0.4, style.pad, rng)
            place(out_pad, to_stereo(voice, (-0.5, 0.5, -0.2, 0.2)[i % 4]), at)

        bass_pattern = {
            "pop": (0, 1.5, 2, 3),
            "pulse": (0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5),
            "big": (0, 2, 2.5),
            "soft": (0, 2),
        }.get(style.drums, (0, 2))
        for j, offset in enumerate(bass_pattern):
            length = (bass_pattern[j + 1] if j + 1 < len(bass_pattern) else 4) - offset
            # Root and fifth in the octave small speakers can still play.
            note = chord[0] if j % 2 == 0 or style.drums == "pulse" else chord[0] + 7
            place(
                out_bass,
                _bass_note(_hz(note), length * beat * 0.9),
                int((start + offset * beat) * SAMPLE_RATE),
            )

        if style.arpeggio and style.lead != "none":
            step_time = beat / style.arpeggio
            pattern = [*chord[1:], chord[0] + 12, *chord[1:][::-1]]
            for k in range(4 * style.arpeggio):
                note = pattern[k % len(pattern)] + 12
                tone = _fm_note(_hz(note), step_time, style.lead) * 0.35
                place(
                    out_lead,
                    to_stereo(tone, 0.35 if k % 2 else -0.35),
                    int((start + k * step_time) * SAMPLE_RATE),
                )
        elif style.arpeggio:
            # Dark moods: an ostinato in the low-mid register instead of a bright arpeggio.
            step_time = beat / style.arpeggio
            for k in range(4 * style.arpeggio):
                note = chord[0] + (12 if k % 4 else 0) + (1 if k % 8 == 6 else 0)
                tone = _fm_note(_hz(note + 12), step_time * 0.8, "marimba") * 0.3
                place(out_lead, to_stereo(tone, 0.0), int((start + k * step_time) * SAMPLE_RATE))

        if style.melody:
            rhythm = (
                [(0, 1.5), (1.5, 0.5), (2, 1), (3, 1)]
                if style.tempo > 100
                else [(0, 2), (2, 1), (3, 1)]
            )
            for offset, length in rhythm:
                if rng.random() < 0.2:
                    continue  # breathing space between phrases
                # Step-wise motion that leans toward chord tones sounds sung, not random.
                previous = int(np.clip(previous + rng.choice((-2, -1, 0, 1, 1, 2)), 4, 12))
                octave, position = divmod(degree + previous, len(style.scale))
                note = style.root + transpose + 24 + 12 * octave + style.scale[position]
                if offset == 0:
                    note = chord[(previous % 3)] + 24
                voice = (
                    _flute_note(_hz(note), length * beat * 0.95)
                    if style.lead in ("piano", "none")
                    else _fm_note(_hz(note), length * beat, style.lead)
                )
                place(
                    out_lead,
                    to_stereo(voice * 0.3, 0.1),
                    int((start + offset * beat) * SAMPLE_RATE),
                )

        _drums(out_drums, style.drums, start, beat, rng)

    mix = (
        at_level(lowpass(out_pad, 3500), -27)
        + to_stereo(at_level(lowpass(out_bass, 900), -27))
        + (at_level(out_lead, -28) if np.any(out_lead) else out_lead)
        + (at_level(out_drums, -29) if np.any(out_drums) else out_drums)
    )
    mix = _reverb(mix, style.reverb, rng)
    return fade(highpass(mix, 30), 0.4, min(1.0, seconds / 4))


def _drums(out: np.ndarray, kind: str, start: float, beat: float, rng: np.random.Generator) -> None:
    def hit(sound: np.ndarray, at_beat: float, pan: float = 0.0) -> None:
        place(out, to_stereo(sound, pan), int((start + at_beat * beat) * SAMPLE_RATE))

    if kind == "pop":
        for b in (0, 2):
            hit(_kick(rng), b)
        for b in (1, 3):
            hit(_snare(rng) * 0.8, b)
        for half in range(8):
            hit(_hat(rng) * (0.5 if half % 2 else 0.3), half / 2, 0.3)
    elif kind == "soft":
        hit(_kick(rng) * 0.8, 0)
        hit(_kick(rng) * 0.6, 2.5)
        for half in range(8):
            hit(_hat(rng) * 0.3, half / 2, -0.3)
    elif kind == "big":
        hit(_kick(rng, big=True), 0)
        hit(_kick(rng, big=True) * 0.8, 1.5)
        hit(_tom(rng, 95) * 0.7, 2, -0.3)
        hit(_tom(rng, 75) * 0.8, 3, 0.3)
        hit(_hat(rng, open_hat=True) * 0.25, 3.5, 0.4)
    elif kind == "pulse":
        for b in range(4):
            hit(_kick(rng) * 0.6, b)
        for quarter in range(16):
            hit(_hat(rng) * (0.25 if quarter % 4 else 0.4), quarter / 4, 0.2)


# --- music by genre ---------------------------------------------------------------------
#
# The prompt's own words (instruments, genres, composers) choose the genre first; then
# the place (a bar swings, a concert hall plays piano, space drifts); then the mood. The
# mood sets tempo and mode; the seed and the prompt pick key, progression and melody, so
# two different prompts never share a track.

GENRES = (
    "jazz",
    "classical",
    "pop",
    "rock",
    "electronic",
    "lofi",
    "orchestral",
    "folk",
    "hiphop",
    "ambient",
    "none",
)

_GENRE_WORDS: tuple[tuple[str, str], ...] = (
    ("lofi", r"lo-?fi|chillhop|study beats?|chill beats?"),
    ("hiphop", r"hip-?hop|rap(?:per|ping|s)?|beatbox\w*|boom-?bap|trap beat"),
    (
        "electronic",
        r"edm|techno|house music|rave|raves|nightclub|club|dj|electronic|synthwave"
        r"|dubstep|trance|disco",
    ),
    (
        "pop",
        r"[jk]-?pop|pop (?:star|song|music|concert|idol|group|band)|idol|idols|pop|boy ?band"
        r"|girl ?group",
    ),
    ("rock", r"rock|rocker|metal|punk|grunge|electric guitar|guitar solo|rock ?band"),
    ("jazz", r"jazz\w*|swing|bebop|saxophon\w*|sax|trumpet\w*|big band|speakeasy|blues"),
    (
        "classical",
        r"chopin|mozart|beethoven|bach|debussy|liszt|schubert|satie|classical"
        r"|recital|sonata|nocturne|pian(?:o|ist)|grand piano|concerto",
    ),
    ("orchestral", r"orchestra\w*|symphon\w*|epic|cinematic|battle|war|army|heroic|trailer"),
    ("folk", r"folk|acoustic|campfire|banjo|country music|fiddle|ukulele|bluegrass|bard"),
    ("ambient", r"ambient|meditat\w*|zen|spa|drone music"),
)
_SETTING_GENRES = {
    "bar": "jazz",
    "cafe": "lofi",
    "restaurant": "jazz",
    "concert_hall": "classical",
    "stage": "pop",
    "stadium": "rock",
    "gym": "electronic",
    "castle": "orchestral",
    "space": "ambient",
    "space_station": "ambient",
    "moon": "ambient",
    "mars": "ambient",
    "underwater": "ambient",
    "cave": "ambient",
    "library": "none",
    "forest": "folk",
    "village": "folk",
    "farm": "folk",
    "field": "folk",
    "mountains": "folk",
    "street": "hiphop",
    "city": "hiphop",
    "rooftop": "lofi",
    "bedroom": "lofi",
    "living_room": "lofi",
    "office": "lofi",
    "classroom": "folk",
}
_MOOD_GENRES = {
    "calm": ("lofi", "ambient", "folk", "classical"),
    "happy": ("pop", "folk", "jazz"),
    "playful": ("folk", "pop", "jazz"),
    "tense": ("orchestral", "electronic"),
    "sad": ("classical", "lofi"),
    "epic": ("orchestral",),
    "mysterious": ("ambient", "orchestral"),
    "romantic": ("classical", "jazz"),
}
_MOOD_TEMPO = {
    "calm": 0.9,
    "happy": 1.06,
    "playful": 1.1,
    "tense": 1.05,
    "sad": 0.84,
    "epic": 1.0,
    "mysterious": 0.9,
    "romantic": 0.9,
}
_MINOR_MOODS = frozenset(("sad", "tense", "mysterious", "epic"))

# (base tempo, progressions in major, progressions in minor, chord size)
_GENRE_HARMONY: dict[
    str, tuple[float, tuple[tuple[int, ...], ...], tuple[tuple[int, ...], ...], int]
] = {
    "jazz": (
        138,
        ((1, 4, 0, 0), (0, 5, 1, 4), (2, 5, 1, 4), (0, 3, 1, 4)),
        ((1, 4, 0, 0), (0, 3, 1, 4), (0, 5, 1, 4)),
        4,
    ),
    "classical": (
        72,
        ((0, 3, 4, 0), (0, 5, 3, 4), (0, 3, 1, 4), (0, 2, 3, 4)),
        ((0, 5, 3, 4), (0, 3, 4, 0), (0, 6, 5, 4)),
        3,
    ),
    "pop": (
        124,
        ((0, 4, 5, 3), (3, 4, 2, 5), (5, 3, 0, 4), (0, 5, 3, 4)),
        ((0, 5, 2, 6), (5, 3, 0, 4), (0, 3, 6, 5)),
        3,
    ),
    "rock": (
        128,
        ((0, 6, 3, 0), (0, 3, 4, 3), (5, 3, 0, 4), (0, 4, 5, 3)),
        ((0, 5, 6, 0), (0, 3, 6, 5), (0, 6, 5, 6)),
        3,
    ),
    "electronic": (
        126,
        ((5, 3, 0, 4), (0, 0, 5, 4), (3, 4, 5, 5)),
        ((0, 5, 2, 6), (0, 3, 5, 4), (0, 6, 5, 3)),
        3,
    ),
    "lofi": (
        78,
        ((1, 4, 0, 5), (3, 2, 1, 0), (0, 5, 1, 4), (3, 4, 2, 5)),
        ((0, 3, 6, 2), (1, 4, 0, 0), (0, 5, 3, 4)),
        4,
    ),
    "orchestral": (
        90,
        ((0, 4, 5, 3), (0, 3, 4, 4), (5, 3, 0, 4)),
        ((0, 5, 2, 6), (0, 3, 5, 4), (0, 6, 5, 4)),
        3,
    ),
    "folk": (
        104,
        ((0, 3, 4, 0), (0, 4, 3, 0), (0, 5, 3, 4), (0, 3, 0, 4)),
        ((0, 6, 5, 6), (0, 3, 6, 0)),
        3,
    ),
    "hiphop": (
        90,
        ((0, 5, 3, 4), (5, 3, 0, 0), (1, 4, 0, 0)),
        ((0, 5, 0, 5), (0, 3, 5, 4), (0, 0, 5, 6)),
        4,
    ),
    "ambient": (64, ((0, 3, 5, 3), (0, 4, 3, 0), (3, 0, 5, 4)), ((0, 5, 3, 6), (0, 3, 0, 5)), 4),
}
_GENRE_REVERB = {
    "jazz": 0.22,
    "classical": 0.45,
    "pop": 0.2,
    "rock": 0.15,
    "electronic": 0.25,
    "lofi": 0.2,
    "orchestral": 0.5,
    "folk": 0.2,
    "hiphop": 0.12,
    "ambient": 0.7,
}


@dataclass
class Track:
    """A piece of music for a video and what a singer needs to sing along with it."""

    audio: np.ndarray  # (n, 2)
    genre: str
    tempo: float  # beats per minute
    root: int  # MIDI note of the key's tonic (bass octave)
    scale: tuple[int, ...]
    melody: list[tuple[float, float, int]]  # (start s, seconds, MIDI note) of the tune


def choose_genre(prompt: str, settings: list[str], mood: str, seed: int = 0) -> str:
    """The genre of music for a video: named in the prompt, else fitting its places, else
    its mood (``seed`` picks among the mood's genres). "none" is silence (a library)."""
    import re

    text = prompt.lower()
    for genre, pattern in _GENRE_WORDS:
        if re.search(rf"\b(?:{pattern})\b", text):
            return genre
    for setting in settings:
        if setting in _SETTING_GENRES:
            return _SETTING_GENRES[setting]
    options = _MOOD_GENRES.get(mood, _MOOD_GENRES["calm"])
    return options[seed % len(options)]


def _scale_note(root: int, scale: tuple[int, ...], step: int) -> int:
    octave, position = divmod(step, len(scale))
    return root + 12 * octave + scale[position]


def _chord_of(root: int, scale: tuple[int, ...], degree: int, size: int) -> list[int]:
    return [_scale_note(root, scale, degree + 2 * k) for k in range(size)]


def compose_track(prompt: str, settings: list[str], mood: str, seed: int, n: int) -> Track:
    """The music of a video: ``n`` stereo samples in the genre ``choose_genre`` picks."""
    from kinema.engines.procedural.audio_synth import rng_for

    genre = choose_genre(prompt, settings, mood, seed)
    rng = rng_for(seed, "music", genre, mood, prompt)
    if genre == "none" or n == 0:
        return Track(np.zeros((n, 2)), genre, 0.0, 48, MAJOR, [])
    base_tempo, major_progressions, minor_progressions, size = _GENRE_HARMONY[genre]
    minor = mood in _MINOR_MOODS or (
        genre == "classical" and "chopin" in prompt.lower() and mood != "happy"
    )
    scale = MINOR if minor else MAJOR
    if genre == "jazz" and minor:
        scale = DORIAN
    progressions = minor_progressions if minor else major_progressions
    progression = progressions[int(rng.integers(0, len(progressions)))]
    rotation = int(rng.integers(0, len(progression)))
    progression = progression[rotation:] + progression[:rotation]
    tempo = base_tempo * _MOOD_TEMPO.get(mood, 1.0) * rng.uniform(0.94, 1.06)
    root = 36 + int(rng.integers(0, 12))
    arranger = _Arranger(genre, n, tempo, root, scale, rng)
    bars_per_chord = 2 if genre == "ambient" else 1
    b = 0
    while arranger.bar_start(b) < n / SAMPLE_RATE:
        degree = progression[(b // bars_per_chord) % len(progression)]
        arranger.play_bar(b, _chord_of(root, scale, degree, size), degree)
        b += 1
    audio = arranger.mix(_GENRE_REVERB[genre])
    return Track(audio, genre, tempo, root, scale, arranger.melody)


class _Arranger:
    """Lays down one genre's parts bar by bar, then mixes them."""

    def __init__(
        self,
        genre: str,
        n: int,
        tempo: float,
        root: int,
        scale: tuple[int, ...],
        rng: np.random.Generator,
    ) -> None:
        self.genre, self.n, self.rng = genre, n, rng
        self.root, self.scale = root, scale
        self.beat = 60.0 / tempo
        self.swing = 0.62 if genre in ("jazz", "lofi", "hiphop") else 0.5
        self.parts = {name: np.zeros((n, 2)) for name in ("chords", "bass", "lead", "drums")}
        self.melody: list[tuple[float, float, int]] = []
        self.position = 7 + int(rng.integers(-2, 3))  # melody: scale steps above the tonic
        self.rhythms = self._rhythm_bank()

    def bar_start(self, b: int) -> float:
        return b * 4 * self.beat

    def at(self, b: int, beat: float) -> float:
        """Seconds of ``beat`` (0..4) in bar ``b``, swung on the off-beats."""
        whole, frac = divmod(beat, 1.0)
        if abs(frac - 0.5) < 1e-6:
            frac = self.swing
        return self.bar_start(b) + (whole + frac) * self.beat

    def put(
        self, part: str, sound: np.ndarray, seconds: float, gain: float = 1.0, pan: float = 0.0
    ) -> None:
        place(self.parts[part], to_stereo(sound * gain, pan), int(seconds * SAMPLE_RATE))

    def _rhythm_bank(self) -> list[list[tuple[float, float]]]:
        """A few melody rhythms (beat, length) for this genre; the seed picks per bar."""
        if self.genre in ("classical", "ambient", "orchestral"):
            bank = [
                [(0, 1.5), (1.5, 0.5), (2, 2)],
                [(0, 1), (1, 1), (2, 1), (3, 1)],
                [(0, 2), (2, 1), (3, 1)],
                [(0, 3), (3, 1)],
            ]
        elif self.genre in ("pop", "electronic", "rock"):
            bank = [
                [(0, 0.5), (0.5, 0.5), (1, 1), (2, 0.5), (2.5, 1.5)],
                [(0, 1), (1.5, 0.5), (2, 1), (3, 0.5), (3.5, 0.5)],
                [(0.5, 0.5), (1, 0.5), (1.5, 1), (3, 1)],
            ]
        else:
            bank = [
                [(0, 1.5), (1.5, 0.5), (2, 1), (3, 1)],
                [(0.5, 1), (1.5, 0.5), (2, 2)],
                [(0, 0.5), (0.5, 0.5), (1, 1), (2.5, 1.5)],
                [(0, 1), (1, 1), (2, 2)],
            ]
        order = self.rng.permutation(len(bank))
        return [bank[i] for i in order]

    def tune(self, b: int, chord: list[int], octave: int = 24) -> list[tuple[float, float, int]]:
        """A bar of melody: step-wise, landing on chord tones on strong beats."""
        rhythm = self.rhythms[b % len(self.rhythms)] if b % 4 != 3 else self.rhythms[0]
        notes = []
        for beat, length in rhythm:
            if self.rng.random() < 0.12 and beat > 0:
                continue
            self.position = int(
                np.clip(self.position + self.rng.choice((-2, -1, -1, 1, 1, 2, 0)), 3, 12)
            )
            note = _scale_note(self.root, self.scale, self.position) + octave
            if beat in (0, 2):
                tones = [c + octave + 12 * k for c in chord for k in (0, 1)]
                target = note
                note = min(tones, key=lambda tone: abs(tone - target))
            start = self.at(b, beat)
            notes.append((start, length * self.beat, note))
        self.melody.extend(notes)
        return notes

    def play_bar(self, b: int, chord: list[int], degree: int) -> None:
        getattr(self, f"_bar_{self.genre}")(b, chord, degree)

    # --- genres ---------------------------------------------------------------------

    def _bar_jazz(self, b: int, chord: list[int], degree: int) -> None:
        rng = self.rng
        # Comping: rootless voicings on the "Charleston" off-beats.
        voicing = [note + 12 for note in chord[1:]] + [chord[0] + 26]
        for beat, length in ((0, 0.6), (1.5, 0.5)) if b % 2 == 0 else ((0.5, 0.5), (2.5, 0.8)):
            for note in voicing:
                self.put(
                    "chords",
                    piano(hz(note), length * self.beat, 0.55),
                    self.at(b, beat),
                    0.25,
                    rng.uniform(-0.3, 0.3),
                )
        # Walking bass: root, chord tones, and a chromatic step into the next bar.
        walk = [chord[0], chord[1], chord[2], chord[0] + int(rng.choice((-1, 1, 2)))]
        for beat, note in enumerate(walk):
            self.put(
                "bass",
                upright_bass(hz(note - 12 if note > 47 else note), self.beat * 0.95),
                self.at(b, beat),
            )
        for beat in (0, 1, 1.5, 2, 3, 3.5):
            if beat % 1 and rng.random() < 0.3:
                continue
            self.put("drums", ride(rng), self.at(b, beat), 0.35 if beat % 1 == 0 else 0.22, 0.4)
        for beat in (0, 1, 2, 3):
            self.put("drums", brush(rng, self.beat * 0.8), self.at(b, beat), 0.18, -0.2)
        if rng.random() < 0.5:
            self.put("drums", kick(rng, 0.8), self.at(b, 0), 0.35)
        for start, length, note in self.tune(b, chord):
            self.put("lead", lead(hz(note), length * 0.92, "sax"), start, 0.45, 0.15)

    def _bar_classical(self, b: int, chord: list[int], degree: int) -> None:
        # Left hand: a broken-chord accompaniment; right hand: the song.
        low = [chord[0], chord[0] + 7 if len(chord) < 4 else chord[2], chord[1] + 12, chord[0] + 12]
        figure = [low[0], low[1], low[2], low[1], low[3], low[1], low[2], low[1]]
        for k, note in enumerate(figure):
            # The bass note rings low (a nocturne's left hand); the rest an octave up.
            self.put(
                "chords",
                piano(hz(note + (0 if k == 0 else 12)), self.beat * (2.5 if k == 0 else 1.2), 0.45),
                self.at(b, k / 2) + self.rng.uniform(0, 0.01),
                0.35,
                -0.25,
            )
        for start, length, note in self.tune(b, chord, 36):
            self.put("lead", piano(hz(note), length, 0.85), start, 0.7, 0.2)

    def _bar_pop(self, b: int, chord: list[int], degree: int) -> None:
        rng = self.rng
        for beat in (0, 1.5, 2.5, 3.5):
            for note in chord:
                self.put(
                    "chords",
                    supersaw(hz(note + 24), self.beat * 0.45, rng),
                    self.at(b, beat),
                    0.22,
                    rng.uniform(-0.5, 0.5),
                )
        for k in range(8):
            note = chord[0] + (12 if k % 2 else 0)
            self.put("bass", synth_bass(hz(note), self.beat * 0.45), self.at(b, k / 2))
        for beat in range(4):
            self.put("drums", kick(rng), self.at(b, beat), 0.9)
            if beat % 2:
                self.put("drums", clap(rng), self.at(b, beat), 0.6)
                self.put("drums", snare(rng, 210), self.at(b, beat), 0.4)
        for k in range(8):
            self.put("drums", hat(rng, open_hat=k % 2 == 1), self.at(b, k / 2), 0.25, 0.3)
        for start, length, note in self.tune(b, chord, 24):
            self.put("lead", lead(hz(note), length * 0.85, "square"), start, 0.4, 0.1)

    def _bar_rock(self, b: int, chord: list[int], degree: int) -> None:
        rng = self.rng
        for k in range(8):
            self.put(
                "chords",
                power_chord(hz(chord[0] + 12), self.beat * 0.48, rng),
                self.at(b, k / 2),
                0.35 if k % 2 else 0.45,
                -0.45 if k % 2 else 0.45,
            )
            self.put("bass", synth_bass(hz(chord[0]), self.beat * 0.45), self.at(b, k / 2))
        for beat in range(4):
            self.put(
                "drums",
                kick(rng, 1.1) if beat % 2 == 0 else snare(rng, 180),
                self.at(b, beat),
                1.0 if beat % 2 == 0 else 0.9,
            )
        self.put("drums", kick(rng, 1.1), self.at(b, 2.5), 0.7)
        for k in range(8):
            self.put("drums", hat(rng), self.at(b, k / 2), 0.3, 0.35)
        if b % 4 == 0:
            self.put("drums", crash(rng), self.at(b, 0), 0.5, -0.4)
        for start, length, note in self.tune(b, chord, 24):
            self.put("lead", lead(hz(note), length * 0.9, "sax"), start, 0.35, 0.0)

    def _bar_electronic(self, b: int, chord: list[int], degree: int) -> None:
        rng = self.rng
        for beat in range(4):
            self.put("drums", kick(rng, 1.05), self.at(b, beat), 1.0)
            self.put("drums", hat(rng, open_hat=True), self.at(b, beat + 0.5), 0.3, 0.25)
            if beat % 2:
                self.put("drums", clap(rng), self.at(b, beat), 0.55)
            # Side-chained chords: each one swells in after the kick.
            for note in chord:
                stab = supersaw(hz(note + 24), self.beat * 0.9, rng, attack=self.beat * 0.35)
                self.put("chords", stab, self.at(b, beat), 0.2, rng.uniform(-0.6, 0.6))
            self.put("bass", synth_bass(hz(chord[0]), self.beat * 0.4), self.at(b, beat + 0.5))
        arp = [chord[0], chord[1], chord[2], chord[1] + 12]
        for k in range(16):
            note = arp[k % len(arp)] + 36
            self.put(
                "lead",
                pluck(hz(note), self.beat * 0.25, rng, 0.9),
                self.at(b, k / 4),
                0.25,
                0.4 if k % 2 else -0.4,
            )
        self.tune(b, chord, 24)  # not played: the tune a singer would sing over the beat

    def _bar_lofi(self, b: int, chord: list[int], degree: int) -> None:
        rng = self.rng
        for note in chord:
            self.put(
                "chords",
                rhodes(hz(note + 12), self.beat * 3.5),
                self.at(b, 0) + 0.02,
                0.3,
                rng.uniform(-0.4, 0.4),
            )
        self.put("bass", upright_bass(hz(chord[0]), self.beat * 1.8), self.at(b, 0))
        self.put("bass", upright_bass(hz(chord[0] + 7), self.beat * 1.2), self.at(b, 2.5))
        for beat, sound in ((0, "k"), (1, "s"), (2.5, "k"), (3, "s")):
            hit = lowpass(kick(rng, 0.9), 2500) if sound == "k" else lowpass(snare(rng), 4000)
            self.put("drums", hit, self.at(b, beat), 0.8 if sound == "k" else 0.5)
        for k in range(8):
            self.put("drums", lowpass(hat(rng), 9000), self.at(b, k / 2), 0.2, 0.3)
        if b % 2 == 1:
            for start, length, note in self.tune(b, chord, 24):
                self.put("lead", rhodes(hz(note), length), start, 0.3, 0.2)

    def _bar_orchestral(self, b: int, chord: list[int], degree: int) -> None:
        rng = self.rng
        for note in [*chord, chord[0] + 12]:
            self.put(
                "chords",
                strings(hz(note + 12), self.bar_start(1), rng),
                self.at(b, 0),
                0.3,
                rng.uniform(-0.6, 0.6),
            )
        self.put("bass", strings(hz(chord[0]), self.bar_start(1), rng), self.at(b, 0), 0.8)
        for beat, gain in ((0, 1.0), (1.5, 0.6), (2, 0.8), (3, 0.5), (3.5, 0.6)):
            self.put("drums", timpani(rng, hz(chord[0])), self.at(b, beat), gain, -0.2)
        if b % 2 == 0:
            self.put("drums", tom(rng, 70), self.at(b, 0), 0.7, 0.3)
            for note in chord:
                self.put("lead", brass(hz(note + 12), self.beat * 0.9), self.at(b, 0), 0.35)
        for start, length, note in self.tune(b, chord, 24):
            self.put("lead", strings(hz(note), length, rng), start, 0.5, 0.1)

    def _bar_folk(self, b: int, chord: list[int], degree: int) -> None:
        rng = self.rng
        # Strums: down on the beat, up on the off-beat, strings a few ms apart.
        shape = [chord[0], chord[0] + 7, chord[1] + 12, chord[2] + 12, chord[0] + 24]
        for beat, down in (
            (0, True),
            (1, True),
            (1.5, False),
            (2.5, False),
            (3, True),
            (3.5, False),
        ):
            order = shape if down else shape[::-1][:3]
            for k, note in enumerate(order):
                self.put(
                    "chords",
                    pluck(hz(note + 12), self.beat * 1.2, rng, 0.55),
                    self.at(b, beat) + k * 0.012,
                    0.28 if down else 0.18,
                    -0.3,
                )
        self.put("bass", upright_bass(hz(chord[0]), self.beat * 1.8), self.at(b, 0), 0.8)
        self.put("bass", upright_bass(hz(chord[0] + 7), self.beat * 1.8), self.at(b, 2), 0.7)
        for k in range(8):
            self.put("drums", shaker(rng), self.at(b, k / 2), 0.3 if k % 2 else 0.18, 0.4)
        self.put("drums", kick(rng, 0.8), self.at(b, 0), 0.4)
        for start, length, note in self.tune(b, chord, 36):
            self.put("lead", lead(hz(note), length * 0.9, "whistle"), start, 0.3, 0.25)

    def _bar_hiphop(self, b: int, chord: list[int], degree: int) -> None:
        rng = self.rng
        for beat, sound in ((0, "k"), (1, "s"), (1.75, "k"), (2.5, "k"), (3, "s")):
            hit = kick(rng, 1.1) if sound == "k" else snare(rng, 200)
            self.put("drums", hit, self.at(b, beat), 1.0 if sound == "k" else 0.8)
        for k in range(8):
            self.put("drums", hat(rng), self.at(b, k / 2), 0.25, 0.3)
        self.put("bass", sub_bass(hz(chord[0]), self.beat * 1.5), self.at(b, 0))
        self.put("bass", sub_bass(hz(chord[0]), self.beat * 0.8), self.at(b, 2.5))
        for k, note in enumerate(chord):
            self.put(
                "chords",
                piano(hz(note + 24), self.beat * 1.8, 0.6),
                self.at(b, 0) + 0.01 * k,
                0.3,
                -0.2,
            )
            self.put(
                "chords",
                piano(hz(note + 24), self.beat * 1.0, 0.5),
                self.at(b, 2.5) + 0.01 * k,
                0.22,
                -0.2,
            )
        self.tune(b, chord, 24)  # not played: the tune a rapper's hook would follow

    def _bar_ambient(self, b: int, chord: list[int], degree: int) -> None:
        rng = self.rng
        if b % 2 == 0:
            for note in chord:
                self.put(
                    "chords",
                    pad(hz(note + 12), self.bar_start(2) + 0.5, rng),
                    self.at(b, 0),
                    0.4,
                    rng.uniform(-0.7, 0.7),
                )
            self.put("bass", pad(hz(chord[0]), self.bar_start(2), rng), self.at(b, 0), 0.8)
        for _ in range(int(rng.integers(1, 4))):
            note = chord[int(rng.integers(0, len(chord)))] + 24
            self.put(
                "lead",
                _fm_note(hz(note), self.beat, "bell"),
                self.at(b, rng.uniform(0, 4)),
                0.2,
                rng.uniform(-0.8, 0.8),
            )
        self.tune(b, chord, 24)

    def mix(self, reverb: float) -> np.ndarray:
        levels = {"chords": -27, "bass": -28, "lead": -28, "drums": -28}
        if self.genre == "classical":
            levels = {"chords": -26, "bass": -40, "lead": -30, "drums": -40}
        if self.genre == "orchestral":
            levels = {"chords": -27, "bass": -25, "lead": -29, "drums": -27}
        if self.genre in ("electronic", "hiphop", "pop"):
            levels["drums"] = -26
        mix = np.zeros((self.n, 2))
        for part, audio in self.parts.items():
            if part == "bass":
                audio = lowpass(audio, 1200)
            if np.any(audio):
                mix += at_level(audio, levels[part])
        if self.genre == "lofi":
            # Tape and vinyl: a dull top end, a slow wobble in level, crackle on top.
            mix = lowpass(mix, 3800)
            wobble = 1 + 0.04 * np.sin(2 * np.pi * 0.5 * np.arange(self.n) / SAMPLE_RATE)
            mix = mix * wobble[:, None] + to_stereo(at_level(crackle(self.rng, self.n), -42))
        if self.genre == "ambient":
            mix = lowpass(mix, 3000)  # soft bells and pads, nothing that glitters
        mix = _reverb(mix, reverb, self.rng)
        seconds = self.n / SAMPLE_RATE
        return fade(highpass(mix, 30), 0.3, min(1.0, seconds / 4))
