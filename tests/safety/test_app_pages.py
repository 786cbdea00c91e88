"""The moderation queue page (moderators only) and the public provenance-check page."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from kinema.accounts.models import User


def test_moderation_page_is_for_moderators(
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    client: TestClient,
    login: Callable[..., None],
) -> None:
    make_user("alice")
    bob = make_user("bob")
    mod = make_user("mod", is_admin=True)
    filed = api_client(bob).post(
        "/api/reports",
        json={
            "target_type": "user",
            "target_id": "alice",
            "reason": "spam",
            "details": "posts the same ad everywhere",
        },
    )
    assert filed.status_code == 201, filed.text

    signed_out = client.get("/moderation", follow_redirects=False)
    assert signed_out.status_code == 303 and "/login" in signed_out.headers["location"]
    login(client, bob)
    assert client.get("/moderation").status_code == 404
    client.post("/api/auth/logout")
    client.cookies.clear()
    login(client, mod)
    page = client.get("/moderation")
    assert page.status_code == 200
    assert "@alice" in page.text and "posts the same ad everywhere" in page.text
    assert 'data-action="suspend"' in page.text and "moderation.js" in page.text
    assert client.get("/static/moderation.js").status_code == 200


def test_provenance_page_is_public(client: TestClient) -> None:
    page = client.get("/provenance")
    assert page.status_code == 200
    assert 'type="file"' in page.text and "provenance.js" in page.text
    assert client.get("/static/provenance.js").status_code == 200
