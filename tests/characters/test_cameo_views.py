"""The face views kept from a capture: the face turned a few ways, sealed at rest like
the cutout, handed to a render beside it, and gone with the character."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from character_steps import character, submit
from fastapi.testclient import TestClient
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from kinema.characters.crypto import unseal
from kinema.characters.models import Character
from kinema.characters.service import character_refs
from kinema.engines.procedural.cameo import MANIFEST, cameo_folder

pytestmark = pytest.mark.slow


def test_face_views_are_sealed_reach_the_render_and_go_with_the_character(
    make_user, api_client, runtime, clips: Callable[..., Path], tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    owner: TestClient = api_client(make_user("eileen"))
    ask = owner.post("/api/characters/challenge").json()
    clip = clips("person", phrase=ask["phrase"], turns=ask["turns"])
    created = submit(owner, clip, handle="eileen", name="Eileen", challenge_id=ask["id"])
    found = character(owner, created.json()["character"]["id"])
    assert found["status"] == "verified", found.get("reason")
    key = f"characters/{found['id']}/face-views.sealed"
    stored = runtime.storage.read_bytes(key)
    # Sealed: what is stored opens neither as an archive nor as a picture (random
    # ciphertext may well contain the letters "PNG" by chance).
    assert not zipfile.is_zipfile(io.BytesIO(stored))
    with pytest.raises(UnidentifiedImageError):
        Image.open(io.BytesIO(stored))
    views = zipfile.ZipFile(io.BytesIO(unseal(runtime.settings.data_dir, stored)))
    manifest = json.loads(views.read(MANIFEST))
    # Front, and every turn the capture asked for.
    assert {"front", *ask["turns"]} <= set(manifest["views"])
    for name, spec in manifest["views"].items():
        head = Image.open(io.BytesIO(views.read(f"{name}.png")))
        assert head.mode == "RGBA" and 0 < spec["chin"][1] <= head.height

    # A render of a video naming her gets the views beside her cutout.
    response = owner.post("/api/generations", json={"prompt": "@eileen waves",
                                                     "seconds": 1, "size": "160x288"})
    assert response.status_code == 202, response.text
    generation_id = response.json()["generation"]["id"]
    refs = character_refs(runtime, generation_id, "@eileen waves", tmp_path)
    [ref] = refs
    assert ref.appearance is not None and ref.views
    assert ref.views[0].name == "front.png" and all(p.is_file() for p in ref.views)
    assert (cameo_folder(ref.appearance) / MANIFEST).is_file()

    # Deleting the character deletes its face views.
    assert owner.delete(f"/api/characters/{found['id']}").status_code == 204
    assert not runtime.storage.exists(key)
    with runtime.sessions() as session:
        assert session.scalars(select(Character)).first() is None
