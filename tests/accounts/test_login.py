"""Logging in and out: credentials, sessions, rotation, rate limits."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kinema.accounts.models import LoginSession
from support import DEFAULT_PASSWORD


def test_login_by_handle_sets_a_secure_session_cookie(client, make_user) -> None:
    make_user("alice")
    response = client.post("/api/auth/login", json={"login": "Alice", "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert response.json()["user"]["handle"] == "alice"
    assert response.json()["user"]["email"] == "alice@example.com"
    cookies = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith("kinema_session="))
    assert "HttpOnly" in session_cookie
    assert "samesite=lax" in session_cookie.lower()
    csrf_cookie = next(c for c in cookies if c.startswith("kinema_csrf="))
    assert "HttpOnly" not in csrf_cookie
    assert client.get("/api/me").json()["user"]["handle"] == "alice"


def test_login_by_email(client, make_user) -> None:
    make_user("bob", email="Bob@Example.com")
    response = client.post(
        "/api/auth/login", json={"login": "BOB@example.com", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200
    assert response.json()["user"]["handle"] == "bob"


def test_wrong_password_is_401_with_error_body(client, make_user) -> None:
    make_user("alice")
    response = client.post("/api/auth/login", json={"login": "alice", "password": "nope nope"})
    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "invalid_credentials", "message": "Wrong handle, email or password."}
    }
    assert "kinema_session" not in client.cookies
    assert client.get("/api/me").status_code == 401


def test_unknown_user_gets_the_same_answer(client: TestClient) -> None:
    response = client.post("/api/auth/login", json={"login": "ghost", "password": "whatever1"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_me_without_session_is_401(client: TestClient) -> None:
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_signed_in"


def test_logout_ends_the_session(client, make_user, login, runtime) -> None:
    login(client, make_user("alice"))
    old_cookie = client.cookies["kinema_session"]

    response = client.post("/api/auth/logout")
    assert response.status_code == 200
    assert client.get("/api/me").status_code == 401
    # The old cookie value is dead on the server, not just forgotten by the browser.
    with TestClient(client.app, cookies={"kinema_session": old_cookie}) as replay:
        assert replay.get("/api/me").status_code == 401
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(LoginSession)) == 0


def test_login_rotates_the_session(client, make_user, login, runtime) -> None:
    user = make_user("alice")
    login(client, user)
    first = client.cookies["kinema_session"]
    login(client, user)
    second = client.cookies["kinema_session"]

    assert first != second
    with TestClient(client.app, cookies={"kinema_session": first}) as replay:
        assert replay.get("/api/me").status_code == 401
    assert client.get("/api/me").status_code == 200
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(LoginSession)) == 1


def test_session_token_is_not_stored_in_plain_text(client, make_user, login, runtime) -> None:
    login(client, make_user("alice"))
    token = client.cookies["kinema_session"]
    with runtime.sessions() as session:
        stored = session.scalars(select(LoginSession.token_hash)).all()
    assert token not in stored


def test_login_is_rate_limited_per_login_name(app, make_user) -> None:
    make_user("alice")
    statuses = []
    for _ in range(12):
        with TestClient(app) as browser:
            statuses.append(
                browser.post(
                    "/api/auth/login", json={"login": "alice", "password": "wrong password"}
                ).status_code
            )
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]

    # Even the right password waits until the bucket refills.
    with TestClient(app) as browser:
        response = browser.post(
            "/api/auth/login", json={"login": "alice", "password": DEFAULT_PASSWORD}
        )
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert response.headers["retry-after"]


def test_expired_session_is_signed_out(client, make_user, login, runtime) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from kinema.db import utcnow

    login(client, make_user("alice"))
    with runtime.sessions() as session, session.begin():
        # Thirty days pass.
        session.execute(update(LoginSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert client.get("/api/me").status_code == 401


def test_cookies_are_secure_when_served_over_https(settings, runtime, make_user) -> None:
    from kinema.api.app import create_app

    settings.cookie_secure = True
    make_user("alice")
    with TestClient(create_app(settings, runtime), base_url="https://testserver") as browser:
        response = browser.post(
            "/api/auth/login", json={"login": "alice", "password": DEFAULT_PASSWORD}
        )
    assert response.status_code == 200
    for cookie in response.headers.get_list("set-cookie"):
        assert "Secure" in cookie
