"""The web application: ``create_app(settings)`` builds the FastAPI app with every
router, the error handlers and the security middleware."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from kinema.accounts.api import router as accounts_router
from kinema.api.errors import install_error_handlers
from kinema.api.middleware import BodyAllowance, BodyLimitMiddleware
from kinema.api.openai_compat import router as openai_router
from kinema.api.security import HeadMiddleware, SecurityMiddleware
from kinema.characters.api import router as characters_router
from kinema.feed.api import router as feed_router
from kinema.media.decoding import configure_decoding
from kinema.provenance.api import router as provenance_router
from kinema.runtime import Runtime, build_runtime
from kinema.safety.api import router as safety_router
from kinema.settings import Settings, load_settings
from kinema.social.api import router as social_router
from kinema.studio.api import router as studio_router
from kinema.webhooks.api import router as webhooks_router

WEB_DIR = Path(__file__).resolve().parent.parent / "web"


def create_app(
    settings: Settings | None = None,
    runtime: Runtime | None = None,
    *,
    start_workers: bool = False,
) -> FastAPI:
    """Build the app. Without ``runtime`` one is built (and the database migrated);
    with ``start_workers`` the queue consumers run as threads while the app is up."""
    if settings is None:
        settings = runtime.settings if runtime is not None else load_settings()
    owns_runtime = runtime is None
    app_runtime = runtime if runtime is not None else build_runtime(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop_workers: Callable[[], None] | None = None
        if start_workers:
            from kinema.queue import start_embedded_workers

            stop_workers = start_embedded_workers(app_runtime)
        try:
            yield
        finally:
            if stop_workers is not None:
                stop_workers()
            if owns_runtime:
                app_runtime.db.dispose()

    app = FastAPI(
        title="Kinema",
        summary="Prompt to a short video with sound; drafts, a vertical feed and remixes.",
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.runtime = app_runtime
    configure_decoding(settings.decode_slots, settings.decode_queue)
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(SecurityMiddleware, cookie_secure=bool(settings.cookie_secure))
    # Outermost: an oversized body is refused before any other layer reads it.
    app.add_middleware(
        BodyLimitMiddleware,
        default_limit=settings.max_body_bytes,
        allowances=_file_routes(settings),
    )
    app.add_middleware(HeadMiddleware)

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, str]:
        """Liveness check for load balancers and supervisors."""
        return {"status": "ok"}

    app.include_router(accounts_router)
    app.include_router(studio_router)
    app.include_router(openai_router)
    app.include_router(webhooks_router)
    app.include_router(social_router)
    app.include_router(feed_router)
    app.include_router(safety_router)
    app.include_router(provenance_router)
    app.include_router(characters_router)
    _include_web(app)
    return app


# Room for the multipart framing and the form fields sent beside a file.
_FORM_OVERHEAD = 1024 * 1024


def _file_routes(settings: Settings) -> list[BodyAllowance]:
    """The routes that take files, with the body limits they opt in to."""

    def image_limit() -> int:
        return settings.max_upload_bytes + _FORM_OVERHEAD

    def video_limit() -> int:
        return settings.max_video_upload_bytes + _FORM_OVERHEAD

    return [
        BodyAllowance("POST", re.compile(r"/api/uploads"), image_limit),
        BodyAllowance("POST", re.compile(r"/api/provenance/check"), video_limit),
        BodyAllowance("POST", re.compile(r"/api/characters"), video_limit),
        # The OpenAI-compatible calls take reference images and character clips, as
        # multipart files or base64 in JSON (a third larger).
        BodyAllowance("POST", re.compile(r"/v1/videos(/.*)?"), lambda: video_limit() * 4 // 3),
    ]


def _include_web(app: FastAPI) -> None:
    """The server-rendered pages and their static files, when the web package is there."""
    if importlib.util.find_spec("kinema.web.pages") is not None:
        from kinema.web.pages import router as web_router

        app.include_router(web_router)
    static_dir = WEB_DIR / "static"
    if static_dir.is_dir():
        app.mount("/static", StaticFiles(directory=static_dir), name="static")
