"""Webhook operations: registering endpoints, queueing events, delivering them signed
the Standard Webhooks way, and retrying failed deliveries with backoff.

Signatures: ``webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``
keyed with the base64-decoded part of the endpoint's ``whsec_...`` secret, so receivers
can check them with any Standard Webhooks library or the ``openai`` SDK's
``client.webhooks.unwrap``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlparse

import httpx
from huey import crontab
from huey.signals import SIGNAL_COMPLETE
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from kinema.db import transaction, utcnow
from kinema.errors import InvalidInput, NotFound
from kinema.ids import new_id
from kinema.webhooks.models import (
    DELIVERED,
    FAILED,
    PENDING,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from kinema.webhooks.sealing import SEALED_PREFIX, SecretUnreadable, open_secret, seal_secret

if TYPE_CHECKING:
    from kinema.runtime import Runtime

log = logging.getLogger(__name__)

VIDEO_COMPLETED, VIDEO_FAILED = "video.completed", "video.failed"
EVENT_TYPES = (VIDEO_COMPLETED, VIDEO_FAILED)
# Seconds to wait after each failed attempt (the Standard Webhooks / Svix schedule):
# 8 attempts over about a day and a half, then the delivery is given up.
RETRY_DELAYS = (5, 300, 1800, 7200, 18000, 36000, 36000)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
DELIVERY_TIMEOUT_SECONDS = 15.0
# Receivers should refuse messages whose timestamp is further off than this.
SIGNATURE_TOLERANCE_SECONDS = 300
MAX_ENDPOINTS_PER_USER = 20
DELIVER_TASK = "webhooks.deliver"
SWEEP_TASK = "webhooks.send_overdue"
# A retry this late was lost by the queue rather than merely waiting its turn.
OVERDUE_GRACE_SECONDS = 600
_SECRET_PREFIX = "whsec_"


class InvalidSignature(Exception):
    """A webhook's signature or timestamp does not check out."""


class RefusedTarget(Exception):
    """A webhook URL whose host cannot be found, or resolves to an address webhooks may
    not reach on this instance; the message says which."""


# --- signing ---------------------------------------------------------------------------


def new_signing_secret() -> str:
    """A fresh ``whsec_<base64 of 32 random bytes>`` secret."""
    return _SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _secret_key(secret: str) -> bytes:
    if secret.startswith(_SECRET_PREFIX):
        return base64.b64decode(secret[len(_SECRET_PREFIX) :])
    return secret.encode()


def _text(body: str | bytes) -> str:
    return body.decode("utf-8") if isinstance(body, bytes) else body


def sign(secret: str, message_id: str, timestamp: int, body: str | bytes) -> str:
    """The ``webhook-signature`` value (``v1,<base64>``) for one message."""
    signed = f"{message_id}.{timestamp}.{_text(body)}".encode()
    digest = hmac.new(_secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_headers(
    secret: str, message_id: str, body: str | bytes, *, timestamp: int | None = None
) -> dict[str, str]:
    """The three Standard Webhooks headers for sending ``body``."""
    stamp = int(time.time()) if timestamp is None else timestamp
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": sign(secret, message_id, stamp, body),
    }


def verify_signature(
    secret: str,
    headers: Mapping[str, str],
    body: str | bytes,
    *,
    tolerance: int = SIGNATURE_TOLERANCE_SECONDS,
    now: int | None = None,
) -> None:
    """Check a received webhook; raises ``InvalidSignature`` saying what is wrong.

    ``headers`` may use any letter case. Any one of several space-separated signatures
    may match (senders list more than one while rotating secrets)."""
    lowered = {key.lower(): value for key, value in headers.items()}
    try:
        message_id = lowered["webhook-id"]
        stamp_text = lowered["webhook-timestamp"]
        signatures = lowered["webhook-signature"]
    except KeyError as missing:
        raise InvalidSignature(f"The {missing.args[0]} header is missing.") from None
    try:
        stamp = int(stamp_text)
    except ValueError:
        raise InvalidSignature("The webhook-timestamp header is not a number.") from None
    current = int(time.time()) if now is None else now
    if abs(current - stamp) > tolerance:
        raise InvalidSignature("The webhook timestamp is too far from the current time.")
    expected = sign(secret, message_id, stamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures.split()):
        raise InvalidSignature("The webhook signature does not match.")


