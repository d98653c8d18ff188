"""Run the kpi command line: `python -m kpi --help`."""

import sys

from kpi.cli import main

sys.exit(main())
