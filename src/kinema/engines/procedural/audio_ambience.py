"""Ambience: the sound of the place and the weather of a shot.

Layers are synthesized (filtered noise, modulated oscillators, scattered chirps) from a
seeded generator, each at a level relative to the others; the mixer sets the overall bed
level. Every layer returns stereo ``(n, 2)`` float64.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from kinema.engines.procedural.audio_dsp import convolve
from kinema.engines.procedural.audio_effects import clinks, thunder
from kinema.engines.procedural.audio_synth import (
    SAMPLE_RATE,
    at_level,
    bandpass,
    decay,
    highpass,
    impulses,
    lowpass,
    noise,
    pink_noise,
    place,
    slow_curve,
    sweep,
    times,
    to_stereo,
)

Layer = Callable[[int, np.random.Generator], np.ndarray]


def _wide(rng: np.random.Generator, n: int, make: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Two partly independent channels of a noise texture, so it feels wide, not mono."""
    shared = noise(rng, n)
    left = make(0.6 * shared + 0.8 * noise(rng, n))
    right = make(0.6 * shared + 0.8 * noise(rng, n))
    return np.stack([left, right], axis=1)


def waves(n: int, rng: np.random.Generator) -> np.ndarray:
    """Waves breaking on a shore: swells of low surf with bright foam on the crest."""
    t = times(n)
    swell = np.zeros(n)
    foam_env = np.zeros(n)
    start = -rng.uniform(0, 4)
    while start < t[-1] if n else False:
        rise, fall_time = rng.uniform(1.2, 2.0), rng.uniform(2.0, 3.5)
        local = t - start
        env = np.where(
            local < 0,
            0.0,
            np.where(local < rise, (local / rise) ** 2, np.exp(-(local - rise) / fall_time)),
        )
        size = rng.uniform(0.6, 1.0)
        swell += env * size
        foam_env += np.where(local > rise * 0.9, env, 0.0) * size
        start += rng.uniform(5.0, 8.0)
    surf = _wide(rng, n, lambda x: lowpass(x, 700, order=3)) * (0.25 + swell)[:, None]
    foam = _wide(rng, n, lambda x: bandpass(x, 1800, 9000)) * (0.05 + foam_env)[:, None] * 0.5
    return at_level(surf + foam, -26)


def rain(n: int, rng: np.random.Generator, heavy: bool = False) -> np.ndarray:
    """Rain: a bright hiss of many drops plus individual nearby drips."""
    hiss = (
        _wide(rng, n, lambda x: bandpass(x, 2500, 12000))
        * (0.8 + 0.2 * slow_curve(rng, n, 0.3))[:, None]
    )
    kernel_n = int(0.01 * SAMPLE_RATE)
    kernel = np.sin(sweep(kernel_n, 4000, 2500)) * decay(kernel_n, 0.002)
    drips = np.stack(
        [convolve(impulses(rng, n, 900 if heavy else 350), kernel, n) for _ in range(2)],
        axis=1,
    )
    texture = at_level(hiss, -30) + at_level(drips, -33)
    if heavy:
        texture += at_level(_wide(rng, n, lambda x: lowpass(x, 500)), -34)
    return at_level(texture, -23 if heavy else -26)


def wind(n: int, rng: np.random.Generator, strength: float = 1.0) -> np.ndarray:
    """Wind in gusts: two noise bands whose levels follow slow random curves."""
    gusts = slow_curve(rng, n, 0.35, 0.2, 1.0) ** 2
    whistle = slow_curve(rng, n, 0.5, 0.0, 1.0) ** 3
    body = _wide(rng, n, lambda x: bandpass(x, 120, 650)) * gusts[:, None]
    air = _wide(rng, n, lambda x: bandpass(x, 700, 2600)) * (gusts * whistle)[:, None] * 0.5
    return at_level(body + air, -31 + 6 * np.log2(max(strength, 0.25)))


def traffic(n: int, rng: np.random.Generator) -> np.ndarray:
    """City traffic: a low rumble of engines with cars passing from side to side."""
    t = times(n)
    rumble = _wide(rng, n, lambda x: lowpass(x, 220, order=3))
    passes = np.zeros((n, 2))
    count = max(1, int(n / SAMPLE_RATE / 2.5))
    for _ in range(count):
        centre = rng.uniform(-1.0, t[-1] + 1.0 if n else 1.0)
        width = rng.uniform(0.8, 1.6)
        env = np.exp(-(((t - centre) / width) ** 2))
        direction = rng.choice((-1.0, 1.0))
        pan = np.clip(direction * (t - centre) / (2 * width), -1, 1)
        car = bandpass(noise(rng, n), 90, 1400) * env
        passes += to_stereo(car, pan) * rng.uniform(0.5, 1.0)
    return at_level(at_level(rumble, -30) + at_level(passes, -31), -28)