# --- endpoints -------------------------------------------------------------------------


def _check_url(url: str) -> str:
    url = url.strip()
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise InvalidInput(
            "The webhook URL must be an http:// or https:// address, e.g. "
            "https://example.com/hooks/kinema.",
            code="invalid_url",
        )
    if len(url) > 2048:
        raise InvalidInput("The webhook URL is longer than 2048 characters.", code="invalid_url")
    return url


@dataclass(frozen=True)
class WebhookTarget:
    """Where a webhook URL leads: its host name and the checked address to connect to."""

    host: str
    address: str


_IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 ranges that carry an IPv4 address inside them, which a gateway or the host's own
# stack may turn into traffic to that IPv4 address.
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
_TEREDO = ipaddress.ip_network("2001::/32")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_SIIT = ipaddress.ip_network("::ffff:0:0:0/96")  # ::ffff:0:a.b.c.d
_SITE_LOCAL = ipaddress.ip_network("fec0::/10")


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """Every IPv4 address an IPv6 address may lead to: IPv4-mapped, IPv4-compatible,
    SIIT, NAT64 (well-known and local-use prefixes), 6to4 and Teredo (server and
    client)."""
    found: list[ipaddress.IPv4Address] = []
    value = int(address)
    low32 = ipaddress.IPv4Address(value & 0xFFFFFFFF)
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address in _IPV4_COMPATIBLE or address in _SIIT:
        found.append(low32)
    if any(address in network for network in _NAT64):
        found.append(low32)  # RFC 6052 with a /96 prefix: the last 32 bits
        if address in _NAT64[1]:
            # The local-use prefix may be /48, /56 or /64, with the IPv4 address split
            # around the reserved bits 64-71 (RFC 6052, section 2.2).
            packed = address.packed
            for octets in (packed[6:8] + packed[9:11], packed[7:8] + packed[9:12], packed[9:13]):
                found.append(ipaddress.IPv4Address(octets))
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        server, client = address.teredo
        found.extend([server, client])
    return found


def _kind_of(address: _IPAddress) -> str | None:
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if isinstance(address, ipaddress.IPv6Address) and (
        address in _SITE_LOCAL or address.is_site_local
    ):
        return "site-local"
    if address.is_private:
        return "private"
    if address.is_unspecified:
        return "unspecified"
    if address.is_reserved or not address.is_global:
        return "reserved"
    return None


