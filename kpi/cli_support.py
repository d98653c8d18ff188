"""What the command lines share: exit codes, --verbose, the logging set-up, and failures said in one line.

No traceback reaches the terminal unless asked for: a store failure prints the sentence of
kpi.store_errors, an interruption says so, an internal error names itself; the details go to the log
(standard error with --verbose, and the file named by $ACCSM_LOG_FILE when it is set).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Callable

from kpi import store_errors

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_STORE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130
LOG_FILE_VARIABLE = "ACCSM_LOG_FILE"
EPILOG = ("Exit codes: 0 success; 1 some input was rejected (or an export failed); 2 usage error, also a "
          "database URL that cannot be used; 3 the database could not be used (cannot be opened, read-only, "
          "disk full, locked, server unreachable): the message says what to do; 4 an internal error; "
          "130 interrupted. Technical details of a failure go to standard error with --verbose and, when "
          f"${LOG_FILE_VARIABLE} names a file, are appended to it.")
INTERRUPTED = "interrupted; nothing more was stored"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_INSTALLED: list[logging.Handler] = []  # the handlers configure_logging added to the root logger


def add_verbose_option(parser: argparse.ArgumentParser, hidden: bool = False) -> None:
    """Add --verbose; `hidden` for a subcommand's copy of the option of its parent (so it works on either side)."""
    if hidden:
        parser.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    else:
        parser.add_argument("-v", "--verbose", action="store_true",
                            help="print the technical details of a failure (log messages, tracebacks) to stderr")


def configure_logging(verbose: bool = False) -> None:
    """Set up logging for a command: details to stderr only when verbose, and to $ACCSM_LOG_FILE when set.

    Without a handler Python would print warnings and errors, tracebacks included, to stderr; the null
    handler stops that. Calling it again replaces what an earlier call installed.
    """
    root = logging.getLogger()
    for handler in _INSTALLED:
        root.removeHandler(handler)
        handler.close()
    _INSTALLED.clear()
    logging.raiseExceptions = False  # a log file on a full or read-only disk must not print a traceback itself
    handlers: list[logging.Handler] = [logging.NullHandler()]
    if verbose:
        handlers.append(_StderrHandler())
    if os.environ.get(LOG_FILE_VARIABLE):
        handlers.append(logging.FileHandler(os.environ[LOG_FILE_VARIABLE], encoding="utf-8", delay=True))
    for handler in handlers:
        handler.setFormatter(logging.Formatter(_FORMAT))
        root.addHandler(handler)
        _INSTALLED.append(handler)
    root.setLevel(logging.WARNING)
    for name in ("kpi", "importers"):
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.WARNING)


def run_guarded(command: Callable[[], int], url: str, log: logging.Logger) -> int:
    """Run a command; turn a store failure, an interruption or an internal error into one line on stderr.

    Returns the command's exit code, else EXIT_USAGE for a database URL that cannot be used, EXIT_STORE for
    any other store failure, EXIT_INTERRUPTED, or EXIT_INTERNAL. SystemExit (argparse) passes through.
    """
    try:
        return command()
    except KeyboardInterrupt:
        log.warning("interrupted by the user")
        print(INTERRUPTED, file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - no traceback reaches the terminal; the log has it
        if not store_errors.is_store_error(exc):
            log.error("unexpected error", exc_info=exc)
            print(f"error: an unexpected internal error ({type(exc).__name__}) stopped the command; nothing more "
                  "was stored. Run it again with --verbose to see the details, and send them to the technical "
                  "contact.", file=sys.stderr)
            return EXIT_INTERNAL
        return report_store_failure(store_errors.explain(exc, url), log, exc)


def report_store_failure(problem: store_errors.StoreUnavailable, log: logging.Logger,
                         exc: BaseException | None = None) -> int:
    """Log a store failure with its details, print its sentence to stderr, return EXIT_USAGE or EXIT_STORE."""
    detail = exc if exc is not None else (problem if problem.__cause__ is not None else None)
    log.error("store failure (%s): %s", problem.kind, problem.message, exc_info=detail)
    print(f"error: {problem.message}", file=sys.stderr)
    return EXIT_USAGE if problem.is_bad_url else EXIT_STORE


class _StderrHandler(logging.StreamHandler):
    """A stream handler on whatever sys.stderr is when a record is written (tests swap it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass
