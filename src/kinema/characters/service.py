"""Character operations: capture, verification, consent, use in videos and the owner's
controls. One function per thing a person (or the worker) does; each takes a
``Session`` and explicit arguments and raises ``kinema.errors`` with sentences fit to
show.

Biometric data (face descriptor, voice profile, cutout, the source clip while it is
being checked) is sealed with the instance's key (``kinema.characters.crypto``) before
it is stored; the clip itself is deleted once verification ends.
"""

from __future__ import annotations

import json
import logging
import random
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from kinema.characters.crypto import seal, unseal
from kinema.characters.face_views import unpack_cameo
from kinema.characters.faces import descriptor_distance
from kinema.characters.models import (
    APPROVED,
    EVERYONE,
    KINDS,
    LEVELS,
    MUTUALS,
    ONLY_ME,
    PERSON,
    REJECTED,
    VERIFIED,
    VERIFYING,
    CaptureChallenge,
    Character,
    CharacterAppearance,
    CharacterApproval,
)
from kinema.characters.rules import broken_rule, read_preferences
from kinema.characters.verify import (
    VerificationRefused,
    check_clip,
    probe_clip,
    verify_person,
    verify_subject,
)
from kinema.db import transaction, utcnow
from kinema.engines.base import CharacterRef, EngineError, VoiceProfile
from kinema.engines.procedural.cameo import cameo_folder
from kinema.errors import Conflict, Forbidden, InvalidInput, NotFound
from kinema.ids import new_id
from kinema.queue import enqueue
from kinema.safety import service as safety

if TYPE_CHECKING:
    from kinema.accounts.models import User
    from kinema.runtime import Runtime

log = logging.getLogger(__name__)

VERIFY_TASK = "verify_character"
CHALLENGE_MINUTES = 15
MAX_CHARACTERS_PER_PROMPT = 2
MAX_CHARACTERS_PER_USER = 20
MAX_INSTRUCTIONS_CHARS = 1000
# A face this close to another account's verified character is the same person.
SAME_FACE_DISTANCE = 0.5
# A verification that has not finished after this long is taken as lost and re-run.
VERIFY_TIMEOUT = timedelta(minutes=10)
VERIFY_MAX_ATTEMPTS = 3
UNCHECKED_MESSAGE = "The recording could not be checked. Please record it again."

_HANDLE = re.compile(r"^[a-z0-9_.]{3,30}$")
MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9_.]{3,30})")
_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TURNS = ("left", "right", "up", "down")


class CharacterUnavailable(EngineError):
    """A character named in a queued video can no longer be used (its owner revoked
    the permission or deleted it). An ``EngineError`` so the job fails with this
    sentence, like any other refusal to render."""


# ---------------------------------------------------------------------------- helpers


def _after_commit(session: Session, action: object) -> None:
    from kinema.studio.service import _after_commit as studio_after_commit

    studio_after_commit(session, action)  # type: ignore[arg-type]


def _is_staff(user: User) -> bool:
    return bool(user.is_admin or user.role in ("moderator", "admin"))


def _normalize_handle(handle: str) -> str:
    return (handle or "").strip().lstrip("@").lower()


def _owned(session: Session, user: User, character_id: str) -> Character:
    """The caller's own character; someone else's is "not found" (its existence is not
    revealed) unless they may use it, then "forbidden"."""
    character = session.get(Character, character_id)
    if character is None:
        raise NotFound("That character was not found.")
    if character.owner_id != user.id:
        if character.status == VERIFIED and may_use(session, character, user):
            raise Forbidden("Only the character's owner can do that.")
        raise NotFound("That character was not found.")
    return character


def _clip_key(character_id: str) -> str:
    return f"characters/{character_id}/clip.sealed"


def _cutout_key(character_id: str) -> str:
    return f"characters/{character_id}/cutout.sealed"


def _face_views_key(character_id: str) -> str:
    return f"characters/{character_id}/face-views.sealed"


# ---------------------------------------------------------------------------- capture


