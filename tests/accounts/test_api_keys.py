"""API keys: made by a signed-in user, shown once, hashed at rest, used as Bearer."""

from __future__ import annotations

from sqlalchemy import select

from kinema.accounts.models import ApiKey


def test_api_key_is_shown_once_and_works_as_bearer(client, make_user, login, runtime, app) -> None:
    from fastapi.testclient import TestClient

    login(client, make_user("alice"))
    response = client.post("/api/tokens", json={"name": "my script"})
    assert response.status_code == 201
    token = response.json()["token"]
    assert token.startswith("kin_")

    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as script:
        assert script.get("/api/me").json()["user"]["handle"] == "alice"

    with runtime.sessions() as session:
        keys = session.scalars(select(ApiKey)).all()
    assert len(keys) == 1
    assert keys[0].name == "my script"
    assert keys[0].token_hash != token and token not in keys[0].token_hash


def test_bad_api_key_is_401(app) -> None:
    from fastapi.testclient import TestClient

    with TestClient(app, headers={"Authorization": "Bearer kin_not_a_real_key"}) as script:
        response = script.get("/api/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


def test_tokens_need_a_signed_in_user(client) -> None:
    response = client.post("/api/tokens", json={"name": "x"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_signed_in"


def test_bearer_client_can_make_keys_without_csrf(make_user, api_client) -> None:
    script = api_client(make_user("alice"))
    response = script.post("/api/tokens", json={"name": "second"})
    assert response.status_code == 201


def test_key_use_is_recorded(make_user, api_client, runtime) -> None:
    script = api_client(make_user("alice"))
    assert script.get("/api/me").status_code == 200
    with runtime.sessions() as session:
        key = session.scalars(select(ApiKey)).one()
    assert key.last_used_at is not None


def test_keys_are_listed_without_the_secret_and_can_be_revoked(make_user, api_client) -> None:
    alice = api_client(make_user("alice"))
    created = alice.post("/api/tokens", json={"name": "laptop"}).json()

    listed = alice.get("/api/tokens").json()["tokens"]
    assert {key["name"] for key in listed} == {"tests", "laptop"}
    assert all(created["token"] not in str(key) for key in listed)

    laptop_id = next(key["id"] for key in listed if key["name"] == "laptop")
    # Someone else cannot revoke it.
    bob = api_client(make_user("bob"))
    assert bob.delete(f"/api/tokens/{laptop_id}").status_code == 404

    assert alice.delete(f"/api/tokens/{laptop_id}").status_code == 204
    from fastapi.testclient import TestClient

    with TestClient(alice.app, headers={"Authorization": f"Bearer {created['token']}"}) as old:
        assert old.get("/api/me").status_code == 401


def test_key_use_is_written_once_a_minute_and_revoking_still_works_at_once(
    make_user, api_client, runtime
) -> None:
    from datetime import datetime, timedelta

    from sqlalchemy import update

    from kinema.db import transaction, utcnow

    alice = api_client(make_user("alice"))
    made = alice.post("/api/tokens", json={"name": "phone"}).json()
    from fastapi.testclient import TestClient

    with TestClient(alice.app, headers={"Authorization": f"Bearer {made['token']}"}) as phone:
        assert phone.get("/api/me").status_code == 200
        with runtime.sessions() as session:
            first = session.get(ApiKey, made["id"]).last_used_at
        assert first is not None
        # Many calls within the minute leave the recorded time as it was.
        for _ in range(5):
            assert phone.get("/api/me").status_code == 200
        with runtime.sessions() as session:
            assert session.get(ApiKey, made["id"]).last_used_at == first
        # A use recorded long ago is brought up to date by the next call.
        long_ago = utcnow() - timedelta(days=3)
        with transaction(runtime.sessions) as session:
            session.execute(
                update(ApiKey).where(ApiKey.id == made["id"]).values(last_used_at=long_ago)
            )
        assert phone.get("/api/me").status_code == 200
        listed = {k["id"]: k for k in alice.get("/api/tokens").json()["tokens"]}
        refreshed = datetime.fromisoformat(listed[made["id"]]["last_used_at"])
        assert refreshed > utcnow() - timedelta(minutes=1)

        # Revoked right after use: refused on the very next call.
        assert alice.delete(f"/api/tokens/{made['id']}").status_code == 204
        answer = phone.get("/api/me")
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "invalid_api_key"
