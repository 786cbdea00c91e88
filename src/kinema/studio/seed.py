"""Demo data (``kinema admin seed``): many synthetic users and published videos, written
in bulk, for demos and the feed benchmark.

The videos point at a few clips that really were rendered by the procedural engine (made
once and kept in storage under ``seed/``), so every seeded video plays; each carries the
prompt and scene description of its clip, so it can be remixed, and one video per clip
carries the clip's fingerprint, so the provenance check can trace a copy. Other domains add
their own demo data (follows, likes, comments...) with ``register_seed_step``; each step
receives the ``SeedContext`` with the ids made so far.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import json
import pkgutil
import random
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from kinema.db import utcnow
from kinema.engines import EngineError, GenerationRequest, get_engine
from kinema.errors import InvalidInput, KinemaError
from kinema.ids import new_id
from kinema.media.probe import probe_video
from kinema.provenance import service as provenance
from kinema.provenance.fingerprint import Fingerprint, fingerprint_video
from kinema.studio.models import PUBLISHED, Video

if TYPE_CHECKING:
    from kinema.runtime import Runtime

BATCH_SIZE = 5000
DEMO_PASSWORD = "kinema-demo"
DEMO_EMAIL_DOMAIN = "demo.kinema.invalid"
CLIP_SIZE = (288, 512)
CLIP_SECONDS = 3
REMIX_SHARE = 0.08  # the part of seeded videos that remix an earlier one

CLIP_PROMPTS = (
    "a cat surfing a big wave at sunset",
    "a fox running through a snowy forest at night",
    "a robot dancing on a city rooftop in the rain",
    "a whale swimming under a calm sea while a seagull flies above",
    "a dragon flying over the mountains at dawn",
    "two dogs chasing a ball in a sunny park",
    "an astronaut floating in space next to a rocket",
    "a chef cooking pancakes in a cosy kitchen",
)

_SUBJECTS = (
    "cat",
    "dog",
    "fox",
    "owl",
    "robot",
    "dragon",
    "penguin",
    "octopus",
    "astronaut",
    "panda",
    "horse",
    "parrot",
    "turtle",
    "bee",
    "whale",
    "rabbit",
    "chef",
    "wizard",
)
_ACTIONS = (
    "surfing",
    "dancing",
    "running",
    "flying",
    "sleeping",
    "jumping",
    "swimming",
    "cooking",
    "skating",
    "singing",
    "exploring",
    "racing",
)
_PLACES = (
    "on a beach at sunset",
    "in a snowy forest",
    "on a city rooftop",
    "under the sea",
    "in outer space",
    "in a busy kitchen",
    "on a mountain top",
    "in the desert at night",
    "in a rainy street",
    "in a park",
    "on a stage",
    "above the clouds",
)
_STYLES = ("", "", "", "cinematic ", "anime style ", "vintage film ", "watercolor ")
_CAPTIONS = (
    "had to make this",
    "why is this so calming",
    "part {n}",
    "wait for it",
    "my new favourite",
    "remix this!",
    "day {n} of making one video a day",
    "the ending though",
    "made this at 3am",
    "who else wants a sequel",
)
_TAGS = (
    "#ai",
    "#kinema",
    "#animals",
    "#cute",
    "#scifi",
    "#chill",
    "#funny",
    "#art",
    "#travel",
    "#cooking",
    "#nature",
    "#music",
)
_HANDLE_WORDS = (
    "pixel",
    "lunar",
    "velvet",
    "neon",
    "maple",
    "cobalt",
    "ember",
    "misty",
    "sunny",
    "quiet",
    "rapid",
    "cosmic",
    "happy",
    "silver",
    "wild",
    "tiny",
    "brave",
    "sleepy",
)
_NAMES = (
    "Ada",
    "Bo",
    "Chen",
    "Dara",
    "Eli",
    "Fatima",
    "Gus",
    "Hana",
    "Ines",
    "Jun",
    "Kai",
    "Lena",
    "Mo",
    "Nia",
    "Omar",
    "Pia",
    "Quinn",
    "Ravi",
    "Sol",
    "Tess",
    "Uma",
    "Vik",
)


@dataclass(frozen=True)
class SeedClip:
    """A rendered clip shared by many seeded videos, with the prompt and scene
    description (plan) it was rendered from, so the videos that show it can be
    remixed, and its fingerprint (``Fingerprint.to_dict``) for provenance look-ups."""

    video_key: str
    thumbnail_key: str
    width: int
    height: int
    fps: int
    seconds: float
    credits: list[str]
    prompt: str = ""
    plan: dict[str, Any] = field(default_factory=dict)
    fingerprint: dict[str, Any] | None = None


@dataclass
class SeedContext:
    """What a seed step may use: the open connection (one transaction for the whole
    seed), a seeded random generator, and the users and videos made so far."""

    runtime: Runtime
    connection: Connection
    rng: random.Random
    user_ids: list[str]
    video_ids: list[str] = field(default_factory=list)
    video_authors: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


SeedStep = Callable[[SeedContext], int]
_EXTRA_STEPS: list[tuple[str, SeedStep]] = []


def register_seed_step(name: str, step: SeedStep) -> None:
    """Add demo data of another kind: ``step(context)`` inserts rows and returns how many;
    the count is reported under ``name``. Registering a name again replaces the step.

    A domain package registers its steps in its own ``seed`` module (for example
    ``kinema/social/seed.py``), which ``seed_demo_data`` imports by itself."""
    for index, (known, _) in enumerate(_EXTRA_STEPS):
        if known == name:
            _EXTRA_STEPS[index] = (name, step)
            return
    _EXTRA_STEPS.append((name, step))


def _load_seed_modules() -> None:
    """Import every ``kinema.<domain>.seed`` module so their steps are registered."""
    import kinema

    for module in sorted(pkgutil.iter_modules(kinema.__path__), key=lambda m: m.name):
        name = f"kinema.{module.name}.seed"
        if module.ispkg and module.name != "studio" and importlib.util.find_spec(name):
            importlib.import_module(name)


@dataclass
class SeedReport:
    users: int
    videos: int
    clips: int
    seconds: float
    password: str
    counts: dict[str, int]


def _batches(
    rows: Sequence[dict[str, Any]], size: int = BATCH_SIZE
) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def ensure_seed_clips(
    runtime: Runtime,
    count: int = 4,
    *,
    size: tuple[int, int] = CLIP_SIZE,
    seconds: float = CLIP_SECONDS,
) -> list[SeedClip]:
    """The rendered clips seeded videos point at, rendering (once) any that are missing
    (at ``size`` and ``seconds``; clips already in storage are kept as they are)."""
    storage = runtime.storage
    clips: list[SeedClip] = []
    for index in range(count):
        base = f"seed/clip-{index}"
        meta_key = f"{base}.json"
        if storage.exists(meta_key) and storage.exists(f"{base}.mp4"):
            kept = _kept_clip(runtime, meta_key)
            # Clips kept before plans were stored are rendered again: without their
            # scene description, the videos showing them could not be remixed.
            if kept is not None:
                clips.append(kept)
                continue
        try:
            engine = get_engine("procedural")
        except EngineError as exc:
            raise KinemaError(f"Could not render the demo clips: {exc}") from exc
        with tempfile.TemporaryDirectory(dir=runtime.settings.data_dir) as scratch:
            request = GenerationRequest(
                prompt=CLIP_PROMPTS[index % len(CLIP_PROMPTS)],
                output=Path(scratch) / "clip.mp4",
                seconds=seconds,
                width=size[0],
                height=size[1],
                seed=1000 + index,
            )
            try:
                result = engine.generate(request)
            except EngineError as exc:
                raise KinemaError(f"Could not render the demo clips: {exc}") from exc
            facts = probe_video(result.video_path)
            fingerprint = fingerprint_video(result.video_path).to_dict()
            storage.put_file(f"{base}.mp4", result.video_path)
            storage.put_file(f"{base}.jpg", result.thumbnail_path)
        clip = SeedClip(
            video_key=f"{base}.mp4",
            thumbnail_key=f"{base}.jpg",
            width=facts.width,
            height=facts.height,
            fps=round(facts.fps) or 24,
            seconds=round(facts.seconds, 3),
            credits=list(result.credits),
            prompt=request.prompt,
            plan=dict(result.plan),
            fingerprint=fingerprint,
        )
        storage.put_bytes(meta_key, json.dumps(dataclasses.asdict(clip)).encode())
        clips.append(clip)
    return clips


def _kept_clip(runtime: Runtime, meta_key: str) -> SeedClip | None:
    """A clip already in storage, or None when it must be rendered again (no plan, or
    unreadable notes). A missing or outdated fingerprint is made again from the file."""
    storage = runtime.storage
    try:
        clip = SeedClip(**json.loads(storage.read_bytes(meta_key)))
    except (ValueError, TypeError):
        return None
    if not (clip.plan.get("shots") and clip.prompt):
        return None
    if clip.fingerprint is not None:
        try:
            Fingerprint.from_dict(clip.fingerprint)
            return clip
        except (KinemaError, ValueError, KeyError, TypeError):
            pass  # made by another version: made again below
    with tempfile.TemporaryDirectory(dir=runtime.settings.data_dir) as scratch:
        local = Path(scratch) / "clip.mp4"
        storage.copy_to(clip.video_key, local)
        fingerprint = fingerprint_video(local).to_dict()
    clip = dataclasses.replace(clip, fingerprint=fingerprint)
    storage.put_bytes(meta_key, json.dumps(dataclasses.asdict(clip)).encode())
    return clip


def _unique_handles(connection: Connection, rng: random.Random, count: int) -> list[str]:
    from kinema.accounts.models import User

    taken = set(connection.scalars(select(User.handle)))
    handles: list[str] = []
    serial = 0
    while len(handles) < count:
        serial += 1
        handle = f"{rng.choice(_HANDLE_WORDS)}_{rng.choice(_SUBJECTS)}{serial}"
        if handle not in taken:
            taken.add(handle)
            handles.append(handle)
    return handles


def _seed_users(context: SeedContext, count: int, now: datetime) -> None:
    from kinema.accounts.models import User
    from kinema.accounts.service import password_hasher

    # Hashing is deliberately slow; every demo account shares one hash of one password.
    password_hash = password_hasher.hash(DEMO_PASSWORD)
    rng = context.rng
    rows = []
    for handle in _unique_handles(context.connection, rng, count):
        created = now - timedelta(days=rng.uniform(30, 400))
        user_id = new_id("usr", at=created)
        rows.append(
            {
                "id": user_id,
                "handle": handle,
                "email": f"{handle}@{DEMO_EMAIL_DOMAIN}",
                "password_hash": password_hash,
                "display_name": f"{rng.choice(_NAMES)} {rng.choice(_HANDLE_WORDS).title()}",
                "bio": None,
                "birthdate": None,
                "is_teen": False,
                "is_admin": False,
                "role": "user",
                "is_suspended": False,
                "invited_by": None,
                "created_at": created,
            }
        )
        context.user_ids.append(user_id)
    for batch in _batches(rows):
        context.connection.execute(insert(User), list(batch))


def _prompt(rng: random.Random) -> str:
    return (
        f"a {rng.choice(_STYLES)}{rng.choice(_SUBJECTS)} {rng.choice(_ACTIONS)} "
        f"{rng.choice(_PLACES)}"
    ).replace("a a", "an a")


def _caption(rng: random.Random) -> str:
    text = rng.choice(_CAPTIONS).format(n=rng.randint(2, 40))
    tags = " ".join(rng.sample(_TAGS, rng.randint(0, 3)))
    return f"{text} {tags}".strip()


def _seed_videos(
    context: SeedContext, count: int, clips: list[SeedClip], now: datetime
) -> dict[int, str]:
    """Insert ``count`` published videos, each showing one of ``clips`` with that
    clip's prompt and plan; returns, per clip index, the first video that shows it."""
    rng = context.rng
    users = context.user_ids
    # A few people make most videos, as on any video app.
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(users))]
    authors = rng.choices(users, weights=weights, k=count)
    dates = sorted(now - timedelta(days=rng.uniform(0, 90) ** 1.3 / 90**0.3) for _ in range(count))
    rows: list[dict[str, Any]] = []
    remix_counts: dict[int, int] = {}
    first_showing: dict[int, str] = {}
    for index, (author, created) in enumerate(zip(authors, dates, strict=True)):
        clip_index = rng.randrange(len(clips))
        clip = clips[clip_index]
        video_id = new_id("vid", at=created)
        first_showing.setdefault(clip_index, video_id)
        remix_of = None
        if index > 10 and rng.random() < REMIX_SHARE:
            parent = rng.randrange(index)
            remix_of = rows[parent]["id"]
            remix_counts[parent] = remix_counts.get(parent, 0) + 1
        published = min(created + timedelta(minutes=rng.uniform(1, 120)), now)
        rows.append(
            {
                "id": video_id,
                "author_id": author,
                "generation_id": None,
                # What the video shows: the prompt and plan it was rendered from, so
                # the scene description is true and a remix edits what people see.
                "prompt": clip.prompt or _prompt(rng),
                "caption": _caption(rng),
                "status": PUBLISHED,
                "seconds": clip.seconds,
                "width": clip.width,
                "height": clip.height,
                "fps": clip.fps,
                "engine": "procedural",
                "remix_of": remix_of,
                "plan": clip.plan,
                "transcript": [],
                "credits": clip.credits,
                "video_key": clip.video_key,
                "thumbnail_key": clip.thumbnail_key,
                "shares_media": True,
                "like_count": 0,
                "comment_count": 0,
                "remix_count": 0,
                "created_at": created,
                "published_at": published,
            }
        )
        context.video_ids.append(video_id)
        context.video_authors.append(author)
    for parent, remixes in remix_counts.items():
        rows[parent]["remix_count"] = remixes
    for batch in _batches(rows):
        context.connection.execute(insert(Video), list(batch))
    context.counts["remixes"] = sum(remix_counts.values())
    return first_showing