def new_challenge(session: Session, user: User) -> CaptureChallenge:
    """A fresh phrase to read aloud (three digits as words) and one to three head turns
    (from the person's own point of view, no turn twice in a row) for ``user``."""
    rng = random.SystemRandom()
    phrase = " ".join(rng.choice(_DIGITS) for _ in range(3))
    turns: list[str] = []
    for _ in range(rng.randint(1, 3)):
        turns.append(rng.choice([t for t in _TURNS if not turns or t != turns[-1]]))
    challenge = CaptureChallenge(
        id=new_id("chl"),
        user_id=user.id,
        phrase=phrase,
        turns=turns,
        expires_at=utcnow() + timedelta(minutes=CHALLENGE_MINUTES),
    )
    session.add(challenge)
    session.flush()
    return challenge


def _take_challenge(session: Session, user: User, challenge_id: str | None) -> CaptureChallenge:
    if not challenge_id:
        raise InvalidInput(
            "A person's recording needs a challenge: ask for one first and follow it.",
            code="challenge_required",
        )
    challenge = session.get(CaptureChallenge, challenge_id)
    if challenge is None or challenge.user_id != user.id:
        raise NotFound("That challenge was not found; ask for a new one.")
    if challenge.used_at is not None:
        raise Conflict("That challenge was already used; ask for a new one.")
    if challenge.expires_at < utcnow():
        raise InvalidInput("That challenge has expired; ask for a new one.", code="expired")
    challenge.used_at = utcnow()
    return challenge


def submit_character(
    session: Session,
    runtime: Runtime,
    user: User,
    *,
    clip: Path,
    name: str,
    handle: str,
    kind: str,
    challenge_id: str | None = None,
) -> Character:
    """Start a character from a capture clip: check the form and the clip (3-15 s, with
    sound), keep the clip sealed and queue its verification once this transaction
    commits. The character is ``verifying`` until the check ends."""
    name = " ".join((name or "").split())
    if not name or len(name) > 60:
        raise InvalidInput("Give the character a name of 1 to 60 characters.")
    handle = _normalize_handle(handle)
    if not _HANDLE.match(handle):
        raise InvalidInput(
            "A character handle is 3 to 30 letters, digits, '_' or '.', e.g. ann_cameo."
        )
    if kind not in KINDS:
        raise InvalidInput("The kind must be person, pet or object.")
    if session.scalar(select(Character.id).where(Character.handle == handle)) is not None:
        raise Conflict(f"The handle @{handle} is taken; choose another.", code="handle_taken")
    owned = session.scalar(select(func.count(Character.id)).where(Character.owner_id == user.id))
    if int(owned or 0) >= MAX_CHARACTERS_PER_USER:
        raise Conflict(
            f"You have {MAX_CHARACTERS_PER_USER} characters, the most an account may have; "
            "delete one first.",
            code="character_limit",
        )
    try:
        check_clip(probe_clip(clip))
    except VerificationRefused as exc:
        raise InvalidInput(str(exc), code="unusable_recording") from None
    challenge = _take_challenge(session, user, challenge_id) if kind == PERSON else None
    character = Character(
        id=new_id("chr"),
        owner_id=user.id,
        handle=handle,
        name=name,
        kind=kind,
        status=VERIFYING,
        permission=ONLY_ME,
        instructions="",
        challenge=(
            {"phrase": challenge.phrase, "turns": list(challenge.turns)} if challenge else None
        ),
        attempts=0,
    )
    character.clip_key = _clip_key(character.id)
    runtime.storage.put_bytes(
        character.clip_key, seal(runtime.settings.data_dir, clip.read_bytes())
    )
    session.add(character)
    session.flush()
    character_id, clip_key = character.id, character.clip_key

    from kinema.studio.service import _after_rollback

    _after_rollback(session, lambda: runtime.storage.delete(clip_key))
    _after_commit(session, lambda: _enqueue_verification(runtime, character_id))
    return character


