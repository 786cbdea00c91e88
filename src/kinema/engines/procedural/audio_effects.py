"""Sound effects, one synthesizer per cue name (steps, jump, splash, engine, whoosh...).

Each returns mono samples at ``SAMPLE_RATE`` peaking near 1.0; the mixer places them at
the cue's time and pan and sets their level.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from kinema.engines.procedural.audio_dsp import convolve
from kinema.engines.procedural.audio_synth import (
    SAMPLE_RATE,
    bandpass,
    decay,
    fade,
    highpass,
    impulses,
    lowpass,
    noise,
    place,
    slow_curve,
    sweep,
    times,
)

Effect = Callable[[float, np.random.Generator], np.ndarray]


def _samples(seconds: float) -> int:
    return max(1, round(seconds * SAMPLE_RATE))


def _normalized(x: np.ndarray) -> np.ndarray:
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    return x / peak if peak > 1e-9 else x


def _footstep(rng: np.random.Generator, weight: float = 1.0) -> np.ndarray:
    n = _samples(0.16)
    heel = bandpass(noise(rng, n), 90, 900) * decay(n, 0.025)
    scuff = bandpass(noise(rng, n), 1500, 5000) * decay(n, 0.012) * 0.35
    thump = np.sin(sweep(n, 110 * weight, 55)) * decay(n, 0.04) * 0.8
    return heel + scuff + thump


def _steps(duration: float, rng: np.random.Generator, interval: float) -> np.ndarray:
    """One footstep per ``interval`` that starts within ``duration``; a short cue is a
    single step, so a cue per animated step lands exactly on the foot."""
    count = max(1, int(np.floor(duration / interval + 0.25)))
    out = np.zeros(_samples(count * interval + 0.2))
    t = 0.0
    for step in range(count):
        # Alternate feet slightly louder/softer and keep a human, not metronomic, gait.
        gain = 1.0 if step % 2 == 0 else 0.8
        place(out, _footstep(rng) * gain, int(t * SAMPLE_RATE))
        t += interval * rng.uniform(0.92, 1.08)
    return out


def steps(duration: float, rng: np.random.Generator) -> np.ndarray:
    """Walking footsteps over ``duration``."""
    return _normalized(_steps(duration, rng, 0.5))


def run_steps(duration: float, rng: np.random.Generator) -> np.ndarray:
    """Quicker, sharper running footsteps."""
    return _normalized(_steps(duration, rng, 0.28))


def jump(duration: float, rng: np.random.Generator) -> np.ndarray:
    """A springy take-off: a rising tone with a puff of air."""
    n = _samples(0.35)
    tone = np.sin(sweep(n, 180, 720)) * decay(n, 0.12, attack=0.01)
    air = bandpass(noise(rng, n), 600, 3000) * decay(n, 0.06) * 0.4
    return _normalized(tone * 0.7 + air)


def land(duration: float, rng: np.random.Generator) -> np.ndarray:
    """A body landing: a low thud and a short scuff."""
    n = _samples(0.4)
    thud = np.sin(sweep(n, 90, 40)) * decay(n, 0.09)
    dust = lowpass(noise(rng, n), 1200) * decay(n, 0.05) * 0.6
    return _normalized(thud + dust)


def splash(duration: float, rng: np.random.Generator) -> np.ndarray:
    """Water splash: a burst of bright noise, then droplets falling back."""
    length = max(duration, 0.8)
    n = _samples(length)
    burst = bandpass(noise(rng, n), 400, 7000) * decay(n, 0.18, attack=0.008)
    drops = impulses(rng, n, 90) * np.exp(-times(n) / (length * 0.5))
    kernel_n = _samples(0.03)
    kernel = np.sin(sweep(kernel_n, 900, 2200)) * decay(kernel_n, 0.008)
    droplets = convolve(drops, kernel, n) * 0.8
    return _normalized(burst + droplets)


def engine(duration: float, rng: np.random.Generator) -> np.ndarray:
    """A motor: firing pulses at a slowly wandering rpm, low-passed, faded at both ends."""
    n = _samples(max(duration, 0.6))
    rpm = 38 + 10 * slow_curve(rng, n, 0.6)
    phase = 2 * np.pi * np.cumsum(rpm) / SAMPLE_RATE
    # A rich harmonic series at the firing rate sounds like an engine, a pure tone does not.
    tone = sum(np.sin(k * phase) / k for k in range(1, 12))
    rumble = lowpass(noise(rng, n), 400) * 0.6
    out = lowpass(np.asarray(tone) + rumble, 900)
    return _normalized(fade(out, 0.15, 0.3))


def whoosh(duration: float, rng: np.random.Generator) -> np.ndarray:
    """Air rushing past: band-limited noise that swells and brightens, then fades."""
    n = _samples(max(duration, 0.35))
    source = noise(rng, n)
    low = bandpass(source, 200, 1200)
    high = bandpass(source, 1200, 6000)
    shape = np.sin(np.pi * np.linspace(0, 1, n)) ** 2
    brightness = np.linspace(0.2, 1.0, n)
    return _normalized((low * (1 - brightness) + high * brightness) * shape)


def thunder(duration: float, rng: np.random.Generator) -> np.ndarray:
    """A crack of thunder rolling into a long low rumble."""
    n = _samples(max(duration, 3.0))
    t = times(n)
    crack = highpass(noise(rng, n), 800) * decay(n, 0.05, attack=0.001) * 0.6
    rolls = np.zeros(n)
    for _ in range(4):
        start = rng.uniform(0.0, 0.35 * t[-1])
        width = rng.uniform(0.3, 0.9)
        rolls += rng.uniform(0.5, 1.0) * np.exp(-(((t - start) / width) ** 2))
    rumble = lowpass(noise(rng, n), 180, order=4) * (rolls + np.exp(-t / 1.2))
    return _normalized(fade(rumble * 3 + crack, 0.0, 0.6))


def wings(duration: float, rng: np.random.Generator) -> np.ndarray:
    """Wing beats: rhythmic bursts of feathered air."""
    n = _samples(max(duration, 0.25))
    t = times(n)
    beat = rng.uniform(4.5, 7.0)
    flap = np.maximum(np.sin(2 * np.pi * beat * t), 0) ** 3
    air = bandpass(noise(rng, n), 250, 2200)
    return _normalized(fade(air * flap, 0.05, 0.1))


def snore(duration: float, rng: np.random.Generator) -> np.ndarray:
    """Snoring: a buzzing inhale and a breathy exhale, repeated."""
    n = _samples(max(duration, 2.5))
    t = times(n)
    cycle = 2.6
    position = (t % cycle) / cycle
    inhale = np.where(position < 0.45, np.sin(np.pi * position / 0.45), 0.0)
    exhale = np.where(position >= 0.55, np.sin(np.pi * (position - 0.55) / 0.45), 0.0)
    buzz_phase = 2 * np.pi * 32 * t
    buzz = lowpass(np.sign(np.sin(buzz_phase)) + 0.4 * noise(rng, n), 600)
    breath = bandpass(noise(rng, n), 300, 1800) * 0.6
    return _normalized(buzz * inhale + breath * exhale)


def fall(duration: float, rng: np.random.Generator) -> np.ndarray:
    """Falling: a descending whistle over the fall (the landing is its own "land" cue)."""
    n = _samples(max(duration, 0.4))
    whistle = np.sin(sweep(n, 1400, 250)) * np.linspace(0.3, 0.8, n)
    air = bandpass(noise(rng, n), 400, 2500) * np.linspace(0.05, 0.3, n)
    return _normalized(fade(whistle + air, 0.05, 0.06))


def spin(duration: float, rng: np.random.Generator) -> np.ndarray:
    """Spinning: whooshes that repeat faster and faster."""
    length = max(duration, 0.6)
    n = _samples(length)
    t = times(n)
    rate = np.linspace(2.5, 6.0, n)
    phase = 2 * np.pi * np.cumsum(rate) / SAMPLE_RATE
    pulses = (0.5 + 0.5 * np.sin(phase)) ** 2
    air = bandpass(noise(rng, n), 500, 4000)
    return _normalized(fade(air * pulses * np.minimum(1, 4 * t / length + 0.2), 0.05, 0.15))


def swim(duration: float, rng: np.random.Generator) -> np.ndarray:
    """Swimming strokes: soft sloshes of water."""
    length = max(duration, 0.8)
    out = np.zeros(_samples(length + 0.5))
    t = 0.0
    while t < length:
        n = _samples(0.45)
        slosh = bandpass(noise(rng, n), 300, 3000) * np.sin(np.linspace(0, np.pi, n)) ** 2
        place(out, slosh, int(t * SAMPLE_RATE))
        t += rng.uniform(0.55, 0.75)
    return _normalized(out)


def bubbles(duration: float, rng: np.random.Generator) -> np.ndarray:
    """Underwater bubbles rising: short upward-gliding tones."""
    length = max(duration, 0.5)
    out = np.zeros(_samples(length + 0.1))
    count = max(3, int(length * 14))
    for _ in range(count):
        n = _samples(rng.uniform(0.025, 0.06))
        base = rng.uniform(350, 1400)
        tone = np.sin(sweep(n, base, base * 1.6)) * decay(n, n / SAMPLE_RATE / 3)
        place(out, tone * rng.uniform(0.3, 1.0), int(rng.uniform(0, length) * SAMPLE_RATE))
    return _normalized(out)


def dance(duration: float, rng: np.random.Generator) -> np.ndarray:
    """Dance steps: light taps on the beat with a shuffle between."""
    length = max(duration, 0.5)
    out = np.zeros(_samples(length + 0.2))
    beat = 0.25
    t = 0.0
    index = 0
    while t < length:
        tap = _footstep(rng, weight=1.6) * (1.0 if index % 2 == 0 else 0.55)
        place(out, highpass(tap, 150), int(t * SAMPLE_RATE))
        t += beat
        index += 1
    return _normalized(out)


def car(duration: float, rng: np.random.Generator) -> np.ndarray:
    """A car driving by: the engine's firing note under the roar of tyres on the road,
    swelling as it comes close."""
    n = _samples(max(duration, 0.8))
    motor = engine(duration, rng)[:n]
    motor = np.pad(motor, (0, n - motor.size))
    road = bandpass(noise(rng, n), 150, 1800) * (0.6 + 0.4 * slow_curve(rng, n, 0.8))
    hiss = bandpass(noise(rng, n), 2500, 6000) * 0.15
    passing = 0.6 + 0.4 * np.sin(np.pi * np.linspace(0, 1, n))
    return _normalized(fade((motor * 0.8 + road * 0.7 + hiss) * passing, 0.3, 0.4))


def jet(duration: float, rng: np.random.Generator) -> np.ndarray:
    """A jet or rocket passing: a broad roar with a turbine whine that falls as it goes
    by (the Doppler shift)."""
    n = _samples(max(duration, 1.2))
    t = np.linspace(0, 1, n)
    roar = lowpass(noise(rng, n), 1500, order=3) + 0.3 * bandpass(noise(rng, n), 1500, 6000)
    whine = np.sin(sweep(n, 3600, 2300)) * 0.12
    swell = np.exp(-(((t - 0.5) / 0.3) ** 2))
    return _normalized(fade((roar + whine) * (0.25 + swell), 0.2, 0.3))


def propeller(duration: float, rng: np.random.Generator) -> np.ndarray:
    """A propeller or rotor: fast chopping pulses of air over a droning motor."""
    n = _samples(max(duration, 0.8))
    t = times(n)
    blade = 2 * np.pi * np.cumsum(np.full(n, rng.uniform(18, 26))) / SAMPLE_RATE
    chop = (0.5 + 0.5 * np.sin(blade)) ** 4
    air = bandpass(noise(rng, n), 120, 1500) * chop
    motor = sum(np.sin(2 * np.pi * 95 * k * t) / k for k in range(1, 6)) * 0.15
    return _normalized(fade(air + np.asarray(motor), 0.2, 0.3))


def boat(duration: float, rng: np.random.Generator) -> np.ndarray:
    """A boat under way: water washing along the hull and a low outboard motor."""
    n = _samples(max(duration, 1.0))
    wash = bandpass(noise(rng, n), 200, 2500) * (0.5 + 0.5 * slow_curve(rng, n, 1.5)) ** 2
    spray = highpass(noise(rng, n), 3000) * slow_curve(rng, n, 2.0) ** 4 * 0.3
    motor = engine(duration, rng)[:n]
    motor = np.pad(motor, (0, n - motor.size)) * 0.35
    return _normalized(fade(wash + spray + motor, 0.3, 0.4))


def _clop(rng: np.random.Generator) -> np.ndarray:
    n = _samples(0.09)
    knock = bandpass(noise(rng, n), 700, 3000) * decay(n, 0.012)
    body = np.sin(2 * np.pi * rng.uniform(380, 460) * times(n)) * decay(n, 0.02)
    return knock + body * 0.8


def hooves(duration: float, rng: np.random.Generator) -> np.ndarray:
    """Hooves on the ground: the clip-clop of two feet, then the other two."""
    out = np.zeros(_samples(max(duration, 0.15) + 0.3))
    place(out, _clop(rng), 0)
    place(out, _clop(rng) * 0.7, _samples(0.09))
    return _normalized(out)


def gallop(duration: float, rng: np.random.Generator) -> np.ndarray:
    """A gallop: four quick hoof beats."""
    out = np.zeros(_samples(0.5))
    for k, at in enumerate((0.0, 0.06, 0.13, 0.2)):
        place(out, _clop(rng) * (1.0 if k == 0 else 0.75), _samples(at))
    return _normalized(out)


def servo(duration: float, rng: np.random.Generator) -> np.ndarray:
    """A robot's joint: a servo motor whirring up and settling, with a metal tick."""
    n = _samples(max(duration, 0.25))
    freq = 500 + 500 * np.sin(np.pi * np.linspace(0, 1, n))
    phase = 2 * np.pi * np.cumsum(freq) / SAMPLE_RATE
    whirr = (np.sign(np.sin(phase)) * 0.4 + np.sin(2 * phase) * 0.3) * np.sin(
        np.pi * np.linspace(0, 1, n)
    )
    tick = highpass(noise(rng, n), 4000) * decay(n, 0.004) * 0.6
    return _normalized(lowpass(whirr, 4000) * 0.7 + tick)


