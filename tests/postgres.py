"""A real PostgreSQL for the load tests: ``$DATABASE_URL``, else the machine's, else one from ``pgserver``.

Tests never skip for want of a database: when neither ``$DATABASE_URL`` nor
``LOCAL_URL`` answers, a private server is started from the ``pgserver``
package (test extra) for the session. Each test works in a schema of its
own, so parallel runs do not collide.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import psycopg

LOCAL_URL = "postgresql://127.0.0.1:5432/test"


def answers(url: str, timeout: int = 3) -> bool:
    """Whether a PostgreSQL at ``url`` accepts a connection."""
    try:
        with psycopg.connect(url, connect_timeout=timeout) as connection:
            connection.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def start_pgserver(data_dir: Path) -> tuple[str, Any]:
    """Start a PostgreSQL from the pgserver package in ``data_dir``: its URL and the server handle."""
    import pgserver

    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    return server.get_uri(), server


def choose_database_url(
    environ: Mapping[str, str], start: Callable[[], tuple[str, Any]], local_url: str = LOCAL_URL,
) -> tuple[str, Any]:
    """``$DATABASE_URL`` if set, else ``local_url`` when it answers, else what ``start`` starts.

    Returns the URL and the started server (None unless ``start`` ran).
    """
    if environ.get("DATABASE_URL"):
        return environ["DATABASE_URL"], None
    if answers(local_url):
        return local_url, None
    return start()


def unique_schema(prefix: str = "load_test") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def drop_schema(url: str, schema: str) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
