"""Reports and moderators: people report content, moderators work the queue (remove,
warn, suspend, restore), every action lands in the append-only moderation log, and the
affected person is told and can appeal once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from typer.testing import Result

from kinema.accounts.models import User

TINY = {"seconds": 1, "size": "160x288"}

pytestmark = pytest.mark.slow  # each test renders a short video


def published_video(client: TestClient, prompt: str = "a dog running in a park") -> str:
    """Render a tiny video through the API and publish it; returns its id."""
    made = client.post("/api/generations", json={"prompt": prompt, **TINY})
    assert made.status_code == 202, made.text
    job = client.get(f"/api/generations/{made.json()['generation']['id']}").json()
    assert job["status"] == "completed", job
    published = client.post(f"/api/videos/{job['video_id']}/publish", json={"caption": "hi"})
    assert published.status_code == 200, published.text
    return str(job["video_id"])


def moderation_notices(client: TestClient) -> list[str]:
    items = client.get("/api/notifications").json()["items"]
    return [item["text"] for item in items if item["kind"] == "moderation"]


def test_report_remove_notify_appeal_once(
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    client: TestClient,
) -> None:
    alice = api_client(make_user("alice"))
    bob = api_client(make_user("bob"))
    mod_user = make_user("mod")
    admin = api_client(make_user("root", is_admin=True))
    assert admin.put("/api/users/mod/role", json={"role": "moderator"}).status_code == 200
    mod = api_client(mod_user)
    video_id = published_video(alice)

    filed = bob.post(
        "/api/reports",
        json={"target_type": "video", "target_id": video_id, "reason": "self-harm"},
    )
    assert filed.status_code == 201, filed.text
    report = filed.json()["report"]
    assert report["reason"] == "self_harm" and report["status"] == "open"

    # Moderators see it in the queue with the content; others may not look.
    assert bob.get("/api/moderation/queue").status_code == 403
    queue = mod.get("/api/moderation/queue").json()["items"]
    assert [item["report"]["id"] for item in queue] == [report["id"]]
    assert queue[0]["content"]["prompt"] == "a dog running in a park"
    assert queue[0]["target_user"]["handle"] == "alice"

    # Only moderators act.
    assert (
        bob.post(
            "/api/moderation/actions", json={"action": "remove", "report_id": report["id"]}
        ).status_code
        == 403
    )
    removed = mod.post(
        "/api/moderation/actions",
        json={"action": "remove", "report_id": report["id"], "note": "not allowed here"},
    )
    assert removed.status_code == 201, removed.text
    action = removed.json()["action"]

    # Gone for everyone else, kept (as removed) for its author; the queue is empty.
    assert bob.get(f"/api/videos/{video_id}").status_code == 404
    assert client.get(f"/api/videos/{video_id}").status_code == 404
    assert client.get(f"/api/videos/{video_id}/content").status_code == 404
    assert alice.get(f"/api/videos/{video_id}").json()["status"] == "removed"
    assert mod.get("/api/moderation/queue").json()["items"] == []

    notices = moderation_notices(alice)
    assert len(notices) == 1 and "removed your video" in notices[0]
    assert "not allowed here" in notices[0]
    mine = alice.get("/api/me/moderation").json()["items"]
    assert [item["action"]["id"] for item in mine] == [action["id"]]
    assert mine[0]["can_appeal"] is True

    # Someone else cannot appeal it; the author can, once.
    assert (
        bob.post("/api/appeals", json={"action_id": action["id"], "text": "hm"}).status_code == 404
    )
    first = alice.post(
        "/api/appeals", json={"action_id": action["id"], "text": "It is just a dog."}
    )
    assert first.status_code == 201, first.text
    second = alice.post("/api/appeals", json={"action_id": action["id"], "text": "Please!"})
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "already_appealed"

    # Another moderator grants it: the video is back for everyone.
    waiting = admin.get("/api/moderation/appeals").json()["items"]
    assert [item["appeal"]["id"] for item in waiting] == [first.json()["appeal"]["id"]]
    granted = admin.post(
        f"/api/moderation/appeals/{first.json()['appeal']['id']}/decision", json={"grant": True}
    )
    assert granted.status_code == 200 and granted.json()["appeal"]["status"] == "granted"
    assert client.get(f"/api/videos/{video_id}").json()["status"] == "published"
    assert any("appeal was granted" in text for text in moderation_notices(alice))
    log = admin.get("/api/moderation/audit").json()["items"]
    assert [entry["action"] for entry in log] == [
        "role",
        "remove",
        "appeal",
        "restore",
        "appeal_granted",
    ]
    # Nothing is left to restore.
    again = mod.post(
        "/api/moderation/actions",
        json={"action": "restore", "target_type": "video", "target_id": video_id},
    )
    assert again.status_code == 409


def test_reports_are_checked(
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    alice = api_client(make_user("alice"))
    bob = api_client(make_user("bob"))
    video_id = published_video(alice)

    def report(**body: str) -> object:
        return bob.post(
            "/api/reports", json={"target_type": "video", "target_id": video_id, **body}
        )

    bad_reason = report(reason="boring")
    assert bad_reason.status_code == 400  # type: ignore[attr-defined]
    assert "spam" in bad_reason.json()["error"]["message"]  # type: ignore[attr-defined]
    for reason, stored in [
        ("child safety", "child_safety"),
        ("impersonation/likeness", "impersonation"),
        ("copyright", "copyright"),
    ]:
        response = report(reason=reason)
        assert response.status_code == 201, response.text  # type: ignore[attr-defined]
        assert response.json()["report"]["reason"] == stored  # type: ignore[attr-defined]
    # The same report twice is one report.
    again = report(reason="copyright")
    assert again.json()["report"]["id"] == report(reason="copyright").json()["report"]["id"]  # type: ignore[attr-defined]
    missing = bob.post(
        "/api/reports", json={"target_type": "video", "target_id": "vid_nope", "reason": "spam"}
    )
    assert missing.status_code == 404
    odd = bob.post(
        "/api/reports", json={"target_type": "planet", "target_id": "x", "reason": "spam"}
    )
    assert odd.status_code == 400
    # Users are reported by handle; nobody reports themselves.
    user_report = bob.post(
        "/api/reports", json={"target_type": "user", "target_id": "@alice", "reason": "spam"}
    )
    assert user_report.status_code == 201, user_report.text
    own = alice.post(
        "/api/reports", json={"target_type": "video", "target_id": video_id, "reason": "spam"}
    )
    assert own.status_code == 400


def test_suspension_blocks_the_account_until_lifted_and_can_be_appealed(
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    alice = api_client(make_user("alice"))
    bob = api_client(make_user("bob"))
    admin = api_client(make_user("root", is_admin=True))
    video_id = published_video(alice)
    comment = bob.post(f"/api/videos/{video_id}/comments", json={"text": "buy cheap followers"})
    assert comment.status_code == 201
    comment_id = comment.json()["comment"]["id"]
    filed = alice.post(
        "/api/reports", json={"target_type": "comment", "target_id": comment_id, "reason": "spam"}
    )
    assert filed.status_code == 201, filed.text
    report_id = filed.json()["report"]["id"]

    # Removing the comment hides it; warning and suspending act on its author.
    assert (
        admin.post(
            "/api/moderation/actions", json={"action": "remove", "report_id": report_id}
        ).status_code
        == 201
    )
    assert alice.get(f"/api/videos/{video_id}/comments").json()["items"] == []
    warned = admin.post(
        "/api/moderation/actions",
        json={"action": "warn", "target_type": "user", "target_id": "bob"},
    )
    assert warned.status_code == 201, warned.text
    suspended = admin.post(
        "/api/moderation/actions",
        json={"action": "suspend", "target_type": "user", "target_id": "bob", "note": "spam"},
    )
    assert suspended.status_code == 201, suspended.text

    # A suspended account is refused everywhere...
    for response in (
        bob.get("/api/me"),
        bob.post("/api/generations", json={"prompt": "a cat", **TINY}),
        bob.get("/api/feed"),
    ):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "account_suspended"
    # ...but can see why and appeal.
    mine = bob.get("/api/me/moderation").json()["items"]
    assert [item["action"]["action"] for item in mine] == ["suspend", "warn", "remove"]
    appeal = bob.post(
        "/api/appeals", json={"action_id": suspended.json()["action"]["id"], "text": "Sorry."}
    )
    assert appeal.status_code == 201, appeal.text

    lifted = admin.post(
        "/api/moderation/actions",
        json={"action": "unsuspend", "target_type": "user", "target_id": "bob"},
    )
    assert lifted.status_code == 201
    assert bob.get("/api/me").status_code == 200
    restored = admin.post(
        "/api/moderation/actions",
        json={"action": "restore", "target_type": "comment", "target_id": comment_id},
    )
    assert restored.status_code == 201
    assert len(alice.get(f"/api/videos/{video_id}/comments").json()["items"]) == 1


def test_audit_log_lists_every_action_in_order_and_cannot_be_changed(
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    alice = api_client(make_user("alice"))
    mod = api_client(make_user("mod"))
    admin = api_client(make_user("root", is_admin=True))
    assert admin.put("/api/users/mod/role", json={"role": "moderator"}).status_code == 200
    video_id = published_video(alice)
    steps = [
        {"action": "warn", "target_type": "video", "target_id": video_id},
        {"action": "remove", "target_type": "video", "target_id": video_id},
        {"action": "restore", "target_type": "video", "target_id": video_id},
        {"action": "suspend", "target_type": "user", "target_id": "alice"},
        {"action": "unsuspend", "target_type": "user", "target_id": "alice"},
    ]
    ids = []
    for step in steps:
        response = admin.post("/api/moderation/actions", json=step)
        assert response.status_code == 201, response.text
        ids.append(response.json()["action"]["id"])

    log = admin.get("/api/moderation/audit").json()["items"]
    assert [entry["action"] for entry in log] == [
        "role",
        "warn",
        "remove",
        "restore",
        "suspend",
        "unsuspend",
    ]
    assert [entry["id"] for entry in log[1:]] == ids
    assert [entry["seq"] for entry in log] == sorted(entry["seq"] for entry in log)
    later = admin.get("/api/moderation/audit", params={"after": log[2]["seq"]}).json()["items"]
    assert [entry["id"] for entry in later] == ids[2:]

    # Moderators act but do not read the log; nobody can change or delete entries.
    assert mod.get("/api/moderation/audit").status_code == 403
    assert alice.get("/api/moderation/audit").status_code == 403
    for method in ("put", "patch", "delete"):
        response = getattr(admin, method)("/api/moderation/audit")
        assert response.status_code == 405
        response = getattr(admin, method)(f"/api/moderation/audit/{ids[0]}")
        assert response.status_code in (404, 405)
    assert len(admin.get("/api/moderation/audit").json()["items"]) == len(log)


def test_cli_makes_a_moderator(
    kinema: Callable[..., Result],
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    carol = make_user("carol")
    result = kinema("admin", "role", "--handle", "carol", "--role", "moderator")
    assert result.exit_code == 0, result.output
    assert "@carol is now a moderator" in result.output
    assert api_client(carol).get("/api/moderation/queue").status_code == 200
    bad = kinema("admin", "role", "--handle", "carol", "--role", "king")
    assert bad.exit_code != 0 and "role must be one of" in bad.output


def test_report_after_blocking_but_never_someone_elses_draft(
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    alice = api_client(make_user("alice"))
    bob = api_client(make_user("bob"))
    carol = api_client(make_user("carol"))
    video_id = published_video(alice)
    comment = alice.post(f"/api/videos/{video_id}/comments", json={"text": "look at this"})
    assert comment.status_code == 201, comment.text
    comment_id = comment.json()["comment"]["id"]
    draft = alice.post("/api/generations", json={"prompt": "a quiet lake at dawn", **TINY})
    draft_id = alice.get(f"/api/generations/{draft.json()['generation']['id']}").json()["video_id"]
    assert draft_id

    # Bob blocks Alice, then reports what he saw: the block hides her video from him...
    assert bob.post("/api/users/alice/block").json()["blocked"] is True
    assert bob.get(f"/api/videos/{video_id}").status_code == 404
    # ...but his reports are still taken.
    for target_type, target_id in (
        ("video", video_id),
        ("comment", comment_id),
        ("user", "alice"),
    ):
        filed = bob.post(
            "/api/reports",
            json={"target_type": target_type, "target_id": target_id, "reason": "harassment"},
        )
        assert filed.status_code == 201, (target_type, filed.text)
        assert filed.json()["report"]["status"] == "open"

    # The same when the block goes the other way.
    assert alice.post("/api/users/carol/block").json()["blocked"] is True
    filed = carol.post(
        "/api/reports", json={"target_type": "video", "target_id": video_id, "reason": "spam"}
    )
    assert filed.status_code == 201, filed.text

    # A draft was never visible to them: it stays unknown, block or no block.
    for reporter in (bob, carol):
        refused = reporter.post(
            "/api/reports", json={"target_type": "video", "target_id": draft_id, "reason": "spam"}
        )
        assert refused.status_code == 404, refused.text
        assert refused.json()["error"]["code"] == "not_found"