def robot_steps(duration: float, rng: np.random.Generator) -> np.ndarray:
    """A robot's step: a metal clank and a servo."""
    n = _samples(0.35)
    t = times(n)
    clank = sum(np.sin(2 * np.pi * f * t) for f in (820, 1370, 2210)) * decay(n, 0.05) / 3
    out = np.array(clank, dtype=np.float64)
    place(out, _footstep(rng, 1.3) * 0.8, 0)
    place(out, servo(0.25, rng) * 0.4, _samples(0.05))
    return _normalized(out)


def _one_clap(rng: np.random.Generator) -> np.ndarray:
    n = _samples(0.05)
    return bandpass(noise(rng, n), rng.uniform(700, 1200), rng.uniform(2500, 5000)) * decay(
        n, rng.uniform(0.006, 0.012)
    )


def applause(duration: float, rng: np.random.Generator) -> np.ndarray:
    """An audience applauding and cheering: hundreds of claps swelling and dying away,
    with whoops on top."""
    length = max(duration, 1.5)
    n = _samples(length)
    t = times(n)
    density = np.minimum(1, t / 0.3) * np.clip((length - t) / (length * 0.6), 0, 1)
    claps = np.zeros(n)
    clap = _one_clap(rng)
    count = int(length * 160)
    starts = rng.integers(0, max(1, n - clap.size), count)
    keep = rng.random(count) < density[starts]
    gains = rng.uniform(0.3, 1.0, count)
    for start, gain in zip(starts[keep], gains[keep], strict=True):
        claps[start : start + clap.size] += clap * gain
    cheer = np.zeros(n)
    for _ in range(int(length * 2)):
        m = _samples(rng.uniform(0.3, 0.7))
        base = rng.uniform(350, 700)
        vowel = np.sin(sweep(m, base, base * rng.uniform(1.2, 1.6)))
        voice = (
            bandpass(np.sign(vowel) * 0.3 + vowel, 300, 3000)
            * np.sin(np.linspace(0, np.pi, m)) ** 2
        )
        place(
            cheer, voice * rng.uniform(0.1, 0.25), int(rng.uniform(0, length * 0.7) * SAMPLE_RATE)
        )
    return _normalized(claps + cheer)


