"""Remixes: the new prompt really edits the parent's scene, and the lineage is right."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import av
import numpy as np
import pytest
from fastapi.testclient import TestClient

from kinema.accounts.models import User
from kinema.runtime import Runtime


def _make(client: TestClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = client.post(path, json=body)
    assert answer.status_code == 202, answer.text
    generation = client.get(f"/api/generations/{answer.json()['generation']['id']}").json()
    assert generation["status"] == "completed", generation
    video: dict[str, Any] = client.get(f"/api/videos/{generation['video_id']}").json()
    return video


def _brightness(client: TestClient, video_id: str) -> float:
    data = client.get(f"/api/videos/{video_id}/content").content
    with av.open(io.BytesIO(data)) as container:
        frames = [f.to_ndarray(format="gray").astype(np.float32)
                  for f in container.decode(video=0)]
    assert frames
    return float(np.mean([frame.mean() for frame in frames]))


def _nouns(plan: dict[str, Any]) -> set[str]:
    return {s["noun"] for shot in plan["shots"] for s in shot["subjects"]}


@pytest.mark.slow
def test_remix_edits_what_the_instruction_names_and_keeps_the_lineage(
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    runtime: Runtime,
) -> None:
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    as_alice, as_bob, as_carol = api_client(alice), api_client(bob), api_client(carol)
    original = _make(as_alice, "/api/generations", {
        "prompt": "a dog runs in the park on a sunny day", "seconds": 1, "size": "160x288",
        "seed": 3,
    })
    # A draft cannot be remixed by others.
    assert as_bob.post(f"/api/videos/{original['id']}/remix", json={"prompt": "at night"}) \
        .status_code == 404
    as_alice.post(f"/api/videos/{original['id']}/publish", json={"caption": "good boy"})

    night = _make(as_bob, f"/api/videos/{original['id']}/remix", {"prompt": "make it night"})
    assert night["remix_of"] == original["id"]
    assert night["size"] == "160x288"
    assert {s["time_of_day"] for s in night["plan"]["shots"]} == {"night"}
    assert {s["time_of_day"] for s in original["plan"]["shots"]} != {"night"}
    assert _nouns(night["plan"]) == _nouns(original["plan"])  # the rest is kept
    assert _brightness(as_bob, night["id"]) < _brightness(as_alice, original["id"]) - 10
    as_bob.post(f"/api/videos/{night['id']}/publish")

    cat = _make(as_carol, f"/api/videos/{night['id']}/remix",
                {"prompt": "replace the dog with a cat"})
    assert "dog" in _nouns(night["plan"])
    assert "cat" in _nouns(cat["plan"]) and "dog" not in _nouns(cat["plan"])
    assert {s["time_of_day"] for s in cat["plan"]["shots"]} == {"night"}
    as_carol.post(f"/api/videos/{cat['id']}/publish")

    lineage = as_alice.get(f"/api/videos/{cat['id']}/lineage").json()
    assert lineage["depth"] == 2
    assert lineage["parent"]["id"] == night["id"]
    assert lineage["root"]["id"] == original["id"]
    assert [v["id"] for v in lineage["ancestors"]] == [night["id"], original["id"]]
    assert lineage["hidden_ancestors"] is False
    root = as_alice.get(f"/api/videos/{original['id']}/lineage").json()
    assert root["depth"] == 0 and root["parent"] is None
    assert [v["id"] for v in root["children"]] == [night["id"]]
    remixes = as_carol.get(f"/api/videos/{original['id']}/remixes").json()["items"]
    assert [v["id"] for v in remixes] == [night["id"]]

    notes = as_alice.get("/api/notifications").json()["items"]
    assert [(n["kind"], n["actor"]["handle"], n["video_id"]) for n in notes] == [
        ("remix", "bob", night["id"])
    ]
    assert as_alice.get(f"/api/videos/{original['id']}").json()["remix_count"] == 1
    mine = as_carol.get("/api/users/carol/videos?remixes=true").json()
    assert [v["id"] for v in mine["items"]] == [cat["id"]]
    assert mine["user"]["remix_count"] == 1