def _non_public_kind(address: _IPAddress) -> str | None:
    """What kind of non-public address this is, or None for a public one. An IPv6
    address that carries an IPv4 address is judged by both, and translation ranges
    (NAT64, 6to4, Teredo, SIIT, IPv4-compatible) are refused outright unless the IPv4
    address inside is public."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return _kind_of(address.ipv4_mapped)  # ::ffff:a.b.c.d is that IPv4 address
        if address.is_loopback or address.is_unspecified:
            return _kind_of(address)  # ::1 and :: are not IPv4-compatible forms
        for inner in embedded_ipv4(address):
            kind = _kind_of(inner)
            if kind is not None:
                return kind
        if address in _NAT64[1] or address in _IPV4_COMPATIBLE or address in _SIIT:
            # A local translator's range, or forms no public host uses: whatever the
            # IPv4 address inside, they only make sense inside one network.
            return "translated"
    return _kind_of(address)


def check_target(url: str, *, allow_private: bool = False) -> WebhookTarget:
    """Resolve the URL's host and check every address it has: webhooks may not reach
    loopback, private, link-local, multicast or other non-public addresses unless the
    instance allows it (``KINEMA_WEBHOOKS_ALLOW_PRIVATE``), so that registering a URL
    cannot make the server call into its own network. Raises ``RefusedTarget``."""
    parsed = urlparse(url)
    host = parsed.hostname or ""
    try:
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        raise RefusedTarget(f"The webhook host {host!r} could not be found.") from None
    addresses: list[str] = []
    for info in infos:
        found = str(info[4][0]).split("%")[0]  # drop an IPv6 zone ("fe80::1%eth0")
        if found not in addresses:
            addresses.append(found)
    if not addresses:
        raise RefusedTarget(f"The webhook host {host!r} could not be found.")
    if not allow_private:
        for found in addresses:
            kind = _non_public_kind(ipaddress.ip_address(found))
            if kind is not None:
                raise RefusedTarget(
                    f"The webhook host {host!r} resolves to {found}, a {kind} address; "
                    "this instance only sends webhooks to public internet addresses."
                )
    return WebhookTarget(host=host, address=addresses[0])


def _check_events(events: list[str] | None) -> list[str]:
    if not events:
        return list(EVENT_TYPES)
    unknown = sorted(set(events) - set(EVENT_TYPES))
    if unknown:
        raise InvalidInput(
            f"Unknown webhook event {unknown[0]!r}; choose from {', '.join(EVENT_TYPES)}.",
            code="invalid_event",
        )
    return [name for name in EVENT_TYPES if name in events]


def register_endpoint(
    session: Session,
    *,
    user_id: str,
    url: str,
    events: list[str] | None = None,
    name: str = "",
    allow_private: bool = False,
    data_dir: Path,
) -> tuple[WebhookEndpoint, str]:
    """Register ``url`` to receive ``events`` (all video events when empty) about the
    user's videos. Returns the endpoint and its signing secret, which is shown only
    this once. The URL's host must resolve, and to public addresses only unless
    ``allow_private`` (the instance's ``webhooks_allow_private``)."""
    clean_url = _check_url(url)
    clean_events = _check_events(events)
    if len(name) > 100:
        raise InvalidInput("The webhook name is longer than 100 characters.")
    try:
        check_target(clean_url, allow_private=allow_private)
    except RefusedTarget as exc:
        raise InvalidInput(str(exc), code="invalid_url") from None
    count = len(session.scalars(
        select(WebhookEndpoint.id).where(WebhookEndpoint.user_id == user_id)
    ).all())
    if count >= MAX_ENDPOINTS_PER_USER:
        raise InvalidInput(
            f"You can register at most {MAX_ENDPOINTS_PER_USER} webhook endpoints; "
            "delete one first.",
            code="too_many_webhooks",
        )
    secret = new_signing_secret()
    endpoint = WebhookEndpoint(
        id=new_id("whk"),
        user_id=user_id,
        name=name.strip(),
        url=clean_url,
        events=clean_events,
        secret=seal_secret(data_dir, secret),  # never stored readable
        created_at=utcnow(),
    )
    session.add(endpoint)
    session.flush()
    return endpoint, secret


def endpoint_secret(data_dir: Path | None, endpoint: WebhookEndpoint) -> str:
    """The endpoint's ``whsec_...`` signing secret, opened from its sealed form."""
    if endpoint.secret.startswith(SEALED_PREFIX) and data_dir is None:
        raise SecretUnreadable("The data directory is needed to open a webhook secret.")
    return open_secret(data_dir or Path(), endpoint.secret)


def secret_hint(data_dir: Path, endpoint: WebhookEndpoint) -> str:
    """``whsec_...`` and the secret's last four characters, to tell secrets apart."""
    try:
        return "whsec_..." + endpoint_secret(data_dir, endpoint)[-4:]
    except SecretUnreadable:
        return "whsec_..."


def list_endpoints(session: Session, *, user_id: str) -> list[WebhookEndpoint]:
    """The user's endpoints, oldest first."""
    return list(session.scalars(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.user_id == user_id)
        .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
    ))


