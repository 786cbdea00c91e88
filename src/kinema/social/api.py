"""Social routes (API.md "Social and feed"): follows, blocks, likes, comments,
profiles' videos, remixes and their lineage, notifications."""

from __future__ import annotations

from fastapi import APIRouter

from kinema.accounts.schemas import PublicUser
from kinema.api.deps import CurrentUser, OptionalUser, RuntimeDep, SessionDep
from kinema.social import service
from kinema.social.schemas import (
    BlockedUsers,
    BlockState,
    CommentBody,
    CommentOut,
    CommentPage,
    CommentResponse,
    FollowState,
    LikeState,
    LineageOut,
    MarkedRead,
    MarkReadBody,
    NotificationOut,
    NotificationPage,
    ProfileOut,
    ProfileResponse,
    ProfileVideos,
    RemixBody,
)
from kinema.studio.schemas import GenerationOut, GenerationResponse, VideoList, present_videos

router = APIRouter(prefix="/api", tags=["social"])


@router.post("/users/{handle}/follow")
def follow(handle: str, user: CurrentUser, session: SessionDep) -> FollowState:
    """Follow someone; their videos come first in your feed."""
    person = service.follow_user(session, user, handle)
    return FollowState(user=PublicUser.of(person), following=True)


@router.delete("/users/{handle}/follow")
def unfollow(handle: str, user: CurrentUser, session: SessionDep) -> FollowState:
    """Stop following someone."""
    person = service.unfollow_user(session, user, handle)
    return FollowState(user=PublicUser.of(person), following=False)


@router.post("/users/{handle}/block")
def block(handle: str, user: CurrentUser, session: SessionDep) -> BlockState:
    """Block someone: you stop seeing each other anywhere, and follows end."""
    person = service.block_user(session, user, handle)
    return BlockState(user=PublicUser.of(person), blocked=True)


@router.delete("/users/{handle}/block")
def unblock(handle: str, user: CurrentUser, session: SessionDep) -> BlockState:
    """Lift a block."""
    person = service.unblock_user(session, user, handle)
    return BlockState(user=PublicUser.of(person), blocked=False)


@router.get("/me/blocks")
def my_blocks(user: CurrentUser, session: SessionDep) -> BlockedUsers:
    """The people you blocked."""
    return BlockedUsers(items=[PublicUser.of(p) for p in service.blocked_users(session, user)])


@router.get("/users/{handle}/social")
def profile_social(handle: str, viewer: OptionalUser, session: SessionDep) -> ProfileResponse:
    """A profile with follower, following and video counts and your relation to them."""
    person = service.visible_user(session, viewer, handle)
    relation = service.relationship(session, viewer, person)
    return ProfileResponse(user=ProfileOut.with_relationship(person, relation))


@router.get("/users/{handle}/videos")
def profile_videos(
    handle: str,
    viewer: OptionalUser,
    session: SessionDep,
    remixes: bool = False,
    cursor: str | None = None,
    limit: int | None = None,
) -> ProfileVideos:
    """Someone's published videos (``remixes=true``: only their remixes), newest first."""
    person, videos, next_cursor = service.list_user_videos(
        session, viewer, handle, remixes_only=remixes, cursor=cursor, limit=limit
    )
    relation = service.relationship(session, viewer, person)
    return ProfileVideos(
        user=ProfileOut.with_relationship(person, relation),
        items=present_videos(session, videos),
        next_cursor=next_cursor,
    )


@router.post("/videos/{video_id}/like")
def like(video_id: str, user: CurrentUser, session: SessionDep) -> LikeState:
    """Like a video (liking twice counts once)."""
    video = service.like_video(session, user, video_id)
    return LikeState(video_id=video.id, liked=True, like_count=video.like_count)


@router.delete("/videos/{video_id}/like")
def unlike(video_id: str, user: CurrentUser, session: SessionDep) -> LikeState:
    """Take your like back."""
    video = service.unlike_video(session, user, video_id)
    return LikeState(video_id=video.id, liked=False, like_count=video.like_count)


@router.get("/videos/{video_id}/comments")
def comments(
    video_id: str,
    viewer: OptionalUser,
    session: SessionDep,
    cursor: str | None = None,
    limit: int | None = None,
) -> CommentPage:
    """A video's comments, newest first, a page at a time."""
    rows, next_cursor = service.list_comments(
        session, viewer, video_id, cursor=cursor, limit=limit
    )
    return CommentPage(
        items=[CommentOut.of(comment, author) for comment, author in rows],
        next_cursor=next_cursor,
    )


@router.post("/videos/{video_id}/comments", status_code=201)
def comment(
    video_id: str, body: CommentBody, user: CurrentUser, session: SessionDep
) -> CommentResponse:
    """Comment on a published video."""
    made = service.add_comment(session, user, video_id, body.text)
    return CommentResponse(comment=CommentOut.of(made, user))


@router.delete("/comments/{comment_id}")
def delete_comment(comment_id: str, user: CurrentUser, session: SessionDep) -> dict[str, bool]:
    """Delete your comment, or a comment under your video."""
    service.delete_comment(session, user, comment_id)
    return {"deleted": True}


@router.post("/videos/{video_id}/remix", status_code=202)
def remix(
    video_id: str, body: RemixBody, user: CurrentUser, session: SessionDep, runtime: RuntimeDep
) -> GenerationResponse:
    """Remix a published video: the new prompt edits its scene (e.g. "make it night")."""
    generation = service.remix_video(
        session, runtime, user, video_id, prompt=body.prompt, seconds=body.seconds,
        size=body.size, seed=body.seed,
    )
    return GenerationResponse(generation=GenerationOut.of(generation))


@router.get("/videos/{video_id}/remixes")
def remixes(video_id: str, viewer: OptionalUser, session: SessionDep) -> VideoList:
    """The published direct remixes of a video, newest first."""
    return VideoList(items=present_videos(session, service.list_remixes(session, viewer,
                                                                         video_id)))


@router.get("/videos/{video_id}/lineage")
def video_lineage(video_id: str, viewer: OptionalUser, session: SessionDep) -> LineageOut:
    """Where a video sits in its remix chain: parent, root, depth and direct remixes."""
    found = service.lineage(session, viewer, video_id)
    ancestors = present_videos(session, found.ancestors)
    root = ancestors[-1] if ancestors else present_videos(session, [found.video])[0]
    return LineageOut(
        video_id=found.video.id,
        depth=found.depth,
        parent=ancestors[0] if ancestors else None,
        root=root,
        ancestors=ancestors,
        children=present_videos(session, found.children),
        hidden_ancestors=found.cut,
    )


@router.get("/notifications")
def notifications(
    user: CurrentUser,
    session: SessionDep,
    unread: bool = False,
    cursor: str | None = None,
    limit: int | None = None,
) -> NotificationPage:
    """Your notifications, newest first: followers, likes, comments, remixes of your
    videos and uses of your characters."""
    rows, next_cursor, unread_count = service.list_notifications(
        session, user, unread_only=unread, cursor=cursor, limit=limit
    )
    return NotificationPage(
        items=[NotificationOut.of(n, actor) for n, actor in rows],
        next_cursor=next_cursor,
        unread_count=unread_count,
    )


@router.post("/notifications/read")
def mark_read(
    user: CurrentUser, session: SessionDep, body: MarkReadBody | None = None
) -> MarkedRead:
    """Mark notifications read: the ones named, or all."""
    ids = body.ids if body is not None else None
    return MarkedRead(marked=service.mark_notifications_read(session, user, ids))
