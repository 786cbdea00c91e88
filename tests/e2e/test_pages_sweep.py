"""Every page at phone size in a real browser, signed in and signed out: no script
errors, nothing wider than the screen, and the video page's remix sheet renders a real
remix and links its draft. Screenshots land in ``KINEMA_SCREENSHOT_DIR`` (``/tmp``)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from support import call_api

PHONE = {"width": 390, "height": 844}
PASSWORD = "a long enough password"
SCREENSHOT_DIR = Path(os.environ.get("KINEMA_SCREENSHOT_DIR", "/tmp"))
RENDER_TIMEOUT_MS = 240_000

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

OVERFLOW = "() => [document.documentElement.scrollWidth, window.innerWidth]"


def _finished(base: str, key: str, generation: dict[str, Any]) -> str:
    """Wait for a generation and return its video id."""
    generation_id = generation["id"]
    for _ in range(480):
        generation = call_api(base, "GET", f"/api/generations/{generation_id}", key)
        if generation["status"] in ("completed", "failed"):
            break
        time.sleep(0.5)
    assert generation["status"] == "completed", generation
    video_id: str = generation["video_id"]
    return video_id


class Visitor:
    """A phone-sized browser tab that records every console error and uncaught
    exception, and checks each page it opens for sideways overflow."""

    def __init__(self, context: Any, base: str) -> None:
        self.base = base
        self.page = context.new_page()
        self.errors: list[str] = []
        self.expect_404 = False
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"{self.page.url}: {exc}"))

    def _console(self, message: Any) -> None:
        if message.type != "error":
            return
        text = str(message.text)
        # The 404 page is answered with status 404 on purpose; the browser logs that.
        if self.expect_404 and "status of 404" in text:
            return
        self.errors.append(f"{self.page.url}: {text}")

    def visit(self, path: str, name: str, *, status: int = 200, ready: str = "main") -> Any:
        self.expect_404 = status == 404
        answer = self.page.goto(f"{self.base}{path}")
        assert answer is not None and answer.status == status, (path, answer and answer.status)
        self.page.wait_for_selector(ready)
        self.page.wait_for_load_state("networkidle")
        width, viewport = self.page.evaluate(OVERFLOW)
        assert width <= viewport, f"{path} is {width}px wide on a {viewport}px screen"
        self.page.screenshot(path=str(SCREENSHOT_DIR / f"kinema-sweep-{name}.png"),
                             full_page=name != "feed")
        return self.page


def test_every_page_at_phone_size(chromium: Any, server: Any) -> None:
    base = server.url
    server.kinema("admin", "seed", "--users", "12", "--videos", "24", "--clips", "1")
    server.kinema("admin", "create-user", "--handle", "sweeper", "--email",
                  "sweeper@example.com", "--password", PASSWORD, "--admin")
    server.kinema("admin", "create-user", "--handle", "fan", "--email",
                  "fan@example.com", "--password", PASSWORD)
    own_key = server.kinema("admin", "token", "--handle", "sweeper").strip()
    fan_key = server.kinema("admin", "token", "--handle", "fan").strip()

    # A real video by the sweeper, published, and a fan's published remix of it, so the
    # video page has lineage, the profile has videos and the inbox has news.
    made = call_api(base, "POST", "/api/generations", own_key,
                 {"prompt": "a cat walks on the beach at sunset", "seconds": 1,
                  "size": "160x288"})
    original = _finished(base, own_key, made["generation"])
    call_api(base, "POST", f"/api/videos/{original}/publish", own_key, {"caption": "Beach cat"})
    remix = call_api(base, "POST", f"/api/videos/{original}/remix", fan_key,
                  {"prompt": "make it night"})
    remix_id = _finished(base, fan_key, remix["generation"])
    call_api(base, "POST", f"/api/videos/{remix_id}/publish", fan_key, {})
    call_api(base, "POST", "/api/users/sweeper/follow", fan_key)
    call_api(base, "POST", f"/api/videos/{original}/like", fan_key)
    call_api(base, "POST", f"/api/videos/{original}/comments", fan_key, {"text": "so calm"})
    draft = call_api(base, "POST", "/api/generations", own_key,
                  {"prompt": "a fox runs through a snowy forest", "seconds": 1,
                   "size": "160x288"})
    draft_id = _finished(base, own_key, draft["generation"])

    # Signed out: landing, sign-up, sign-in, the public pages and the 404.
    anonymous = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    visitor = Visitor(anonymous, base)
    landing = visitor.visit("/", "landing", ready=".hero")
    assert landing.locator("a[href='/provenance']").count() >= 1
    visitor.visit("/signup", "signup", ready="form")
    visitor.visit("/login", "login", ready="form")
    visitor.visit("/provenance", "provenance-signed-out", ready="form")
    shared = visitor.visit(f"/v/{remix_id}", "share-page", ready="#player")
    assert shared.locator("#lineage-parent").get_attribute("href") == f"/v/{original}"
    assert shared.locator("#remix-sign-in").is_visible()
    visitor.visit("/nothing-here", "404-signed-out", status=404)
    anonymous_errors = list(visitor.errors)
    anonymous.close()

    context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    visitor = Visitor(context, base)
    page = visitor.page
    page.goto(f"{base}/login")
    page.fill("#login", "sweeper")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    # The unread badge counts the fan's follow, like, comment and remix.
    feed = visitor.visit("/", "feed", ready=".feed-item")
    feed.wait_for_selector(".tabbar [data-unread-badge]:not([hidden])")
    assert int(feed.inner_text(".tabbar [data-unread-badge]")) >= 3
    for tab in ("/", "/characters", "/create", "/notifications", "/u/sweeper"):
        assert feed.locator(f".tabbar a[href='{tab}']").is_visible()
    assert feed.locator("a[href='/moderation']").count() >= 1  # an admin moderates

    visitor.visit("/feed", "feed-page", ready=".feed-item")
    visitor.visit("/create", "create", ready="#prompt")
    visitor.visit("/drafts", "drafts", ready=f"a[href='/v/{draft_id}']")
    visitor.visit(f"/v/{draft_id}", "draft", ready="#publish-form")
    video = visitor.visit(f"/v/{original}", "video", ready="#remix-grid")
    assert video.locator(f"#remix-grid a[href='/v/{remix_id}']").is_visible()
    profile = visitor.visit("/u/sweeper", "profile", ready="#video-grid .tile")
    assert profile.locator(f"#video-grid a[href='/v/{original}']").count() == 1
    other = visitor.visit("/u/fan", "profile-other", ready="#follow")
    other.click("#tab-remixes")
    other.wait_for_selector(f"#video-grid a[href='/v/{remix_id}']")
    inbox = visitor.visit("/notifications", "notifications", ready=".notice")
    assert inbox.locator(".notice-follow").count() == 1
    assert inbox.locator(f".notice-remix[href='/v/{remix_id}']").count() == 1
    # Opening the inbox marks everything read, and the badge goes away.
    inbox.wait_for_selector(".tabbar [data-unread-badge]", state="hidden")
    assert call_api(base, "GET", "/api/notifications?unread=true", own_key)["unread_count"] == 0
    visitor.visit("/characters", "characters", ready="#character-form")
    visitor.visit("/moderation", "moderation", ready="h1")
    visitor.visit("/provenance", "provenance", ready="form")
    visitor.visit("/nothing-here", "404", status=404)

    # The remix sheet on the video page: a prompt, live progress, then the new draft.
    video = visitor.visit(f"/v/{original}", "video-again", ready="#remix")
    video.click("#remix")
    video.wait_for_selector("#remix-sheet[open]")
    width, viewport = video.evaluate(OVERFLOW)
    assert width <= viewport
    video.fill("#remix-prompt", "add rain")
    video.click("#remix-submit")
    video.wait_for_selector("#remix-progress:not([hidden])")
    video.screenshot(path=str(SCREENSHOT_DIR / "kinema-sweep-remix-sheet.png"))
    video.wait_for_selector("#remix-open:not([hidden])", timeout=RENDER_TIMEOUT_MS)
    video.click("#remix-open")
    video.wait_for_url(f"{base}/v/**")
    new_id = video.url.rsplit("/", 1)[-1]
    made_remix = call_api(base, "GET", f"/api/videos/{new_id}", own_key)
    assert made_remix["remix_of"] == original and made_remix["status"] == "draft"

    assert anonymous_errors == []
    assert visitor.errors == []
    context.close()
