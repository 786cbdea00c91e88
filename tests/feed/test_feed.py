"""The feed as a person sees it: who comes first, steering in plain words, not
interested, the seen set, teen safety, author diversity and stable pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient

from kinema.accounts.models import User
from kinema.db import utcnow
from kinema.studio.models import Video

Publish = Callable[..., Video]


def _ids(client: TestClient, limit: int = 50) -> list[str]:
    answer = client.get(f"/api/feed?limit={limit}")
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["items"]]


def _all_pages(client: TestClient, limit: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        query = f"limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(f"/api/feed?{query}").json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the feed never ended")


def test_people_you_follow_and_interact_with_come_first(
    make_user: Callable[..., User], api_client: Callable[[User], TestClient], publish: Publish
) -> None:
    alice, bob, carol, dave, erin = (make_user(h) for h in ("alice", "bob", "carol", "dave",
                                                              "erin"))
    as_alice = api_client(alice)
    now = utcnow()
    bobs = [publish(bob, f"a quiet owl number {n}", at=now - timedelta(days=3)) for n in range(2)]
    daves = [publish(dave, f"a panda skating {n}", at=now - timedelta(days=2)) for n in range(2)]
    carols = [publish(carol, f"a dragon flying {n}", at=now - timedelta(minutes=n))
              for n in range(3)]
    for fan in (dave, erin):  # carol's videos are the popular, fresh ones
        for video in carols:
            api_client(fan).post(f"/api/videos/{video.id}/like")

    before = _ids(as_alice)
    assert set(before[:2]) <= {v.id for v in carols}  # nobody followed yet: fresh, liked

    as_alice.post("/api/users/bob/follow")
    as_alice.post(f"/api/videos/{daves[0].id}/like")
    feed = as_alice.get("/api/feed?limit=50").json()["items"]
    ids = [item["id"] for item in feed]
    assert set(ids[:2]) == {v.id for v in bobs}
    assert set(ids[2:4]) == {v.id for v in daves}
    assert {item["reason"] for item in feed[:2]} == {"following"}
    assert {item["reason"] for item in feed[2:4]} == {"interacted"}


def test_an_instruction_reorders_the_feed_and_no_removes_a_topic(
    make_user: Callable[..., User], api_client: Callable[[User], TestClient], publish: Publish
) -> None:
    viewer = make_user("viewer")
    makers = [make_user(f"maker{n}") for n in range(8)]
    as_viewer = api_client(viewer)
    now = utcnow()
    prompts = {
        "sports": ["a dog playing football in the park", "a basketball game on a stage"],
        "space": ["an astronaut floating next to a rocket", "a robot on the moon at night"],
        "cooking": ["a chef cooking pancakes in a kitchen", "a bear baking bread"],
        "animals": ["a horse running across a field", "a cat sleeping on a sofa"],
    }
    topic_of: dict[str, str] = {}
    age = 0
    for topic in ("sports", "space", "cooking", "animals"):  # cooking and animals oldest
        for prompt in prompts[topic]:
            video = publish(makers[age], prompt, at=now - timedelta(hours=age))
            topic_of[video.id] = topic
            age += 1

    before = _ids(as_viewer)
    assert [topic_of[v] for v in before[:2]] == ["sports", "sports"]

    steered = as_viewer.put("/api/me/feed",
                            json={"instruction": "More cooking and animals, no sports"})
    assert steered.status_code == 200
    assert steered.json()["boosts"] == ["cooking", "animals"]
    assert steered.json()["exclusions"] == ["sports"]
    assert as_viewer.get("/api/me/feed").json()["instruction"] == (
        "More cooking and animals, no sports"
    )

    after = _ids(as_viewer)
    assert after != before
    assert {topic_of[v] for v in after[:4]} == {"cooking", "animals"}
    assert "sports" not in {topic_of[v] for v in after}
    assert len(after) == 6

    assert as_viewer.put("/api/me/feed", json={"instruction": ""}).status_code == 200
    assert len(_ids(as_viewer)) == 8
    unclear = as_viewer.put("/api/me/feed", json={"instruction": "no, more!"})
    assert unclear.status_code == 400
    assert unclear.json()["error"]["code"] == "instruction_not_understood"


def test_not_interested_and_watched_videos_leave_the_feed(
    make_user: Callable[..., User], api_client: Callable[[User], TestClient], publish: Publish
) -> None:
    viewer, maker = make_user("viewer"), make_user("maker")
    as_viewer = api_client(viewer)
    videos = [publish(maker, f"a penguin sliding {n}") for n in range(4)]

    assert as_viewer.post(f"/api/videos/{videos[0].id}/not-interested").status_code == 200
    assert videos[0].id not in _ids(as_viewer)
    assert as_viewer.post("/api/videos/vid_missing/not-interested").status_code == 404

    recorded = as_viewer.post("/api/feed/seen", json={"video_ids": [videos[1].id, "vid_x"]})
    assert recorded.json() == {"recorded": 1}
    assert set(_ids(as_viewer)) == {videos[2].id, videos[3].id}

    as_viewer.post("/api/feed/seen", json={"video_ids": [videos[2].id, videos[3].id]})
    page = as_viewer.get("/api/feed").json()
    assert page["caught_up"] is True  # all watched: shown again rather than nothing
    assert {item["id"] for item in page["items"]} == {v.id for v in videos[1:]}


def test_teens_see_only_suitable_videos(
    make_user: Callable[..., User], api_client: Callable[[User], TestClient], publish: Publish
) -> None:
    teen = make_user("teen", birthdate=date.today().replace(year=date.today().year - 15))
    adult, maker = make_user("adult"), make_user("maker")
    scary = publish(maker, "a zombie horror film in a dark forest")
    gentle = publish(maker, "a rabbit hopping in a meadow")
    assert set(_ids(api_client(teen))) == {gentle.id}
    assert set(_ids(api_client(adult))) == {gentle.id, scary.id}


def test_no_more_than_two_in_a_row_from_one_author(
    make_user: Callable[..., User], api_client: Callable[[User], TestClient], publish: Publish
) -> None:
    viewer, busy, other, third = (make_user(h) for h in ("viewer", "busy", "other", "third"))
    now = utcnow()
    for n in range(6):
        publish(busy, f"a turtle swimming {n}", at=now - timedelta(minutes=n))
    publish(other, "a bee in a garden", at=now - timedelta(hours=5))
    publish(third, "a parrot singing", at=now - timedelta(hours=6))
    feed = api_client(viewer).get("/api/feed?limit=50").json()["items"]
    authors = [item["author"]["handle"] for item in feed]
    assert authors[:2] == ["busy", "busy"]
    assert authors[2] != "busy"
    assert all(not (authors[i] == authors[i + 1] == authors[i + 2] and i < 3)
               for i in range(len(authors) - 2))
    assert len(authors) == 8


def test_pages_have_no_duplicates_or_gaps_while_videos_arrive(
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    client: TestClient,
    publish: Publish,
) -> None:
    viewer = make_user("viewer")
    makers = [make_user(f"maker{n}") for n in range(5)]
    as_viewer = api_client(viewer)
    now = utcnow()
    first_batch = {publish(makers[n % 5], f"a fox exploring {n}",
                           at=now - timedelta(minutes=n)).id for n in range(23)}

    page = as_viewer.get("/api/feed?limit=5").json()
    shown = [item["id"] for item in page["items"]]
    cursor = page["next_cursor"]
    newcomers = {publish(makers[n % 5], f"a brand new whale {n}").id for n in range(4)}
    while cursor:
        page = as_viewer.get(f"/api/feed?limit=5&cursor={cursor}").json()
        shown += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]

    assert len(shown) == len(set(shown))  # no duplicates
    assert set(shown[:23]) == first_batch  # no gaps: the frozen ranking comes first
    assert set(shown[23:]) == newcomers  # then what arrived meanwhile

    anonymous = _all_pages(client, 7)
    assert len({item["id"] for item in anonymous}) == len(anonymous) == 27
    assert as_viewer.get("/api/feed?cursor=fds_nope~3").status_code == 400
    assert as_viewer.get("/api/feed?cursor=%%%").status_code == 400
    assert as_viewer.get("/api/feed?limit=0").status_code == 400
    other_cursor = client.get("/api/feed?limit=2").json()["next_cursor"]
    assert as_viewer.get(f"/api/feed?cursor={other_cursor}").status_code == 400
