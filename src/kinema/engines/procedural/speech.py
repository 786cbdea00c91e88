"""Speech for the procedural engine: eSpeak NG, called through ctypes.

eSpeak NG ships inside the ``espeakng-loader`` wheel (library and voice data), so speech
works offline on any machine that installed Kinema. The library keeps one global
synthesizer, so every call goes through a process-wide lock; a forked worker process
gets a fresh lock and reuses the already loaded voice data.
"""

from __future__ import annotations

import ctypes
import os
import re
import struct
import threading
from dataclasses import dataclass
from functools import lru_cache

import espeakng_loader
import numpy as np

from kinema.engines.base import EngineError, VoiceProfile
from kinema.engines.procedural.audio_dsp import resample
from kinema.engines.procedural.plan import Voice

# Values from eSpeak NG's speak_lib.h.
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_INITIALIZE_PHONEME_EVENTS = 0x0001
_INITIALIZE_PHONEME_IPA = 0x0002
_EVENT_LIST_TERMINATED = 0
_EVENT_PHONEME = 7
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_PARAM_RATE = 1
_PARAM_VOLUME = 2
_PARAM_PITCH = 3
_PARAM_RANGE = 4
_RATE_MIN, _RATE_MAX = 80, 450

# Common codes people (and the planner) use that eSpeak NG spells differently.
_LANGUAGE_ALIASES = {
    "zh": "cmn",
    "zh-cn": "cmn",
    "zh-hans": "cmn",
    "zh-tw": "cmn",
    "zh-hk": "yue",
    "zh-yue": "yue",
    "fr": "fr-fr",
    "pt-pt": "pt",
    "no": "nb",
    "in": "id",
    "iw": "he",
}

_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]+)*$")

# eSpeak NG carries a little signal state from one utterance to the next (glottal phase,
# pitch flutter, noise generator, gain control, filter memory) and offers no call to reset
# it, so the same line would come out slightly different depending on what was said
# before. These plain-number statics (no pointers) are snapshotted after start-up and put
# back before every line, which makes speech, and so every soundtrack, exactly
# repeatable. The echo buffer is left alone: selecting a voice already clears it.
_CARRIED_STATE = frozenset(
    {
        "Flutter_ix",
        "wavephase",
        "cycle_count",
        "cycle_samples",
        "phaseinc",
        "agc",
        "echo_complete",
        "glotlast",
        "vlast",
        "nlast",
        "prev_fr",
        "espeak_rand_state",
    }
)


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_void_p),
    ]


