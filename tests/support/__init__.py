"""Helpers shared by the test suites: a real ``coffer serve`` process and real client tools."""
