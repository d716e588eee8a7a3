"""`python -m loadtest`: many concurrent viewers against one dashboard server."""

from loadtest.cli import main

raise SystemExit(main())
