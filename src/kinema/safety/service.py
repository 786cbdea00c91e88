"""Safety operations: moderation at every step, reports, moderator actions, the
append-only moderation log, appeals, and public figures added by administrators.

``moderate`` is the one door every prompt, caption, comment, transcript and image goes
through: it raises ``ModerationBlocked`` (HTTP 400 ``moderation_blocked`` with the
category and a sentence for the person) and records the refusal. The refusal is written
in its own transaction, because the request that was refused rolls back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from kinema.accounts.models import User
from kinema.db import utcnow
from kinema.errors import Conflict, Forbidden, InvalidInput, NotFound
from kinema.ids import new_id
from kinema.provenance.video import iter_frames
from kinema.safety.images import (
    EXPOSED_THRESHOLDS,
    FACE_CLASSES,
    MIN_FACE_SCORE,
    check_image,
    detect,
    faces,
    judge_detections,
)
from kinema.safety.models import (
    APPEAL_DENIED,
    APPEAL_GRANTED,
    APPEAL_OPEN,
    DISMISSED,
    OPEN,
    RESOLVED,
    Appeal,
    ModerationAction,
    ModerationRefusal,
    PublicFigureAddition,
    Report,
)
from kinema.safety.public_figures import add_public_figures
from kinema.safety.text import CONTEXTS as TEXT_CONTEXTS
from kinema.safety.text import FIGURE_CONTEXTS, moderate_text
from kinema.safety.verdict import Verdict

log = logging.getLogger(__name__)

LIKENESS = "likeness"
LIKENESS_MESSAGE = (
    "This picture shows a real person's face. Kinema only starts videos from photos of "
    "people who are your own verified character."
)
IMAGE_CONTEXTS = ("image", "frame")
EXCERPT_CHARS = 500
# Sampled output frames: one every this many seconds is checked for nudity.
FRAME_SAMPLE_SECONDS = 1.0
# A rendered frame's nudity detection this confident counts on its own.
STRONG_FRAME_SCORE = 0.75

TARGET_TYPES = ("video", "comment", "user", "character")
REPORT_REASONS = (
    "sexual",
    "violence",
    "harassment",
    "hate",
    "self_harm",
    "child_safety",
    "impersonation",
    "spam",
    "copyright",
)
# The words API.md and people use, mapped to the reasons above.
_REASON_ALIASES = {
    "self-harm": "self_harm",
    "selfharm": "self_harm",
    "child safety": "child_safety",
    "child-safety": "child_safety",
    "impersonation/likeness": "impersonation",
    "impersonation_likeness": "impersonation",
    "likeness": "impersonation",
}
MAX_REPORT_DETAILS = 1000
MAX_NOTE_CHARS = 1000
MAX_APPEAL_CHARS = 2000

# Moderator actions, and what they may be taken on.
REMOVE, RESTORE, WARN, SUSPEND, UNSUSPEND, DISMISS = (
    "remove",
    "restore",
    "warn",
    "suspend",
    "unsuspend",
    "dismiss",
)
ACTIONS: dict[str, tuple[str, ...]] = {
    REMOVE: ("video", "comment"),
    RESTORE: ("video", "comment"),
    WARN: ("video", "comment", "user", "character"),
    SUSPEND: ("video", "comment", "user", "character"),
    UNSUSPEND: ("user",),
    DISMISS: ("video", "comment", "user", "character"),
}
# Actions the affected person may appeal (once each).
APPEALABLE = (REMOVE, WARN, SUSPEND)
# Log entries written by the system or by people other than moderators.
APPEAL_FILED, APPEAL_GRANTED_ACTION, APPEAL_DENIED_ACTION = (
    "appeal",
    "appeal_granted",
    "appeal_denied",
)
ROLE_CHANGE, PUBLIC_FIGURE_ADDED = "role", "public_figure_added"
ROLES = ("user", "moderator", "admin")
MODERATION_NOTIFICATION = "moderation"


# ---------------------------------------------------------------------------- roles


def is_moderator(user: User | None) -> bool:
    """Moderators and administrators can see reports and act on them."""
    return user is not None and (user.is_admin or user.role in ("moderator", "admin"))


def is_admin(user: User | None) -> bool:
    """Administrators also read the moderation log and manage roles."""
    return user is not None and (user.is_admin or user.role == "admin")


def _require_moderator(user: User) -> None:
    if not is_moderator(user):
        raise Forbidden("Only moderators can do that.")


def _require_admin(user: User) -> None:
    if not is_admin(user):
        raise Forbidden("Only administrators can do that.")


# ---------------------------------------------------------------------------- moderation


def record_refusal(
    sessions: sessionmaker[Session] | Session,
    user_id: str | None,
    context: str,
    verdict: Verdict,
    excerpt: str = "",
) -> None:
    """Keep a refusal in its own, committed transaction (the refused request itself
    rolls back). Refusals involving minors are flagged for the administrators."""
    factory: Callable[[], Session]
    if isinstance(sessions, Session):
        bind = sessions.get_bind()
        factory = lambda: Session(bind=bind)  # noqa: E731
    else:
        factory = sessions
    row = ModerationRefusal(
        id=new_id("rfs"),
        user_id=user_id,
        context=context,
        category=verdict.category or "",
        matched=verdict.matched[:300],
        excerpt=excerpt[:EXCERPT_CHARS],
        flagged=verdict.flag_for_admins,
        created_at=utcnow(),
    )
    try:
        with factory() as own:
            own.add(row)
            own.commit()
    except Exception:
        # Losing the record must never let the refused content through.
        log.exception("Could not record a moderation refusal (%s)", verdict.category)
    if verdict.flag_for_admins:
        log.warning(
            "Refused content involving minors (user %s, %s); flagged for administrators",
            user_id,
            context,
        )


_loaded_additions = -1


def _sync_public_figures(session: Session) -> None:
    """Load the public figures administrators added (in this or another process)."""
    global _loaded_additions
    count = int(session.scalar(select(func.count(PublicFigureAddition.id))) or 0)
    if count == _loaded_additions:
        return
    add_public_figures(session.scalars(select(PublicFigureAddition.entry)).all())
    _loaded_additions = count


def _characters_function(name: str) -> Callable[..., Any] | None:
    """A function of the characters package, when this instance has it."""
    try:
        module = import_module("kinema.characters.service")
    except ModuleNotFoundError:
        return None
    found = getattr(module, name, None)
    return found if callable(found) else None


def public_figure_allowance(session: Session, user: User | None) -> Callable[[str], bool]:
    """Which named public figures may appear in ``user``'s video: those who made a
    verified character on this instance and allow ``user`` to use it. Until characters
    can vouch for a public figure, none may."""
    check = _characters_function("public_figure_allows")

    def allowed(name: str) -> bool:
        if check is None or user is None:
            return False
        return bool(check(session, user, name))

    return allowed


def moderate(
    session: Session,
    user: User | None,
    content: str | Path | bytes | np.ndarray,
    context: str,
) -> None:
    """Check ``content`` for ``context`` ("prompt", "caption", "comment", "transcript"
    or "character_rules" for text; "image" for an uploaded picture, which also gets
    likeness protection; "frame" for a rendered frame). Raises ``ModerationBlocked``
    and records the refusal when it is refused."""
    user_id = user.id if user is not None else None
    if context in TEXT_CONTEXTS:
        if not isinstance(content, str):
            raise TypeError("text moderation needs a string")
        allowance = None
        if context in FIGURE_CONTEXTS:
            _sync_public_figures(session)
            allowance = public_figure_allowance(session, user)
        verdict = moderate_text(content, context=context, allowed_figures=allowance)  # type: ignore[arg-type]
        excerpt = content
    elif context in IMAGE_CONTEXTS:
        if isinstance(content, str):
            content = Path(content)
        verdict = check_image(content)
        if verdict.allowed and context == "image" and user is not None:
            verdict = likeness_check(session, user, content)
        excerpt = ""
    else:
        raise ValueError(f"unknown moderation context {context!r}")
    if not verdict.allowed:
        record_refusal(session, user_id, context, verdict, excerpt)
        verdict.raise_if_refused()


def likeness_check(session: Session, user: User, image: Path | bytes | np.ndarray) -> Verdict:
    """Likeness protection for an uploaded picture: any real face in it must be one of
    the uploader's own verified characters, otherwise it is refused. Faces are found
    with NudeNet's face classes; matching a face to a character uses the characters
    package's face matching (``kinema.characters.service.matches_own_character``) when
    the instance has it — without it no face can be vouched for, so none passes."""
    found = faces(image)
    if not found:
        return Verdict.allow()
    matcher = _characters_function("matches_own_character")
    if matcher is not None and matcher(session, user, image):
        return Verdict.allow()
    return Verdict(
        allowed=False,
        category=LIKENESS,
        message=LIKENESS_MESSAGE,
        matched=f"{len(found)} face(s), best {max(d.score for d in found):.2f}",
    )


def check_rendered_frames(frames: Iterable[np.ndarray]) -> Verdict:
    """Nudity in rendered frames. Drawn scenes fool the detector now and then: a dark
    night sky or a snowy, cloudy one reads as skin, often as a breast and a belly at
    once. So a detection counts when it is strong, or when the frame also shows a
    person to go with it: a face, or a second, different exposed sexual part. The
    first frame that counts refuses the video."""
    for frame in frames:
        found = detect(frame)
        verdict = judge_detections(found)
        if verdict.allowed:
            continue
        exposed = [d for d in found if d.score >= EXPOSED_THRESHOLDS.get(d.label, 1.0)]
        strongest = max(d.score for d in exposed)
        faces_seen = any(d.label in FACE_CLASSES and d.score >= MIN_FACE_SCORE for d in found)
        if strongest >= STRONG_FRAME_SCORE or faces_seen or len({d.label for d in exposed}) >= 2:
            return verdict
    return Verdict.allow()


def check_rendered_video(
    sessions: sessionmaker[Session],
    user_id: str,
    transcript: Sequence[str],
    video_path: Path,
) -> Verdict:
    """Moderate a freshly rendered video: its dialogue transcript, then one frame every
    ``FRAME_SAMPLE_SECONDS``. A refusal is recorded and returned (the job fails with
    its sentence and no video is kept), never raised."""
    spoken = "\n".join(line for line in transcript if line.strip())
    verdict = moderate_text(spoken, context="transcript") if spoken else Verdict.allow()
    context = "transcript"
    if verdict.allowed:
        frames = (rgb for _, rgb in iter_frames(Path(video_path), every=FRAME_SAMPLE_SECONDS))
        verdict = check_rendered_frames(frames)
        context = "frames"
    if not verdict.allowed:
        excerpt = spoken if context == "transcript" else ""
        record_refusal(sessions, user_id, context, verdict, excerpt)
    return verdict


def list_refusals(
    session: Session, admin: User, *, flagged_only: bool = False, limit: int = 100
) -> list[ModerationRefusal]:
    """Recent refusals, newest first (administrators); ``flagged_only`` for the ones
    involving minors."""
    _require_admin(admin)
    query = select(ModerationRefusal)
    if flagged_only:
        query = query.where(ModerationRefusal.flagged.is_(True))
    return list(
        session.scalars(
            query.order_by(ModerationRefusal.created_at.desc()).limit(max(1, min(limit, 500)))
        )
    )


# ---------------------------------------------------------------------------- reports


def normalize_reason(reason: str) -> str:
    """A report reason in its API spelling; ``InvalidInput`` for unknown ones."""
    word = " ".join((reason or "").strip().lower().split())
    word = _REASON_ALIASES.get(word, word.replace(" ", "_"))
    if word not in REPORT_REASONS:
        raise InvalidInput(
            "Unknown report reason; use one of: " + ", ".join(REPORT_REASONS) + ".",
            code="invalid_reason",
        )
    return word


def _target_owner(session: Session, viewer: User, target_type: str, target_id: str) -> str:
    """The id of the person a target belongs to, if ``viewer`` can see the target. A
    block between the two does not count: what someone saw before blocking its author
    can still be reported."""
    if target_type == "video":
        from kinema.studio.service import get_video_for_report

        return get_video_for_report(session, target_id, viewer).author_id
    if target_type == "comment":
        from kinema.social.models import VISIBLE, Comment

        comment = session.get(Comment, target_id)
        if comment is None or (comment.status != VISIBLE and not is_moderator(viewer)):
            raise NotFound("That comment was not found.")
        return comment.author_id
    if target_type == "user":
        from kinema.accounts.service import get_user_by_handle

        person = session.get(User, target_id)
        if person is None:
            person = get_user_by_handle(session, target_id)
        return person.id
    if target_type == "character":
        # Only a character the reporter may see: someone else's private one answers
        # exactly like one that does not exist.
        visible = _characters_function("get_character")
        if visible is not None:
            return str(visible(session, viewer, target_id).owner_id)
        owner = _character_owner(session, target_id)
        if owner is None:
            raise NotFound("That character was not found.")
        return owner
    raise InvalidInput(
        "target_type must be one of: " + ", ".join(TARGET_TYPES) + ".", code="invalid_target"
    )


def _character_owner(session: Session, character_id: str) -> str | None:
    try:
        model = getattr(import_module("kinema.characters.models"), "Character", None)
    except ModuleNotFoundError:
        return None
    if model is None:
        return None
    character = session.get(model, character_id)
    if character is None:
        return None
    owner = getattr(character, "owner_id", None) or getattr(character, "user_id", None)
    return str(owner) if owner else None


def report_content(
    session: Session,
    reporter: User,
    *,
    target_type: str,
    target_id: str,
    reason: str,
    details: str = "",
) -> Report:
    """File a report about a video, comment, user or character the reporter can see.
    Reporting the same thing for the same reason twice while it is open is one report."""
    if target_type not in TARGET_TYPES:
        raise InvalidInput(
            "target_type must be one of: " + ", ".join(TARGET_TYPES) + ".",
            code="invalid_target",
        )
    reason = normalize_reason(reason)
    details = (details or "").strip()
    if len(details) > MAX_REPORT_DETAILS:
        raise InvalidInput(f"Report details can be at most {MAX_REPORT_DETAILS} characters.")
    owner_id = _target_owner(session, reporter, target_type, target_id)
    if target_type == "user":
        target_id = owner_id
    if owner_id == reporter.id:
        raise InvalidInput("You cannot report your own content.", code="own_content")
    existing = session.scalar(
        select(Report).where(
            Report.reporter_id == reporter.id,
            Report.target_type == target_type,
            Report.target_id == target_id,
            Report.reason == reason,
            Report.status == OPEN,
        )
    )
    if existing is not None:
        return existing
    report = Report(
        id=new_id("rpt"),
        reporter_id=reporter.id,
        target_type=target_type,
        target_id=target_id,
        target_user_id=owner_id,
        reason=reason,
        details=details,
        status=OPEN,
        created_at=utcnow(),
    )
    session.add(report)
    session.flush()
    return report


@dataclass
class QueueItem:
    """An open report with what a moderator needs to judge it."""

    report: Report
    reporter: User | None
    target_user: User | None
    content: dict[str, Any]
    other_reports: int


def _describe_target(session: Session, target_type: str, target_id: str) -> dict[str, Any]:
    if target_type == "video":
        from kinema.studio.models import Video

        video = session.get(Video, target_id)
        if video is None:
            return {"missing": True}
        return {
            "prompt": video.prompt,
            "caption": video.caption,
            "status": video.status,
            "content_url": f"/api/videos/{video.id}/content",
            "thumbnail_url": f"/api/videos/{video.id}/content?variant=thumbnail",
            "page_url": f"/v/{video.id}",
        }
    if target_type == "comment":
        from kinema.social.models import Comment

        comment = session.get(Comment, target_id)
        if comment is None:
            return {"missing": True}
        return {"text": comment.text, "status": comment.status, "video_id": comment.video_id}
    if target_type == "user":
        person = session.get(User, target_id)
        if person is None:
            return {"missing": True}
        return {"handle": person.handle, "suspended": person.is_suspended}
    return {"id": target_id}


def moderation_queue(session: Session, moderator: User, *, limit: int = 100) -> list[QueueItem]:
    """Open reports, oldest first, each with its content (moderators only)."""
    _require_moderator(moderator)
    reports = list(
        session.scalars(
            select(Report)
            .where(Report.status == OPEN)
            .order_by(Report.created_at, Report.id)
            .limit(max(1, min(limit, 500)))
        )
    )
    people_ids = {r.reporter_id for r in reports} | {
        r.target_user_id for r in reports if r.target_user_id
    }
    people = (
        {u.id: u for u in session.scalars(select(User).where(User.id.in_(people_ids)))}
        if people_ids
        else {}
    )
    counts: dict[tuple[str, str], int] = {}
    for report in reports:
        key = (report.target_type, report.target_id)
        counts[key] = counts.get(key, 0) + 1
    return [
        QueueItem(
            report=report,
            reporter=people.get(report.reporter_id),
            target_user=people.get(report.target_user_id) if report.target_user_id else None,
            content=_describe_target(session, report.target_type, report.target_id),
            other_reports=counts[(report.target_type, report.target_id)] - 1,
        )
        for report in reports
    ]


# ---------------------------------------------------------------------------- actions


def _log(
    session: Session,
    *,
    actor: User | None,
    action: str,
    target_type: str,
    target_id: str,
    target_user_id: str | None = None,
    report_id: str | None = None,
    note: str = "",
) -> ModerationAction:
    """Append one entry to the moderation log (the only way rows get there)."""
    entry = ModerationAction(
        id=new_id("act"),
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_user_id=target_user_id,
        report_id=report_id,
        note=note,
        created_at=utcnow(),
    )
    session.add(entry)
    session.flush()
    return entry


def _notify_person(
    session: Session, user_id: str, text: str, *, video_id: str | None = None
) -> None:
    """Tell the affected person, through their notifications."""
    from kinema.social.models import Notification

    session.add(
        Notification(
            id=new_id("ntf"),
            user_id=user_id,
            kind=MODERATION_NOTIFICATION,
            video_id=video_id,
            text=text,
            created_at=utcnow(),
        )
    )
    session.flush()


def _set_comment_status(session: Session, comment_id: str, *, visible: bool) -> None:
    from kinema.social.models import HIDDEN, VISIBLE, Comment
    from kinema.studio.models import Video

    comment = session.get(Comment, comment_id)
    if comment is None:
        raise NotFound("That comment was not found.")
    status = VISIBLE if visible else HIDDEN
    if comment.status == status:
        return
    comment.status = status
    delta = 1 if visible else -1
    # The video's counter counts visible comments.
    session.execute(
        update(Video)
        .where(Video.id == comment.video_id)
        .values(
            comment_count=case(
                (Video.comment_count + delta < 0, 0), else_=Video.comment_count + delta
            )
        )
    )
    session.flush()


_NOTICES = {
    REMOVE: "Moderators removed your {thing} for {reason}. You can appeal this once.",
    RESTORE: "Moderators restored your {thing}.",
    WARN: "Moderators warned you about your {thing} ({reason}). You can appeal this once.",
    SUSPEND: "Your account was suspended by moderators ({reason}). You can appeal this once.",
    UNSUSPEND: "Your account is no longer suspended.",
}


def take_action(
    session: Session,
    moderator: User,
    *,
    action: str,
    target_type: str | None = None,
    target_id: str | None = None,
    report_id: str | None = None,
    note: str = "",
) -> ModerationAction:
    """A moderator acts on a report or directly on a target: remove or restore a video
    or comment, warn its author, suspend or unsuspend an account, or dismiss a report.
    Every action is logged, the reports it settles are closed, and the affected person
    is told."""
    _require_moderator(moderator)
    if action not in ACTIONS:
        raise InvalidInput(
            "action must be one of: " + ", ".join(ACTIONS) + ".", code="invalid_action"
        )
    note = (note or "").strip()
    if len(note) > MAX_NOTE_CHARS:
        raise InvalidInput(f"A note can be at most {MAX_NOTE_CHARS} characters.")
    report = None
    if report_id is not None:
        report = session.get(Report, report_id)
        if report is None:
            raise NotFound("That report was not found.")
        target_type, target_id = report.target_type, report.target_id
    if not target_type or not target_id:
        raise InvalidInput("Name a report, or a target_type and target_id.")
    if target_type not in ACTIONS[action]:
        raise InvalidInput(f"A {target_type} cannot be given the action {action!r}.")
    owner_id = report.target_user_id if report is not None else None
    if owner_id is None:
        owner_id = _target_owner(session, moderator, target_type, target_id)
    if target_type == "user":
        target_id = owner_id
    if owner_id == moderator.id and action != DISMISS:
        raise Forbidden("Moderators do not act on their own content or account.")
    reason = report.reason.replace("_", " ") if report is not None else "breaking the rules"
    thing = {"video": "video", "comment": "comment", "user": "account"}.get(
        target_type, target_type
    )

    if action == RESTORE and not _removed_by_moderators(session, target_type, target_id):
        raise Conflict(
            f"This {thing} was not removed by moderators, so there is nothing to restore.",
            code="not_removed",
        )
    if action in (REMOVE, RESTORE):
        if target_type == "video":
            from kinema.studio.service import set_video_removed

            set_video_removed(session, target_id, removed=action == REMOVE)
        else:
            _set_comment_status(session, target_id, visible=action == RESTORE)
    elif action in (SUSPEND, UNSUSPEND):
        from kinema.accounts.service import set_suspended

        person = session.get(User, owner_id)
        if person is None:
            raise NotFound("That account was not found.")
        if is_admin(person) and not is_admin(moderator):
            raise Forbidden("Only administrators can suspend an administrator.")
        set_suspended(session, person, action == SUSPEND)
        target_type, target_id, thing = "user", owner_id, "account"

    entry = _log(
        session,
        actor=moderator,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_user_id=owner_id,
        report_id=report.id if report is not None else None,
        note=note,
    )
    # Dismissing settles one report; removing, warning or suspending settles every open
    # report on the target; undoing (restore, unsuspend) settles none.
    settled: list[Report] = []
    if action == DISMISS:
        settled = [report] if report is not None else []
    elif action not in (RESTORE, UNSUSPEND):
        settled = list(
            session.scalars(
                select(Report).where(
                    Report.status == OPEN,
                    Report.target_type == (report.target_type if report else target_type),
                    Report.target_id == (report.target_id if report else target_id),
                )
            )
        )
    for item in settled:
        item.status = DISMISSED if action == DISMISS else RESOLVED
        item.resolved_at = utcnow()
    template = _NOTICES.get(action)
    if template is not None and owner_id is not None:
        text = template.format(thing=thing, reason=reason)
        if note:
            text += f" Note from the moderators: {note}"
        _notify_person(
            session,
            owner_id,
            text,
            video_id=target_id if target_type == "video" and action == RESTORE else None,
        )
    session.flush()
    return entry


def _removed_by_moderators(session: Session, target_type: str, target_id: str) -> bool:
    """Whether the latest remove/restore on the target was a removal (something taken
    down another way, e.g. a character's owner withdrawing consent, stays down)."""
    latest = session.scalar(
        select(ModerationAction.action)
        .where(
            ModerationAction.target_type == target_type,
            ModerationAction.target_id == target_id,
            ModerationAction.action.in_((REMOVE, RESTORE)),
        )
        .order_by(ModerationAction.seq.desc())
        .limit(1)
    )
    return latest == REMOVE


def audit_log(
    session: Session, admin: User, *, after: int = 0, limit: int = 200
) -> list[ModerationAction]:
    """The moderation log in the order things happened (administrators); ``after``
    is the ``seq`` of the last entry already seen."""
    _require_admin(admin)
    return list(
        session.scalars(
            select(ModerationAction)
            .where(ModerationAction.seq > after)
            .order_by(ModerationAction.seq)
            .limit(max(1, min(limit, 1000)))
        )
    )


def actions_affecting(session: Session, user: User) -> list[tuple[ModerationAction, Appeal | None]]:
    """Moderator actions that affected ``user`` (newest first) and their appeal, if any."""
    actions = list(
        session.scalars(
            select(ModerationAction)
            .where(
                ModerationAction.target_user_id == user.id,
                ModerationAction.action.in_(APPEALABLE),
            )
            .order_by(ModerationAction.seq.desc())
            .limit(200)
        )
    )
    appeals = (
        {
            a.action_id: a
            for a in session.scalars(
                select(Appeal).where(Appeal.action_id.in_([a.id for a in actions]))
            )
        }
        if actions
        else {}
    )
    return [(action, appeals.get(action.id)) for action in actions]


# ---------------------------------------------------------------------------- appeals


def file_appeal(session: Session, user: User, action_id: str, text: str) -> Appeal:
    """Appeal a moderator action that affected ``user``; each action can be appealed
    once (a second appeal is a ``Conflict``)."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput("Say why the decision should be changed.", code="empty_appeal")
    if len(text) > MAX_APPEAL_CHARS:
        raise InvalidInput(f"An appeal can be at most {MAX_APPEAL_CHARS} characters.")
    action = session.scalar(select(ModerationAction).where(ModerationAction.id == action_id))
    if action is None or action.target_user_id != user.id or action.action not in APPEALABLE:
        raise NotFound("That moderation decision was not found among yours.")
    if session.scalar(select(Appeal.id).where(Appeal.action_id == action_id)) is not None:
        raise Conflict(
            "You have already appealed this decision; each can be appealed once.",
            code="already_appealed",
        )
    appeal = Appeal(
        id=new_id("apl"),
        action_id=action_id,
        user_id=user.id,
        text=text,
        status=APPEAL_OPEN,
        created_at=utcnow(),
    )
    session.add(appeal)
    session.flush()
    _log(
        session,
        actor=user,
        action=APPEAL_FILED,
        target_type="action",
        target_id=action_id,
        target_user_id=user.id,
        note=text[:EXCERPT_CHARS],
    )
    return appeal


def open_appeals(session: Session, moderator: User) -> list[tuple[Appeal, ModerationAction]]:
    """Appeals waiting for a decision, oldest first, with the action appealed."""
    _require_moderator(moderator)
    rows = session.execute(
        select(Appeal, ModerationAction)
        .join(ModerationAction, ModerationAction.id == Appeal.action_id)
        .where(Appeal.status == APPEAL_OPEN)
        .order_by(Appeal.created_at)
    ).all()
    return [(appeal, action) for appeal, action in rows]


def decide_appeal(
    session: Session, moderator: User, appeal_id: str, *, grant: bool, note: str = ""
) -> Appeal:
    """Grant (undo the action: restore the content or lift the suspension) or deny an
    appeal; logged, and the person is told."""
    _require_moderator(moderator)
    appeal = session.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFound("That appeal was not found.")
    if appeal.status != APPEAL_OPEN:
        raise Conflict("That appeal was already decided.", code="already_decided")
    action = session.scalar(select(ModerationAction).where(ModerationAction.id == appeal.action_id))
    assert action is not None
    if action.actor_id == moderator.id and not is_admin(moderator):
        raise Forbidden("Another moderator must decide an appeal against your own decision.")
    undo = None
    if grant and action.action == REMOVE:
        # Unless it was already restored (or taken down for good another way).
        if _removed_by_moderators(session, action.target_type, action.target_id):
            undo = RESTORE
            if action.target_type == "video":
                from kinema.studio.service import set_video_removed

                set_video_removed(session, action.target_id, removed=False)
            else:
                _set_comment_status(session, action.target_id, visible=True)
    elif grant and action.action == SUSPEND:
        from kinema.accounts.service import set_suspended

        person = session.get(User, action.target_id)
        if person is not None and person.is_suspended:
            undo = UNSUSPEND
            set_suspended(session, person, False)
    if undo is not None:
        _log(
            session,
            actor=moderator,
            action=undo,
            target_type=action.target_type,
            target_id=action.target_id,
            target_user_id=action.target_user_id,
            note=f"appeal {appeal.id} granted",
        )
    appeal.status = APPEAL_GRANTED if grant else APPEAL_DENIED
    appeal.decided_at = utcnow()
    _log(
        session,
        actor=moderator,
        action=APPEAL_GRANTED_ACTION if grant else APPEAL_DENIED_ACTION,
        target_type="appeal",
        target_id=appeal.id,
        target_user_id=appeal.user_id,
        note=(note or "").strip()[:MAX_NOTE_CHARS],
    )
    _notify_person(
        session,
        appeal.user_id,
        "Your appeal was granted and the decision undone."
        if grant
        else "Your appeal was reviewed and the decision stands.",
    )
    return appeal


# ---------------------------------------------------------------------------- admin


def set_role(session: Session, admin: User | None, handle: str, role: str) -> User:
    """Make someone a user, moderator or admin (``admin`` None: from the command line)."""
    from kinema.accounts.service import get_user_by_handle

    if admin is not None:
        _require_admin(admin)
    if role not in ROLES:
        raise InvalidInput("role must be one of: " + ", ".join(ROLES) + ".")
    person = get_user_by_handle(session, handle)
    person.role = role
    person.is_admin = role == "admin"
    _log(
        session,
        actor=admin,
        action=ROLE_CHANGE,
        target_type="user",
        target_id=person.id,
        target_user_id=person.id,
        note=role,
    )
    return person


def add_public_figure(session: Session, admin: User | None, entry: str) -> PublicFigureAddition:
    """Add a public figure (``"Full Name|alias|alias"``) to the names prompts are
    checked against (``admin`` None: from the command line)."""
    if admin is not None:
        _require_admin(admin)
    entry = " ".join((entry or "").split())
    names = [part.strip() for part in entry.split("|") if part.strip()]
    if not names or len(names[0]) < 3 or len(entry) > 500:
        raise InvalidInput("Give a full name (and optionally aliases separated by '|').")
    addition = PublicFigureAddition(
        id=new_id("pfa"),
        entry="|".join(names),
        added_by=admin.id if admin is not None else None,
        created_at=utcnow(),
    )
    session.add(addition)
    session.flush()
    _log(
        session,
        actor=admin,
        action=PUBLIC_FIGURE_ADDED,
        target_type="public_figure",
        target_id=names[0][:200],
        note=addition.entry,
    )
    add_public_figures([addition.entry])
    return addition
