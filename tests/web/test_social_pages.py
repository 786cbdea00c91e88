"""The social side of the pages: remix lineage on the video page, profiles with
counts, follow and block, the notifications page and the friendly 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kinema.accounts.models import User

PageParser = Callable[[str], Any]

pytestmark = pytest.mark.slow  # each test renders a few real clips


def _remix(api_client: Callable[[User], TestClient], user: User, parent_id: str,
           prompt: str) -> dict[str, Any]:
    """Remix ``parent_id`` as ``user``, publish the remix and return it."""
    client = api_client(user)
    answer = client.post(f"/api/videos/{parent_id}/remix", json={"prompt": prompt})
    assert answer.status_code == 202, answer.text
    generation = client.get(f"/api/generations/{answer.json()['generation']['id']}").json()
    assert generation["status"] == "completed", generation
    published = client.post(f"/api/videos/{generation['video_id']}/publish", json={})
    assert published.status_code == 200, published.text
    video: dict[str, Any] = client.get(f"/api/videos/{generation['video_id']}").json()
    return video


def test_video_page_shows_remix_lineage_and_remixes(
    client: TestClient, make_user: Callable[..., User], login: Callable[..., None],
    make_video: Callable[..., dict[str, Any]], api_client: Callable[[User], TestClient],
    parse: PageParser,
) -> None:
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    original = make_video(alice, prompt="a dog runs in the park", publish=True,
                          caption="Original dog")
    remix = _remix(api_client, bob, str(original["id"]), "make it night")
    remix_of_remix = _remix(api_client, carol, str(remix["id"]), "add rain")

    # The original lists its remix; it is no remix itself.
    page = parse(client.get(f"/v/{original['id']}").text)
    assert page.by_id("lineage") is None
    grid = page.by_id("remix-grid")
    assert grid is not None
    assert page.find("a", href=f"/v/{remix['id']}") is not None
    assert page.find("a", href=f"/v/{remix_of_remix['id']}") is None  # not a direct child
    # Signed out, the remix button asks to sign in first.
    assert page.by_id("remix") is None
    assert page.by_id("remix-sign-in") is not None

    # Two steps down: parent and root both link back, with the depth.
    deep = parse(client.get(f"/v/{remix_of_remix['id']}").text)
    lineage = deep.by_id("lineage")
    assert lineage is not None and lineage.attrs["data-depth"] == "2"
    assert "2 steps from the original" in lineage.text
    assert deep.by_id("lineage-parent").attrs["href"] == f"/v/{remix['id']}"
    assert deep.by_id("lineage-root").attrs["href"] == f"/v/{original['id']}"
    assert "Original dog" in deep.by_id("lineage-root").text
    assert deep.by_id("no-remixes") is not None

    # One step down the parent is the root, so it shows once.
    middle = parse(client.get(f"/v/{remix['id']}").text)
    assert middle.by_id("lineage-parent").attrs["href"] == f"/v/{original['id']}"
    assert middle.by_id("lineage-root") is None
    assert middle.find("a", href=f"/v/{remix_of_remix['id']}") is not None

    # Signed in, the remix button opens the remix sheet.
    login(client, bob)
    own = parse(client.get(f"/v/{original['id']}").text)
    assert own.by_id("remix") is not None and own.by_id("remix-sheet") is not None
    assert own.by_id("remix-form") is not None


def test_video_page_counts_likes_and_comments(
    client: TestClient, make_user: Callable[..., User], login: Callable[..., None],
    make_video: Callable[..., dict[str, Any]], api_client: Callable[[User], TestClient],
    parse: PageParser,
) -> None:
    alice, bob = make_user("alice"), make_user("bob")
    video = make_video(alice, publish=True)
    bob_api = api_client(bob)
    assert bob_api.post(f"/api/videos/{video['id']}/like").status_code == 200
    assert bob_api.post(f"/api/videos/{video['id']}/comments",
                        json={"text": "lovely"}).status_code == 201

    page = parse(client.get(f"/v/{video['id']}").text)
    assert page.by_id("like-count").text == "1"
    assert "1 comment" in " ".join(page.by_id("comments-count").text.split())
    assert page.by_id("like").attrs["aria-pressed"] == "false"

    login(client, bob)
    liked = parse(client.get(f"/v/{video['id']}").text)
    assert liked.by_id("like").attrs["aria-pressed"] == "true"


def test_profile_shows_counts_and_follow_state(
    client: TestClient, make_user: Callable[..., User], login: Callable[..., None],
    make_video: Callable[..., dict[str, Any]], api_client: Callable[[User], TestClient],
    parse: PageParser,
) -> None:
    alice, bob = make_user("alice"), make_user("bob")
    make_video(alice, publish=True)
    assert api_client(bob).post("/api/users/alice/follow").status_code == 200

    page = parse(client.get("/u/alice").text)
    assert page.by_id("count-videos").text == "1"
    assert page.by_id("count-followers").text == "1"
    assert page.by_id("follow") is None  # signed out: a sign-in link instead
    assert page.find("a", href="/login?next=/u/alice") is not None
    assert page.by_id("tab-remixes") is not None
    assert page.by_id("video-grid").attrs["data-source"] == "/api/users/alice/videos"

    login(client, bob)
    seen_by_bob = parse(client.get("/u/alice").text)
    follow = seen_by_bob.by_id("follow")
    assert follow is not None and follow.attrs["aria-pressed"] == "true"
    assert "Following" in follow.text
    assert seen_by_bob.by_id("block") is not None
    assert seen_by_bob.by_id("invites") is None

    own = parse(client.get("/u/bob").text)
    assert own.by_id("follow") is None and own.by_id("block") is None
    assert own.find("a", href="/characters") is not None
    assert own.by_id("invites") is not None


def test_a_block_hides_profiles_and_videos_both_ways(
    client: TestClient, make_user: Callable[..., User], login: Callable[..., None],
    make_video: Callable[..., dict[str, Any]], api_client: Callable[[User], TestClient],
    parse: PageParser,
) -> None:
    alice, bob = make_user("alice"), make_user("bob")
    video = make_video(alice, publish=True)
    assert api_client(bob).post("/api/users/alice/block").status_code == 200

    login(client, bob)
    blocked = parse(client.get("/u/alice").text)
    assert blocked.by_id("blocked-note") is not None
    assert blocked.by_id("unblock") is not None
    assert blocked.by_id("video-grid") is None  # nothing of theirs while blocked
    assert client.get(f"/v/{video['id']}").status_code == 404

    client.post("/api/auth/logout")
    client.headers.pop("X-CSRF-Token", None)
    login(client, alice)
    assert client.get("/u/bob").status_code == 404  # the blocked person cannot look back
    assert client.get(f"/v/{video['id']}").status_code == 200  # their own video


def test_notifications_page_is_for_signed_in_people(
    client: TestClient, make_user: Callable[..., User], login: Callable[..., None],
    api_client: Callable[[User], TestClient], parse: PageParser,
) -> None:
    response = client.get("/notifications", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fnotifications"

    alice, bob = make_user("alice"), make_user("bob")
    assert api_client(bob).post("/api/users/alice/follow").status_code == 200
    login(client, alice)
    page = parse(client.get("/notifications").text)
    assert page.by_id("notice-list") is not None
    assert any("notifications.js" in el.attrs.get("src", "") for el in page.find_all("script"))
    # The data the page lists, and the badge counts.
    unread = client.get("/api/notifications?unread=true&limit=1").json()
    assert unread["unread_count"] == 1
    assert page.find_all("span", **{"data-unread-badge": ""})


def test_an_unknown_address_is_a_friendly_page(client: TestClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Go home" in response.text
    api = client.get("/api/no-such-thing")
    assert api.status_code == 404 and api.json()["error"]["code"]