class _VoiceSpec(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_char_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


class _Synthesizer:
    """The loaded eSpeak NG library and the buffer its callback fills."""

    def __init__(self) -> None:
        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_ListVoices.argtypes = [ctypes.c_void_p]
        lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_VoiceSpec))
        self.lib = lib
        data_path = espeakng_loader.get_data_path().encode()
        # Phoneme events (named in IPA) come with the audio: they time the mouth shapes.
        options = _INITIALIZE_DONT_EXIT | _INITIALIZE_PHONEME_EVENTS | _INITIALIZE_PHONEME_IPA
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path, options)
        if rate <= 0:
            raise EngineError("The speech synthesizer (eSpeak NG) could not start.")
        self.sample_rate = int(rate)
        self._chunks: list[np.ndarray] = []
        self._phonemes: list[tuple[int, str]] = []
        self.phonemes: list[tuple[int, str]] = []  # the last line's (sample, IPA) starts
        # Keep a reference: ctypes callbacks are freed when the Python object dies.
        self._callback = _SynthCallback(self._collect)
        lib.espeak_SetSynthCallback(self._callback)
        self.voices = self._list_voices()
        self._fresh_state = _snapshot_state(lib)

    def _collect(self, wav: ctypes._Pointer[ctypes.c_short], count: int,
                 events: ctypes._Pointer[_Event]) -> int:
        if wav and count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        i = 0
        while events and events[i].type != _EVENT_LIST_TERMINATED:
            event = events[i]
            i += 1
            if event.type == _EVENT_PHONEME:
                # The name is in the event's 8-byte union (char string[8]); "" is a pause.
                raw = ctypes.string_at(ctypes.addressof(event) + _Event.id.offset, 8)
                name = raw.split(b"\0", 1)[0].decode("utf-8", "ignore")
                self._phonemes.append((int(event.sample), name))
        return 0

    def _list_voices(self) -> dict[str, str]:
        """Language code -> voice file identifier (e.g. ``"en-us" -> "gmw/en-US"``)."""
        table: dict[str, str] = {}
        entries = self.lib.espeak_ListVoices(None)
        i = 0
        while entries[i]:
            spec = entries[i].contents
            i += 1
            if not spec.identifier or not spec.languages:
                continue
            identifier = spec.identifier.decode("utf-8", "replace")
            # The first entry of "languages" is (priority byte, code); only that one is
            # reliably terminated, so later entries are not read.
            first = spec.languages[1:].decode("utf-8", "replace").lower()
            for code in (first, identifier.rsplit("/", 1)[-1].lower()):
                if _LANGUAGE_CODE.match(code):
                    table.setdefault(code, identifier)
        return table

    def synthesize(self, text: str, identifier: str, voice: Voice) -> np.ndarray:
        """Speak ``text`` with the voice file ``identifier`` and ``voice``; int16 samples."""
        name = f"{identifier}+{voice.variant}" if voice.variant else identifier
        # An unknown variant name must not silence the line: fall back to the plain voice.
        if (
            self.lib.espeak_SetVoiceByName(name.encode()) != 0
            and self.lib.espeak_SetVoiceByName(identifier.encode()) != 0
        ):
            raise EngineError(f"The speech voice {identifier!r} could not be loaded.")
        self.lib.espeak_SetParameter(_PARAM_RATE, int(np.clip(voice.rate, _RATE_MIN, _RATE_MAX)), 0)
        self.lib.espeak_SetParameter(_PARAM_PITCH, int(np.clip(voice.pitch, 0, 99)), 0)
        self.lib.espeak_SetParameter(_PARAM_RANGE, 50, 0)
        self.lib.espeak_SetParameter(_PARAM_VOLUME, 100, 0)
        data = text.encode("utf-8")
        for address, saved in self._fresh_state:
            ctypes.memmove(address, saved, len(saved))
        self._chunks, self._phonemes = [], []
        result = self.lib.espeak_Synth(
            data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
        )
        chunks, self._chunks = self._chunks, []
        self.phonemes, self._phonemes = self._phonemes, []
        if result != 0:
            raise EngineError("The speech synthesizer failed on this line of dialogue.")
        if not chunks:
            return np.zeros(0, dtype=np.int16)
        return np.concatenate(chunks)


def _elf_symbols(path: str) -> dict[str, tuple[int, int]]:
    """Symbol name -> (offset, size) from a 64-bit little-endian ELF file's symbol table."""
    with open(path, "rb") as handle:
        data = handle.read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return {}
    (section_offset,) = struct.unpack_from("<Q", data, 0x28)
    entry_size, count = struct.unpack_from("<HH", data, 0x3A)
    sections = [
        struct.unpack_from("<IIQQQQIIQQ", data, section_offset + i * entry_size)
        for i in range(count)
    ]
    symbols: dict[str, tuple[int, int]] = {}
    for section in sections:
        if section[1] != 2:  # SHT_SYMTAB
            continue
        names_offset = sections[section[6]][4]
        for offset in range(section[4], section[4] + section[5], 24):
            name_index, _info, _other, _index, value, size = struct.unpack_from(
                "<IBBHQQ", data, offset
            )
            start = names_offset + name_index
            name = data[start : data.index(b"\0", start)].decode("ascii", "replace")
            symbols[name] = (value, size)
    return symbols