def crowd(n: int, rng: np.random.Generator, size: int = 8) -> np.ndarray:
    """A murmuring crowd: many voices' worth of speech-band noise at syllable rhythm."""
    out = np.zeros((n, 2))
    source = noise(rng, n)
    low = bandpass(source, 250, 900)
    high = bandpass(noise(rng, n), 900, 3200)
    for _ in range(size):
        syllables = slow_curve(rng, n, rng.uniform(3.5, 6.0)) ** 2
        talking = slow_curve(rng, n, 0.4) > 0.35
        voice = (low * rng.uniform(0.6, 1.0) + high * rng.uniform(0.2, 0.5)) * syllables * talking
        out += to_stereo(np.roll(voice, int(rng.integers(0, max(n, 1)))), rng.uniform(-0.8, 0.8))
    return at_level(out, -29)


def birds(n: int, rng: np.random.Generator) -> np.ndarray:
    """Birdsong: little phrases of gliding chirps scattered around the listener."""
    out = np.zeros((n, 2))
    seconds = n / SAMPLE_RATE
    for _ in range(max(1, int(seconds * 0.8))):
        at = rng.uniform(0, seconds)
        pan = rng.uniform(-0.9, 0.9)
        base = rng.uniform(2200, 4800)
        for note in range(int(rng.integers(2, 6))):
            m = int(rng.uniform(0.05, 0.14) * SAMPLE_RATE)
            shape = np.sin(np.linspace(0, np.pi, m)) ** 2
            glide = base * rng.uniform(0.8, 1.25)
            trill = 1 + 0.04 * np.sin(2 * np.pi * rng.uniform(20, 45) * times(m))
            chirp = np.sin(sweep(m, glide, glide * rng.uniform(0.7, 1.5)) * trill) * shape
            place(
                out,
                to_stereo(chirp * rng.uniform(0.4, 1.0), pan),
                int((at + note * 0.16) * SAMPLE_RATE),
            )
    return at_level(out, -33) if np.any(out) else out


def crickets(n: int, rng: np.random.Generator) -> np.ndarray:
    """Crickets at night: fast pulsed high tones in short bursts."""
    t = times(n)
    out = np.zeros((n, 2))
    for side in (-0.6, 0.5):
        carrier = np.sin(2 * np.pi * rng.uniform(4200, 4800) * t)
        pulses = (np.sin(2 * np.pi * 28 * t) > 0.3).astype(float)
        period = rng.uniform(0.5, 0.8)
        bursts = ((t + rng.uniform(0, period)) % period) < 0.16
        chirps = lowpass(carrier * pulses * bursts, 9000)
        out += to_stereo(chirps, side)
    return at_level(out, -36)


def leaves(n: int, rng: np.random.Generator) -> np.ndarray:
    """Leaves rustling in a light breeze."""
    rustle = slow_curve(rng, n, 0.8, 0.1, 1.0) ** 2
    return at_level(_wide(rng, n, lambda x: bandpass(x, 1500, 7000)) * rustle[:, None], -38)


def space_hum(n: int, rng: np.random.Generator) -> np.ndarray:
    """Deep space: slowly beating low drones and a faint glassy shimmer."""
    t = times(n)
    drone = np.zeros((n, 2))
    for freq in (41.2, 61.7, 82.4):
        for channel, detune in ((0, 0.0), (1, 0.35)):
            drone[:, channel] += np.sin(2 * np.pi * (freq + detune) * t + rng.uniform(0, 6.3))
    drone *= (0.7 + 0.3 * slow_curve(rng, n, 0.15))[:, None]
    shimmer = np.sin(2 * np.pi * 2093 * t) * slow_curve(rng, n, 0.2) ** 3 * 0.05
    haze = _wide(rng, n, lambda x: lowpass(x, 300))
    return at_level(at_level(drone, -30) + to_stereo(shimmer) + at_level(haze, -40), -28)


