"""Store failures in words: one sentence that says what is wrong with the database and what to do.

A failure of the store (a bad URL, a file that cannot be opened, a read-only or full disk, a locked
database, an unreachable server) is never the user's file's fault and never shown as a traceback or SQL.
`explain` turns such an exception into a `StoreUnavailable` carrying that sentence; callers catch that
one type, show `.message`, and log the original exception (its `__cause__`) for the technical contact.
"""

from __future__ import annotations

import contextlib
import errno
import re
import sqlite3
from typing import TYPE_CHECKING

from kpi.config import resolve_database_url

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import URL

# SQLAlchemy is imported where it is used: the command lines import this module to parse their arguments, and
# --help must not pay for SQLAlchemy.

BAD_URL = "bad URL"
CANNOT_OPEN = "cannot open"
READ_ONLY = "read-only"
DISK_FULL = "disk full"
LOCKED = "locked"
BUSY = "busy"
UNREACHABLE = "unreachable"
LOGIN_REFUSED = "login refused"
NOT_SET_UP = "not set up"
NEWER_SCHEMA = "newer schema"
DAMAGED = "damaged"
FAILED = "failed"

_URL_EXAMPLES = "sqlite:///data/accsm.db or postgresql+psycopg://user@host/dbname"


class StoreUnavailable(Exception):
    """The store could not be used: `message` is one sentence for people, `kind` one of the constants above."""

    def __init__(self, message: str, kind: str = FAILED):
        super().__init__(message)
        self.message = message
        self.kind = kind

    @property
    def is_bad_url(self) -> bool:
        """True when the database URL itself is wrong (a usage error, not a failure of the store)."""
        return self.kind == BAD_URL


def open_store(url: str | URL | None = None) -> Engine:
    """Return kpi.db.open_store(url), or raise StoreUnavailable saying in one sentence why the store cannot be used."""
    from sqlalchemy.engine import URL

    from kpi import db  # imported here: kpi.db imports SQLAlchemy and the schema, which --help does not need

    if isinstance(url, URL):  # str() of a URL hides its password: the engine needs it
        url = url.render_as_string(hide_password=False)
    url = resolve_database_url(url)
    check_url(url)
    try:
        return db.open_store(url)
    except ImportError as exc:  # the URL names a driver that is not installed
        raise StoreUnavailable(_bad_url_message(url, f"the Python driver {exc.name or 'it names'} is not "
                                                     "installed"), BAD_URL) from exc
    except OSError as exc:  # creating the SQLite file's folder failed
        raise _explain_os_error(exc, url) from exc
    except Exception as exc:
        if is_store_error(exc):
            raise explain(exc, url) from exc
        raise


def check_url(url: str) -> None:
    """Raise StoreUnavailable (kind BAD_URL) when `url` is not a database URL this software can use."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise StoreUnavailable(_bad_url_message(url, "it is not a valid database URL"), BAD_URL) from exc
    try:
        parsed.get_dialect()
    except NoSuchModuleError as exc:
        reason = (f'this software does not know the database kind "{parsed.drivername}"'
                  if "+" not in parsed.drivername else f'this software does not know the driver "{parsed.drivername}"')
        raise StoreUnavailable(_bad_url_message(url, reason), BAD_URL) from exc
    except ImportError as exc:
        raise StoreUnavailable(_bad_url_message(url, f"the Python driver {exc.name or 'it names'} is not "
                                                     "installed"), BAD_URL) from exc


@contextlib.contextmanager
def translated(url: str | URL):
    """Turn a store failure raised inside the block into StoreUnavailable (the original as its __cause__)."""
    try:
        yield
    except StoreUnavailable:
        raise
    except Exception as exc:
        if is_store_error(exc):
            raise explain(exc, url) from exc
        raise


def is_store_error(exc: BaseException) -> bool:
    """True for a failure of the store: SQLAlchemy, sqlite3, psycopg or Alembic errors, or StoreUnavailable."""
    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(exc, (StoreUnavailable, SQLAlchemyError, sqlite3.Error)):
        return True
    return any(cls.__module__.split(".")[0] in ("psycopg", "psycopg2", "alembic") and cls.__name__ in
               ("Error", "CommandError") for cls in type(exc).__mro__)


def explain(exc: BaseException, url: str | URL) -> StoreUnavailable:
    """Return a StoreUnavailable whose message says in one sentence what is wrong with the store at `url`."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    if isinstance(exc, StoreUnavailable):
        return exc
    if isinstance(exc, (ArgumentError, NoSuchModuleError)):  # raised while making an engine from a bad URL
        try:
            check_url(str(url))
        except StoreUnavailable as bad_url:
            return bad_url
    kind, reason = _classify(exc)
    return StoreUnavailable(_MESSAGES[kind](location(url), reason), kind)


