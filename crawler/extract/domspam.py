"""DOM-level spam removal (issue 5). Placeholder interface until it lands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def remove_dom_spam(tree: Any, url: str, allowed_domains: Sequence[str] = ()) -> list[dict[str, str]]:
    """Remove injected spam elements from ``tree`` in place; return the removals."""
    return []
