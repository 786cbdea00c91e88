"""Opening the feed again soon shows the same ranking, yet every change the person
makes, and every new video from people they follow, shows at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from fastapi.testclient import TestClient

from kinema.accounts.models import User
from kinema.db import utcnow
from kinema.studio.models import Video

if TYPE_CHECKING:
    from kinema.runtime import Runtime

Publish = Callable[..., Video]


def _ids(client: TestClient) -> list[str]:
    answer = client.get("/api/feed?limit=50")
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["items"]]


def _first_cursor(client: TestClient) -> str:
    cursor: str = client.get("/api/feed?limit=2").json()["next_cursor"]
    return cursor


def test_reopening_keeps_the_ranking_until_something_changes(
    make_user: Callable[..., User], api_client: Callable[[User], TestClient], publish: Publish
) -> None:
    viewer, friend, stranger, pest = (make_user(h) for h in ("viewer", "friend", "stranger",
                                                              "pest"))
    as_viewer = api_client(viewer)
    now = utcnow()
    pests = set()
    for n in range(3):
        publish(stranger, f"a heron fishing {n}", at=now - timedelta(minutes=n))
        pests.add(publish(pest, f"a loud goose {n}", at=now - timedelta(minutes=10 + n)).id)
    friends = [publish(friend, f"a calm tortoise {n}", at=now - timedelta(days=2, minutes=n))
               for n in range(2)]

    first = _ids(as_viewer)
    cursor = _first_cursor(as_viewer)
    assert _ids(as_viewer) == first  # the same ranking...
    assert _first_cursor(as_viewer) == cursor  # ...from the same snapshot
    assert set(first[-2:]) == {v.id for v in friends}  # old videos of a stranger, for now

    # Following someone re-ranks at once: their videos come first.
    assert as_viewer.post("/api/users/friend/follow").status_code == 200
    assert set(_ids(as_viewer)[:2]) == {v.id for v in friends}
    assert _first_cursor(as_viewer) != cursor

    # A new video from someone followed is there at once, on top.
    newest = publish(friend, "a tortoise eating a strawberry")
    assert _ids(as_viewer)[0] == newest.id

    # A block takes effect at once.
    assert pests <= set(_ids(as_viewer))
    assert as_viewer.post("/api/users/pest/block").status_code == 200
    assert not pests & set(_ids(as_viewer))

    # So does an unfollow: nothing is there for following any more.
    assert as_viewer.delete("/api/users/friend/follow").status_code == 200
    reasons = {item["reason"] for item in as_viewer.get("/api/feed?limit=50").json()["items"]}
    assert "following" not in reasons


def test_liking_and_marking_re_rank_at_once(
    make_user: Callable[..., User], api_client: Callable[[User], TestClient], publish: Publish
) -> None:
    viewer, quiet, loud = make_user("viewer"), make_user("quiet"), make_user("loud")
    as_viewer = api_client(viewer)
    now = utcnow()
    louds = [publish(loud, f"a parade of drums {n}", at=now - timedelta(minutes=n))
             for n in range(3)]
    quiets = [publish(quiet, f"a sleeping owl {n}", at=now - timedelta(days=3, minutes=n))
              for n in range(2)]

    assert set(_ids(as_viewer)[:2]) <= {v.id for v in louds}
    as_viewer.post(f"/api/videos/{quiets[1].id}/like")
    # Someone you interact with comes first.
    assert set(_ids(as_viewer)[:2]) == {v.id for v in quiets}

    as_viewer.post(f"/api/videos/{quiets[0].id}/not-interested")
    assert quiets[0].id not in _ids(as_viewer)
    as_viewer.post("/api/feed/seen", json={"video_ids": [louds[0].id]})
    assert louds[0].id not in _ids(as_viewer)
    as_viewer.put("/api/me/feed", json={"instruction": "no drums"})
    assert not {v.id for v in louds} & set(_ids(as_viewer))


def test_a_feed_item_shows_the_video_as_its_own_page_does(
    make_user: Callable[..., User], api_client: Callable[[User], TestClient], publish: Publish
) -> None:
    viewer, maker = make_user("viewer"), make_user("maker")
    as_viewer = api_client(viewer)
    video = publish(maker, "a kite over the dunes", caption="windy #beach")
    as_viewer.post(f"/api/videos/{video.id}/like")
    item = as_viewer.get("/api/feed").json()["items"][0]
    own = as_viewer.get(f"/api/videos/{video.id}").json()
    assert item["liked"] is True and item["like_count"] == 1
    assert item["plan"] and isinstance(item["plan"], dict)
    assert {key: item[key] for key in own if key in item} == {
        key: own[key] for key in own if key in item
    }
    assert set(item) - set(own) == {"reason", "score", "liked"}


def test_a_video_with_your_character_comes_first_and_names_its_cast(
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    publish: Publish,
    runtime: Runtime,
) -> None:
    from kinema.characters.models import Character, CharacterAppearance
    from kinema.db import transaction
    from kinema.ids import new_id
    from kinema.studio.models import Generation

    owner, maker, other = make_user("owner"), make_user("maker"), make_user("other")
    now = utcnow()
    starring = publish(maker, "a skateboarding trick at dusk", at=now - timedelta(days=4))
    for n in range(3):
        publish(maker, f"a sunny street {n}", at=now - timedelta(minutes=n))
    with transaction(runtime.sessions) as session:
        character = Character(id=new_id("chr"), owner_id=owner.id, handle="skater",
                              name="Sam", kind="person", status="verified")
        generation = Generation(id=new_id("gen"), user_id=maker.id, prompt="@skater trick",
                                seconds=1, width=160, height=288, seed=1, engine="procedural")
        session.add_all([character, generation])
        session.flush()
        session.add(CharacterAppearance(id=new_id("app"), character_id=character.id,
                                        generation_id=generation.id, video_id=starring.id,
                                        author_id=maker.id))

    items = api_client(owner).get("/api/feed").json()["items"]
    assert (items[0]["id"], items[0]["reason"]) == (starring.id, "character")
    cast = [{"handle": "skater", "name": "Sam", "kind": "person"}]
    assert items[0]["characters"] == cast
    seen_by_other = {item["id"]: item for item in api_client(other).get("/api/feed").json()
                     ["items"]}
    assert seen_by_other[starring.id]["characters"] == cast
    assert all(item["characters"] == [] for key, item in seen_by_other.items()
               if key != starring.id)