def _enqueue_verification(runtime: Runtime, character_id: str) -> None:
    try:
        enqueue(runtime, VERIFY_TASK, character_id)
    except Exception:
        # The row stays "verifying"; recovery queues it again later.
        log.exception("Could not queue verification of %s", character_id)


# ---------------------------------------------------------------------------- verification


def _claim(runtime: Runtime, character_id: str) -> bool:
    now = utcnow()
    with transaction(runtime.sessions) as session:
        result = session.execute(
            update(Character)
            .where(
                Character.id == character_id,
                Character.status == VERIFYING,
                (Character.checking_since.is_(None))
                | (Character.checking_since < now - VERIFY_TIMEOUT),
            )
            .values(checking_since=now, attempts=Character.attempts + 1)
        )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _finish(
    runtime: Runtime,
    character_id: str,
    *,
    status: str,
    reason: str | None = None,
    descriptor: np.ndarray | None = None,
    voice: VoiceProfile | None = None,
    cutout_png: bytes | None = None,
    face_views: bytes | None = None,
) -> None:
    data_dir = runtime.settings.data_dir
    cutout_key = None
    if cutout_png is not None:
        cutout_key = _cutout_key(character_id)
        runtime.storage.put_bytes(cutout_key, seal(data_dir, cutout_png))
        if face_views:
            runtime.storage.put_bytes(_face_views_key(character_id), seal(data_dir, face_views))
    with transaction(runtime.sessions) as session:
        character = session.get(Character, character_id)
        if character is None:  # deleted while it was being checked
            if cutout_key:
                runtime.storage.delete(cutout_key)
                if face_views:
                    runtime.storage.delete(_face_views_key(character_id))
            return
        character.status = status
        character.reason = reason
        character.checking_since = None
        if status == VERIFIED:
            character.verified_at = utcnow()
            character.cutout_key = cutout_key
            if descriptor is not None:
                character.descriptor_sealed = seal(
                    data_dir, np.asarray(descriptor, dtype="<f8").tobytes()
                )
            if voice is not None:
                character.voice_sealed = seal(
                    data_dir,
                    json.dumps(
                        {
                            "pitch_hz": voice.pitch_hz,
                            "words_per_minute": voice.words_per_minute,
                            "formant_scale": voice.formant_scale,
                        }
                    ).encode(),
                )
        clip_key, character.clip_key = character.clip_key, None
    if clip_key:
        runtime.storage.delete(clip_key)


def _descriptor(data_dir: Path, character: Character) -> np.ndarray | None:
    if character.descriptor_sealed is None:
        return None
    return np.frombuffer(unseal(data_dir, character.descriptor_sealed), dtype="<f8")


def _face_owner_conflict(runtime: Runtime, owner_id: str, descriptor: np.ndarray) -> bool:
    """Whether the face belongs to another account's verified character."""
    with runtime.sessions() as session:
        others = session.scalars(
            select(Character).where(
                Character.kind == PERSON,
                Character.status == VERIFIED,
                Character.owner_id != owner_id,
            )
        ).all()
        for other in others:
            known = _descriptor(runtime.settings.data_dir, other)
            if known is not None and descriptor_distance(known, descriptor) < SAME_FACE_DISTANCE:
                return True
    return False


