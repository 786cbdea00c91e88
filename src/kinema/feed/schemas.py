"""JSON shapes of the feed API (API.md "Social and feed")."""

from __future__ import annotations

from pydantic import BaseModel, Field

from kinema.feed.instruction import MAX_INSTRUCTION_CHARS, FeedInstruction
from kinema.studio.schemas import VideoOut


class FeedVideo(VideoOut):
    """A video in the feed, with why it is there and whether you liked it."""

    reason: str = Field(
        description="The feature that weighed most: following, interacted, character, "
        "topic, trending, remix_inspiring, fresh, popular or exploration."
    )
    score: float
    liked: bool


class FeedPageOut(BaseModel):
    items: list[FeedVideo]
    next_cursor: str | None
    caught_up: bool = Field(
        default=False, description="True when you have watched everything new."
    )


class FeedInstructionBody(BaseModel):
    instruction: str = Field(
        max_length=MAX_INSTRUCTION_CHARS * 4,
        description='Plain language, e.g. "more cooking and animals, no sports"; empty '
        "for the default feed.",
    )


class FeedSettings(BaseModel):
    instruction: str
    boosts: list[str] = Field(description="Topics shown more.")
    reductions: list[str] = Field(description="Topics shown less.")
    exclusions: list[str] = Field(description="Topics never shown.")

    @classmethod
    def of(cls, understood: FeedInstruction) -> FeedSettings:
        return cls(
            instruction=understood.text,
            boosts=understood.boosts,
            reductions=understood.reductions,
            exclusions=understood.exclusions,
        )


class SeenBody(BaseModel):
    video_ids: list[str] = Field(max_length=200)
