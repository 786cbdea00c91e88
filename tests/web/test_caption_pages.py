"""Captions in the pages: the Create page offers burned-in captions, and a video's player
carries its dialogue as a captions track."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from kinema.accounts.models import User

PageParser = Callable[[str], Any]


def test_create_page_offers_captions(
    client: TestClient,
    make_user: Callable[..., User],
    login: Callable[..., None],
    parse: PageParser,
) -> None:
    login(client, make_user("alice"))
    page = parse(client.get("/create").text)
    box = page.by_id("captions")
    assert box.tag == "input" and box.attrs["type"] == "checkbox"
    assert "checked" not in box.attrs
    assert page.find("label", for_="captions").text.strip() == "Captions"


def test_video_page_player_has_the_captions_track(
    client: TestClient,
    make_user: Callable[..., User],
    login: Callable[..., None],
    make_video: Callable[..., dict[str, Any]],
    parse: PageParser,
) -> None:
    alice = make_user("alice")
    spoken = make_video(alice, prompt='a fox says "Bonjour, mes amis!"', publish=True)
    silent = make_video(alice, prompt="a red car drives through a city", publish=True)

    page = parse(client.get(f"/v/{spoken['id']}").text)
    track = page.find("track")
    assert track is not None
    assert track.attrs["kind"] == "captions"
    assert track.attrs["src"] == f"/api/videos/{spoken['id']}/captions.vtt"
    assert track.attrs["srclang"] == spoken["captions_language"] == "fr"
    assert track.attrs["label"] == "French"
    vtt = client.get(track.attrs["src"])
    assert vtt.status_code == 200 and "Bonjour, mes amis!" in vtt.text

    # Nothing is said: no track to offer.
    assert parse(client.get(f"/v/{silent['id']}").text).find("track") is None

    # The feed hands the player the same track.
    login(client, make_user("bob"))
    items = {item["id"]: item for item in client.get("/api/feed").json()["items"]}
    assert items[spoken["id"]]["captions_url"] == track.attrs["src"]
    assert items[spoken["id"]]["captions_language"] == "fr"
    assert items[silent["id"]]["captions_language"] is None
