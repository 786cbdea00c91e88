"""Characters: capture challenges, characters, approvals and appearances.

Revision ID: 0006_characters
Revises: 0005_safety_provenance
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_characters"
down_revision: str | None = "0005_safety_provenance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "character_challenges",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("user_id", sa.String(40), nullable=False),
        sa.Column("phrase", sa.String(200), nullable=False),
        sa.Column("turns", sa.JSON(), nullable=False),
        _when("created_at"),
        _when("expires_at"),
        _when("used_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_character_challenges_user_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_character_challenges"),
    )
    op.create_index("ix_character_challenges_user_id", "character_challenges", ["user_id"])

    op.create_table(
        "characters",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("owner_id", sa.String(40), nullable=False),
        sa.Column("handle", sa.String(30), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("permission", sa.String(12), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("challenge", sa.JSON(), nullable=True),
        sa.Column("descriptor_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("voice_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("cutout_key", sa.String(200), nullable=True),
        sa.Column("clip_key", sa.String(200), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _when("checking_since", nullable=True),
        _when("created_at"),
        _when("verified_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name="fk_characters_owner_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_characters"),
        sa.UniqueConstraint("handle", name="uq_characters_handle"),
    )
    op.create_index("ix_characters_owner_id", "characters", ["owner_id"])

    op.create_table(
        "character_approvals",
        sa.Column("character_id", sa.String(40), nullable=False),
        sa.Column("user_id", sa.String(40), nullable=False),
        _when("created_at"),
        sa.ForeignKeyConstraint(
            ["character_id"],
            ["characters.id"],
            name="fk_character_approvals_character_id_characters",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_character_approvals_user_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("character_id", "user_id", name="pk_character_approvals"),
    )
    op.create_index("ix_character_approvals_user_id", "character_approvals", ["user_id"])

    op.create_table(
        "character_appearances",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("character_id", sa.String(40), nullable=False),
        sa.Column("generation_id", sa.String(40), nullable=False),
        sa.Column("video_id", sa.String(40), nullable=True),
        sa.Column("author_id", sa.String(40), nullable=False),
        _when("created_at"),
        sa.ForeignKeyConstraint(
            ["character_id"],
            ["characters.id"],
            name="fk_character_appearances_character_id_characters",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["generation_id"],
            ["generations.id"],
            name="fk_character_appearances_generation_id_generations",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["video_id"],
            ["videos.id"],
            name="fk_character_appearances_video_id_videos",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name="fk_character_appearances_author_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_character_appearances"),
    )
    for column in ("character_id", "generation_id", "video_id"):
        op.create_index(f"ix_character_appearances_{column}", "character_appearances", [column])


def downgrade() -> None:
    op.drop_table("character_appearances")
    op.drop_table("character_approvals")
    op.drop_table("characters")
    op.drop_table("character_challenges")
