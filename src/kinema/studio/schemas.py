"""JSON shapes of the studio API (see API.md "Studio")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, StrictBool
from sqlalchemy import select
from sqlalchemy.orm import Session

from kinema.accounts.models import User
from kinema.studio.captions import caption_cues, track_language
from kinema.studio.models import Generation, Video


class GenerationRequestBody(BaseModel):
    prompt: str = Field(max_length=20_000)
    seconds: float | None = Field(default=None, description="1-20, default 8")
    size: str | None = Field(default=None, max_length=20, description='"WxH", default 720x1280')
    seed: int | None = None
    image_id: str | None = Field(default=None, max_length=40)
    remix_of: str | None = Field(default=None, max_length=40)
    captions: StrictBool = Field(
        default=False, description="Burn the dialogue into the picture (true or false)."
    )


class PublishBody(BaseModel):
    caption: str | None = Field(default=None, max_length=20_000)


class UploadOut(BaseModel):
    id: str
    content_type: str
    width: int
    height: int
    size_bytes: int
    created_at: datetime


class GenerationOut(BaseModel):
    id: str
    status: str
    progress: int
    stage: str
    error: str | None
    # The owner cancelled it: it ends failed with the error "Cancelled.".
    cancelled: bool = False
    video_id: str | None
    prompt: str
    seconds: float
    size: str
    seed: int
    image_id: str | None
    remix_of: str | None
    engine: str
    # The dialogue is burned into the picture.
    captions: bool = False
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, generation: Generation) -> GenerationOut:
        return cls(
            id=generation.id,
            status=generation.status,
            progress=generation.progress,
            stage=generation.stage,
            error=generation.error,
            cancelled=bool(generation.cancelled),
            video_id=generation.video_id,
            prompt=generation.prompt,
            seconds=generation.seconds,
            size=generation.size,
            seed=generation.seed,
            image_id=generation.image_id,
            remix_of=generation.remix_of,
            engine=generation.engine,
            captions=bool(generation.captions),
            created_at=generation.created_at,
            started_at=generation.started_at,
            finished_at=generation.finished_at,
        )


class GenerationResponse(BaseModel):
    generation: GenerationOut


class AuthorOut(BaseModel):
    id: str
    handle: str
    display_name: str | None = None


class VideoOut(BaseModel):
    id: str
    author: AuthorOut
    prompt: str
    caption: str
    status: str
    seconds: float
    size: str
    width: int
    height: int
    fps: int
    remix_of: str | None
    plan: dict[str, Any]
    transcript: list[dict[str, Any]]
    credits: list[str]
    characters: list[dict[str, Any]]
    like_count: int
    comment_count: int
    remix_count: int
    created_at: datetime
    published_at: datetime | None
    content_url: str
    thumbnail_url: str
    # The dialogue as a WebVTT track (an empty one for a video without speech), and the
    # language most of it is in (None when nothing is said).
    captions_url: str
    captions_language: str | None

    @classmethod
    def of(cls, video: Video, author: AuthorOut) -> VideoOut:
        return cls(
            id=video.id,
            author=author,
            prompt=video.prompt,
            caption=video.caption,
            status=video.status,
            seconds=video.seconds,
            size=video.size,
            width=video.width,
            height=video.height,
            fps=video.fps,
            remix_of=video.remix_of,
            plan=video.plan or {},
            transcript=video.transcript or [],
            credits=video.credits or [],
            characters=[],
            like_count=video.like_count,
            comment_count=video.comment_count,
            remix_count=video.remix_count,
            created_at=video.created_at,
            published_at=video.published_at,
            content_url=f"/api/videos/{video.id}/content",
            thumbnail_url=f"/api/videos/{video.id}/content?variant=thumbnail",
            captions_url=f"/api/videos/{video.id}/captions.vtt",
            captions_language=track_language(
                caption_cues(video.transcript, video.plan, video.seconds)
            ),
        )


class VideoList(BaseModel):
    items: list[VideoOut]


def present_videos(session: Session, videos: Sequence[Video]) -> list[VideoOut]:
    """Videos as the API shows them, authors looked up in one query."""
    author_ids = {video.author_id for video in videos}
    authors: dict[str, AuthorOut] = {}
    if author_ids:
        for user_id, handle, display_name in session.execute(
            select(User.id, User.handle, User.display_name).where(User.id.in_(author_ids))
        ):
            authors[user_id] = AuthorOut(id=user_id, handle=handle, display_name=display_name)
    presented = [
        VideoOut.of(video, authors.get(video.author_id) or AuthorOut(id=video.author_id, handle=""))
        for video in videos
    ]
    # The characters (cameos) each video shows, from the characters domain.
    from kinema.characters.service import characters_by_video

    cast = characters_by_video(session, [video.id for video in videos])
    for out in presented:
        out.characters = cast.get(out.id, [])
    return presented


def present_video(session: Session, video: Video) -> VideoOut:
    """One video as the API shows it."""
    return present_videos(session, [video])[0]
