"""Pipeline work done ahead of time in the extraction workers, and how a pipeline takes it.

Some pipelines do per-item work that is a pure function of a few item fields
and their own settings (normalising the text fields, the spam check, the body's
digest and MinHash signature). Such a pipeline describes that work as a
*step*: an object with

* ``name``: the pipeline's name (``"normalize"``, ``"spam"``, ``"dedup"``);
* ``key(adapter)``: the inputs, read from the item (a value that compares with ``==``);
* ``compute(key)``: the result (never None), a pure function of the key and the step's settings;
* ``apply(adapter, result)``: writes the result into the item as the pipeline
  does, and returns False when the pipeline would drop the item.

and offers it through a ``derivation()`` method. The pipeline itself always
goes key -> result -> apply (:func:`step_result`), so there is one copy of the
logic. With extraction workers (``EXTRACT_PROCESSES``), the spider hands every
pipeline's step to the workers, and a worker runs them in pipeline order on the
item fields it has just extracted (:func:`run_steps`), sending each
``(key, result)`` back with the fields, in ``item.extra["precomputed"]``.

A pipeline takes a precomputed result only when its own key for the item equals
the worker's key: an item changed on the way (by a component without a step,
say) is computed afresh. A step carries the settings of the pipeline that made
it, so both sides compute the same function; the output is the same with and
without workers (tests/test_precomputed.py, tests/test_replay_jobs.py).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

logger = logging.getLogger(__name__)

EXTRA_KEY = "precomputed"


class PipelineStep(Protocol):
    name: str

    def key(self, adapter: Any) -> Any: ...

    def compute(self, key: Any) -> Any: ...

    def apply(self, adapter: Any, result: Any) -> bool: ...


_MISSING = object()


def precomputed_result(step: PipelineStep, adapter: Any, key: Any, stats: Any = None) -> Any | None:
    """The worker's result of ``step`` for the item if it was computed for ``key``, else None.

    For a pipeline that computes only part of a result when it has to (dedup
    computes a signature only for a new article); the others use :func:`step_result`.
    """
    extra = adapter.get("extra")
    entries = extra.get(EXTRA_KEY) if isinstance(extra, dict) else None
    if not entries:
        return None
    # Taken once: a second pass of the item (if any) computes again.
    stored_key, result = entries.pop(step.name, (_MISSING, None))
    if stored_key is _MISSING:
        return None
    if stored_key == key:
        if stats is not None:
            stats.inc_value(f"extract/precomputed/{step.name}")
        return result
    if stats is not None:
        stats.inc_value(f"extract/precomputed_stale/{step.name}")
    return None


def step_result(step: PipelineStep, adapter: Any, stats: Any = None) -> tuple[Any, Any]:
    """``(key, result)`` of ``step`` for the item: the precomputed result if its key matches, else computed."""
    key = step.key(adapter)
    result = precomputed_result(step, adapter, key, stats)
    return key, step.compute(key) if result is None else result


def run_steps(steps: Sequence[PipelineStep], adapter: Any) -> dict[str, tuple[Any, Any]]:
    """Run ``steps`` in order on an item, as their pipelines would; ``{name: (key, result)}``.

    Stops at a step that fails (its pipeline will compute, and log, the error
    itself) or that would drop the item.
    """
    done: dict[str, tuple[Any, Any]] = {}
    for step in steps:
        try:
            key = step.key(adapter)
            result = step.compute(key)
            done[step.name] = (key, result)
            if not step.apply(adapter, result):
                break
        except Exception:
            logger.debug("Precomputing %s failed on %s; its pipeline will compute it", step.name,
                         adapter.get("url"), exc_info=True)
            break
    return done


def pipeline_steps(crawler: Any) -> list[PipelineStep]:
    """The steps of the crawl's item pipelines, in pipeline order (pipelines without one are skipped)."""
    try:
        engine = crawler.engine
    except (AttributeError, RuntimeError):  # Scrapy raises RuntimeError before the crawl starts
        return []
    manager = getattr(getattr(engine, "scraper", None), "itemproc", None)
    steps: list[PipelineStep] = []
    for pipeline in getattr(manager, "middlewares", ()):
        derivation = getattr(pipeline, "derivation", None)
        step = derivation() if callable(derivation) else None
        if step is not None:
            steps.append(step)
    return steps
