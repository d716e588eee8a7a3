"""Load, resilience and scale-out checks for the Flashpoint dashboard.

`python -m loadtest` starts a dashboard server (or targets `--url`), runs many concurrent
viewer sessions against it — a few real Chromium pages and many lightweight clients that
speak Streamlit's websocket protocol — and prints the figures with PASS/MISS per target.
`python -m loadtest.nginx` renders the nginx front for a set of dashboard replicas.
"""