def verify_character(runtime: Runtime, character_id: str) -> str | None:
    """Worker side of a capture: run the checks on the sealed clip and record the
    outcome (``verified`` with the sealed descriptor, voice profile and cutout, or
    ``rejected`` with the reason). Returns the new status, or None if there was nothing
    to do."""
    if not _claim(runtime, character_id):
        return None
    with runtime.sessions() as session:
        character = session.get(Character, character_id)
        if character is None or character.clip_key is None:
            return None
        owner_id, kind, clip_key = character.owner_id, character.kind, character.clip_key
        challenge = dict(character.challenge or {})
    scratch_root = runtime.settings.data_dir / "tmp"
    scratch_root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"{character_id}-", dir=scratch_root))
    try:
        clip = scratch / "clip.mp4"
        clip.write_bytes(unseal(runtime.settings.data_dir, runtime.storage.read_bytes(clip_key)))
        if kind == PERSON:
            person = verify_person(
                clip, list(challenge.get("turns") or []), len(str(challenge.get("phrase")).split())
            )
            if _face_owner_conflict(runtime, owner_id, person.descriptor):
                raise VerificationRefused(
                    "This face already belongs to another account's character. A person can "
                    "only be a character on their own account."
                )
            voice = person.voice
            _finish(
                runtime,
                character_id,
                status=VERIFIED,
                descriptor=person.descriptor,
                voice=VoiceProfile(voice.pitch_hz, voice.words_per_minute, voice.formant_scale),
                cutout_png=person.cutout_png,
                face_views=person.face_views,
            )
        else:
            subject = verify_subject(clip)
            voice = subject.voice
            _finish(
                runtime,
                character_id,
                status=VERIFIED,
                voice=VoiceProfile(voice.pitch_hz, voice.words_per_minute, voice.formant_scale),
                cutout_png=subject.cutout_png,
            )
        return VERIFIED
    except VerificationRefused as exc:
        _finish(runtime, character_id, status=REJECTED, reason=str(exc))
        return REJECTED
    except Exception:
        log.exception("Verification of character %s failed", character_id)
        _finish(runtime, character_id, status=REJECTED, reason=UNCHECKED_MESSAGE)
        return REJECTED
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def recover_stalled_verifications(runtime: Runtime) -> list[str]:
    """Queue again the verifications whose worker stopped (still ``verifying`` long
    after they started, or never started); give up after ``VERIFY_MAX_ATTEMPTS``."""
    cutoff = utcnow() - VERIFY_TIMEOUT
    requeued: list[str] = []
    with runtime.sessions() as session:
        stalled = session.execute(
            select(Character.id, Character.attempts).where(
                Character.status == VERIFYING,
                ((Character.checking_since.is_(None)) & (Character.created_at < cutoff))
                | (Character.checking_since < cutoff),
            )
        ).all()
    for character_id, attempts in stalled:
        if attempts >= VERIFY_MAX_ATTEMPTS:
            _finish(runtime, character_id, status=REJECTED, reason=UNCHECKED_MESSAGE)
            continue
        _enqueue_verification(runtime, character_id)
        requeued.append(character_id)
    return requeued


# ---------------------------------------------------------------------------- reading


def get_character(session: Session, viewer: User, character_id: str) -> Character:
    """A character as ``viewer`` may see it: their own in any state; someone else's
    only when verified and ``viewer`` may use it."""
    character = session.get(Character, character_id)
    if character is None:
        raise NotFound("That character was not found.")
    if character.owner_id == viewer.id or _is_staff(viewer):
        return character
    if character.status == VERIFIED and may_use(session, character, viewer):
        return character
    raise NotFound("That character was not found.")


def list_characters(session: Session, viewer: User) -> list[Character]:
    """The viewer's own characters, then the verified ones they may put in videos."""
    own = list(
        session.scalars(
            select(Character)
            .where(Character.owner_id == viewer.id)
            .order_by(Character.created_at.desc())
        )
    )
    others = session.scalars(
        select(Character)
        .where(
            Character.owner_id != viewer.id,
            Character.status == VERIFIED,
            Character.permission != ONLY_ME,
        )
        .order_by(Character.handle)
        .limit(500)
    ).all()
    return own + [c for c in others if may_use(session, c, viewer)]


def approved_handles(session: Session, character: Character) -> list[str]:
    """Handles of the people the owner approved, alphabetically."""
    from kinema.accounts.models import User

    return list(
        session.scalars(
            select(User.handle)
            .join(CharacterApproval, CharacterApproval.user_id == User.id)
            .where(CharacterApproval.character_id == character.id)
            .order_by(User.handle)
        )
    )


