"""Likes, comments and notifications as people see them."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from kinema.accounts.models import User
from kinema.db import transaction
from kinema.runtime import Runtime
from kinema.studio.models import Video


def test_likes_count_once_and_tell_the_author(
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    publish: Callable[..., Video],
) -> None:
    alice, bob = make_user("alice"), make_user("bob")
    as_alice, as_bob = api_client(alice), api_client(bob)
    video = publish(alice, "a whale under the sea")

    assert as_bob.post(f"/api/videos/{video.id}/like").json()["like_count"] == 1
    assert as_bob.post(f"/api/videos/{video.id}/like").json()["like_count"] == 1
    assert as_bob.get(f"/api/videos/{video.id}").json()["like_count"] == 1
    assert as_bob.get("/api/feed").json()["items"][0]["liked"] is True
    assert as_bob.delete(f"/api/videos/{video.id}/like").json()["like_count"] == 0
    assert as_bob.delete(f"/api/videos/{video.id}/like").json()["like_count"] == 0
    as_bob.post(f"/api/videos/{video.id}/like")  # liking again does not notify again

    kinds = [n["kind"] for n in as_alice.get("/api/notifications").json()["items"]]
    assert kinds == ["like"]
    assert as_bob.post("/api/videos/vid_nothing/like").status_code == 404
    assert as_bob.post("/api/videos/vid_nothing/like", headers={"Authorization": ""}) \
        .status_code in (401, 404)


def test_comments_are_capped_paginated_and_notified(
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    client: TestClient,
    publish: Callable[..., Video],
) -> None:
    alice, bob = make_user("alice"), make_user("bob")
    as_alice, as_bob = api_client(alice), api_client(bob)
    video = publish(alice, "a robot dancing on a rooftop")

    too_long = as_bob.post(f"/api/videos/{video.id}/comments", json={"text": "x" * 501})
    assert too_long.status_code == 400
    assert too_long.json()["error"]["code"] == "comment_too_long"
    assert as_bob.post(f"/api/videos/{video.id}/comments", json={"text": "   "}).status_code \
        == 400
    refused = as_bob.post(f"/api/videos/{video.id}/comments", json={"text": "go kill yourself"})
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "moderation_blocked"
    for n in range(7):
        made = as_bob.post(f"/api/videos/{video.id}/comments", json={"text": f"nice {n}"})
        assert made.status_code == 201
    assert as_bob.get(f"/api/videos/{video.id}").json()["comment_count"] == 7

    texts: list[str] = []
    cursor = None
    while True:
        query = "limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(f"/api/videos/{video.id}/comments?{query}").json()  # signed out
        texts += [c["text"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert texts == [f"nice {n}" for n in reversed(range(7))]
    assert client.get(f"/api/videos/{video.id}/comments?cursor=garbage!").status_code == 400

    notes = as_alice.get("/api/notifications?limit=100").json()
    assert notes["unread_count"] == 7
    assert {n["kind"] for n in notes["items"]} == {"comment"}
    assert notes["items"][0]["text"] == "@bob commented: nice 6"

    first = notes["items"][0]["id"]
    assert as_alice.post("/api/notifications/read", json={"ids": [first]}).json()["marked"] == 1
    assert as_alice.get("/api/notifications").json()["unread_count"] == 6
    assert len(as_alice.get("/api/notifications?unread=true&limit=100").json()["items"]) == 6
    assert as_alice.post("/api/notifications/read").json()["marked"] == 6
    assert as_alice.get("/api/notifications").json()["unread_count"] == 0

    comment_id = as_alice.get(f"/api/videos/{video.id}/comments").json()["items"][0]["id"]
    assert as_alice.delete(f"/api/comments/{comment_id}").status_code == 200  # video's author
    assert as_alice.get(f"/api/videos/{video.id}").json()["comment_count"] == 6


def test_character_use_is_notified(
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    runtime: Runtime,
    publish: Callable[..., Video],
) -> None:
    from kinema.social.service import notify_character_used

    alice, bob = make_user("alice"), make_user("bob")
    video = publish(bob, "@alice_cam surfing")
    with transaction(runtime.sessions) as session:
        sent = notify_character_used(session, owner_id=alice.id, actor=bob, video_id=video.id,
                                     character_handle="@alice_cam")
        assert sent is not None
        assert notify_character_used(session, owner_id=bob.id, actor=bob, video_id=video.id,
                                     character_handle="bob_cam") is None
    note = api_client(alice).get("/api/notifications").json()["items"][0]
    assert note["kind"] == "character_used"
    assert note["character"] == "alice_cam"
    assert note["video_id"] == video.id


def test_publishing_a_remix_counts_it_and_tells_the_parents_author_at_once(
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    publish: Callable[..., Video],
    runtime: Runtime,
) -> None:
    from sqlalchemy import select

    from kinema.social.models import Notification

    alice, bob = make_user("alice"), make_user("bob")
    as_alice, as_bob = api_client(alice), api_client(bob)
    original = publish(alice, "a dog runs in the park")
    remix = publish(bob, "make it night", remix_of=original.id)

    # Right away, before anyone opens their notifications.
    assert as_bob.get(f"/api/videos/{original.id}").json()["remix_count"] == 1
    with runtime.sessions() as session:
        told = session.scalars(
            select(Notification).where(Notification.user_id == alice.id)
        ).all()
    assert [(n.kind, n.video_id) for n in told] == [("remix", remix.id)]
    assert "@bob remixed your video" in told[0].text

    # Changing the remix's caption later neither counts nor tells again.
    assert as_bob.post(f"/api/videos/{remix.id}/publish", json={"caption": "night!"}) \
        .status_code == 200
    notes = as_alice.get("/api/notifications").json()
    assert [n["kind"] for n in notes["items"]] == ["remix"]
    assert notes["items"][0]["actor"]["handle"] == "bob"
    assert as_alice.get(f"/api/videos/{original.id}").json()["remix_count"] == 1

    # Remixing one's own video counts, but nobody is notified.
    publish(alice, "make it snow", remix_of=original.id)
    assert as_alice.get(f"/api/videos/{original.id}").json()["remix_count"] == 2
    assert len(as_alice.get("/api/notifications").json()["items"]) == 1