def clinks(duration: float, rng: np.random.Generator) -> np.ndarray:
    """Glasses and cutlery: a few bright clinks scattered over ``duration``."""
    length = max(duration, 0.5)
    out = np.zeros(_samples(length + 0.4))
    for _ in range(max(1, int(length * 0.8))):
        n = _samples(0.35)
        t = times(n)
        base = rng.uniform(2200, 4200)
        ring = sum(
            np.sin(2 * np.pi * base * r * t) / (i + 1) for i, r in enumerate((1.0, 2.32, 4.25))
        )
        place(
            out,
            np.asarray(ring) * decay(n, 0.08) * rng.uniform(0.4, 1.0),
            int(rng.uniform(0, length) * SAMPLE_RATE),
        )
    return _normalized(out)


EFFECTS: dict[str, Effect] = {
    "steps": steps,
    "walk": steps,
    "run_steps": run_steps,
    "run": run_steps,
    "chase": run_steps,
    "jump": jump,
    "land": land,
    "splash": splash,
    "surf": splash,
    "engine": engine,
    "drive": engine,
    "whoosh": whoosh,
    "thunder": thunder,
    "wings": wings,
    "fly": wings,
    "snore": snore,
    "sleep": snore,
    "fall": fall,
    "spin": spin,
    "swim": swim,
    "bubbles": bubbles,
    "dance": dance,
    "car": car,
    "jet": jet,
    "propeller": propeller,
    "boat": boat,
    "hooves": hooves,
    "gallop": gallop,
    "servo": servo,
    "robot_steps": robot_steps,
    "applause": applause,
    "clinks": clinks,
}


