"""Helpers shared by the test modules (imported as ``tests.support.*``; never from a
conftest or another test module)."""
