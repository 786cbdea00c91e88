"""The basic loop in a real browser at phone size: sign up with an invite, create a
video, watch it render, open the draft, publish it, and watch it as a visitor."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

PHONE = {"width": 390, "height": 844}
RENDER_TIMEOUT_S = 480
SCREENSHOT_DIR = Path(os.environ.get("KINEMA_SCREENSHOT_DIR", "/tmp"))

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _watch_errors(page: Any, errors: list[str]) -> None:
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on(
        "console",
        lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None,
    )


def _phone_context(browser: Any) -> Any:
    return browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                               device_scale_factor=2)


def _metadata_loaded(page: Any) -> float:
    page.wait_for_function(
        "() => { const v = document.getElementById('player');"
        " return v && v.readyState >= 1 && v.duration > 0; }",
        timeout=30_000,
    )
    duration: float = page.evaluate("document.getElementById('player').duration")
    return duration


def test_sign_up_create_watch_progress_open_draft_publish(chromium: Any, server: Any) -> None:
    invite = server.kinema("admin", "invite", "--count", "1").strip().splitlines()[0]
    context = _phone_context(chromium)
    page = context.new_page()
    errors: list[str] = []
    _watch_errors(page, errors)

    # Sign up with the invite from a link.
    page.goto(f"{server.url}/signup?invite={invite}")
    assert page.input_value("#invite_code") == invite
    page.fill("#handle", "mira")
    page.fill("#email", "mira@example.com")
    page.fill("#password", "a long enough password")
    page.fill("#birthdate", "1994-05-17")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/create")
    assert page.locator("nav.tabbar").is_visible()  # phone layout: tabs at the bottom
    page.screenshot(path=str(SCREENSHOT_DIR / "kinema-create.png"), full_page=True)

    # Create: a short prompt at the shortest duration, fast preview quality.
    page.click(".chip >> nth=0")
    assert page.input_value("#prompt")
    page.fill("#prompt", "a cat walks on the beach at sunset")
    page.click("label[for=seconds-4]")
    page.click("label[for=quality-fast]")
    page.click("#generate")
    page.wait_for_selector("#progress-panel", state="visible")

    # Watch the progress bar move until the draft shows up.
    seen: list[int] = []
    deadline = time.monotonic() + RENDER_TIMEOUT_S
    while time.monotonic() < deadline:
        value = page.get_attribute("#progress", "aria-valuenow")
        if value is not None and (not seen or int(value) != seen[-1]):
            seen.append(int(value))
        if page.is_visible("#result-panel") or page.is_visible("#failed-panel"):
            break
        page.wait_for_timeout(150)
    assert not page.is_visible("#failed-panel"), page.inner_text("#failed-message")
    assert page.is_visible("#result-panel"), f"no result after {RENDER_TIMEOUT_S} s; saw {seen}"
    # The bar started below 100 and moved up to 100, never backwards. (How many steps
    # in between depends on how fast this machine renders.)
    assert seen[0] < 100 and seen[-1] == 100, seen
    assert seen == sorted(seen)
    page.screenshot(path=str(SCREENSHOT_DIR / "kinema-created.png"), full_page=True)

    # Open the draft, then publish it with a caption.
    page.click("#open-video")
    page.wait_for_url(f"{server.url}/v/*")
    video_url = page.url
    assert page.inner_text("#status-badge").strip() == "Draft"
    page.fill("#caption", "Sunset stroll")
    page.click("#publish")
    page.wait_for_function(
        "() => document.getElementById('status-badge').textContent.trim() === 'Published'",
        timeout=30_000,
    )
    assert page.inner_text("#caption-text") == "Sunset stroll"
    assert _metadata_loaded(page) > 0
    page.locator("#scene summary").click()
    assert page.locator(".shot").count() >= 1
    page.screenshot(path=str(SCREENSHOT_DIR / "kinema-video.png"), full_page=True)

    # It is in the author's drafts no more.
    page.goto(f"{server.url}/drafts")
    assert page.locator("article.draft").count() == 0
    assert errors == []
    context.close()

    # A visitor without an account can watch the published video from its link.
    visitor = _phone_context(chromium)
    visit = visitor.new_page()
    visitor_errors: list[str] = []
    _watch_errors(visit, visitor_errors)
    visit.goto(video_url)
    assert visit.inner_text("#status-badge").strip() == "Published"
    assert visit.get_attribute('meta[property="og:type"]', "content") == "video.other"
    assert _metadata_loaded(visit) > 0
    assert visit.locator("#publish-form").count() == 0
    assert visitor_errors == []
    visitor.close()