def cutout_png(session: Session, runtime: Runtime, user: User, character_id: str) -> bytes:
    """The owner's view of their character's cutout (RGBA PNG)."""
    character = _owned(session, user, character_id)
    if character.cutout_key is None:
        raise NotFound("This character has no cutout yet.")
    return unseal(runtime.settings.data_dir, runtime.storage.read_bytes(character.cutout_key))


# ---------------------------------------------------------------------------- consent


def _follows(session: Session, follower_id: str, followee_id: str) -> bool:
    from kinema.social import service as social

    return followee_id in social.followed_ids(session, follower_id)


def _blocked_between(session: Session, first_id: str, second_id: str) -> bool:
    from kinema.social import service as social

    return bool(social.is_hidden_between(session, first_id, second_id))


def may_use(session: Session, character: Character, user: User) -> bool:
    """Whether ``user`` may put ``character`` in a video under its current permission
    (the owner always may; a block between them always refuses)."""
    if character.owner_id == user.id:
        return True
    if _blocked_between(session, character.owner_id, user.id):
        return False
    level = character.permission
    if level == EVERYONE:
        return True
    if level == APPROVED:
        return (
            session.get(CharacterApproval, {"character_id": character.id, "user_id": user.id})
            is not None
        )
    if level == MUTUALS:
        return _follows(session, user.id, character.owner_id) and _follows(
            session, character.owner_id, user.id
        )
    return False


def set_permission(
    session: Session,
    user: User,
    character_id: str,
    *,
    level: str,
    approved: list[str] | None = None,
) -> Character:
    """Decide who may put the character in videos. Takes effect at once: videos asked
    for afterwards are refused, and queued ones fail. Teens' characters cannot be open
    to everyone."""
    from kinema.accounts.models import User as UserRow

    character = _owned(session, user, character_id)
    if level not in LEVELS:
        raise InvalidInput("The level must be only_me, approved, mutuals or everyone.")
    owner = session.get(UserRow, character.owner_id)
    if level == EVERYONE and owner is not None and owner.is_teen:
        raise Forbidden(
            "Characters of members under 18 cannot be open to everyone.", code="teen_character"
        )
    handles = sorted({_normalize_handle(h) for h in (approved or []) if h.strip()})
    if len(handles) > 200:
        raise InvalidInput("At most 200 people can be approved by handle.")
    people = (
        list(session.scalars(select(UserRow).where(UserRow.handle.in_(handles)))) if handles else []
    )
    missing = sorted(set(handles) - {p.handle for p in people})
    if missing:
        raise InvalidInput(f"There is no one with the handle @{missing[0]}.", handle=missing[0])
    session.execute(delete(CharacterApproval).where(CharacterApproval.character_id == character.id))
    for person in people:
        if person.id != character.owner_id:
            session.add(CharacterApproval(character_id=character.id, user_id=person.id))
    character.permission = level
    session.flush()
    return character


def set_preferences(
    session: Session, user: User, character_id: str, instructions: str
) -> Character:
    """Keep the owner's preferences: appearance rules go to the engine, content rules are
    checked against every prompt that names the character."""
    character = _owned(session, user, character_id)
    instructions = (instructions or "").strip()
    if len(instructions) > MAX_INSTRUCTIONS_CHARS:
        raise InvalidInput(
            f"Preferences are {len(instructions)} characters long; the limit is "
            f"{MAX_INSTRUCTIONS_CHARS}."
        )
    # Appearance rules reach the engine with every video, so they are moderated like a
    # prompt; content rules only ever forbid ("no nudity") and are not.
    appearance = read_preferences(instructions).appearance_text
    if appearance:
        safety.moderate(session, user, appearance, "character_rules")
    character.instructions = instructions
    session.flush()
    return character


# ---------------------------------------------------------------------------- use in videos


def mentioned_handles(prompt: str) -> list[str]:
    """The ``@handles`` a prompt names, in order, each once."""
    seen: list[str] = []
    for match in MENTION.finditer(prompt or ""):
        handle = match.group(1).rstrip(".").lower()
        if handle not in seen:
            seen.append(handle)
    return seen