def get_endpoint(session: Session, *, user_id: str, endpoint_id: str) -> WebhookEndpoint:
    """One of the user's endpoints; ``NotFound`` for unknown ids and other people's."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.user_id != user_id:
        raise NotFound("No such webhook endpoint.")
    return endpoint


def delete_endpoint(session: Session, *, user_id: str, endpoint_id: str) -> None:
    """Stop sending to an endpoint; its delivery history goes with it."""
    endpoint = get_endpoint(session, user_id=user_id, endpoint_id=endpoint_id)
    session.delete(endpoint)
    session.flush()


@dataclass
class DeliveryRecord:
    """A delivery with its attempts, newest attempt last."""

    delivery: WebhookDelivery
    attempts: list[WebhookAttempt]


def list_deliveries(
    session: Session, *, user_id: str, endpoint_id: str, limit: int = 50
) -> list[DeliveryRecord]:
    """The endpoint's most recent deliveries (newest first) with every attempt made."""
    get_endpoint(session, user_id=user_id, endpoint_id=endpoint_id)
    deliveries = list(session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint_id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
        .limit(max(1, min(limit, 200)))
    ))
    records = []
    for delivery in deliveries:
        attempts = list(session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery.id)
            .order_by(WebhookAttempt.attempted_at, WebhookAttempt.id)
        ))
        records.append(DeliveryRecord(delivery, attempts))
    return records


# --- events ----------------------------------------------------------------------------


def queue_event(
    runtime: Runtime,
    session: Session,
    *,
    user_id: str,
    event_type: str,
    data: dict[str, Any],
    subject_id: str | None = None,
) -> list[WebhookDelivery]:
    """Owe ``event_type`` to every endpoint of the user that listens for it. The
    deliveries are sent by the queue once ``session`` commits (never before, so a
    rolled-back change announces nothing). With ``subject_id``, an event already owed
    about that subject is not owed again (a job that runs twice announces once)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown webhook event {event_type!r}.")
    endpoints = [e for e in list_endpoints(session, user_id=user_id) if event_type in e.events]
    if subject_id is not None and endpoints:
        announced = set(session.scalars(
            select(WebhookDelivery.endpoint_id).where(
                WebhookDelivery.subject_id == subject_id,
                WebhookDelivery.event_type == event_type,
            )
        ))
        endpoints = [e for e in endpoints if e.id not in announced]
    if not endpoints:
        return []
    event_id = new_id("evt")
    payload = json.dumps(
        {
            "id": event_id,
            "object": "event",
            "created_at": int(time.time()),
            "type": event_type,
            "data": data,
        },
        separators=(",", ":"),
    )
    deliveries = []
    for endpoint in endpoints:
        delivery = WebhookDelivery(
            id=new_id("msg"),
            endpoint_id=endpoint.id,
            event_id=event_id,
            event_type=event_type,
            subject_id=subject_id,
            payload=payload,
            status=PENDING,
            attempt_count=0,
            next_attempt_at=utcnow(),
            created_at=utcnow(),
        )
        session.add(delivery)
        deliveries.append(delivery)
    session.flush()
    ids = [delivery.id for delivery in deliveries]

    def _send_after_commit(_session: Session) -> None:
        for delivery_id in ids:
            try:
                enqueue_delivery(runtime, delivery_id)
            except Exception:
                # The row stays pending; ``send_overdue_deliveries`` picks it up later.
                log.exception("Could not queue webhook delivery %s", delivery_id)

    sa_event.listen(session, "after_commit", _send_after_commit, once=True)
    return deliveries


class FinishedGeneration(Protocol):
    """What a webhook needs to know about a generation job that has ended."""

    id: str
    user_id: str
    status: str


def notify_generation_finished(
    runtime: Runtime, session: Session, generation: FinishedGeneration
) -> list[WebhookDelivery]:
    """Announce a generation that just completed or failed to its owner's endpoints
    (``video.completed`` / ``video.failed``; ``data.id`` is the ``/v1`` video id)."""
    if generation.status == "completed":
        event_type = VIDEO_COMPLETED
    elif generation.status == "failed":
        event_type = VIDEO_FAILED
    else:
        return []
    return queue_event(
        runtime, session, user_id=generation.user_id, event_type=event_type,
        data={"id": generation.id}, subject_id=generation.id,
    )


def announce_generation(runtime: Runtime, generation_id: str) -> list[str]:
    """Announce the generation's outcome if it has one (completed or failed); safe to
    call more than once. Returns the ids of the deliveries it queued."""
    # Read-only look at the studio's job row: its status is the truth about the outcome.
    from kinema.studio.models import Generation

    with transaction(runtime.sessions) as session:
        generation = session.get(Generation, generation_id)
        if generation is None:
            return []
        return [d.id for d in notify_generation_finished(runtime, session, generation)]


# --- delivery --------------------------------------------------------------------------


@dataclass
class AttemptOutcome:
    """What one attempt did and, if it failed, when the next one is due."""

    delivered: bool
    response_status: int | None
    error: str | None
    retry_in_seconds: int | None


def _post(
    http: httpx.Client, url: str, target: WebhookTarget, body: bytes, headers: dict[str, str]
) -> httpx.Response:
    """POST to the address that was checked, not to whatever the host name resolves to
    a moment later (DNS rebinding): the URL names the address, while the Host header and
    the TLS server name (for the certificate check) stay the host's."""
    original = httpx.URL(url)
    pinned = original.copy_with(host=target.address)
    extensions = {"sni_hostname": original.host} if original.scheme == "https" else None
    return http.post(
        pinned,
        content=body,
        headers={**headers, "host": original.netloc.decode("ascii")},
        extensions=extensions,
    )


