"""The Redis connection of a distributed crawl, its key names and its schema version.

Every key lives under ``REDIS_KEY_PREFIX`` (default ``mna``), so several
archives (or parallel test runs) can share one server. ``<prefix>:schema``
holds the layout version of the keys; a worker whose code writes another
version refuses to start rather than mix layouts.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis

from crawler.dedup.state import StateStoreError

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
DEFAULT_PREFIX = "mna"


class RedisUnavailable(RuntimeError):
    """The Redis server of REDIS_URL does not answer: the crawl cannot start (exit status 2)."""


class RedisSchemaMismatch(StateStoreError):
    """The Redis keys were written by code with another layout version."""


def redacted(url: str) -> str:
    """``url`` without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


def connect(url: str, *, timeout: float = 10.0) -> redis.Redis:
    """A client for ``url`` that has answered a PING; :class:`RedisUnavailable` otherwise."""
    try:
        client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=min(timeout, 5.0))
        client.ping()
    except (redis.RedisError, ValueError, OSError) as exc:
        raise RedisUnavailable(f"Redis at {redacted(url)} is unreachable: {exc}") from exc
    return client


def check_schema(client: redis.Redis, prefix: str, url: str = "") -> None:
    """Record this code's key layout version, or refuse a server holding another one."""
    key = f"{prefix}:schema"
    client.set(key, str(SCHEMA_VERSION), nx=True)
    stored = client.get(key)
    if stored is not None and stored.decode() != str(SCHEMA_VERSION):
        raise RedisSchemaMismatch(
            f"Redis {redacted(url)} holds keys of schema version {stored.decode()} under prefix {prefix!r}; "
            f"this code writes version {SCHEMA_VERSION}: run one version of the crawler per prefix "
            "(REDIS_KEY_PREFIX) or upgrade every worker"
        )


def worker_name() -> str:
    """This process's name among the workers: ``<host>-<pid>``."""
    host = "".join(ch if ch.isalnum() or ch in ".-" else "-" for ch in socket.gethostname()) or "localhost"
    return f"{host}-{os.getpid()}"


@dataclass(frozen=True)
class Keys:
    """The Redis keys of one seed's distributed crawl."""

    prefix: str
    seed: str

    def _key(self, name: str) -> str:
        return f"{self.prefix}:{self.seed}:{name}"

    @property
    def run(self) -> str:
        return self._key("run")

    @property
    def requests(self) -> str:
        return self._key("requests")

    @property
    def dupefilter(self) -> str:
        return self._key("dupefilter")

    @property
    def workers(self) -> str:
        return self._key("workers")

    @property
    def pending_prefix(self) -> str:
        return self._key("pending:")

    def pending(self, worker: str) -> str:
        return self.pending_prefix + worker

    def seeded(self, run_id: str) -> str:
        return self._key(f"seeded:{run_id}")


def settings_prefix(settings: Any) -> str:
    return str(settings.get("REDIS_KEY_PREFIX") or DEFAULT_PREFIX)
