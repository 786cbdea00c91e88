"""Safety and provenance: moderation refusals, reports, the moderation log, appeals,
public figures added by administrators, and video fingerprints.

Revision ID: 0005_safety_provenance
Revises: 0004_social_feed
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_safety_provenance"
down_revision: str | None = "0004_social_feed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "moderation_refusals",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("user_id", sa.String(40), nullable=True),
        sa.Column("context", sa.String(20), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("matched", sa.String(300), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        _when("created_at"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_moderation_refusals_user_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_moderation_refusals"),
    )
    op.create_index("ix_moderation_refusals_user_id", "moderation_refusals", ["user_id"])
    op.create_index(
        "ix_moderation_refusals_flagged_created_at",
        "moderation_refusals",
        ["flagged", "created_at"],
    )

    op.create_table(
        "reports",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("reporter_id", sa.String(40), nullable=False),
        sa.Column("target_type", sa.String(20), nullable=False),
        sa.Column("target_id", sa.String(40), nullable=False),
        sa.Column("target_user_id", sa.String(40), nullable=True),
        sa.Column("reason", sa.String(30), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        _when("created_at"),
        _when("resolved_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["users.id"], name="fk_reports_reporter_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["target_user_id"],
            ["users.id"],
            name="fk_reports_target_user_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reports"),
    )
    op.create_index("ix_reports_status_created_at", "reports", ["status", "created_at"])
    op.create_index("ix_reports_target_type_target_id", "reports", ["target_type", "target_id"])

    op.create_table(
        "moderation_actions",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("actor_id", sa.String(40), nullable=True),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("target_type", sa.String(20), nullable=False),
        sa.Column("target_id", sa.String(200), nullable=False),
        sa.Column("target_user_id", sa.String(40), nullable=True),
        sa.Column("report_id", sa.String(40), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        _when("created_at"),
        sa.PrimaryKeyConstraint("seq", name="pk_moderation_actions"),
        sa.UniqueConstraint("id", name="uq_moderation_actions_id"),
    )
    op.create_index(
        "ix_moderation_actions_target_user_id", "moderation_actions", ["target_user_id"]
    )

    op.create_table(
        "appeals",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("action_id", sa.String(40), nullable=False),
        sa.Column("user_id", sa.String(40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        _when("created_at"),
        _when("decided_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_appeals_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_appeals"),
        sa.UniqueConstraint("action_id", name="uq_appeals_action_id"),
    )
    op.create_index("ix_appeals_user_id", "appeals", ["user_id"])

    op.create_table(
        "public_figure_additions",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("entry", sa.String(500), nullable=False),
        sa.Column("added_by", sa.String(40), nullable=True),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_public_figure_additions"),
    )

    op.create_table(
        "video_fingerprints",
        sa.Column("video_id", sa.String(40), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        _when("created_at"),
        sa.ForeignKeyConstraint(
            ["video_id"],
            ["videos.id"],
            name="fk_video_fingerprints_video_id_videos",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("video_id", name="pk_video_fingerprints"),
    )


def downgrade() -> None:
    op.drop_table("video_fingerprints")
    op.drop_table("public_figure_additions")
    op.drop_index("ix_appeals_user_id", table_name="appeals")
    op.drop_table("appeals")
    op.drop_index("ix_moderation_actions_target_user_id", table_name="moderation_actions")
    op.drop_table("moderation_actions")
    op.drop_index("ix_reports_target_type_target_id", table_name="reports")
    op.drop_index("ix_reports_status_created_at", table_name="reports")
    op.drop_table("reports")
    op.drop_index("ix_moderation_refusals_flagged_created_at", table_name="moderation_refusals")
    op.drop_index("ix_moderation_refusals_user_id", table_name="moderation_refusals")
    op.drop_table("moderation_refusals")