def resolve_prompt_characters(session: Session, user: User, prompt: str) -> list[Character]:
    """The characters a prompt names as ``@handle``, checked for ``user``: each must exist,
    be verified, allow ``user`` and not be asked into something its owner ruled out.
    The error names the handle."""
    handles = mentioned_handles(prompt)
    if len(handles) > MAX_CHARACTERS_PER_PROMPT:
        raise InvalidInput(
            f"A video can have at most {MAX_CHARACTERS_PER_PROMPT} characters; the prompt "
            f"names {len(handles)} ({', '.join('@' + h for h in handles)}).",
            code="too_many_characters",
        )
    characters: list[Character] = []
    for handle in handles:
        character = session.scalar(select(Character).where(Character.handle == handle))
        visible = character is not None and (
            character.owner_id == user.id or may_use(session, character, user)
        )
        if character is None or (not visible and character.permission == ONLY_ME):
            raise NotFound(f"There is no character @{handle}.", code="unknown_character")
        if character.status != VERIFIED:
            raise InvalidInput(
                f"@{handle} is not ready: its recording is "
                f"{'still being checked' if character.status == VERIFYING else 'not verified'}.",
                code="character_not_verified",
            )
        if not visible:
            raise Forbidden(
                f"@{handle}'s owner has not allowed you to put them in videos.",
                code="character_not_allowed",
            )
        rule = broken_rule(prompt, read_preferences(character.instructions).content_rules)
        if rule is not None and character.owner_id != user.id:
            raise Forbidden(
                f'@{handle}\'s owner does not allow this: "{rule}".',
                code="character_rules",
            )
        characters.append(character)
    return characters


def record_planned_appearances(
    session: Session, generation_id: str, author: User, characters: list[Character]
) -> None:
    """Note that a queued generation will show ``characters`` (its owner sees it in the
    appearances list as soon as the video exists)."""
    for character in characters:
        session.add(
            CharacterAppearance(
                id=new_id("app"),
                character_id=character.id,
                generation_id=generation_id,
                author_id=author.id,
            )
        )
    session.flush()


def character_refs(
    runtime: Runtime, generation_id: str, prompt: str, folder: Path
) -> list[CharacterRef]:
    """What the engine needs for each character of a generation: the cutout (unsealed
    into ``folder``), the voice profile and the appearance rules. Permission is checked
    again, so a revoked or deleted character never reaches a render: every ``@handle``
    in the prompt was a character when the video was asked for, so one without its
    appearance row now was deleted."""
    from kinema.accounts.models import User

    data_dir = runtime.settings.data_dir
    refs: list[CharacterRef] = []
    with runtime.sessions() as session:
        rows = session.execute(
            select(CharacterAppearance.character_id, CharacterAppearance.author_id).where(
                CharacterAppearance.generation_id == generation_id
            )
        ).all()
        for character_id, author_id in rows:
            character = session.get(Character, character_id)
            author = session.get(User, author_id)
            if character is None or author is None or character.status != VERIFIED:
                raise CharacterUnavailable("A character in this video was deleted by its owner.")
            if not may_use(session, character, author):
                raise CharacterUnavailable(
                    f"@{character.handle}'s owner no longer allows you to put them in videos."
                )
            appearance: Path | None = None
            face_views: tuple[Path, ...] = ()
            if character.cutout_key:
                appearance = folder / f"character-{character.handle}.png"
                appearance.write_bytes(
                    unseal(data_dir, runtime.storage.read_bytes(character.cutout_key))
                )
                views_key = _face_views_key(character.id)
                views = (
                    unseal(data_dir, runtime.storage.read_bytes(views_key))
                    if runtime.storage.exists(views_key)
                    else None
                )
                face_views = unpack_cameo(views, character.kind, cameo_folder(appearance))
            voice = VoiceProfile()
            if character.voice_sealed is not None:
                measured = json.loads(unseal(data_dir, character.voice_sealed))
                voice = VoiceProfile(
                    measured.get("pitch_hz"),
                    measured.get("words_per_minute"),
                    measured.get("formant_scale"),
                )
            refs.append(
                CharacterRef(
                    handle=character.handle,
                    name=character.name,
                    kind=character.kind,
                    appearance=appearance,
                    voice=voice,
                    appearance_rules=read_preferences(character.instructions).appearance_text,
                    views=face_views,
                )
            )
    known = {ref.handle for ref in refs}
    for handle in mentioned_handles(prompt):
        if handle not in known:
            raise CharacterUnavailable(f"@{handle} was deleted by its owner.")
    return refs


