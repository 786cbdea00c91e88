"""Extending a video: the parent's plan plus new shot(s) that carry on from its last
shot (same place, light, weather and cast) with the extension's prompt applied, so the
result is the whole, longer video."""

from __future__ import annotations

import copy
from typing import Any

from kinema.engines.base import MAX_SECONDS, InvalidRequest
from kinema.engines.procedural.motion import TRAVEL, pose
from kinema.engines.procedural.plan import Plan, Shot
from kinema.engines.procedural.planner import edit_plan, refresh_sound_cues


def extend_plan(
    plan_dict: dict[str, Any], prompt: str, seconds: float, *, seed: int | None = None
) -> dict[str, Any]:
    """The parent plan continued by ``seconds`` more: one new shot that starts where the
    parent ends, keeps the last shot's setting, time of day, weather, camera and subjects,
    and then applies ``prompt`` to that shot only ("the dog jumps", "it starts to rain",
    "the cat says 'bye'"). Earlier shots are unchanged. Raises ``InvalidRequest`` for an
    unusable plan or a total longer than ``MAX_SECONDS``."""
    try:
        plan = Plan.from_dict(plan_dict)
    except ValueError as exc:
        raise InvalidRequest(f"The video to extend has an unusable plan: {exc}") from exc
    if not plan.shots:
        raise InvalidRequest("The video to extend has no shots.")
    if seconds <= 0:
        raise InvalidRequest("An extension must add some time.")
    total = round(plan.seconds + seconds, 4)
    if total > MAX_SECONDS:
        raise InvalidRequest(
            f"The extended video would be {total:g} seconds; the limit is {MAX_SECONDS}."
        )

    last = plan.shots[-1]
    carried = copy.deepcopy(last)
    carried.start = round(plan.seconds, 4)
    carried.duration = round(seconds, 4)
    carried.description = prompt.strip()
    # What was said belongs to the earlier shot; the continuation speaks only if asked.
    carried.dialogue = []
    carried.sound_cues = []

    # Apply the prompt to the new shot alone: edit a one-shot plan holding it.
    scratch = copy.deepcopy(plan)
    scratch.shots = [carried]
    scratch.seconds = total
    edited = edit_plan(scratch, prompt, seed=plan.seed if seed is None else seed)
    new_shot = edited.shots[0]
    _carry_on_positions(last, new_shot)
    for line in new_shot.dialogue:
        line.start = line.end = 0.0  # the engine times lines once it has the speech

    plan.shots.append(new_shot)
    plan.seconds = total
    plan.prompt = f"{plan.prompt} / then: {prompt.strip()}"
    plan.unknown_words = list(dict.fromkeys([*plan.unknown_words, *edited.unknown_words]))
    plan.credits = list(dict.fromkeys([*plan.credits, *edited.credits]))
    refresh_sound_cues(plan)
    return plan.to_dict()


def _carry_on_positions(previous: Shot, shot: Shot) -> None:
    """Start each subject of the new shot where it was at the end of the previous one,
    so walkers and runners do not jump back to their old starting point at the cut."""
    ends = {s.id: pose(s, previous, previous.duration) for s in previous.subjects}
    for subject in shot.subjects:
        end = ends.get(subject.id)
        if end is None:
            continue
        start_x = min(1.0, max(0.0, end.x))
        # Travelling actions start half their distance behind ``x`` (see motion.py).
        travel = TRAVEL.get(subject.action, 0.0) if subject.action != "chase" else 0.0
        subject.x = round(start_x + subject.direction * travel / 2, 4)
