"""What the tests, the benchmark and the load script share to run Flashpoint.

Debian's Chromium and its flags (`harness.chromium`), a dashboard on a free loopback port that
is ready when its health check answers (`harness.server`), and the printed tables
(`harness.tables`). Product code never imports this package.
"""
