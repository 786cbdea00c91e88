"""JSON shapes of the safety API: reports, the moderation queue, actions, the log,
appeals and roles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from kinema.safety.models import Appeal, ModerationAction, ModerationRefusal, Report
from kinema.safety.service import QueueItem


class ReportBody(BaseModel):
    target_type: str = Field(max_length=20, description="video, comment, user or character")
    target_id: str = Field(max_length=200, description="the id (or a user's handle)")
    reason: str = Field(
        max_length=40,
        description="sexual, violence, harassment, hate, self_harm, child_safety, "
        "impersonation, spam or copyright",
    )
    details: str = Field(default="", max_length=5000)


class ReportOut(BaseModel):
    id: str
    target_type: str
    target_id: str
    reason: str
    details: str
    status: str
    created_at: datetime

    @classmethod
    def of(cls, report: Report) -> ReportOut:
        return cls(
            id=report.id,
            target_type=report.target_type,
            target_id=report.target_id,
            reason=report.reason,
            details=report.details,
            status=report.status,
            created_at=report.created_at,
        )


class ReportResponse(BaseModel):
    report: ReportOut


class PersonOut(BaseModel):
    id: str
    handle: str
    suspended: bool


class QueueItemOut(BaseModel):
    report: ReportOut
    reporter: PersonOut | None
    target_user: PersonOut | None
    content: dict[str, Any]
    other_reports: int

    @classmethod
    def of(cls, item: QueueItem) -> QueueItemOut:
        def person(user: Any) -> PersonOut | None:
            if user is None:
                return None
            return PersonOut(id=user.id, handle=user.handle, suspended=user.is_suspended)

        return cls(
            report=ReportOut.of(item.report),
            reporter=person(item.reporter),
            target_user=person(item.target_user),
            content=item.content,
            other_reports=item.other_reports,
        )


class QueueOut(BaseModel):
    items: list[QueueItemOut]


class ActionBody(BaseModel):
    action: str = Field(
        max_length=20, description="remove, restore, warn, suspend, unsuspend or dismiss"
    )
    report_id: str | None = Field(default=None, max_length=40)
    target_type: str | None = Field(default=None, max_length=20)
    target_id: str | None = Field(default=None, max_length=200)
    note: str = Field(default="", max_length=5000)


class ActionOut(BaseModel):
    id: str
    seq: int
    action: str
    actor_id: str | None
    target_type: str
    target_id: str
    target_user_id: str | None
    report_id: str | None
    note: str
    created_at: datetime

    @classmethod
    def of(cls, entry: ModerationAction) -> ActionOut:
        return cls(
            id=entry.id,
            seq=entry.seq,
            action=entry.action,
            actor_id=entry.actor_id,
            target_type=entry.target_type,
            target_id=entry.target_id,
            target_user_id=entry.target_user_id,
            report_id=entry.report_id,
            note=entry.note,
            created_at=entry.created_at,
        )


class ActionResponse(BaseModel):
    action: ActionOut


class AuditLogOut(BaseModel):
    items: list[ActionOut]
    next_after: int | None = Field(description="pass as ?after= for the next page")


class AppealBody(BaseModel):
    action_id: str = Field(max_length=40)
    text: str = Field(max_length=5000)


class AppealOut(BaseModel):
    id: str
    action_id: str
    text: str
    status: str
    created_at: datetime
    decided_at: datetime | None

    @classmethod
    def of(cls, appeal: Appeal) -> AppealOut:
        return cls(
            id=appeal.id,
            action_id=appeal.action_id,
            text=appeal.text,
            status=appeal.status,
            created_at=appeal.created_at,
            decided_at=appeal.decided_at,
        )


class AppealResponse(BaseModel):
    appeal: AppealOut


class AppealDecisionBody(BaseModel):
    grant: bool
    note: str = Field(default="", max_length=5000)


class OpenAppealOut(BaseModel):
    appeal: AppealOut
    action: ActionOut


class OpenAppealsOut(BaseModel):
    items: list[OpenAppealOut]


class MyDecisionOut(BaseModel):
    action: ActionOut
    appeal: AppealOut | None
    can_appeal: bool


class MyDecisionsOut(BaseModel):
    items: list[MyDecisionOut]


class RefusalOut(BaseModel):
    id: str
    user_id: str | None
    context: str
    category: str
    matched: str
    excerpt: str
    flagged: bool
    created_at: datetime

    @classmethod
    def of(cls, row: ModerationRefusal) -> RefusalOut:
        return cls(
            id=row.id,
            user_id=row.user_id,
            context=row.context,
            category=row.category,
            matched=row.matched,
            excerpt=row.excerpt,
            flagged=row.flagged,
            created_at=row.created_at,
        )


class RefusalsOut(BaseModel):
    items: list[RefusalOut]


class RoleBody(BaseModel):
    role: str = Field(max_length=20, description="user, moderator or admin")


class RoleOut(BaseModel):
    handle: str
    role: str


class PublicFigureBody(BaseModel):
    entry: str = Field(max_length=500, description='"Full Name|alias|alias"')


class PublicFigureOut(BaseModel):
    id: str
    entry: str
    created_at: datetime