def underwater(n: int, rng: np.random.Generator) -> np.ndarray:
    """Underwater: a muffled pressure rumble with streams of bubbles."""
    rumble = _wide(rng, n, lambda x: lowpass(x, 250, order=3))
    rumble *= (0.6 + 0.4 * slow_curve(rng, n, 0.25))[:, None]
    out = at_level(rumble, -27)
    seconds = n / SAMPLE_RATE
    for _ in range(int(seconds * 12)):
        m = int(rng.uniform(0.02, 0.06) * SAMPLE_RATE)
        base = rng.uniform(300, 1100)
        pop = np.sin(sweep(m, base, base * 1.7)) * decay(m, m / SAMPLE_RATE / 3)
        place(
            out,
            to_stereo(pop * rng.uniform(0.005, 0.02), rng.uniform(-0.7, 0.7)),
            int(rng.uniform(0, seconds) * SAMPLE_RATE),
        )
    return at_level(out, -26)


def room_tone(n: int, rng: np.random.Generator, appliance: bool = False) -> np.ndarray:
    """The quiet air of a room, with a fridge-like hum in kitchens."""
    air = np.stack([lowpass(pink_noise(rng, n), 1500) for _ in range(2)], axis=1)
    out = at_level(air, -40)
    if appliance:
        t = times(n)
        hum = sum(np.sin(2 * np.pi * f * t) / k for k, f in enumerate((60, 120, 180), start=1))
        out += to_stereo(np.asarray(hum) * 0.004, 0.3)
    return out


def thunderstorm(n: int, rng: np.random.Generator, claps: bool = True) -> np.ndarray:
    """Storm: heavy rain, strong wind and, with ``claps``, rolls of thunder at random
    moments (off when the plan times its own thunder to the lightning)."""
    out = rain(n, rng, heavy=True) + wind(n, rng, strength=2.0)
    if not claps:
        return out
    seconds = n / SAMPLE_RATE
    at = rng.uniform(0.3, 1.5)
    while at < seconds:
        clap = thunder(3.5, rng)
        place(
            out,
            to_stereo(clap * rng.uniform(0.15, 0.3), rng.uniform(-0.6, 0.6)),
            int(at * SAMPLE_RATE),
        )
        at += rng.uniform(4.0, 7.0)
    return out


def stream(n: int, rng: np.random.Generator, strength: float = 1.0) -> np.ndarray:
    """Running water: a river's babble, or at ``strength`` 3 a waterfall's roar."""
    babble = _wide(rng, n, lambda x: bandpass(x, 300, 4000))
    babble *= (0.6 + 0.4 * slow_curve(rng, n, 6.0))[:, None]
    roar = _wide(rng, n, lambda x: lowpass(x, 900, order=3)) * (strength - 1) / 2
    return at_level(babble + roar, -30 + 4 * np.log2(max(strength, 0.5)))


def drips(n: int, rng: np.random.Generator) -> np.ndarray:
    """A cave: a low hollow rumble and water dripping into pools, echoing."""
    out = at_level(_wide(rng, n, lambda x: lowpass(x, 150, order=3)), -38)
    seconds = n / SAMPLE_RATE
    for _ in range(max(1, int(seconds * 1.5))):
        m = int(0.25 * SAMPLE_RATE)
        base = rng.uniform(900, 2000)
        drop = np.sin(sweep(m, base, base * 1.8)) * decay(m, 0.03)
        at = int(rng.uniform(0, seconds) * SAMPLE_RATE)
        pan = rng.uniform(-0.8, 0.8)
        for echo, gain in ((0, 1.0), (0.21, 0.4), (0.47, 0.18)):
            place(
                out,
                to_stereo(drop * 0.05 * gain, -pan if echo else pan),
                at + int(echo * SAMPLE_RATE),
            )
    return out


def chatter(n: int, rng: np.random.Generator, size: int = 8, clinking: bool = False) -> np.ndarray:
    """People talking indoors (a cafe, a bar, a hall), with glasses clinking in places
    that serve drinks."""
    out = room_tone(n, rng) + crowd(n, rng, size=size)
    if clinking and n:
        ring = clinks(n / SAMPLE_RATE, rng)[:n] * 0.03
        out += to_stereo(np.pad(ring, (0, n - ring.size)), rng.uniform(-0.6, 0.6))
    return out


# Places with a roof (no weather falls in them; rain is heard through the windows).
INDOORS = frozenset(
    (
        "space",
        "underwater",
        "interior",
        "kitchen",
        "stage",
        "living_room",
        "bedroom",
        "cafe",
        "bar",
        "restaurant",
        "office",
        "classroom",
        "lab",
        "garage",
        "gym",
        "library",
        "supermarket",
        "concert_hall",
        "space_station",
        "cave",
        "airport",
    )
)