def record_appearances(session: Session, video_id: str, generation_id: str) -> list[Character]:
    """Link a generation's characters to the video it made and tell each owner their
    character was used (draft or published alike)."""
    from kinema.accounts.models import User

    appearances = session.scalars(
        select(CharacterAppearance).where(CharacterAppearance.generation_id == generation_id)
    ).all()
    used: list[Character] = []
    for appearance in appearances:
        appearance.video_id = video_id
        character = session.get(Character, appearance.character_id)
        author = session.get(User, appearance.author_id)
        if character is None or author is None:
            continue
        used.append(character)
        _notify_owner(session, character, author, video_id)
    session.flush()
    return used


def _notify_owner(session: Session, character: Character, author: User, video_id: str) -> None:
    from kinema.social import service as social

    social.notify_character_used(
        session,
        owner_id=character.owner_id,
        actor=author,
        video_id=video_id,
        character_handle=character.handle,
    )


def video_characters(session: Session, video_id: str) -> list[Character]:
    """The characters that appear in a video."""
    return list(
        session.scalars(
            select(Character)
            .join(CharacterAppearance, CharacterAppearance.character_id == Character.id)
            .where(CharacterAppearance.video_id == video_id)
        )
    )


# ---------------------------------------------------------------------------- owner controls


@dataclass(frozen=True)
class Appearance:
    video_id: str
    author_handle: str
    status: str
    prompt: str
    created_at: object


def list_appearances(session: Session, user: User, character_id: str) -> list[Appearance]:
    """Every video the character appears in, whoever made it and whatever its state
    (other people's drafts included), newest first."""
    from kinema.accounts.models import User as UserRow
    from kinema.studio.models import Video

    character = _owned(session, user, character_id)
    rows = session.execute(
        select(Video.id, UserRow.handle, Video.status, Video.prompt, Video.created_at)
        .join(CharacterAppearance, CharacterAppearance.video_id == Video.id)
        .join(UserRow, UserRow.id == Video.author_id)
        .where(CharacterAppearance.character_id == character.id)
        .order_by(Video.created_at.desc(), Video.id.desc())
    ).all()
    return [Appearance(*row) for row in rows]


def remove_appearance(
    session: Session, runtime: Runtime, user: User, character_id: str, video_id: str
) -> None:
    """The owner takes a video they appear in down, for everyone, its author included."""
    from kinema.studio import service as studio

    character = _owned(session, user, character_id)
    linked = session.scalar(
        select(CharacterAppearance.id).where(
            CharacterAppearance.character_id == character.id,
            CharacterAppearance.video_id == video_id,
        )
    )
    if linked is None:
        raise NotFound("This character does not appear in that video.")
    studio.withdraw_video(session, runtime, video_id)


def delete_character(session: Session, runtime: Runtime, user: User, character_id: str) -> None:
    """Delete a character: its biometric data goes, every video showing it is taken
    down, and queued videos naming it fail."""
    from kinema.studio import service as studio

    character = _owned(session, user, character_id)
    video_ids = session.scalars(
        select(CharacterAppearance.video_id).where(
            CharacterAppearance.character_id == character.id,
            CharacterAppearance.video_id.is_not(None),
        )
    ).all()
    for video_id in video_ids:
        if video_id:
            studio.withdraw_video(session, runtime, video_id)
    keys = [k for k in (character.cutout_key, character.clip_key) if k]
    if character.cutout_key:
        keys.append(_face_views_key(character.id))
    session.delete(character)
    session.flush()

    def remove_files() -> None:
        for key in keys:
            try:
                runtime.storage.delete(key)
            except Exception:
                log.warning("Could not delete character data %s", key, exc_info=True)

    _after_commit(session, remove_files)


