"""The administration commands: create-user, invite, token; bad input is one line."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_create_user_prints_the_id_and_the_user_can_sign_in(kinema, app) -> None:
    result = kinema(
        "admin",
        "create-user",
        "--handle",
        "Carol",
        "--email",
        "carol@example.com",
        "--password",
        "a long password",
        "--admin",
    )
    assert result.exit_code == 0, result.output
    user_id = result.stdout.strip()
    assert user_id.startswith("usr_")

    with TestClient(app) as browser:
        response = browser.post(
            "/api/auth/login", json={"login": "carol", "password": "a long password"}
        )
        assert response.status_code == 200
        me = response.json()["user"]
    assert me["id"] == user_id
    assert me["is_admin"] is True


def test_duplicate_handle_is_one_line_on_stderr(kinema) -> None:
    args = (
        "admin",
        "create-user",
        "--handle",
        "dave",
        "--email",
        "d@example.com",
        "--password",
        "a long password",
    )
    assert kinema(*args).exit_code == 0
    result = kinema(
        "admin",
        "create-user",
        "--handle",
        "DAVE",
        "--email",
        "d2@example.com",
        "--password",
        "a long password",
    )
    assert result.exit_code != 0
    assert result.stdout == ""
    assert result.stderr.strip().count("\n") == 0
    assert "@dave is taken" in result.stderr
    assert "Traceback" not in result.output


def test_bad_handle_is_one_line_on_stderr(kinema) -> None:
    result = kinema(
        "admin",
        "create-user",
        "--handle",
        "x",
        "--email",
        "x@example.com",
        "--password",
        "a long password",
    )
    assert result.exit_code != 0
    assert "3 to 30 characters" in result.stderr
    assert "Traceback" not in result.output


def test_invite_prints_codes_that_work_for_signup(kinema, app) -> None:
    result = kinema("admin", "invite", "--count", "3")
    assert result.exit_code == 0, result.output
    codes = result.stdout.split()
    assert len(codes) == 3 and len(set(codes)) == 3

    with TestClient(app) as browser:
        response = browser.post(
            "/api/auth/signup",
            json={
                "handle": "erin",
                "email": "erin@example.com",
                "password": "a long password",
                "birthdate": "1990-01-01",
                "invite_code": codes[1],
            },
        )
    assert response.status_code == 201


def test_token_prints_a_working_api_key(kinema, make_user, app) -> None:
    make_user("frank")
    result = kinema("admin", "token", "--handle", "frank")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as script:
        assert script.get("/api/me").json()["user"]["handle"] == "frank"


def test_token_for_unknown_user_is_one_line_on_stderr(kinema) -> None:
    result = kinema("admin", "token", "--handle", "nobody")
    assert result.exit_code != 0
    assert "No user @nobody" in result.stderr
    assert "Traceback" not in result.output
