"""End-to-end tests: a real ``coffer serve`` driven by real, unmodified clients."""