# Peak level of each effect relative to the loudest: short hits (steps, landings) need a
# high peak to be heard at all, long ones (engines, snores) fill time and sit lower.
_LEVELS = {
    "engine": 0.5,
    "drive": 0.5,
    "snore": 0.5,
    "sleep": 0.5,
    "thunder": 0.8,
    "wings": 0.6,
    "fly": 0.6,
    "spin": 0.6,
    "whoosh": 0.7,
    "fall": 0.6,
    "swim": 0.7,
    "bubbles": 0.6,
    "car": 0.6,
    "jet": 0.7,
    "propeller": 0.6,
    "boat": 0.6,
    "servo": 0.45,
    "applause": 0.8,
    "clinks": 0.35,
}


def render_effect(name: str, duration: float, rng: np.random.Generator) -> np.ndarray | None:
    """Mono samples for the cue ``name`` lasting about ``duration`` seconds, peaking at
    its level (1.0 for the loudest), or ``None`` when the name is not a known effect."""
    effect = EFFECTS.get(name.strip().lower())
    if effect is None:
        return None
    seconds = float(duration) if np.isfinite(duration) and duration > 0 else 0.3
    level = _LEVELS.get(name.strip().lower(), 1.0)
    return effect(min(seconds, 20.0), rng).astype(np.float64) * level


