"""`python -m kpi users add|list|set-role|set-email|deactivate|activate`: users, roles and sign-in for scripts
(registered by kpi.cli)."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys

from kpi import access
from kpi.cli_support import EXIT_OK, EXIT_REJECTED

_USER_HELP = "act as this user, whose role is in the store (default: $ACCSM_USER, else the local user 'local')"
_EMAIL_HELP = ("the e-mail their OpenID Connect provider signs them in with (the `email` claim), e.g. "
               "siti.rahman@jpa.gov.bn; the dashboard then acts as this user when they sign in")


def add_users_parser(commands) -> argparse.ArgumentParser:
    """Add the `users` command and its subcommands to the subparsers of `python -m kpi`; return its parser."""
    parser = commands.add_parser("users", help="list the users of the dashboard, add them, change their role",
                                 description="Users of the dashboard and their roles: secretariat (everything), "
                                             "focal_point (loads their own AMS's returns, reads the rest), "
                                             "viewer (reads). Only the secretariat changes users.")
    parser.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    actions = parser.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add a user")
    add.add_argument("login", help="the name they sign in with, recorded against every change they make")
    add.add_argument("--name", required=True, help='their display name, e.g. "Siti Rahman"')
    _add_role_options(add)
    add.add_argument("--email", help=_EMAIL_HELP)
    listing = actions.add_parser("list", help="every user, active first")
    listing.add_argument("--format", choices=("csv", "json"), default="csv")
    set_role = actions.add_parser("set-role", help="change a user's role (and country)")
    set_role.add_argument("login")
    _add_role_options(set_role)
    set_email = actions.add_parser("set-email", help="set the e-mail a user signs in with (or remove it)")
    set_email.add_argument("login")
    which = set_email.add_mutually_exclusive_group(required=True)
    which.add_argument("--email", help=_EMAIL_HELP)
    which.add_argument("--clear", action="store_true", help="remove it: the user can no longer sign in")
    for name, text in (("deactivate", "stop a user from doing anything (kept, with their history)"),
                       ("activate", "let a deactivated user act again")):
        actions.add_parser(name, help=text).add_argument("login")
    for action in actions.choices.values():
        action.add_argument("--user", help=_USER_HELP)
    return parser


def _add_role_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--role", required=True, choices=access.ROLES)
    parser.add_argument("--country", metavar="ISO3", help="the AMS of a focal point, e.g. BRN")


def run_users(engine, args) -> int:
    """Run one `users` subcommand; return its exit code (1 when refused or the change cannot be made)."""
    from kpi import users
    from kpi.db import write_transaction

    acting = users.resolve_login(args.user)
    try:
        if args.users_command == "list":
            access.check(engine, acting, access.READ)
            with engine.connect() as connection:
                sys.stdout.write(_format(users.list_users(connection), users.read_sign_in_emails(connection),
                                         args.format))
            return EXIT_OK
        with access.refusals_recorded(engine), write_transaction(engine) as connection:
            message = _change(users, connection, args, acting)
    except access.AccessRefused as refusal:
        print(f"error: {refusal}", file=sys.stderr)
        return EXIT_REJECTED
    except users.UserError as problem:
        print(f"error: {problem}; nothing was changed", file=sys.stderr)
        return EXIT_REJECTED
    print(message)
    return EXIT_OK


def _change(users, connection, args, acting: str) -> str:
    login = args.login.strip()
    if args.users_command == "add":
        user = users.add_user(connection, login, args.name, args.role, args.country, by=acting,
                              sign_in_email=args.email)
        return f"added {user.describe()}" + (f", signing in as {args.email.strip().lower()}" if args.email else "")
    if args.users_command == "set-role":
        changed = users.set_role(connection, login, args.role, args.country, by=acting)
        user = access.read_user(connection, login)
        return f"{'changed' if changed else 'unchanged'}: {user.describe()}"
    if args.users_command == "set-email":
        email = None if args.clear else args.email
        changed = users.set_sign_in_email(connection, login, email, by=acting)
        now = f"signs in as {email.strip().lower()}" if email else "cannot sign in"
        return f"{'changed' if changed else 'unchanged'}: {login} {now}"
    active = args.users_command == "activate"
    changed = users.set_active(connection, login, active, by=acting)
    return f"{login} {'is now' if changed else 'was already'} {'active' if active else 'deactivated'}"


def _format(listed, emails: dict[str, str], fmt: str) -> str:
    records = [{"login": u.login, "display_name": u.display_name, "role": u.role, "country": u.country,
                "active": u.active, "sign_in_email": emails.get(u.login)} for u in listed]
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["login", "display_name", "role", "country", "active", "sign_in_email"],
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows({**r, "country": r["country"] or "", "active": "yes" if r["active"] else "no",
                      "sign_in_email": r["sign_in_email"] or ""} for r in records)
    return out.getvalue()
