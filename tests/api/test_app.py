"""The app's edges: health check, error bodies for unknown routes, wrong methods,
invalid input and crashes, and security headers."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kinema.errors import ModerationBlocked


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_unknown_route_is_404_with_error_body(client: TestClient) -> None:
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "not_found"
    assert error["message"]


def test_wrong_method_is_405_with_error_body(client: TestClient) -> None:
    response = client.delete("/healthz")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_invalid_json_is_422_with_readable_message(client: TestClient) -> None:
    response = client.post("/api/auth/login", json={"login": "alice"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert "password" in error["message"]

    response = client.post(
        "/api/auth/login", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_failed"


def test_unexpected_crash_is_500_without_traceback(app) -> None:
    def explode() -> None:
        raise RuntimeError("secret internal detail")

    app.add_api_route("/api/test-explode", explode)
    with TestClient(app, raise_server_exceptions=False) as browser:
        response = browser.get("/api/test-explode")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text


def test_domain_error_details_reach_the_body(app) -> None:
    def refuse() -> None:
        raise ModerationBlocked("That prompt is not allowed.", category="violence")

    app.add_api_route("/api/test-refuse", refuse)
    with TestClient(app) as browser:
        response = browser.get("/api/test-refuse")
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "moderation_blocked",
            "message": "That prompt is not allowed.",
            "category": "violence",
        }
    }


def test_error_format_can_be_chosen_per_path_prefix(app) -> None:
    from kinema.api import errors

    def openai_style(status: int, code: str, message: str, extra: dict) -> dict:
        return {"error": {"message": message, "type": "invalid_request_error", "code": code}}

    errors.register_error_format("/v1-test/", openai_style)
    try:
        with TestClient(app) as browser:
            response = browser.get("/v1-test/nothing")
        assert response.status_code == 404
        assert response.json()["error"]["type"] == "invalid_request_error"
        # Native routes keep the native shape.
        assert "type" not in browser.get("/api/nothing").json()["error"]
    finally:
        errors._formatters.pop("/v1-test/", None)


def test_html_responses_carry_security_headers(app) -> None:
    from fastapi.responses import HTMLResponse

    def page() -> HTMLResponse:
        return HTMLResponse("<p>hello</p>")

    app.add_api_route("/test-page", page)
    with TestClient(app) as browser:
        response = browser.get("/test-page")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    # A browser arriving on a page gets a CSRF token to send back.
    assert "kinema_csrf" in response.cookies


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_browsers_get_the_404_page_for_unknown_deep_paths(client: TestClient) -> None:
    for method, path in (
        ("GET", "/a/b"),
        ("GET", "/videos/x/y/z"),
        ("POST", "/a/b"),
        ("POST", "/nope"),
        ("PUT", "/nope"),
    ):
        response = client.request(method, path, headers={"Accept": BROWSER_ACCEPT})
        assert response.status_code == 404, (method, path)
        assert response.headers["content-type"].startswith("text/html"), (method, path)
        assert "There is nothing at this address." in response.text
        assert "Go home" in response.text
        assert "Traceback" not in response.text


def test_signed_in_browser_gets_the_404_page_with_its_navigation(
    client: TestClient, make_user, login
) -> None:
    anonymous = client.get("/a/b", headers={"Accept": BROWSER_ACCEPT})
    assert "bob" not in anonymous.text
    login(client, make_user("bob"))
    response = client.get("/a/b", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 404
    assert "There is nothing at this address." in response.text
    assert "bob" in response.text


def test_json_clients_keep_the_error_body_for_unknown_paths(client: TestClient) -> None:
    for method, path, accept in (
        ("GET", "/a/b", "application/json"),
        ("GET", "/a/b", "*/*"),
        ("POST", "/a/b", "application/json, text/html;q=0.5"),
        ("POST", "/nope", "application/json"),
        # The programmatic interfaces answer error bodies even to a browser.
        ("GET", "/api/no-such-thing", BROWSER_ACCEPT),
        ("GET", "/v1/no-such-thing", BROWSER_ACCEPT),
    ):
        response = client.request(method, path, headers={"Accept": accept})
        assert response.status_code == 404, (method, path, accept)
        assert response.headers["content-type"] == "application/json", (method, path, accept)
        assert response.json()["error"]["code"] == "not_found"