def _snapshot_state(lib: ctypes.CDLL) -> list[tuple[int, bytes]]:
    """(address, bytes) of eSpeak NG's carried signal state, as it is right now.

    Empty where the library has no symbol table to find it (other platforms, stripped
    builds): speech still works there, only not bit-for-bit repeatable.
    """
    try:
        symbols = _elf_symbols(espeakng_loader.get_library_path())
        anchor = symbols.get("espeak_Synth")
        pointer = ctypes.cast(lib.espeak_Synth, ctypes.c_void_p).value
        if anchor is None or pointer is None:
            return []
        base = pointer - anchor[0]
        regions = []
        for name, (value, size) in symbols.items():
            # Function-local statics carry a compiler suffix, e.g. "agc.6035".
            if name.split(".")[0] in _CARRIED_STATE and 0 < size <= 1 << 16:
                regions.append((base + value, ctypes.string_at(base + value, size)))
        return regions
    except (OSError, ValueError, struct.error, IndexError):
        return []


_lock = threading.Lock()
_synthesizer: _Synthesizer | None = None


def _reset_lock_after_fork() -> None:
    # A thread of the parent may have held the lock at fork time; the child starts clean.
    global _lock
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_lock_after_fork)


def _engine() -> _Synthesizer:
    """The process's synthesizer, started on first use. Call with ``_lock`` held."""
    global _synthesizer
    if _synthesizer is None:
        _synthesizer = _Synthesizer()
    return _synthesizer


def _voice_identifier(language: str, voices: dict[str, str]) -> str | None:
    code = language.strip().lower().replace("_", "-")
    code = _LANGUAGE_ALIASES.get(code, code)
    while code:
        if code in voices:
            return voices[code]
        if code in _LANGUAGE_ALIASES and _LANGUAGE_ALIASES[code] in voices:
            return voices[_LANGUAGE_ALIASES[code]]
        code = code.rpartition("-")[0]
    return None


def available_languages() -> list[str]:
    """Every language code eSpeak NG can speak here (``"en"``, ``"en-us"``, ``"ko"``...)."""
    with _lock:
        voices = _engine().voices
    codes = set(voices)
    codes.update(alias for alias, target in _LANGUAGE_ALIASES.items() if target in voices)
    return sorted(codes)


NARRATOR_VOICE = Voice(variant="m1", pitch=42, rate=160)


