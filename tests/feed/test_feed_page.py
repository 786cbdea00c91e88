"""The feed page is served to everyone, with its script and styles."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from kinema.accounts.models import User


def test_feed_page_for_visitors_and_members(
    client: TestClient, make_user: Callable[..., User], login: Callable[..., None]
) -> None:
    visitor = client.get("/feed")
    assert visitor.status_code == 200
    assert 'data-signed-in="false"' in visitor.text
    assert "/static/feed.js" in visitor.text and "/static/feed.css" in visitor.text
    assert client.get("/static/feed.js").status_code == 200

    login(client, make_user("alice"))
    member = client.get("/feed")
    assert 'data-signed-in="true"' in member.text
    assert 'data-handle="alice"' in member.text
    assert 'role="feed"' in member.text
