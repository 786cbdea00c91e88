"""CSRF: unsafe requests authenticated by the session cookie need the token header;
requests with an API key do not."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_cookie_request_without_csrf_header_is_refused(client, make_user, login) -> None:
    login(client, make_user("alice"))
    del client.headers["X-CSRF-Token"]

    response = client.post("/api/tokens", json={"name": "forged"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"

    response = client.post(
        "/api/tokens", json={"name": "forged"}, headers={"X-CSRF-Token": "guessed"}
    )
    assert response.status_code == 403


def test_cookie_request_with_csrf_header_is_accepted(client, make_user, login) -> None:
    login(client, make_user("alice"))
    assert client.post("/api/tokens", json={"name": "fine"}).status_code == 201


def test_logout_needs_the_csrf_header(client, make_user, login) -> None:
    login(client, make_user("alice"))
    del client.headers["X-CSRF-Token"]
    assert client.post("/api/auth/logout").status_code == 403
    assert client.get("/api/me").status_code == 200


def test_safe_methods_need_no_token(client, make_user, login) -> None:
    login(client, make_user("alice"))
    del client.headers["X-CSRF-Token"]
    assert client.get("/api/me").status_code == 200


def test_bearer_requests_need_no_csrf(make_user, api_client) -> None:
    script = api_client(make_user("alice"))
    assert script.post("/api/tokens", json={"name": "from a script"}).status_code == 201


def test_cookieless_login_needs_no_csrf(app, make_user) -> None:
    make_user("alice")
    with TestClient(app) as browser:
        response = browser.post(
            "/api/auth/login",
            json={"login": "alice", "password": "correct horse battery staple"},
        )
    assert response.status_code == 200