def location(url: str | URL) -> str:
    """Return where the database is, for people: a SQLite file's path, else the URL without password or query."""
    from sqlalchemy.engine import URL, make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return _without_password(str(url))
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if not database or database == ":memory:" or "mode=memory" in database:
            return "in memory"
        return database.removeprefix("file:").split("?", 1)[0]
    bare = URL.create(parsed.drivername, username=parsed.username, host=parsed.host, port=parsed.port,
                      database=parsed.database)
    return bare.render_as_string(hide_password=False)


def _without_password(text: str) -> str:
    # The query is left out too: it can carry a password (postgresql://host/db?password=...).
    return re.sub(r"(://[^/@:]*):[^/@]*@", r"\1@", text).split("?", 1)[0]


def _bad_url_message(url: str, reason: str) -> str:
    return (f'The database URL "{_without_password(url)}" cannot be used ({reason}); give a database URL such as '
            f"{_URL_EXAMPLES} with --db or $ACCSM_DATABASE_URL.")


_MESSAGES = {
    CANNOT_OPEN: lambda where, why: (
        f"The database {where} cannot be opened ({why}); nothing was stored. Check the path in the database URL "
        "and that this account may read and write that file and its folder."),
    READ_ONLY: lambda where, _why: (
        f"The database {where} is read-only, so nothing was stored. Ask for write access to the database file "
        "and its folder, or use a database you may change."),
    DISK_FULL: lambda where, _why: (
        f"The disk holding the database {where} is full, so nothing was stored. Free some space on it (or ask "
        "the administrator to) and try again."),
    LOCKED: lambda where, _why: (
        f"The database {where} is locked by another program that is writing to it; nothing was stored. Wait a "
        "minute and try again, or close the other program."),
    BUSY: lambda where, _why: (
        f"The database {where} is busy with another change to the same data; nothing was stored. Try again in "
        "a moment."),
    UNREACHABLE: lambda where, why: (
        f"The database server of {where} cannot be reached ({why}); nothing was stored. Check that the server "
        "is running and that the host and port in the database URL are right."),
    LOGIN_REFUSED: lambda where, _why: (
        f"The database server of {where} refused the login (wrong user name or password, or no access to that "
        "database); nothing was stored. Check the user name and password of the database URL."),
    NOT_SET_UP: lambda where, _why: (
        f"The database {where} does not hold the ACCSM tables; nothing was stored. Check that the database URL "
        "names the ACCSM database."),
    NEWER_SCHEMA: lambda where, _why: (
        f"The database {where} was set up by a newer version of this software; nothing was stored. Use that "
        "version, or ask the technical contact to update this one."),
    DAMAGED: lambda where, _why: (
        f"The database file {where} is damaged; nothing was stored. Restore it from a backup, or ask the "
        "technical contact to repair it."),
    FAILED: lambda where, _why: (
        f"The database {where} failed while doing this; nothing was stored. Try again; if it fails again, ask "
        "the technical contact to look at the log."),
}

