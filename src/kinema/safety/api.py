"""Safety routes: reports (API.md "Safety and provenance"), the moderation queue and
actions for moderators, the moderation log for administrators, and appeals.

A suspended person is refused everywhere else, but can still see the decisions that
affected them and appeal them here.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from kinema.accounts import service as accounts
from kinema.accounts.models import User
from kinema.api.deps import CurrentUser, SessionDep, bearer_token
from kinema.errors import NotSignedIn
from kinema.safety import service
from kinema.safety.schemas import (
    ActionBody,
    ActionOut,
    ActionResponse,
    AppealBody,
    AppealDecisionBody,
    AppealOut,
    AppealResponse,
    AuditLogOut,
    MyDecisionOut,
    MyDecisionsOut,
    OpenAppealOut,
    OpenAppealsOut,
    PublicFigureBody,
    PublicFigureOut,
    QueueItemOut,
    QueueOut,
    RefusalOut,
    RefusalsOut,
    ReportBody,
    ReportOut,
    ReportResponse,
    RoleBody,
    RoleOut,
)

router = APIRouter(prefix="/api", tags=["safety"])


def signed_in_even_if_suspended(request: Request, session: SessionDep) -> User:
    """The signed-in person, suspended or not (for appeals only)."""
    from kinema.api.deps import SESSION_COOKIE

    token = bearer_token(request)
    user: User | None
    if token is not None:
        user = accounts.authenticate_api_key(session, token)
        if user is None:
            raise NotSignedIn("That API key is not valid.", code="invalid_api_key")
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        user = accounts.user_for_session(session, cookie) if cookie else None
    if user is None:
        raise NotSignedIn("Sign in first.")
    return user


AppealingUser = Annotated[User, Depends(signed_in_even_if_suspended)]


@router.post("/reports", status_code=201)
def report(body: ReportBody, user: CurrentUser, session: SessionDep) -> ReportResponse:
    """Report a video, comment, user or character to the moderators."""
    filed = service.report_content(
        session,
        user,
        target_type=body.target_type,
        target_id=body.target_id,
        reason=body.reason,
        details=body.details,
    )
    return ReportResponse(report=ReportOut.of(filed))


@router.get("/moderation/queue")
def queue(user: CurrentUser, session: SessionDep, limit: int = 100) -> QueueOut:
    """Open reports, oldest first, with the reported content (moderators)."""
    items = service.moderation_queue(session, user, limit=limit)
    return QueueOut(items=[QueueItemOut.of(item) for item in items])


@router.post("/moderation/actions", status_code=201)
def act(body: ActionBody, user: CurrentUser, session: SessionDep) -> ActionResponse:
    """Remove, restore, warn, suspend, unsuspend or dismiss (moderators): on a report
    (``report_id``) or directly on a target."""
    entry = service.take_action(
        session,
        user,
        action=body.action,
        report_id=body.report_id,
        target_type=body.target_type,
        target_id=body.target_id,
        note=body.note,
    )
    return ActionResponse(action=ActionOut.of(entry))


@router.get("/moderation/audit")
def audit(
    user: CurrentUser,
    session: SessionDep,
    # The log's sequence numbers are 32-bit on every database.
    after: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    limit: int = 200,
) -> AuditLogOut:
    """The moderation log, oldest first (administrators). It can only be read: entries
    are never changed or deleted."""
    entries = service.audit_log(session, user, after=after, limit=limit)
    page = max(1, min(limit, 1000))
    return AuditLogOut(
        items=[ActionOut.of(entry) for entry in entries],
        next_after=entries[-1].seq if len(entries) == page else None,
    )


@router.get("/moderation/refusals")
def refusals(
    user: CurrentUser, session: SessionDep, flagged: bool = False, limit: int = 100
) -> RefusalsOut:
    """What moderation refused recently (administrators); ``flagged`` for the refusals
    involving minors."""
    rows = service.list_refusals(session, user, flagged_only=flagged, limit=limit)
    return RefusalsOut(items=[RefusalOut.of(row) for row in rows])


@router.get("/moderation/appeals")
def appeals(user: CurrentUser, session: SessionDep) -> OpenAppealsOut:
    """Appeals waiting for a decision (moderators)."""
    rows = service.open_appeals(session, user)
    return OpenAppealsOut(
        items=[OpenAppealOut(appeal=AppealOut.of(a), action=ActionOut.of(b)) for a, b in rows]
    )


@router.post("/moderation/appeals/{appeal_id}/decision")
def decide(
    appeal_id: str, body: AppealDecisionBody, user: CurrentUser, session: SessionDep
) -> AppealResponse:
    """Grant (undo the decision) or deny an appeal (moderators)."""
    appeal = service.decide_appeal(session, user, appeal_id, grant=body.grant, note=body.note)
    return AppealResponse(appeal=AppealOut.of(appeal))


@router.post("/appeals", status_code=201)
def appeal(body: AppealBody, user: AppealingUser, session: SessionDep) -> AppealResponse:
    """Appeal a moderation decision that affected you, once."""
    filed = service.file_appeal(session, user, body.action_id, body.text)
    return AppealResponse(appeal=AppealOut.of(filed))


@router.get("/me/moderation")
def my_decisions(user: AppealingUser, session: SessionDep) -> MyDecisionsOut:
    """Moderation decisions that affected you, newest first, and your appeals."""
    rows = service.actions_affecting(session, user)
    return MyDecisionsOut(
        items=[
            MyDecisionOut(
                action=ActionOut.of(action),
                appeal=AppealOut.of(filed) if filed is not None else None,
                can_appeal=filed is None,
            )
            for action, filed in rows
        ]
    )


@router.put("/users/{handle}/role")
def set_role(handle: str, body: RoleBody, user: CurrentUser, session: SessionDep) -> RoleOut:
    """Make someone a user, moderator or admin (administrators)."""
    person = service.set_role(session, user, handle, body.role)
    return RoleOut(handle=person.handle, role=person.role)


@router.post("/moderation/public-figures", status_code=201)
def add_public_figure(
    body: PublicFigureBody, user: CurrentUser, session: SessionDep
) -> PublicFigureOut:
    """Add a real public figure to the names prompts are checked against
    (administrators)."""
    addition = service.add_public_figure(session, user, body.entry)
    return PublicFigureOut(id=addition.id, entry=addition.entry, created_at=addition.created_at)
