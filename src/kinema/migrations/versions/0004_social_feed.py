"""Social and feed: follows, blocks, likes, comments, notifications, feed preferences,
seen set, not-interested marks, feed snapshots, and the index the following source uses.

Revision ID: 0004_social_feed
Revises: 0003_webhooks
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_social_feed"
down_revision: str | None = "0003_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _user_fk(table: str, column: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=f"fk_{table}_{column}_users", ondelete=ondelete
    )


def _video_fk(table: str, column: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["videos.id"], name=f"fk_{table}_{column}_videos", ondelete=ondelete
    )


def _pair_table(table: str, first: str, second: str, *, second_is_video: bool,
                stamp: str = "created_at") -> None:
    op.create_table(
        table,
        sa.Column(first, sa.String(40), nullable=False),
        sa.Column(second, sa.String(40), nullable=False),
        _when(stamp),
        _user_fk(table, first),
        _video_fk(table, second) if second_is_video else _user_fk(table, second),
        sa.PrimaryKeyConstraint(first, second, name=f"pk_{table}"),
    )


def upgrade() -> None:
    _pair_table("follows", "follower_id", "followee_id", second_is_video=False)
    op.create_index("ix_follows_followee_id", "follows", ["followee_id"])
    _pair_table("blocks", "blocker_id", "blocked_id", second_is_video=False)
    op.create_index("ix_blocks_blocked_id", "blocks", ["blocked_id"])
    _pair_table("likes", "user_id", "video_id", second_is_video=True)
    op.create_index("ix_likes_video_id_created_at", "likes", ["video_id", "created_at"])
    op.create_index("ix_likes_user_id_created_at", "likes", ["user_id", "created_at"])
    op.create_index("ix_likes_created_at", "likes", ["created_at"])

    op.create_table(
        "comments",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("video_id", sa.String(40), nullable=False),
        sa.Column("author_id", sa.String(40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        _when("created_at"),
        _video_fk("comments", "video_id"),
        _user_fk("comments", "author_id"),
        sa.PrimaryKeyConstraint("id", name="pk_comments"),
    )
    op.create_index("ix_comments_video_id_created_at", "comments", ["video_id", "created_at"])
    op.create_index("ix_comments_author_id_created_at", "comments", ["author_id", "created_at"])
    op.create_index("ix_comments_created_at", "comments", ["created_at"])

    op.create_table(
        "notifications",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("user_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("actor_id", sa.String(40), nullable=True),
        sa.Column("video_id", sa.String(40), nullable=True),
        sa.Column("comment_id", sa.String(40), nullable=True),
        sa.Column("subject", sa.String(200), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        _when("created_at"),
        _when("read_at", nullable=True),
        _user_fk("notifications", "user_id"),
        _user_fk("notifications", "actor_id"),
        _video_fk("notifications", "video_id", ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name="fk_notifications_comment_id_comments",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"),
    )
    op.create_index(
        "ix_notifications_user_id_created_at", "notifications", ["user_id", "created_at"]
    )
    op.create_index("ix_notifications_user_id_read_at", "notifications", ["user_id", "read_at"])
    op.create_index("ix_notifications_video_id", "notifications", ["video_id"])

    op.create_table(
        "feed_preferences",
        sa.Column("user_id", sa.String(40), nullable=False),
        sa.Column("instruction", sa.Text(), nullable=False),
        sa.Column("boosts", sa.JSON(), nullable=False),
        sa.Column("reductions", sa.JSON(), nullable=False),
        sa.Column("exclusions", sa.JSON(), nullable=False),
        _when("updated_at"),
        _user_fk("feed_preferences", "user_id"),
        sa.PrimaryKeyConstraint("user_id", name="pk_feed_preferences"),
    )
    _pair_table("feed_seen", "user_id", "video_id", second_is_video=True, stamp="seen_at")
    _pair_table("feed_not_interested", "user_id", "video_id", second_is_video=True)
    op.create_table(
        "feed_snapshots",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("user_id", sa.String(40), nullable=True),
        sa.Column("entries", sa.JSON(), nullable=False),
        sa.Column("shown_before", sa.JSON(), nullable=False),
        _when("created_at"),
        _user_fk("feed_snapshots", "user_id"),
        sa.PrimaryKeyConstraint("id", name="pk_feed_snapshots"),
    )
    op.create_index(
        "ix_feed_snapshots_user_id_created_at", "feed_snapshots", ["user_id", "created_at"]
    )
    op.create_index(
        "ix_videos_author_id_status_published_at",
        "videos",
        ["author_id", "status", "published_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_videos_author_id_status_published_at", table_name="videos")
    for table in (
        "feed_snapshots",
        "feed_not_interested",
        "feed_seen",
        "feed_preferences",
        "notifications",
        "comments",
        "likes",
        "blocks",
        "follows",
    ):
        op.drop_table(table)