def speak(
    text: str, language: str = "en", voice: Voice | None = None, sample_rate: int = 48000
) -> np.ndarray:
    """Speak ``text`` in ``language``: mono float32 samples in [-1, 1] at ``sample_rate``.

    Raises ``EngineError`` with a plain sentence when eSpeak NG has no voice for the
    language. Safe to call from several threads and from worker processes.
    """
    if sample_rate <= 0:
        raise EngineError(f"The speech sample rate must be positive, got {sample_rate}.")
    if not isinstance(text, str) or not isinstance(language, str):
        raise EngineError("A line of dialogue needs its text and language as words.")
    chosen = voice or NARRATOR_VOICE
    if chosen.engine == "neural" and text.strip():
        from kinema.engines.procedural.voices import NEURAL_LANGUAGES, speak_neural

        if language.strip().lower().replace("_", "-").split("-")[0] in NEURAL_LANGUAGES:
            spoken = speak_neural(text, chosen, sample_rate)
            if spoken is not None:
                return spoken
        chosen = espeak_equivalent(chosen)
    with _lock:
        synth = _engine()
        identifier = _voice_identifier(language, synth.voices)
        if identifier is None:
            raise EngineError(
                f"Speech in the language {language!r} is not available: eSpeak NG has no "
                "voice for it."
            )
        if not text.strip():
            return np.zeros(0, dtype=np.float32)
        raw = synth.synthesize(text, identifier, chosen)
        native_rate = synth.sample_rate
        _remember(text, identifier, chosen, _timing(raw, native_rate, synth.phonemes))
    samples = raw.astype(np.float32) / 32768.0
    if samples.size and sample_rate != native_rate:
        divisor = np.gcd(sample_rate, native_rate)
        samples = resample(samples, sample_rate // divisor, native_rate // divisor)
        samples = samples.astype(np.float32)
    return np.clip(samples, -1.0, 1.0).astype(np.float32)


@dataclass(frozen=True)
class PhonemeTiming:
    """What eSpeak NG said for a line: its phonemes (IPA; "" is a pause) with the second
    each starts at, and its own audio at ``sample_rate``, the reference another voice's
    take of the same line is aligned to."""

    phonemes: tuple[tuple[float, str], ...]
    audio: np.ndarray
    sample_rate: int


def _timing(raw: np.ndarray, rate: int, phonemes: list[tuple[int, str]]) -> PhonemeTiming:
    return PhonemeTiming(tuple((sample / rate, name) for sample, name in phonemes),
                         raw.astype(np.float32) / 32768.0, rate)


_TimingKey = tuple[str, str, str, int, int]
_timings: dict[_TimingKey, PhonemeTiming] = {}


def _remember(text: str, identifier: str, voice: Voice, timing: PhonemeTiming) -> None:
    """Keep the last few lines' timing: the mouths of a video's lines need them next."""
    _timings[(text, identifier, voice.variant, voice.pitch, voice.rate)] = timing
    while len(_timings) > 64:
        del _timings[next(iter(_timings))]


def phoneme_timing(text: str, language: str = "en",
                   voice: Voice | None = None) -> PhonemeTiming | None:
    """The phonemes of ``text`` as eSpeak NG speaks them, timed, with that audio; for a
    neural ``voice`` as its nearest eSpeak voice says them (the neural voice phonemizes
    with eSpeak NG too, so the sequence is the same; only the timing differs). ``None``
    when eSpeak NG has no voice for ``language`` or there is nothing to say."""
    if not isinstance(text, str) or not text.strip():
        return None
    chosen = espeak_equivalent(voice or NARRATOR_VOICE)
    with _lock:
        synth = _engine()
        identifier = _voice_identifier(language, synth.voices)
        if identifier is None:
            return None
        key = (text, identifier, chosen.variant, chosen.pitch, chosen.rate)
        if key not in _timings:
            raw = synth.synthesize(text, identifier, chosen)
            _remember(text, identifier, chosen, _timing(raw, synth.sample_rate, synth.phonemes))
        return _timings[key]


def espeak_equivalent(voice: Voice) -> Voice:
    """The eSpeak NG voice nearest a neural one (for a language it does not speak)."""
    if voice.engine != "neural":
        return voice
    hz = voice.hz if voice.hz > 0 else 110.0
    female = hz >= 160 or voice.formant >= 1.1
    base = 165.0 if female else 105.0
    pitch = int(np.clip(round(50 + 50 * np.log2(hz / base)), 0, 99))
    variant = "robosoft" if voice.effect == "robot" else ("f2" if female else "m3")
    return Voice(variant, pitch, voice.rate)


def estimate_pitch(samples: np.ndarray, sample_rate: int = 48000) -> float | None:
    """Median fundamental frequency (Hz) of the voiced parts of mono ``samples``.

    Autocorrelation per 40 ms frame over 60-500 Hz; ``None`` when nothing is voiced.
    Used to calibrate voices and to measure how a recorded character sounds.
    """
    x = np.asarray(samples, dtype=np.float64).ravel()
    if x.size == 0:
        return None
    # Analyse at 16 kHz: plenty for speech pitch and 9x cheaper than 48 kHz.
    rate = 16000
    if sample_rate != rate:
        divisor = np.gcd(rate, int(sample_rate))
        x = resample(x, rate // divisor, int(sample_rate) // divisor)
    frame, hop = int(0.04 * rate), int(0.01 * rate)
    if x.size < frame:
        return None
    count = 1 + (x.size - frame) // hop
    idx = np.arange(frame)[None, :] + hop * np.arange(count)[:, None]
    frames = x[idx] * np.hanning(frame)[None, :]
    energy = np.sqrt(np.mean(frames**2, axis=1))
    loud = energy > max(0.1 * energy.max(), 1e-4)
    frames = frames[loud]
    if not len(frames):
        return None
    spectrum = np.fft.rfft(frames, n=2 * frame, axis=1)
    ac = np.fft.irfft(np.abs(spectrum) ** 2, axis=1)[:, :frame]
    lo, hi = int(rate / 500), int(rate / 60)
    window = ac[:, lo:hi]
    lag = lo + np.argmax(window, axis=1)
    strength = window[np.arange(len(window)), lag - lo] / np.maximum(ac[:, 0], 1e-12)
    voiced = strength > 0.45
    if not np.any(voiced):
        return None
    return float(np.median(rate / lag[voiced]))


# Voices that sound clearly different from each other: alternating gender, spread in
# pitch and pace. Indexing wraps with a pitch shift so large casts stay distinct.
_DISTINCT_VOICES = (
    Voice("m3", 30, 165),
    Voice("f2", 50, 175),
    Voice("m1", 85, 150),
    Voice("f4", 78, 190),
    Voice("m7", 55, 185),
    Voice("f1", 30, 160),
    Voice("m2", 95, 140),
    Voice("f5", 90, 170),
)


def distinct_voice(index: int) -> Voice:
    """The ``index``-th of a set of clearly different voices (variant, pitch and rate)."""
    base = _DISTINCT_VOICES[index % len(_DISTINCT_VOICES)]
    lap = index // len(_DISTINCT_VOICES)
    if lap == 0:
        return Voice(base.variant, base.pitch, base.rate)
    shift = 12 * (lap % 3) * (-1 if lap % 2 else 1)
    return Voice(base.variant, int(np.clip(base.pitch + shift, 0, 99)), base.rate + 8 * lap)


_MALE_VARIANTS = ("m1", "m3", "m2", "m4")
_FEMALE_VARIANTS = ("f2", "f1", "f4", "f3")
_CALIBRATION_PITCHES = (0, 15, 30, 45, 60, 75, 90, 99)
_CALIBRATION_TEXT = "Hello, this is how I sound when I talk about my day."


@dataclass(frozen=True)
class _PitchCurve:
    settings: tuple[int, ...]
    hertz: tuple[float, ...]

    def setting_for(self, hz: float) -> int:
        return round(float(np.interp(hz, self.hertz, self.settings)))


@lru_cache(maxsize=16)
def _pitch_curve(variant: str) -> _PitchCurve:
    """Measured median pitch (Hz) of ``variant`` at a few eSpeak pitch settings."""
    points: list[tuple[float, int]] = []
    for setting in _CALIBRATION_PITCHES:
        audio = speak(_CALIBRATION_TEXT, "en", Voice(variant, setting, 170), sample_rate=16000)
        hz = estimate_pitch(audio, 16000)
        if hz is not None:
            points.append((hz, setting))
    points.sort()
    # Keep the curve increasing so interpolation is well defined.
    hertz: list[float] = []
    settings: list[int] = []
    for hz, setting in points:
        if not hertz or (hz > hertz[-1] and setting > settings[-1]):
            hertz.append(hz)
            settings.append(setting)
    if len(hertz) < 2:
        return _PitchCurve((0, 99), (80.0, 260.0))
    return _PitchCurve(tuple(settings), tuple(hertz))


def voice_for_profile(profile: VoiceProfile, index: int) -> Voice:
    """An eSpeak voice close to a character's measured median pitch and speaking rate.

    Low voices (under about 165 Hz) get a male variant, higher ones a female variant;
    ``index`` picks between variants so two characters with similar voices still differ.
    A profile with nothing measured falls back to ``distinct_voice(index)``.
    """
    if profile.pitch_hz is None and profile.words_per_minute is None:
        return distinct_voice(index)
    fallback = distinct_voice(index)
    rate = fallback.rate
    if profile.words_per_minute is not None and profile.words_per_minute > 0:
        rate = int(np.clip(round(profile.words_per_minute), _RATE_MIN, _RATE_MAX))
    if profile.pitch_hz is None or profile.pitch_hz <= 0:
        return Voice(fallback.variant, fallback.pitch, rate)
    variants = _MALE_VARIANTS if profile.pitch_hz < 165 else _FEMALE_VARIANTS
    variant = variants[index % len(variants)]
    pitch = int(np.clip(_pitch_curve(variant).setting_for(profile.pitch_hz), 0, 99))
    return Voice(variant, pitch, rate)
