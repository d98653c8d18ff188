"""Sign-in identity: the e-mail address an OpenID Connect provider vouches for, mapped to one user of the store.

With `[auth]` configured in `.streamlit/secrets.toml` the dashboard acts as the user whose `sign_in_email` is the
signed-in person's `email` claim (dashboard/identity.py). Stored in lower case (kpi.users); NULL for users who do
not sign in (the local user, the demo loader, command-line accounts). Unique, so one person is one user.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 03:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("app_user", sa.Column("sign_in_email", sa.String(length=320), nullable=True))
    op.create_index("uq_app_user_sign_in_email", "app_user", ["sign_in_email"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_app_user_sign_in_email", table_name="app_user")
    op.drop_column("app_user", "sign_in_email")
