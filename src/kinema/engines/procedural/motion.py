"""How each action moves a subject over its shot, and the sound events that go with it.

The renderer asks ``pose`` for every frame; the planner asks ``action_events`` for the
sound cues, so a jump is heard exactly when it is seen. Positions are fractions of the
frame, times are seconds from the start of the shot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kinema.engines.procedural.plan import Shot, SoundCue, Subject

# How far (fraction of the frame width) each travelling action covers over a shot.
TRAVEL = {"walk": 0.35, "run": 0.6, "fly": 0.5, "swim": 0.4, "surf": 0.5, "drive": 0.7,
          "chase": 0.55, "slide": 0.55}
EXPLODE_PERIOD, POUR_PERIOD, SPLASH_PERIOD = 2.0, 2.4, 1.6
STEP_PERIOD = {"walk": 0.5, "run": 0.3, "chase": 0.3}
JUMP_PERIOD, JUMP_AIR = 1.2, 0.7
FALL_TIME = 0.9
GLANCE_PERIOD, GLANCE_SHARE = 4.0, 0.18  # idle subjects look the other way for a moment


@dataclass(frozen=True)
class Pose:
    x: float
    y: float  # where the subject's feet (bottom centre) are
    scale: float = 1.0  # multiplies the subject's size
    angle: float = 0.0  # degrees, counter-clockwise
    squash: float = 1.0  # vertical stretch (landing squash, breathing)
    flip: bool = False  # mirrored to face left


def ease_in_out(u: float) -> float:
    """Smoothstep easing: starts and ends gently."""
    u = min(1.0, max(0.0, u))
    return u * u * (3.0 - 2.0 * u)


def _travel_x(subject: Subject, u: float, distance: float) -> float:
    # Start far enough back that the path stays mostly in frame whichever way it goes.
    start = subject.x - subject.direction * distance / 2
    return start + subject.direction * distance * ease_in_out(u)


def pose(subject: Subject, shot: Shot, t: float, speech_level: float = 0.0,
         others: dict[str, Subject] | None = None) -> Pose:
    """Where ``subject`` is at ``t`` seconds into ``shot``; ``speech_level`` (0..1) is how
    loud it is speaking right now (talkers bob and swell with their words)."""
    carrier = (others or {}).get(subject.anchor or "")
    if subject.relation in ("on", "in") and carrier is not None and carrier is not subject:
        return _carried(subject, carrier, shot, t, speech_level, others or {})
    d = max(shot.duration, 1e-3)
    u = t / d
    x, y, angle, squash, scale = subject.x, subject.y, 0.0, 1.0, 1.0
    action = subject.action
    flip = subject.direction < 0
    # Desynchronises a group of the same subject; str hash() is salted per process, so
    # a stable sum is used to keep frames identical across runs.
    phase = (sum(map(ord, subject.id)) % 97) / 97.0
    if action in ("walk", "run"):
        x = _travel_x(subject, u, TRAVEL[action])
        period = STEP_PERIOD[action]
        y -= abs(math.sin(math.pi * (t / period + phase))) * (0.012 if action == "walk" else 0.02)
        angle = -subject.direction * (3.0 if action == "walk" else 8.0)
    elif action == "chase":
        target = (others or {}).get(subject.target or "")
        if target is not None and target is not subject:
            tp = pose(target, shot, max(0.0, t - 0.5), 0.0, None)
            x = tp.x - subject.direction * 0.18
        else:
            x = _travel_x(subject, u, TRAVEL["chase"])
        y -= abs(math.sin(math.pi * t / STEP_PERIOD["chase"])) * 0.02
        angle = -subject.direction * 8.0
    elif action == "jump":
        k = (t + phase * JUMP_PERIOD) % JUMP_PERIOD
        if k < JUMP_AIR:
            v = k / JUMP_AIR
            y -= 0.2 * 4 * v * (1 - v) * subject.scale / 0.25
            squash = 1.08
        elif k < JUMP_AIR + 0.15:
            squash = 0.85
        else:
            squash = 0.95
    elif action == "fly":
        x = _travel_x(subject, u, TRAVEL["fly"])
        y += 0.04 * math.sin(2 * math.pi * (t / 1.6 + phase))
        angle = -subject.direction * 6.0 * math.cos(2 * math.pi * (t / 1.6 + phase))
    elif action in ("swim", "surf"):
        x = _travel_x(subject, u, TRAVEL[action])
        wave = math.sin(2 * math.pi * (t / (1.4 if action == "surf" else 2.0) + phase))
        y += 0.025 * wave
        angle = 10.0 * wave
    elif action == "dance":
        beat = 2 * math.pi * (t / 1.0 + phase)
        x += 0.04 * math.sin(beat / 2)
        angle = 15.0 * math.sin(beat)
        y -= 0.015 * abs(math.sin(beat))
        flip = math.sin(beat / 4) < 0
    elif action == "slide":  # gliding with no steps, leaning into it
        x = _travel_x(subject, u, TRAVEL["slide"])
        angle = -subject.direction * (12.0 + 4.0 * math.sin(2 * math.pi * t / 1.1))
        y -= 0.006 * math.sin(2 * math.pi * t / 1.1)
    elif action == "pour":  # tipping forward and back, as if pouring
        k = ((t / POUR_PERIOD) + phase) % 1.0
        tip = math.sin(math.pi * min(1.0, k / 0.7)) if k < 0.7 else 0.0
        angle = -subject.direction * 55.0 * tip
    elif action == "explode":  # swelling, shaking, bursting, again
        k = ((t / EXPLODE_PERIOD) + phase) % 1.0
        if k < 0.7:
            scale = 1.0 + 0.25 * k / 0.7
            angle = 6.0 * math.sin(2 * math.pi * t * 9)
        else:
            v = (k - 0.7) / 0.3
            scale = 1.25 + 0.9 * v
            squash = 1.0 - 0.5 * v
    elif action == "splash":  # hopping in and out of water
        k = ((t / SPLASH_PERIOD) + phase) % 1.0
        y -= 0.12 * 4 * k * (1 - k) * subject.scale / 0.25
        angle = -subject.direction * 20.0 * (1 - 2 * k)
    elif action == "spin":
        angle = -360.0 * ((t + phase) / 1.0 % 1.0)
    elif action == "drive":
        x = _travel_x(subject, u, TRAVEL["drive"])
        y -= 0.003 * abs(math.sin(2 * math.pi * t * 6))
    elif action == "sleep":
        angle = 80.0 if not flip else -80.0
        squash = 1.0 + 0.04 * math.sin(2 * math.pi * t / 3.0)
        y += 0.02
    elif action == "fall":
        start_y = min(subject.y, 0.1)
        if t < FALL_TIME:
            v = t / FALL_TIME
            y = start_y + (subject.y - start_y) * v * v
            angle = 200.0 * v
        else:
            angle = 180.0 if t < FALL_TIME + 0.4 else 90.0
            squash = 0.9
    else:  # idle, talk: breathing, a little sway, and a glance the other way now and then
        squash = 1.0 + 0.02 * math.sin(2 * math.pi * (t / 2.5 + phase))
        angle = 2.5 * math.sin(2 * math.pi * (t / 3.3 + phase))
        if action == "idle" and (t / GLANCE_PERIOD + phase) % 1.0 > 1.0 - GLANCE_SHARE:
            flip = not flip
    if speech_level > 0:
        y -= 0.02 * speech_level
        scale *= 1.0 + 0.05 * speech_level
    return Pose(x=x, y=y, scale=scale, angle=angle, squash=squash, flip=flip)


def _carried(subject: Subject, carrier: Subject, shot: Shot, t: float,
             speech_level: float, others: dict[str, Subject]) -> Pose:
    """A rider or passenger moves with what carries it: same travel, same tilt, with a
    small bounce of its own."""
    rest = {k: v for k, v in others.items() if k != subject.id}
    base = pose(carrier, shot, t, 0.0, rest)
    dx, dy = subject.x - carrier.x, subject.y - carrier.y
    tilt = math.radians(base.angle)
    x = base.x + dx * math.cos(tilt) + dy * math.sin(tilt) * 0.5
    y = base.y + dy * base.squash - dx * math.sin(tilt) * 0.5
    phase = (sum(map(ord, subject.id)) % 97) / 97.0
    y -= 0.004 * abs(math.sin(math.pi * (t / 0.45 + phase)))
    if speech_level > 0:
        y -= 0.01 * speech_level
    return Pose(x=x, y=y, scale=1.0 + 0.04 * speech_level, angle=base.angle, squash=1.0,
                flip=base.flip)


def _repeat(start: float, period: float, end: float) -> list[float]:
    times, t = [], start
    while t < end - 0.05:
        times.append(round(t, 3))
        t += period
    return times


def action_events(subject: Subject, shot: Shot) -> list[SoundCue]:
    """The sound effects a subject's action makes during ``shot`` (times from the start
    of the video), panned to where the subject is."""
    d = shot.duration
    cues: list[SoundCue] = []
    flyer_cue = "whoosh" if subject.noun in _MACHINES_IN_AIR else "wings"

    def add(name: str, t_local: float, duration: float = 0.3) -> None:
        p = pose(subject, shot, t_local)
        cues.append(SoundCue(name=name, start=round(shot.start + t_local, 3),
                             duration=duration, subject=subject.id,
                             pan=round(max(-1.0, min(1.0, p.x * 2 - 1)), 3)))

    action = subject.action
    if action in ("walk", "run", "chase"):
        name = "steps" if action == "walk" else "run_steps"
        for t in _repeat(0.1, STEP_PERIOD[action], d):
            add(name, t, 0.15)
    elif action == "jump":
        phase = (sum(map(ord, subject.id)) % 97) / 97.0 * JUMP_PERIOD
        for k in _repeat(0.0, JUMP_PERIOD, d + phase):
            take_off = k - phase
            if 0 <= take_off < d:
                add("jump", take_off, 0.25)
            if 0 <= take_off + JUMP_AIR < d:
                add("land", take_off + JUMP_AIR, 0.2)
    elif action == "fly":
        if flyer_cue == "wings":
            for t in _repeat(0.2, 0.8, d):
                add("wings", t, 0.4)
        else:
            add("whoosh", 0.1, min(1.5, d))
    elif action in ("swim", "surf"):
        for t in _repeat(0.2, 1.5, d):
            add("splash", t, 0.5)
    elif action == "spin":
        for t in _repeat(0.0, 1.0, d):
            add("spin", t, 0.6)
    elif action == "drive":
        add("engine", 0.0, d)
    elif action == "slide":
        add("whoosh", 0.1, min(1.5, d))
    elif action == "pour":
        phase = (sum(map(ord, subject.id)) % 97) / 97.0 * POUR_PERIOD
        for t in _repeat((POUR_PERIOD - phase) % POUR_PERIOD, POUR_PERIOD, d):
            add("splash", t + 0.3, 0.8)
    elif action == "explode":
        phase = (sum(map(ord, subject.id)) % 97) / 97.0 * EXPLODE_PERIOD
        for t in _repeat((0.7 * EXPLODE_PERIOD - phase) % EXPLODE_PERIOD, EXPLODE_PERIOD, d):
            add("thunder", t, 1.2)
    elif action == "splash":
        phase = (sum(map(ord, subject.id)) % 97) / 97.0 * SPLASH_PERIOD
        for t in _repeat((SPLASH_PERIOD - phase) % SPLASH_PERIOD, SPLASH_PERIOD, d):
            add("splash", t, 0.5)
    elif action == "sleep":
        for t in _repeat(0.5, 3.0, d):
            add("snore", t, 1.2)
    elif action == "fall":
        add("fall", 0.0, FALL_TIME)
        if d > FALL_TIME:
            add("land", FALL_TIME, 0.3)
    return cues


_MACHINES_IN_AIR = frozenset((
    "airplane", "plane", "jet", "rocket", "helicopter", "flying saucer", "ufo", "spaceship",
    "small airplane", "balloon", "hot air balloon",
))