def attempt_delivery(
    session: Session,
    delivery_id: str,
    *,
    client: httpx.Client | None = None,
    allow_private: bool = False,
    data_dir: Path | None = None,
) -> AttemptOutcome | None:
    """Try to send one delivery now and record the attempt. A 2xx answer delivers it;
    anything else schedules a retry per ``RETRY_DELAYS`` until ``MAX_ATTEMPTS``, then the
    delivery is marked failed. The endpoint's address is checked again first (DNS can
    change after registration): a refused address is a failed attempt with the reason.
    Returns ``None`` if there is nothing left to send (the delivery is done or its
    endpoint was deleted)."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status != PENDING:
        return None
    endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
    if endpoint is None:
        return None
    headers = {
        "content-type": "application/json",
        "user-agent": "Kinema-Webhooks/1",
        **signature_headers(
            endpoint_secret(data_dir, endpoint), delivery.id, delivery.payload
        ),
    }
    started = time.monotonic()
    response_status: int | None = None
    error: str | None = None
    own_client = client is None
    http = client or httpx.Client(timeout=DELIVERY_TIMEOUT_SECONDS, follow_redirects=False)
    try:
        target = check_target(endpoint.url, allow_private=allow_private)
        response = _post(http, endpoint.url, target, delivery.payload.encode(), headers)
        response_status = response.status_code
        if not 200 <= response.status_code < 300:
            error = f"The endpoint answered HTTP {response.status_code}."
    except RefusedTarget as exc:
        error = f"Not sent: {exc}"[:500]
    except httpx.TimeoutException:
        error = f"The endpoint did not answer within {DELIVERY_TIMEOUT_SECONDS:g} seconds."
    except httpx.HTTPError as exc:
        error = f"Could not reach the endpoint: {exc.__class__.__name__}: {exc}"[:500]
    finally:
        if own_client:
            http.close()
    now = utcnow()
    session.add(WebhookAttempt(
        id=new_id("wha"),
        delivery_id=delivery.id,
        attempted_at=now,
        response_status=response_status,
        error=error,
        duration_ms=int((time.monotonic() - started) * 1000),
    ))
    delivery.attempt_count += 1
    retry_in: int | None = None
    if error is None:
        delivery.status = DELIVERED
        delivery.finished_at = now
        delivery.next_attempt_at = None
    elif delivery.attempt_count >= MAX_ATTEMPTS:
        delivery.status = FAILED
        delivery.finished_at = now
        delivery.next_attempt_at = None
    else:
        retry_in = RETRY_DELAYS[delivery.attempt_count - 1]
        delivery.next_attempt_at = now + timedelta(seconds=retry_in)
    session.flush()
    return AttemptOutcome(error is None, response_status, error, retry_in)


def run_delivery(
    runtime: Runtime, delivery_id: str, *, client: httpx.Client | None = None
) -> None:
    """The queue task: one attempt in its own transaction, then the next one scheduled
    on the queue after the backoff delay if it failed. If the endpoint is deleted while
    the attempt is under way, its deliveries go with it and there is nothing to record."""
    try:
        with transaction(runtime.sessions) as session:
            outcome = attempt_delivery(
                session,
                delivery_id,
                client=client,
                allow_private=runtime.settings.webhooks_allow_private,
                data_dir=runtime.settings.data_dir,
            )
    except (StaleDataError, IntegrityError, OperationalError):
        with transaction(runtime.sessions) as session:
            gone = session.get(WebhookDelivery, delivery_id) is None
        if not gone:
            raise
        log.info("Webhook delivery %s was deleted with its endpoint while sending", delivery_id)
        return
    if outcome is not None and outcome.retry_in_seconds is not None:
        register(runtime)
        runtime.tasks[DELIVER_TASK].schedule(args=(delivery_id,), delay=outcome.retry_in_seconds)


def send_overdue_deliveries(
    runtime: Runtime, *, grace_seconds: int = OVERDUE_GRACE_SECONDS, limit: int = 100
) -> int:
    """Queue pending deliveries well past their due time: a safety net for retries whose
    queue message was lost (a wiped Redis, a crash between commit and queueing). The
    grace period leaves on-time retries to the queue's own schedule. Returns how many
    were queued."""
    cutoff = utcnow() - timedelta(seconds=grace_seconds)
    with transaction(runtime.sessions) as session:
        due = list(session.scalars(
            select(WebhookDelivery.id)
            .where(WebhookDelivery.status == PENDING, WebhookDelivery.next_attempt_at <= cutoff)
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(limit)
        ))
    for delivery_id in due:
        enqueue_delivery(runtime, delivery_id)
    return len(due)


def enqueue_delivery(runtime: Runtime, delivery_id: str) -> None:
    """Hand one delivery to the queue (runs at once when Huey is in immediate mode)."""
    register(runtime)
    runtime.tasks[DELIVER_TASK](delivery_id)


def register(runtime: Runtime) -> None:
    """Register the delivery task on the runtime's queue, and announce every generation
    job the queue finishes running (idempotent)."""
    if DELIVER_TASK in runtime.tasks:
        return

    @runtime.huey.task(name=f"kinema.{DELIVER_TASK}")
    def deliver_webhook(delivery_id: str) -> None:
        run_delivery(runtime, delivery_id)

    runtime.tasks[DELIVER_TASK] = deliver_webhook

    @runtime.huey.periodic_task(crontab(minute="*/5"), name=f"kinema.{SWEEP_TASK}")
    def send_overdue_webhooks() -> None:
        send_overdue_deliveries(runtime)

    runtime.tasks[SWEEP_TASK] = send_overdue_webhooks

    # The generation task records its outcome on the job row and returns normally, even
    # when the render failed; once it has run, the row says what to announce.
    @runtime.huey.signal(SIGNAL_COMPLETE)
    def announce_finished_generation(_signal: str, task: Any, *_args: Any) -> None:
        from kinema.studio.service import GENERATION_TASK

        generation_task = runtime.tasks.get(GENERATION_TASK)
        if generation_task is None or task.name != generation_task.name or not task.args:
            return
        try:
            announce_generation(runtime, str(task.args[0]))
        except Exception:
            log.exception("Could not announce generation %s to webhooks", task.args[0])
