"""Tracking tests that need committed rows reuse the gateway's world (deleted by id after)."""

from tests.gateway.conftest import app_client, world  # noqa: F401
