"""Fixtures for the fake GitHub server (written with the fake)."""