# ---------------------------------------------------------------------------- for other domains


def feed_video_ids(session: Session, user_id: str, limit: int) -> list[str]:
    """Published videos showing the user's own characters, newest first (a feed
    source)."""
    from kinema.studio.models import PUBLISHED, Video

    return list(
        session.scalars(
            select(Video.id)
            .join(CharacterAppearance, CharacterAppearance.video_id == Video.id)
            .join(Character, Character.id == CharacterAppearance.character_id)
            .where(Character.owner_id == user_id, Video.status == PUBLISHED)
            .order_by(Video.published_at.desc(), Video.id.desc())
            .limit(limit)
        ).unique()
    )


def public_figure_allows(session: Session, user: User, name: str) -> bool:
    """Whether a public figure named ``name`` made a verified person character here that
    ``user`` may use (then a prompt may name them)."""
    wanted = " ".join(name.split()).lower()
    candidates = session.scalars(
        select(Character).where(Character.kind == PERSON, Character.status == VERIFIED)
    ).all()
    return any(
        " ".join(c.name.split()).lower() == wanted and may_use(session, c, user) for c in candidates
    )


# The data directory (where the biometric key lives) of each database this process
# serves, registered when a runtime's tasks are registered: request-time checks get a
# session only.
_data_dirs: dict[str, Path] = {}


def remember_data_dir(runtime: Runtime) -> None:
    """Note ``runtime``'s data directory for sessions on its database."""
    _data_dirs[runtime.db.url.render_as_string(hide_password=False)] = runtime.settings.data_dir


def _data_dir_for(session: Session) -> Path | None:
    bind = session.get_bind()
    return _data_dirs.get(bind.engine.url.render_as_string(hide_password=False))


def matches_own_character(session: Session, user: User, image: Path | bytes | np.ndarray) -> bool:
    """Whether every sizeable face in ``image`` is one of ``user``'s own verified person
    characters (likeness protection for uploaded pictures)."""
    import cv2

    from kinema.characters.faces import face_models, observe_face

    data_dir = _data_dir_for(session)
    if data_dir is None:
        return False
    if isinstance(image, np.ndarray):
        rgb = image[:, :, :3]
    else:
        raw = image.read_bytes() if isinstance(image, Path) else image
        decoded = cv2.imdecode(np.frombuffer(raw, np.uint8), cv2.IMREAD_COLOR)
        if decoded is None:
            return False
        rgb = cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB)
    found = observe_face(face_models(), np.ascontiguousarray(rgb), 0.0)
    if found is None or found.other_people:
        return False
    own = session.scalars(
        select(Character).where(
            Character.owner_id == user.id, Character.kind == PERSON, Character.status == VERIFIED
        )
    ).all()
    for character in own:
        known = _descriptor(data_dir, character)
        if known is not None and descriptor_distance(known, found.descriptor) < SAME_FACE_DISTANCE:
            return True
    return False


def characters_by_video(session: Session, video_ids: list[str]) -> dict[str, list[dict[str, str]]]:
    """``{video_id: [{"handle", "name", "kind"}, ...]}`` for the videos' characters, in
    one query (for the ``characters`` field of a video)."""
    found: dict[str, list[dict[str, str]]] = {}
    if not video_ids:
        return found
    rows = session.execute(
        select(CharacterAppearance.video_id, Character.handle, Character.name, Character.kind)
        .join(Character, Character.id == CharacterAppearance.character_id)
        .where(CharacterAppearance.video_id.in_(video_ids))
        .order_by(Character.handle)
    ).all()
    for video_id, handle, name, kind in rows:
        found.setdefault(str(video_id), []).append({"handle": handle, "name": name, "kind": kind})
    return found
