"""What the security audit reproduced, answered plainly: bodies too large for their
route, the OpenAI-compatible API refusing strangers before reading their bodies, odd
headers and numbers, redirects that must stay on the site, and webhook targets that
hide a private IPv4 address inside an IPv6 one."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from kinema.runtime import Runtime
from kinema.webhooks import service as webhooks

if TYPE_CHECKING:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient
    from live import LiveServer

    from kinema.accounts.models import User
    from kinema.settings import Settings

MIB = 1024 * 1024


# --- request bodies --------------------------------------------------------------------


def test_a_json_body_over_the_limit_is_refused_before_it_is_read(client: TestClient) -> None:
    body = b'{"login": "alice", "password": "' + b"x" * (2 * MIB) + b'"}'
    response = client.post(
        "/api/auth/login", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_a_streamed_body_without_length_is_cut_off_at_the_limit(
    live_server: LiveServer,
) -> None:
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        yield b'{"video_ids": ['
        for _ in range(64 * 1024):  # about 64 MB of ids if nobody stopped it
            piece = b'"vid_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",' * 16
            sent += len(piece)
            yield piece
        yield b'"x"]}'

    try:
        response = httpx.post(
            f"{live_server.url}/api/feed/seen",
            content=chunks(),
            headers={"Content-Type": "application/json"},
            timeout=60,
        )
    except httpx.TransportError:
        # The server may close the connection while the client is still sending.
        assert sent < 64 * MIB
        return
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_upload_routes_take_files_larger_than_the_json_limit(
    make_user: Callable[..., User], api_client: Callable[[User], TestClient]
) -> None:
    client = api_client(make_user("alice"))
    # 3 MB of noise that is not a picture: past the JSON limit, within the upload limit,
    # so it is read and then refused for what it is.
    response = client.post(
        "/api/uploads", files={"file": ("noise.png", b"\x89PNG\r\n\x1a\n" + b"\x01" * 3 * MIB)}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unsupported_image"


def test_v1_refuses_a_missing_key_before_parsing_the_body(client: TestClient) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    response = client.post(
        "/v1/videos", content=deep, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


def test_v1_deeply_nested_json_is_a_bad_request(
    make_user: Callable[..., User], api_client: Callable[[User], TestClient]
) -> None:
    client = api_client(make_user("alice"))
    deep = '{"prompt": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post(
        "/v1/videos", content=deep, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_native_deeply_nested_json_is_a_client_error(client: TestClient) -> None:
    deep = '{"login": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post(
        "/api/auth/login", content=deep, headers={"Content-Type": "application/json"}
    )
    assert 400 <= response.status_code < 500


def test_text_with_a_nul_character_is_a_bad_request(
    make_user: Callable[..., User], api_client: Callable[[User], TestClient]
) -> None:
    # PostgreSQL cannot store NUL; a /v1 edit naming the video "\u0000" answered 500 there.
    client = api_client(make_user("alice"))
    body = '{"prompt": "night", "video": {"id": "\\u0000"}}'
    edit = client.post("/v1/videos/edits", content=body,
                       headers={"Content-Type": "application/json"})
    assert edit.status_code == 400 and "NUL" in edit.text
    made = client.post("/api/generations", json={"prompt": "a cat\x00 in the rain"})
    assert made.status_code == 400
    form = client.post("/api/auth/login", content="login=a%00b&password=x",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status_code == 400
    assert client.get("/api/feed?cursor=%00").status_code == 400
    fine = client.post("/api/generations", json={"prompt": "a cat at 100% in the rain",
                                                 "seconds": 1, "size": "160x288"})
    assert fine.status_code == 202, fine.text


def test_content_length_that_is_not_a_number_is_a_bad_request(client: TestClient) -> None:
    response = client.post(
        "/api/auth/login",
        content=json.dumps({"login": "a", "password": "b"}),
        headers={"Content-Type": "application/json", "Content-Length": "9" * 40},
    )
    assert response.status_code in (400, 413)


# --- numbers and headers ---------------------------------------------------------------


def test_moderation_audit_cursor_beyond_its_range_is_a_validation_error(
    make_user: Callable[..., User], api_client: Callable[[User], TestClient]
) -> None:
    client = api_client(make_user("root", is_admin=True))
    for too_big in (2**31, 2**63, 10**40):
        response = client.get("/api/moderation/audit", params={"after": str(too_big)})
        assert response.status_code == 422
    assert client.get("/api/moderation/audit", params={"after": str(2**31 - 1)}).status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "bytes=" + "9" * 5000 + "-",
        "bytes=0-" + "9" * 5000,
        "bytes=-" + "9" * 5000,
        "bytes=" + "0" * 5000 + "1-2",
    ],
)
def test_range_headers_with_thousands_of_digits_are_answered(
    published_video: str, client: TestClient, header: str
) -> None:
    response = client.get(f"/api/videos/{published_video}/content", headers={"Range": header})
    assert response.status_code in (200, 206, 416)


@pytest.fixture
def published_video(
    make_user: Callable[..., User], api_client: Callable[[User], TestClient], settings: Settings
) -> str:
    author = api_client(make_user("bob"))
    created = author.post(
        "/api/generations", json={"prompt": "a red fox in a snowy forest", "seconds": 1,
                                  "size": "128x128"}
    )
    assert created.status_code == 202, created.text
    generation = author.get(f"/api/generations/{created.json()['generation']['id']}").json()
    assert generation["status"] == "completed", generation
    video_id = str(generation["video_id"])
    assert author.post(f"/api/videos/{video_id}/publish", json={}).status_code == 200
    return video_id


# --- redirects after sign-in -----------------------------------------------------------

_OFF_SITE = [
    "/\t/evil.example",
    "/%09/evil.example",
    "//evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/ /evil.example",
    "\x00//evil.example",
    "/\x0b/evil.example",
    "https://evil.example",
    "http:evil.example",
    "javascript:alert(1)",
    "/\u3000/evil.example",
    "\\\\evil.example",
]


@pytest.mark.parametrize("target", _OFF_SITE)
def test_next_never_leaves_the_site(
    client: TestClient, make_user: Callable[..., User], target: str
) -> None:
    from urllib.parse import quote

    from kinema.web.pages import _local_path

    # The raw value as the page receives it, and the value after one more decoding.
    assert _local_path(target, "/") == "/"
    page = client.get("/login?next=" + quote(target, safe=""))
    if "\x00" in target:  # an address with NUL in it is refused outright (400)
        assert page.status_code == 400
        return
    assert page.status_code == 200
    assert 'data-next="/"' in page.text
    make_user("alice")
    client.post(
        "/api/auth/login", json={"login": "alice", "password": "correct horse battery staple"}
    )
    signed_in = client.get("/login?next=" + quote(target, safe=""), follow_redirects=False)
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/"


def test_next_keeps_a_path_on_the_site(client: TestClient) -> None:
    page = client.get("/login?next=%2Fv%2Fvid_1%3Ft%3D3")
    assert 'data-next="/v/vid_1?t=3"' in page.text


def test_the_page_script_checks_next_the_same_way() -> None:
    import shutil
    import subprocess
    from pathlib import Path

    import kinema.web

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = (Path(kinema.web.__path__[0]) / "static" / "app.js").read_text()
    function = script[script.index("  function safeNext") :]
    function = function[: function.index("\n  }\n") + 4]
    program = (
        'const window = {location: {origin: "https://kinema.example"}};\n'
        + function
        + "\nconst cases = JSON.parse(process.argv[1]);\n"
        + 'console.log(JSON.stringify(cases.map((c) => safeNext(c, "/"))));\n'
    )
    cases = [*_OFF_SITE, "/v/vid_1?t=3", "/create"]
    result = subprocess.run(
        [node, "-e", program, json.dumps(cases)], capture_output=True, text=True, check=True
    )
    answers = json.loads(result.stdout)
    assert answers[: len(_OFF_SITE)] == ["/"] * len(_OFF_SITE)
    assert answers[len(_OFF_SITE) :] == ["/v/vid_1?t=3", "/create"]


# --- webhook targets -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
        ("64:ff9b::7f00:1", "loopback"),
        ("64:ff9b::a00:1", "private"),
        ("64:ff9b:1::a9fe:a9fe", "link-local"),  # local-use NAT64, /96 form
        ("64:ff9b:1:a9fe:a9:fe00::", None),  # local-use NAT64, /48 form
        ("2002:a9fe:a9fe::1", "link-local"),  # 6to4
        ("2002:7f00:1::", "loopback"),
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", None),  # Teredo client 127.0.0.1
        ("::127.0.0.1", "loopback"),  # IPv4-compatible
        ("::a9fe:a9fe", "link-local"),
        ("::ffff:0:127.0.0.1", "loopback"),  # SIIT
        ("::ffff:0:a00:1", "private"),
        ("::ffff:169.254.169.254", "link-local"),  # IPv4-mapped
        ("fec0::1", "site-local"),
        ("fec0::a9fe:a9fe", "site-local"),
        ("::", None),
        ("::1", None),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("ff02::1", "multicast"),
        ("2001:db8::1", None),  # documentation
        ("100::1", None),  # discard-only
    ],
)
def test_webhook_filter_refuses_ipv6_forms_of_internal_addresses(
    address: str, kind: str | None
) -> None:
    found = webhooks._non_public_kind(ipaddress.ip_address(address))
    assert found is not None, address
    if kind is not None:
        assert found == kind, (address, found)


def test_webhook_filter_reads_the_ipv4_inside_translation_ranges() -> None:
    inside = webhooks.embedded_ipv4(ipaddress.IPv6Address("2001:0:4136:e378:8000:63bf:80ff:fffe"))
    assert ipaddress.IPv4Address("127.0.0.1") in inside
    assert webhooks._non_public_kind(ipaddress.ip_address("2606:4700:4700::1111")) is None
    assert webhooks._non_public_kind(ipaddress.ip_address("8.8.8.8")) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://[64:ff9b::a9fe:a9fe]/latest/meta-data",
        "http://[2002:a9fe:a9fe::1]/hook",
        "http://[::127.0.0.1]/hook",
        "http://[::ffff:0:127.0.0.1]/hook",
        "http://[fec0::1]/hook",
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook",
    ],
)
def test_registering_an_ipv6_form_of_an_internal_address_is_refused(
    make_user: Callable[..., User], api_client: Callable[[User], TestClient], url: str
) -> None:
    client = api_client(make_user("alice"))
    response = client.post("/api/webhooks", json={"url": url})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "invalid_url"
    assert client.get("/api/webhooks").json()["items"] == []


# --- smaller findings ------------------------------------------------------------------


def test_webhook_deleted_while_its_delivery_is_under_way_ends_the_task_quietly(
    settings: Settings,
    runtime: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    from kinema.db import transaction
    from kinema.webhooks.models import WebhookDelivery, WebhookEndpoint

    settings.webhooks_allow_private = True
    alice = make_user("alice")
    client = api_client(alice)
    created = client.post("/api/webhooks", json={"url": "http://127.0.0.1:9/hook"})
    assert created.status_code == 201, created.text
    webhook_id = created.json()["webhook"]["id"]
    with transaction(runtime.sessions) as session:
        [delivery] = webhooks.queue_event(
            runtime, session, user_id=alice.id, event_type="video.completed",
            data={"id": "gen_1"},
        )
        delivery_id = delivery.id

    def receiver(request: httpx.Request) -> httpx.Response:
        # The owner deletes the webhook while this request is in flight.
        assert client.delete(f"/api/webhooks/{webhook_id}").status_code in (200, 204)
        return httpx.Response(200)

    with httpx.Client(transport=httpx.MockTransport(receiver)) as http:
        webhooks.run_delivery(runtime, delivery_id, client=http)
    with runtime.sessions() as session:
        assert session.get(WebhookDelivery, delivery_id) is None
        assert session.get(WebhookEndpoint, webhook_id) is None


def test_webhook_secrets_are_sealed_in_the_database(
    settings: Settings,
    runtime: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    from kinema.db import transaction
    from kinema.webhooks.models import WebhookEndpoint

    settings.webhooks_allow_private = True
    client = api_client(make_user("alice"))
    created = client.post("/api/webhooks", json={"url": "http://127.0.0.1:9/hook"}).json()
    secret = created["secret"]
    with transaction(runtime.sessions) as session:
        stored = session.get(WebhookEndpoint, created["webhook"]["id"])
        assert stored is not None
        assert secret not in stored.secret and secret[6:] not in stored.secret
        assert len(stored.secret) <= 100
        assert webhooks.endpoint_secret(settings.data_dir, stored) == secret
    if settings.uses_sqlite:  # the file itself holds no secret either
        assert secret.encode() not in Path(
            settings.database_url[len("sqlite:///"):]).read_bytes()


def test_the_database_file_is_readable_by_its_owner_only(settings: Settings) -> None:
    if not settings.uses_sqlite:
        pytest.skip("an SQLite file only")
    path = Path(settings.database_url[len("sqlite:///"):])
    assert path.stat().st_mode & 0o777 == 0o600


def test_forwarded_for_counts_only_from_a_trusted_proxy(
    settings: Settings, client: TestClient
) -> None:
    from kinema.api.deps import client_ip

    def seen_as(peer: str, forwarded: str) -> str | None:
        from starlette.requests import Request

        scope = {
            "type": "http", "method": "GET", "path": "/", "query_string": b"",
            "headers": [(b"x-forwarded-for", forwarded.encode())], "client": (peer, 1234),
            "app": client.app,
        }
        return client_ip(Request(scope))

    assert seen_as("127.0.0.1", "203.0.113.9") == "127.0.0.1"  # nobody trusted by default
    settings.trusted_proxies = "127.0.0.1, 10.0.0.0/8"
    assert seen_as("127.0.0.1", "203.0.113.9") == "203.0.113.9"
    assert seen_as("127.0.0.1", "198.51.100.1, 203.0.113.9, 10.1.2.3") == "203.0.113.9"
    assert seen_as("192.0.2.50", "203.0.113.9") == "192.0.2.50"  # not a listed proxy


@pytest.fixture
def proxied(app: FastAPI, settings: Settings) -> Iterator[TestClient]:
    """A client whose requests come from a reverse proxy on 127.0.0.1 that the instance
    trusts (``KINEMA_TRUSTED_PROXIES``)."""
    from fastapi.testclient import TestClient

    settings.trusted_proxies = "127.0.0.1"
    with TestClient(app, base_url="http://testserver", client=("127.0.0.1", 50000)) as proxy:
        yield proxy


def test_wrong_passwords_from_one_address_do_not_lock_the_owner_out(
    make_user: Callable[..., User], proxied: TestClient
) -> None:
    from kinema.accounts import service as accounts

    client = proxied
    make_user("alice")

    for _ in range(12):
        accounts_attempt = client.post(
            "/api/auth/login",
            json={"login": "alice", "password": "wrong password!"},
            headers={"X-Forwarded-For": "203.0.113.66"},
        )
        assert accounts_attempt.status_code in (401, 429)
    assert accounts_attempt.status_code == 429
    own = client.post(
        "/api/auth/login",
        json={"login": "alice", "password": "correct horse battery staple"},
        headers={"X-Forwarded-For": "198.51.100.7"},
    )
    assert own.status_code == 200, own.text
    assert accounts.LOGIN_PER_NAME.capacity <= 10


def test_an_account_holds_a_bounded_number_of_api_keys(
    make_user: Callable[..., User], api_client: Callable[[User], TestClient]
) -> None:
    from kinema.accounts.service import MAX_API_KEYS_PER_USER

    client = api_client(make_user("alice"))  # holds one key already
    for index in range(MAX_API_KEYS_PER_USER - 1):
        assert client.post("/api/tokens", json={"name": f"k{index}"}).status_code == 201
    refused = client.post("/api/tokens", json={"name": "one too many"})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "too_many_api_keys"


@pytest.mark.parametrize("path", ["/healthz", "/", "/login", "/static/app.js"])
def test_head_is_answered_like_get_without_a_body(client: TestClient, path: str) -> None:
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]


def test_head_on_video_content(published_video: str, client: TestClient) -> None:
    head = client.head(f"/api/videos/{published_video}/content")
    assert head.status_code == 200
    assert int(head.headers["content-length"]) > 0
    assert head.content == b""


def test_private_api_answers_are_not_cached_and_https_gets_hsts(
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    proxied: TestClient,
) -> None:
    client = api_client(make_user("alice"))
    me = client.get("/api/me", headers={"X-Forwarded-Proto": "https"})
    assert me.headers["cache-control"] == "no-store"
    # Not from a trusted proxy: its claim of https does not count.
    assert "strict-transport-security" not in me.headers
    behind_https = proxied.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert behind_https.headers["strict-transport-security"].startswith("max-age=")
    assert "strict-transport-security" not in proxied.get("/healthz").headers


def test_the_api_reference_page_may_load_its_script(client: TestClient) -> None:
    import base64
    import hashlib
    import re

    page = client.get("/api/docs")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "https://cdn.jsdelivr.net" in policy
    for script in re.findall(rb"<script>(.*?)</script>", page.content, re.DOTALL):
        digest = base64.b64encode(hashlib.sha256(script).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    # Other pages keep the strict policy.
    assert "cdn.jsdelivr.net" not in client.get("/login").headers["content-security-policy"]


def test_leftover_scratch_is_removed_when_workers_start(settings: Settings) -> None:
    import os
    import time

    from kinema.queue import clean_scratch

    root = settings.data_dir / "tmp"
    dead = root / "gen_killed-abc"
    (dead / "frames").mkdir(parents=True)
    (dead / "frames" / "0001.png").write_bytes(b"x")
    live = root / "check-live"
    live.mkdir()
    (live / "upload").write_bytes(b"y")
    old = time.time() - settings.job_timeout_seconds - 60
    for path in (dead, dead / "frames", dead / "frames" / "0001.png"):
        os.utime(path, (old, old))
    assert clean_scratch(settings) == 1
    assert not dead.exists()
    assert live.exists()


def test_feed_seen_does_not_count_a_video_across_a_block(
    published_video: str, make_user: Callable[..., User], api_client: Callable[[User], TestClient]
) -> None:
    viewer = api_client(make_user("carol"))
    assert viewer.post("/api/users/bob/block").status_code in (200, 201)
    seen = viewer.post("/api/feed/seen", json={"video_ids": [published_video]})
    assert seen.status_code == 200
    assert seen.json()["recorded"] == 0
    assert viewer.delete("/api/users/bob/block").status_code in (200, 204)
    assert viewer.post("/api/feed/seen", json={"video_ids": [published_video]}).json() == {
        "recorded": 1
    }


def test_decodes_take_turns_and_a_full_queue_is_told_to_retry() -> None:
    import threading

    from kinema.errors import RateLimited
    from kinema.media.decoding import DecodeGate

    gate = DecodeGate(slots=1, queue=1, wait_seconds=10)
    holding, release = threading.Event(), threading.Event()
    order: list[str] = []

    def first() -> None:
        with gate.turn():
            order.append("first")
            holding.set()
            release.wait(10)

    def second() -> None:
        with gate.turn():
            order.append("second")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert holding.wait(10)
    threads[1].start()
    deadline = 0
    while gate.waiting == 0 and deadline < 1000:
        deadline += 1
        threading.Event().wait(0.01)
    assert gate.waiting == 1  # the second caller queues for its turn
    with pytest.raises(RateLimited) as caught, gate.turn():
        pass  # a third finds the queue full
    assert caught.value.status == 429
    assert caught.value.details["retry_after"] > 0
    release.set()
    for thread in threads:
        thread.join(10)
    assert order == ["first", "second"]
