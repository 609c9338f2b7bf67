"""join requests: a group that redeems a link code asks to join; an administrator of the issuer approves

Downgrading drops the requests (pending ones are lost; the codes they used stay used).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 00:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "join_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer_chat_id", sa.BigInteger(), nullable=False),
        sa.Column("requester_chat_id", sa.BigInteger(), nullable=False),
        sa.Column("requested_by", sa.BigInteger(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["issuer_chat_id"], ["chats.id"], name=op.f("fk_join_requests_issuer_chat_id_chats"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["requester_chat_id"],
            ["chats.id"],
            name=op.f("fk_join_requests_requester_chat_id_chats"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_join_requests")),
    )
    op.create_index("ix_join_requests_issuer_state", "join_requests", ["issuer_chat_id", "state"], unique=False)
    op.create_index(
        op.f("ix_join_requests_requester_chat_id"), "join_requests", ["requester_chat_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_join_requests_requester_chat_id"), table_name="join_requests")
    op.drop_index("ix_join_requests_issuer_state", table_name="join_requests")
    op.drop_table("join_requests")