# SQLite result codes (sqlite3.Error.sqlite_errorname), PostgreSQL SQLSTATEs, and the words of each, by kind.
_SQLITE_NAMES = {
    "SQLITE_BUSY": LOCKED, "SQLITE_LOCKED": LOCKED, "SQLITE_READONLY": READ_ONLY, "SQLITE_FULL": DISK_FULL,
    "SQLITE_CANTOPEN": CANNOT_OPEN, "SQLITE_NOTADB": CANNOT_OPEN, "SQLITE_PERM": READ_ONLY,
    "SQLITE_CORRUPT": DAMAGED,
}
_SQLSTATES = {
    "53100": DISK_FULL, "25006": READ_ONLY, "55P03": BUSY, "40001": BUSY, "40P01": BUSY, "57014": BUSY,
    "28P01": LOGIN_REFUSED, "28000": LOGIN_REFUSED, "3D000": CANNOT_OPEN, "42P01": NOT_SET_UP,
    "57P01": UNREACHABLE, "57P02": UNREACHABLE, "57P03": UNREACHABLE,
}
_WORDS = (  # (words in the driver's message, kind, the reason shown in brackets)
    ("database is locked", LOCKED, ""), ("database table is locked", LOCKED, ""),
    ("readonly database", READ_ONLY, ""), ("read-only", READ_ONLY, ""),
    ("database or disk is full", DISK_FULL, ""), ("no space left", DISK_FULL, ""),
    ("unable to open database file", CANNOT_OPEN, "the file or its folder cannot be opened"),
    ("file is not a database", CANNOT_OPEN, "the file is not a database"),
    ("malformed", DAMAGED, ""),
    ("no such table", NOT_SET_UP, ""), ("does not exist", CANNOT_OPEN, "the server has no database of that name"),
    ("password authentication failed", LOGIN_REFUSED, ""), ("no pg_hba.conf entry", LOGIN_REFUSED, ""),
    ("connection refused", UNREACHABLE, "connection refused"),
    ("could not translate host name", UNREACHABLE, "unknown host name"),
    ("failed to resolve host", UNREACHABLE, "unknown host name"),
    ("name or service not known", UNREACHABLE, "unknown host name"),
    ("timeout expired", UNREACHABLE, "no answer in time"), ("timed out", UNREACHABLE, "no answer in time"),
    ("server closed the connection", UNREACHABLE, "the connection was lost"),
    ("connection failed", UNREACHABLE, "the connection failed"),
    ("can't locate revision", NEWER_SCHEMA, ""),
)
_REASONS = {CANNOT_OPEN: "the file or its folder cannot be opened", UNREACHABLE: "the connection failed"}


def _classify(exc: BaseException) -> tuple[str, str]:
    for error in _chain(exc):
        if isinstance(error, OSError) and not isinstance(error, ConnectionError):
            return _os_kind(error)
        name = getattr(error, "sqlite_errorname", None)
        if name in _SQLITE_NAMES:
            kind = _SQLITE_NAMES[name]
            return kind, _reason_from_words(error) or _REASONS.get(kind, "")
        state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
        if state in _SQLSTATES or (state or "").startswith("08"):
            kind = _SQLSTATES.get(state, UNREACHABLE)
            return kind, _REASONS.get(kind, "")
    for error in _chain(exc):
        found = _match_words(error)
        if found:
            return found
    return FAILED, ""


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception, the driver's exception it wraps, and their causes (each once)."""
    from sqlalchemy.exc import DBAPIError

    seen, todo, chain = set(), [exc], []
    while todo:
        error = todo.pop(0)
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        chain.append(error)
        todo += [getattr(error, "orig", None) if isinstance(error, DBAPIError) else None,
                 error.__cause__, error.__context__]
    return chain


def _driver_text(error: BaseException) -> str:
    # Only the driver's own message: a SQLAlchemy error's text also holds the SQL and its parameters.
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    if isinstance(error, DBAPIError):
        return str(error.orig or "").lower()
    if isinstance(error, SQLAlchemyError):
        return ""
    return str(error).lower()


def _match_words(error: BaseException) -> tuple[str, str] | None:
    text = _driver_text(error)
    for words, kind, reason in _WORDS:
        if words in text:
            return kind, reason or _REASONS.get(kind, "")
    return None


def _reason_from_words(error: BaseException) -> str:
    found = _match_words(error)
    return found[1] if found else ""


def _os_kind(error: OSError) -> tuple[str, str]:
    if error.errno == errno.EROFS:
        return READ_ONLY, ""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return DISK_FULL, ""
    if error.errno in (errno.EACCES, errno.EPERM):
        return CANNOT_OPEN, "this account may not create or open it there"
    if error.errno in (errno.ENOTDIR, errno.EEXIST):
        return CANNOT_OPEN, "part of its path is a file, not a folder"
    if error.errno == errno.ENOENT:
        return CANNOT_OPEN, "its folder cannot be created"
    return CANNOT_OPEN, (error.strerror or "the file or its folder cannot be opened").lower()


def _explain_os_error(error: OSError, url: str) -> StoreUnavailable:
    kind, reason = _os_kind(error)
    return StoreUnavailable(_MESSAGES[kind](location(url), reason), kind)
