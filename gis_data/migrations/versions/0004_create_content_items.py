"""Create ``content_items``: POIs, events and closures curated by staff, as draft and published documents.

One row per (kind, item_id). ``draft`` holds the pending edit and ``published``
what visitors see (both JSON text); ``withdrawn`` hides a published item (and
the embedded record of the same id) from the public. ``revision`` grows by one
with every write: forms carry it so that an edit made on a stale copy is refused.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``content_items``."""
    op.create_table(
        "content_items",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("item_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("draft", sa.Text, nullable=True),
        sa.Column("published", sa.Text, nullable=True),
        sa.Column("withdrawn", sa.Boolean, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.String(64), nullable=True),
    )
    op.create_index("ix_content_items_updated_at", "content_items", ["updated_at"])


def downgrade() -> None:
    """Drop ``content_items``."""
    op.drop_index("ix_content_items_updated_at", table_name="content_items")
    op.drop_table("content_items")
