"""Bad input in the browser: each mistake is explained on the page, nothing is lost,
and a picked image is uploaded and previewed before generating."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_sign_up_and_sign_in_mistakes_are_explained(chromium: Any, server: Any) -> None:
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{server.url}/signup?invite=NOPE-NOPE-NOPE")
    page.fill("#handle", "rafael")
    page.fill("#email", "rafael@example.com")
    page.fill("#password", "a long enough password")
    page.fill("#birthdate", "1991-02-03")
    page.click("button[type=submit]")
    page.wait_for_selector("#form-error", state="visible")
    assert "invite" in page.inner_text("#form-error").lower()
    assert page.input_value("#handle") == "rafael"  # what was typed is still there
    assert page.url.startswith(f"{server.url}/signup")

    page.goto(f"{server.url}/login")
    page.fill("#login", "nobody_like_this")
    page.fill("#password", "wrong password")
    page.click("button[type=submit]")
    page.wait_for_selector("#form-error", state="visible")
    assert page.inner_text("#form-error").strip()
    assert page.url.startswith(f"{server.url}/login")
    assert errors == []
    context.close()


def test_create_page_uploads_and_previews_an_image_and_refuses_a_fake_one(
    chromium: Any, server: Any, tmp_path: Path
) -> None:
    invite = server.kinema("admin", "invite").strip().splitlines()[0]
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server.url}/signup?invite={invite}")
    page.fill("#handle", "lena")
    page.fill("#email", "lena@example.com")
    page.fill("#password", "a long enough password")
    page.fill("#birthdate", "1988-08-08")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/create")

    fake = tmp_path / "holiday.png"
    fake.write_text("this is not a picture")
    page.set_input_files("#image", str(fake))
    page.wait_for_selector("#form-error", state="visible")
    assert page.inner_text("#form-error").strip()
    assert page.is_hidden("#image-preview")

    picture = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 140, 200)).save(picture, "PNG")
    real = tmp_path / "sea.png"
    real.write_bytes(picture.getvalue())
    with page.expect_response(lambda r: r.url.endswith("/api/uploads")) as answer:
        page.set_input_files("#image", str(real))
    assert answer.value.status == 201
    page.wait_for_function("() => document.getElementById('image-button-text')"
                           ".textContent === 'Change photo'")
    assert page.is_visible("#image-preview")
    assert page.evaluate("document.getElementById('image-preview-img').naturalWidth") == 320

    page.click("#image-remove")
    assert page.is_hidden("#image-preview")

    # An empty prompt is explained before anything is sent.
    page.click("#generate")
    assert "prompt" in page.inner_text("#form-error").lower()

    # Signing out from the profile ends the session: studio pages ask to sign in again.
    page.goto(f"{server.url}/u/lena")
    page.click("main [data-action=logout]")
    page.wait_for_url(f"{server.url}/")
    assert page.is_visible("text=Join with an invite")
    page.goto(f"{server.url}/drafts")
    assert page.url.startswith(f"{server.url}/login")
    assert errors == []
    context.close()
