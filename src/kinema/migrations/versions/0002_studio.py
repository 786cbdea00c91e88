"""Studio: uploads, videos, generation jobs.

Revision ID: 0002_studio
Revises: 0001_accounts
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_studio"
down_revision: str | None = "0001_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("user_id", sa.String(40), nullable=False),
        sa.Column("content_type", sa.String(40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("storage_key", sa.String(200), nullable=False),
        _when("created_at"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_uploads_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_uploads"),
    )
    op.create_index("ix_uploads_user_id", "uploads", ["user_id"])

    op.create_table(
        "videos",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("author_id", sa.String(40), nullable=False),
        sa.Column("generation_id", sa.String(40), nullable=True),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("fps", sa.Integer(), nullable=False),
        sa.Column("engine", sa.String(60), nullable=False),
        sa.Column("remix_of", sa.String(40), nullable=True),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("transcript", sa.JSON(), nullable=False),
        sa.Column("credits", sa.JSON(), nullable=False),
        sa.Column("video_key", sa.String(200), nullable=False),
        sa.Column("thumbnail_key", sa.String(200), nullable=False),
        sa.Column("shares_media", sa.Boolean(), nullable=False),
        sa.Column("like_count", sa.Integer(), nullable=False),
        sa.Column("comment_count", sa.Integer(), nullable=False),
        sa.Column("remix_count", sa.Integer(), nullable=False),
        _when("created_at"),
        _when("published_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name="fk_videos_author_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["remix_of"], ["videos.id"], name="fk_videos_remix_of_videos", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_videos"),
    )
    op.create_index("ix_videos_remix_of", "videos", ["remix_of"])
    op.create_index(
        "ix_videos_author_id_status_created_at", "videos", ["author_id", "status", "created_at"]
    )
    op.create_index("ix_videos_status_published_at", "videos", ["status", "published_at"])

    op.create_table(
        "generations",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("user_id", sa.String(40), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("fps", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("engine", sa.String(60), nullable=False),
        sa.Column("image_id", sa.String(40), nullable=True),
        sa.Column("remix_of", sa.String(40), nullable=True),
        sa.Column("plan", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(40), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(200), nullable=True),
        _when("heartbeat_at", nullable=True),
        sa.Column("video_id", sa.String(40), nullable=True),
        _when("created_at"),
        _when("queued_at"),
        _when("started_at", nullable=True),
        _when("finished_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_generations_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["uploads.id"],
            name="fk_generations_image_id_uploads",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["remix_of"],
            ["videos.id"],
            name="fk_generations_remix_of_videos",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["video_id"],
            ["videos.id"],
            name="fk_generations_video_id_videos",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_generations"),
    )
    op.create_index("ix_generations_user_id_created_at", "generations", ["user_id", "created_at"])
    op.create_index("ix_generations_status_heartbeat_at", "generations", ["status", "heartbeat_at"])


def downgrade() -> None:
    op.drop_table("generations")
    op.drop_table("videos")
    op.drop_table("uploads")
