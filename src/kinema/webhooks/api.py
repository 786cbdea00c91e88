"""Webhook routes: register an endpoint (the signing secret is shown once), list and
delete endpoints, and see every delivery attempt made to one."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from kinema.api.deps import CurrentUser, RuntimeDep, SessionDep
from kinema.webhooks import service
from kinema.webhooks.models import WebhookAttempt, WebhookEndpoint

router = APIRouter(prefix="/api", tags=["webhooks"])


class WebhookBody(BaseModel):
    url: str = Field(max_length=4096)
    events: list[str] | None = Field(
        default=None, description='"video.completed" and/or "video.failed"; default both'
    )
    name: str = Field(default="", max_length=1000)


class WebhookOut(BaseModel):
    id: str
    url: str
    name: str
    events: list[str]
    created_at: datetime

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> WebhookOut:
        return cls(
            id=endpoint.id,
            url=endpoint.url,
            name=endpoint.name,
            events=list(endpoint.events),
            created_at=endpoint.created_at,
        )


class NewWebhookOut(BaseModel):
    webhook: WebhookOut
    # Shown only in this answer: keep it to check the ``webhook-signature`` header.
    secret: str


class WebhookList(BaseModel):
    items: list[WebhookOut]


class AttemptOut(BaseModel):
    attempted_at: datetime
    response_status: int | None
    error: str | None
    duration_ms: int

    @classmethod
    def of(cls, attempt: WebhookAttempt) -> AttemptOut:
        return cls(
            attempted_at=attempt.attempted_at,
            response_status=attempt.response_status,
            error=attempt.error,
            duration_ms=attempt.duration_ms,
        )


class DeliveryOut(BaseModel):
    id: str
    event_id: str
    event_type: str
    status: str
    attempt_count: int
    next_attempt_at: datetime | None
    created_at: datetime
    finished_at: datetime | None
    attempts: list[AttemptOut]


class DeliveryList(BaseModel):
    items: list[DeliveryOut]


@router.post("/webhooks", status_code=201)
def register_webhook(
    body: WebhookBody, user: CurrentUser, session: SessionDep, runtime: RuntimeDep
) -> NewWebhookOut:
    """Register a URL for ``video.completed`` / ``video.failed`` events."""
    endpoint, secret = service.register_endpoint(
        session, user_id=user.id, url=body.url, events=body.events, name=body.name,
        allow_private=runtime.settings.webhooks_allow_private,
        data_dir=runtime.settings.data_dir,
    )
    return NewWebhookOut(webhook=WebhookOut.of(endpoint), secret=secret)


@router.get("/webhooks")
def list_webhooks(user: CurrentUser, session: SessionDep) -> WebhookList:
    """The caller's webhook endpoints."""
    return WebhookList(
        items=[WebhookOut.of(e) for e in service.list_endpoints(session, user_id=user.id)]
    )


@router.get("/webhooks/{webhook_id}")
def read_webhook(webhook_id: str, user: CurrentUser, session: SessionDep) -> WebhookOut:
    """One of the caller's endpoints (without its secret)."""
    return WebhookOut.of(
        service.get_endpoint(session, user_id=user.id, endpoint_id=webhook_id)
    )


@router.delete("/webhooks/{webhook_id}", status_code=204)
def delete_webhook(webhook_id: str, user: CurrentUser, session: SessionDep) -> Response:
    """Stop sending events to an endpoint."""
    service.delete_endpoint(session, user_id=user.id, endpoint_id=webhook_id)
    return Response(status_code=204)


@router.get("/webhooks/{webhook_id}/deliveries")
def list_webhook_deliveries(
    webhook_id: str, user: CurrentUser, session: SessionDep, limit: int = 50
) -> DeliveryList:
    """Recent deliveries to an endpoint, newest first, with every attempt made."""
    records = service.list_deliveries(
        session, user_id=user.id, endpoint_id=webhook_id, limit=limit
    )
    return DeliveryList(
        items=[
            DeliveryOut(
                id=r.delivery.id,
                event_id=r.delivery.event_id,
                event_type=r.delivery.event_type,
                status=r.delivery.status,
                attempt_count=r.delivery.attempt_count,
                next_attempt_at=r.delivery.next_attempt_at,
                created_at=r.delivery.created_at,
                finished_at=r.delivery.finished_at,
                attempts=[AttemptOut.of(a) for a in r.attempts],
            )
            for r in records
        ]
    )
