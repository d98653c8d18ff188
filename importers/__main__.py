"""Run the importers' command line: python -m importers --help."""

import sys

from importers.cli import main

sys.exit(main())
