"""Generations: whether the dialogue is burned into the picture.

Revision ID: 0009_generation_captions
Revises: 0008_signup_email
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_generation_captions"
down_revision: str | None = "0008_signup_email"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("generations") as batch:
        batch.add_column(
            sa.Column("captions", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("generations") as batch:
        batch.drop_column("captions")
