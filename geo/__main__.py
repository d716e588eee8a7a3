"""Run the command line: `python -m geo validate PATH`."""

import sys

from geo.cli import main

sys.exit(main())
