"""A real HTTP server on localhost that records the webhooks it receives. Using it turns
on ``webhooks_allow_private``: the instance refuses loopback targets otherwise."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

import pytest
from openai import OpenAI

from kinema.db import transaction
from kinema.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

    from kinema.accounts.models import User
    from kinema.runtime import Runtime


@dataclass
class ReceivedWebhook:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    """Answers each POST with the next status in ``statuses`` (the last one repeats)."""

    url: str
    statuses: list[int] = field(default_factory=lambda: [200])
    received: list[ReceivedWebhook] = field(default_factory=list)

    def next_status(self) -> int:
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]


@pytest.fixture
def receiver(settings: Settings) -> Iterator[WebhookReceiver]:
    settings.webhooks_allow_private = True
    state = WebhookReceiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length)
            state.received.append(
                ReceivedWebhook(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            status = state.next_status()
            self.send_response(status)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/kinema"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def sdk(app: FastAPI, runtime: Runtime) -> Iterator[Callable[[User], OpenAI]]:
    """``sdk(user)``: the official ``openai`` client, signed in with a new API key of
    ``user``, talking to the app in-process."""
    from fastapi.testclient import TestClient

    from kinema.accounts import service as accounts

    opened: list[TestClient] = []

    def _make(user: User) -> OpenAI:
        with transaction(runtime.sessions) as session:
            _key, token = accounts.create_api_key(session, user_id=user.id, name="sdk")
        http = TestClient(app, base_url="http://testserver")
        opened.append(http)
        return OpenAI(base_url="http://testserver/v1", api_key=token, http_client=http,
                      max_retries=0)

    yield _make
    for http in opened:
        http.close()
