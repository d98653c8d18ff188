"""The users the tests act as: secretariat users of every test store (kpi.access: an unknown name may do nothing)."""

from __future__ import annotations

TEST_USERS = ("tester", "alice", "bob", "secretariat", "fixture")


def add_test_users(engine, logins=TEST_USERS, role: str = "secretariat") -> None:
    """Add these logins (those missing) to the store as users with this role, as the local secretariat."""
    from kpi.access import read_user
    from kpi.db import write_transaction
    from kpi.users import add_user
    with write_transaction(engine) as connection:
        for login in logins:
            if read_user(connection, login) is None:
                add_user(connection, login, f"Test user {login}", role, None, by="local")
