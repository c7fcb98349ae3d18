"""Fixtures for the fake Azure OpenAI server (written with the fake)."""
