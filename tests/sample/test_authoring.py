"""The generated pages of the sample site are what its texts and templates make (sample/authoring/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sample.authoring.build import SEEDS, SITE_DIR, build


@pytest.mark.parametrize("seed", SEEDS)
def test_shipped_pages_match_a_fresh_build(seed: str, tmp_path: Path) -> None:
    written = build(seed, tmp_path)
    assert len(written) >= 3  # articles and at least one list page
    differing = [
        str(path.relative_to(tmp_path))
        for path in written
        if path.read_bytes() != (SITE_DIR / path.relative_to(tmp_path)).read_bytes()
    ]
    assert differing == [], "edit authoring/<seed>.toml and run python -m sample.authoring.build"


def test_cloaked_articles_get_a_spam_variant(tmp_path: Path) -> None:
    written = build("mca", tmp_path)
    variants = [path for path in written if "_variants" in path.parts]
    assert variants, "mca.toml has a cloaked article"
    for variant in variants:
        normal = tmp_path / variant.relative_to(tmp_path / "_variants")
        assert normal in written and normal.read_bytes() != variant.read_bytes()
