"""Accounts: the address someone signed up with when another account already signs in
with it, held apart so that sign-up never tells whether an address is in use.

Revision ID: 0008_signup_email
Revises: 0007_generation_cancel_extend
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_signup_email"
down_revision: str | None = "0007_generation_cancel_extend"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("shared_email", sa.String(254), nullable=True))
    op.create_index("ix_users_shared_email", "users", ["shared_email"])


def downgrade() -> None:
    op.drop_index("ix_users_shared_email", table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("shared_email")