# --- what makes the sound: the subject's kind --------------------------------------------

GROUND_VEHICLES = frozenset(
    (
        "car",
        "bus",
        "truck",
        "taxi",
        "van",
        "jeep",
        "motorcycle",
        "motorbike",
        "scooter",
        "tractor",
        "train",
        "tram",
        "ambulance",
        "police car",
        "fire engine",
        "fire truck",
        "race car",
        "racing car",
        "sports car",
        "tank",
        "bulldozer",
        "minibus",
        "trolleybus",
        "delivery truck",
        "pickup truck",
        "locomotive",
        "automobile",
        "kart",
    )
)
PROPELLERS = frozenset(("helicopter", "small airplane", "biplane", "drone", "propeller plane"))
JETS = frozenset(
    (
        "airplane",
        "plane",
        "jet",
        "rocket",
        "spaceship",
        "flying saucer",
        "ufo",
        "flying car",
        "airliner",
        "space shuttle",
        "fighter jet",
    )
)
BOATS = frozenset(
    (
        "boat",
        "ship",
        "sailboat",
        "canoe",
        "kayak",
        "yacht",
        "speedboat",
        "ferry",
        "motorboat",
        "submarine",
        "cruise ship",
        "raft",
        "rowboat",
    )
)
HOOVED = frozenset(
    (
        "horse",
        "pony",
        "unicorn",
        "zebra",
        "donkey",
        "deer",
        "camel",
        "goat",
        "cow",
        "moose",
        "reindeer",
    )
)
MACHINES = frozenset(("robot", "android", "cyborg", "droid", "mech"))
_MOVING = frozenset(
    (
        "steps",
        "walk",
        "run_steps",
        "run",
        "chase",
        "drive",
        "dance",
        "spin",
        "engine",
        "jump",
        "land",
    )
)


def continuous_sound(noun: str, action: str) -> str | None:
    """The one sound a vehicle makes for a whole shot while it moves (``None`` for
    anything that is not a vehicle, or a vehicle standing still)."""
    noun = noun.lower().strip()
    if action in ("idle", "sleep", "talk"):
        return None
    if noun in JETS or (noun.endswith(" car") and "flying" in noun):
        return "jet"
    if noun in PROPELLERS:
        return "propeller"
    if noun in BOATS:
        return "boat"
    if noun in GROUND_VEHICLES:
        return "jet" if action == "fly" else "car"
    return None


def effects_for(cue: str, noun: str) -> list[str]:
    """The effects a cue becomes for a subject named ``noun``: a horse's steps are hooves,
    a robot's steps clank and whirr, a jet's wings are a whoosh. Vehicles make their
    sound through ``continuous_sound`` instead, so their step cues give nothing."""
    noun = (noun or "").lower().strip()
    name = cue.strip().lower()
    last = noun.split()[-1] if noun else ""
    if noun in GROUND_VEHICLES | JETS | PROPELLERS | BOATS or (
        last == "car" and name in _MOVING | {"wings", "whoosh", "fly"}
    ):
        return []
    if last in HOOVED and name in ("steps", "walk"):
        return ["hooves"]
    if last in HOOVED and name in ("run_steps", "run", "chase"):
        return ["gallop"]
    if last in MACHINES and name in ("steps", "walk", "run_steps", "run", "chase"):
        return ["robot_steps"]
    if last in MACHINES and name in ("dance", "spin", "jump"):
        return [name, "servo"]
    return [name]
