"""The characters page: signed-in people get the capture form and its script."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_characters_page(client: TestClient, make_user, login) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/characters", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    login(client, make_user("alice"))
    page = client.get("/characters")
    assert page.status_code == 200
    for part in ("character-form", "challenge-button", "camera-button", "characters.js"):
        assert part in page.text
    script = client.get("/static/characters.js")
    assert script.status_code == 200 and "MediaRecorder" in script.text
