"""Coffer's side-by-side benchmark: ``python -m bench [--smoke]`` (see README, Benchmarks).

Builds a corpus (``corpus``), starts Coffer and its peers (``servers``), loads them with wrk
(``load``), times installs and uploads (``installs``) and writes ``docs/benchmarks.md``
(``report``). It reuses the test suite's distribution builders and client installers
(``tests/support``), so it runs from the project's venv.
"""
