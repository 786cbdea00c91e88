"""The feed in a real browser at phone size: swipe through videos, like one, remix one
and open the remix."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any
from urllib.request import Request, urlopen

import pytest

from support import call_api

PHONE = {"width": 390, "height": 844}
REMIX_TIMEOUT_MS = 240_000
SCREENSHOT_DIR = Path(os.environ.get("KINEMA_SCREENSHOT_DIR", "/tmp"))
PASSWORD = "a long enough password"

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


VISIBLE_ID = """() => {
  const feed = document.getElementById('feed').getBoundingClientRect();
  for (const item of document.querySelectorAll('.feed-item')) {
    const box = item.getBoundingClientRect();
    if (Math.abs(box.top - feed.top) < 4) return item.dataset.id;
  }
  return '';
}"""


def _visible_id(page: Any) -> str:
    found: str = page.evaluate(VISIBLE_ID)
    return found


def _settles_on_another(page: Any, previous: str) -> str:
    """Wait until the feed has snapped to a video other than ``previous``."""
    page.wait_for_function(
        f"(previous) => {{ const id = ({VISIBLE_ID})(); return id && id !== previous; }}",
        arg=previous, timeout=15_000,
    )
    return _visible_id(page)


def _playing(page: Any, video_id: str) -> bool:
    playing: bool = page.evaluate(
        "(id) => { const v = document.querySelector(`.feed-item[data-id='${id}'] video`);"
        " return !!v && !v.paused && v.currentTime > 0; }",
        video_id,
    )
    return playing


def test_swipe_like_and_open_a_remix(chromium: Any, server: Any) -> None:
    server.kinema("admin", "seed", "--users", "6", "--videos", "14", "--clips", "1")
    server.kinema("admin", "create-user", "--handle", "swiper", "--email",
                  "swiper@example.com", "--password", PASSWORD)
    # One really generated video (with a scene description a remix can edit), by
    # someone the swiper follows, so it comes first.
    server.kinema("admin", "create-user", "--handle", "maker", "--email",
                  "maker@example.com", "--password", PASSWORD)
    maker_key = server.kinema("admin", "token", "--handle", "maker").strip()
    made = call_api(server.url, "POST", "/api/generations", maker_key,
                 {"prompt": "a dog runs in the park on a sunny day", "seconds": 1,
                  "size": "160x288"})
    generation_id = made["generation"]["id"]
    for _ in range(240):
        generation = call_api(server.url, "GET", f"/api/generations/{generation_id}", maker_key)
        if generation["status"] in ("completed", "failed"):
            break
        time.sleep(0.5)
    assert generation["status"] == "completed", generation
    original = generation["video_id"]
    call_api(server.url, "POST", f"/api/videos/{original}/publish", maker_key, {})
    swiper_key = server.kinema("admin", "token", "--handle", "swiper").strip()
    call_api(server.url, "POST", "/api/users/maker/follow", swiper_key)
    context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))

    page.goto(f"{server.url}/login?next=/feed")
    page.fill("#login", "swiper")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/feed")
    page.wait_for_selector(".feed-item")

    # The first video (the followed maker's) plays by itself, muted until the first tap.
    first = _visible_id(page)
    assert first == original
    page.wait_for_function(
        "() => { const v = document.querySelector('.feed-item video');"
        " return v && !v.paused && v.currentTime > 0; }", timeout=30_000)
    assert page.evaluate("document.querySelector('.feed-item video').muted") is True
    assert page.get_attribute("#feed-sound", "aria-pressed") == "false"

    # Swipe up with a finger-like scroll, then with the keyboard.
    page.mouse.move(195, 420)
    page.mouse.wheel(0, 844)
    second = _settles_on_another(page, first)
    page.keyboard.press("j")
    third = _settles_on_another(page, second)
    assert third != first
    page.wait_for_function(
        "(id) => { const v = document.querySelector(`.feed-item[data-id='${id}'] video`);"
        " return !v.paused && v.currentTime > 0; }", arg=third, timeout=30_000)
    assert not _playing(page, first)
    page.keyboard.press("k")
    assert _settles_on_another(page, third) == second

    # Tapping the video turns sound on, and it is remembered.
    page.click(f".feed-item[data-id='{second}'] video")
    assert page.get_attribute("#feed-sound", "aria-pressed") == "true"
    assert page.evaluate("localStorage.getItem('kinema.feed.sound')") == "on"

    # Like it: the button and the count change, and the server knows.
    like = page.locator(f".feed-item[data-id='{second}'] [data-action=like]")
    before = int(like.locator(".rail-count").inner_text())
    like.click()
    page.wait_for_function(
        f"() => document.querySelector(\".feed-item[data-id='{second}'] [data-action=like]\")"
        ".getAttribute('aria-pressed') === 'true'")
    assert int(like.locator(".rail-count").inner_text()) == before + 1
    with urlopen(Request(f"{server.url}/api/videos/{second}")) as answer:
        assert json.load(answer)["like_count"] == before + 1
    page.screenshot(path=str(SCREENSHOT_DIR / "kinema-feed.png"))

    # Back to the first video and remix it: describe the change, watch it render, open
    # the remix.
    page.keyboard.press("ArrowUp")
    assert _settles_on_another(page, second) == original
    page.click(f".feed-item[data-id='{original}'] [data-action=remix]")
    page.wait_for_selector("#remix-sheet", state="visible")
    page.fill("#remix-prompt", "make it night")
    page.click("#remix-form button[type=submit]")
    page.wait_for_function(
        "() => document.querySelector('a.remix-open') || /could not|not |failed/i.test("
        "document.getElementById('remix-status').textContent)", timeout=REMIX_TIMEOUT_MS)
    assert page.is_visible("a.remix-open"), page.inner_text("#remix-status")
    page.click("a.remix-open")
    page.wait_for_url(f"{server.url}/v/**")
    remix_id = page.url.rsplit("/", 1)[-1]
    cookies = {c["name"]: c["value"] for c in context.cookies()}
    request = Request(f"{server.url}/api/videos/{remix_id}",
                      headers={"Cookie": f"kinema_session={cookies['kinema_session']}"})
    with urlopen(request) as answer:
        remix = json.load(answer)
    assert remix["remix_of"] == original
    assert {shot["time_of_day"] for shot in remix["plan"]["shots"]} == {"night"}
    assert errors == []
    context.close()
