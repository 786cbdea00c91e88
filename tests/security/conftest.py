"""Fixtures for the security tests: ``world`` (see ``private_world``)."""

from private_world import world

__all__ = ["world"]
