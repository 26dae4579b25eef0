"""Create ``usage_counts``: privacy-safe monthly aggregates of what visitors use.

One row per (month, event, dimension, value) with a count; no personal data, no
addresses, no timestamps finer than the month.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``usage_counts``."""
    op.create_table(
        "usage_counts",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("event", sa.String(16), primary_key=True),
        sa.Column("dimension", sa.String(16), primary_key=True),
        sa.Column("value", sa.String(200), primary_key=True),
        sa.Column("count", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    """Drop ``usage_counts``."""
    op.drop_table("usage_counts")
