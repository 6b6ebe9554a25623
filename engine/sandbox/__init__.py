"""What every platform emulator shares: SQLite store, tokens and permissions, query and pagination
checks, request stats, fault injection, rate limiting, the control API and serving over HTTP."""

from engine.sandbox.registry import (
    SANDBOX_PLATFORMS,
    default_db_path,
    reset_sandbox,
    sandbox_app,
    sandbox_base_path,
    sandbox_platforms,
)
from engine.sandbox.server import DEFAULT_PORT, serve, serving

__all__ = [
    "DEFAULT_PORT",
    "SANDBOX_PLATFORMS",
    "default_db_path",
    "reset_sandbox",
    "sandbox_app",
    "sandbox_base_path",
    "sandbox_platforms",
    "serve",
    "serving",
]