def render_ambience(
    setting: str,
    weather: str,
    time_of_day: str,
    n: int,
    rng: np.random.Generator,
    thunder_claps: bool = True,
) -> np.ndarray:
    """Stereo ambience ``(n, 2)`` for a place, its weather and the time of day.

    ``thunder_claps=False`` leaves thunder out of a storm, for shots whose thunder comes
    as cues timed to the lightning on screen.
    """
    night = time_of_day == "night"
    out = np.zeros((n, 2))
    if n == 0:
        return out
    enclosed = setting in INDOORS

    if setting == "beach":
        out += waves(n, rng) + wind(n, rng, 0.5)
    elif setting == "city":
        out += traffic(n, rng) + crowd(n, rng, size=4 if night else 8) * (0.5 if night else 0.8)
    elif setting in ("forest", "park"):
        out += leaves(n, rng)
        out += crickets(n, rng) if night else birds(n, rng)
        if setting == "park" and not night:
            out += crowd(n, rng, size=4) * 0.35
    elif setting in ("mountains", "desert", "snow", "sky"):
        out += wind(n, rng, {"sky": 1.6, "mountains": 1.2}.get(setting, 0.8))
        if setting == "mountains" and not night:
            out += birds(n, rng) * 0.5
    elif setting == "space":
        out += space_hum(n, rng)
    elif setting == "underwater":
        out += underwater(n, rng)
    elif setting in ("interior", "kitchen"):
        out += room_tone(n, rng, appliance=setting == "kitchen")
    elif setting == "stage":
        out += room_tone(n, rng) + crowd(n, rng, size=10) * 0.8
    elif setting in ("cafe", "bar", "restaurant"):
        out += chatter(n, rng, size=10 if setting == "bar" else 7, clinking=True)
    elif setting in ("concert_hall", "stadium"):
        out += chatter(n, rng, size=24 if setting == "stadium" else 14) * (
            1.2 if setting == "stadium" else 0.7
        )
        if setting == "stadium":
            out += wind(n, rng, 0.4)
    elif setting in ("train_platform", "airport", "supermarket"):
        out += chatter(n, rng, size=9) * 0.6 + room_tone(n, rng, appliance=True)
    elif setting in ("classroom", "office", "gym"):
        out += room_tone(n, rng, appliance=setting == "office") + crowd(n, rng, size=4) * 0.3
    elif setting in ("living_room", "bedroom", "garage", "library", "lab"):
        out += room_tone(n, rng, appliance=setting in ("lab", "garage"))
    elif setting == "space_station":
        out += room_tone(n, rng, appliance=True) + space_hum(n, rng) * 0.4
    elif setting in ("moon", "mars"):
        out += space_hum(n, rng) * 0.5 if setting == "moon" else wind(n, rng, 0.6)
    elif setting in ("street", "rooftop"):
        out += traffic(n, rng) * (1.0 if setting == "street" else 0.5)
        out += wind(n, rng, 0.8) if setting == "rooftop" else crowd(n, rng, size=5) * 0.6
    elif setting in ("river", "waterfall"):
        out += stream(n, rng, 3.0 if setting == "waterfall" else 1.0)
        out += birds(n, rng) * 0.4 if not night else crickets(n, rng) * 0.5
    elif setting in ("ocean", "lake"):
        out += waves(n, rng) * (1.0 if setting == "ocean" else 0.4) + wind(n, rng, 0.6)
    elif setting == "cave":
        out += drips(n, rng)
    elif setting == "jungle":
        out += leaves(n, rng) + birds(n, rng) * 1.3 + crickets(n, rng) * 0.5
    else:
        out += wind(n, rng, 0.35)
        out += crickets(n, rng) * 0.6 if night else birds(n, rng) * 0.5

    if not enclosed:
        if weather == "rain":
            out += rain(n, rng)
        elif weather == "storm":
            out += thunderstorm(n, rng, claps=thunder_claps)
        elif weather == "wind":
            out += wind(n, rng, 2.0)
        elif weather == "snow":
            # Snow muffles the world: soften what is there and add a hushed breeze.
            out = lowpass(out, 3000) + wind(n, rng, 0.5) * 0.6
        elif weather == "fog":
            out = lowpass(out, 2000) + wind(n, rng, 0.3) * 0.5
    elif weather in ("rain", "storm") and setting not in (
        "space",
        "underwater",
        "cave",
        "space_station",
        "moon",
        "mars",
    ):
        # Rain heard through the windows.
        out += lowpass(rain(n, rng, heavy=weather == "storm"), 2500) * 0.5
    return highpass(out, 25)
