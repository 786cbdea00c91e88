"""Public profiles show public fields only."""

from __future__ import annotations


def test_public_profile_hides_private_fields(client, make_user) -> None:
    make_user("alice")
    response = client.get("/api/users/ALICE")
    assert response.status_code == 200
    user = response.json()["user"]
    assert user["handle"] == "alice"
    for private in ("email", "birthdate", "password_hash", "is_teen"):
        assert private not in user


def test_unknown_profile_is_404(client) -> None:
    response = client.get("/api/users/nobody")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "user_not_found"
