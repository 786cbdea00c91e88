"""JSON shapes of the social API (API.md "Social and feed", remixes)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from kinema.accounts.models import User
from kinema.accounts.schemas import PublicUser
from kinema.social.models import Comment, Notification
from kinema.social.service import MAX_COMMENT_CHARS, Relationship
from kinema.studio.schemas import AuthorOut, VideoOut


class CommentBody(BaseModel):
    text: str = Field(max_length=20_000, description=f"At most {MAX_COMMENT_CHARS} characters.")


class RemixBody(BaseModel):
    prompt: str = Field(max_length=20_000, description='What to change, e.g. "make it night".')
    seconds: float | None = Field(default=None, description="Defaults to the original's.")
    size: str | None = Field(default=None, max_length=20, description="Defaults to the original's.")
    seed: int | None = None


class MarkReadBody(BaseModel):
    ids: list[str] | None = Field(
        default=None, max_length=500, description="Notifications to mark; all when left out."
    )


class CommentOut(BaseModel):
    id: str
    video_id: str
    author: AuthorOut
    text: str
    created_at: datetime

    @classmethod
    def of(cls, comment: Comment, author: User) -> CommentOut:
        return cls(
            id=comment.id,
            video_id=comment.video_id,
            author=AuthorOut(id=author.id, handle=author.handle, display_name=author.display_name),
            text=comment.text,
            created_at=comment.created_at,
        )


class CommentResponse(BaseModel):
    comment: CommentOut


class CommentPage(BaseModel):
    items: list[CommentOut]
    next_cursor: str | None


class FollowState(BaseModel):
    user: PublicUser
    following: bool


class BlockState(BaseModel):
    user: PublicUser
    blocked: bool


class BlockedUsers(BaseModel):
    items: list[PublicUser]


class LikeState(BaseModel):
    video_id: str
    liked: bool
    like_count: int


class ProfileOut(PublicUser):
    """A person as their profile shows them, with counts and the viewer's relation."""

    follower_count: int
    following_count: int
    video_count: int
    remix_count: int
    is_following: bool
    follows_you: bool
    blocked: bool

    @classmethod
    def with_relationship(cls, user: User, relation: Relationship) -> ProfileOut:
        return cls(
            **PublicUser.of(user).model_dump(),
            follower_count=relation.follower_count,
            following_count=relation.following_count,
            video_count=relation.video_count,
            remix_count=relation.remix_count,
            is_following=relation.is_following,
            follows_you=relation.follows_you,
            blocked=relation.blocked,
        )


class ProfileResponse(BaseModel):
    user: ProfileOut


class ProfileVideos(BaseModel):
    user: ProfileOut
    items: list[VideoOut]
    next_cursor: str | None


class LineageOut(BaseModel):
    video_id: str
    depth: int = Field(description="0 for an original, 1 for a remix of one, and so on.")
    parent: VideoOut | None
    root: VideoOut
    ancestors: list[VideoOut] = Field(description="Parent first, root last.")
    children: list[VideoOut] = Field(description="Published direct remixes, newest first.")
    hidden_ancestors: bool = Field(
        description="True when the chain goes further up than you can see."
    )


class NotificationOut(BaseModel):
    id: str
    kind: str = Field(description="follow, like, comment, remix, character_used or email_shared")
    actor: AuthorOut | None
    video_id: str | None
    comment_id: str | None
    character: str | None
    text: str
    read: bool
    created_at: datetime

    @classmethod
    def of(cls, notification: Notification, actor: User | None) -> NotificationOut:
        return cls(
            id=notification.id,
            kind=notification.kind,
            actor=AuthorOut(id=actor.id, handle=actor.handle, display_name=actor.display_name)
            if actor
            else None,
            video_id=notification.video_id,
            comment_id=notification.comment_id,
            character=notification.subject,
            text=notification.text,
            read=notification.read_at is not None,
            created_at=notification.created_at,
        )


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None
    unread_count: int


class MarkedRead(BaseModel):
    marked: int
