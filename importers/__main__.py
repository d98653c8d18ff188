"""Run the importers' command line: python -m importers --help."""

import sys

try:
    from importers.cli import main
except KeyboardInterrupt:  # interrupted while the libraries load: say so, without a traceback
    print("interrupted; nothing more was stored", file=sys.stderr)
    sys.exit(130)

sys.exit(main())