def _seed_fingerprints(
    context: SeedContext, clips: list[SeedClip], first_showing: dict[int, str]
) -> int:
    """Record each clip's fingerprint for one seeded video that shows it. One, not all:
    a provenance check of a clip should name one video, not thousands of equal ones."""
    recorded = 0
    with Session(bind=context.connection) as session:  # inside the seed's transaction
        for clip_index, video_id in sorted(first_showing.items()):
            data = clips[clip_index].fingerprint
            if data is None:
                continue
            provenance.record_fingerprint(session, video_id, Fingerprint.from_dict(data))
            recorded += 1
    return recorded


def seed_demo_data(
    runtime: Runtime, *, users: int, videos: int, seed: int = 0, clips: int = 4
) -> SeedReport:
    """Insert ``users`` demo accounts and ``videos`` published videos (plus whatever
    registered seed steps add) in one transaction. Demo accounts sign in with
    ``DEMO_PASSWORD``."""
    if users < 1 and videos > 0:
        raise InvalidInput("Videos need authors: seed at least one user.")
    if users < 0 or videos < 0 or clips < 1:
        raise InvalidInput("Counts must be zero or more, with at least one clip.")
    _load_seed_modules()
    started = time.perf_counter()
    rendered = ensure_seed_clips(runtime, clips) if videos else []
    now = utcnow()
    with runtime.db.begin() as connection:
        context = SeedContext(
            runtime=runtime, connection=connection, rng=random.Random(seed), user_ids=[]
        )
        _seed_users(context, users, now)
        if videos:
            first_showing = _seed_videos(context, videos, rendered, now)
            context.counts["fingerprints"] = _seed_fingerprints(context, rendered, first_showing)
        for name, step in _EXTRA_STEPS:
            context.counts[name] = step(context)
    return SeedReport(
        users=users,
        videos=videos,
        clips=len(rendered),
        seconds=time.perf_counter() - started,
        password=DEMO_PASSWORD,
        counts=context.counts,
    )
