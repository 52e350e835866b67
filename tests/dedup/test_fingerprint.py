"""Body fingerprints (crawler/dedup/fingerprint.py): layout, width, case and invisible marks never count."""

from __future__ import annotations

import hashlib

from crawler.dedup.fingerprint import body_digest, normalise_for_digest


def test_digest_ignores_layout_width_case_and_invisible_marks_but_not_words() -> None:
    base = "民政部召开会议。\n\n会议强调，要做好2024年工作。Elderly Care"
    for variant in (
        "民政部召开会议。 会议强调，要做好2024年工作。elderly care",
        "  民政部召开会议。\r\n会议强调，要做好２０２４年工作。\u200bELDERLY\u00a0CARE",
        "民政部召开会议。\u3000\u3000会议强调，要做好2024年工作。Elder\u00adly Ca\ufeffre",
    ):
        assert body_digest(variant) == body_digest(base)
    assert body_digest(base.replace("2024", "2025")) != body_digest(base)
    assert body_digest("") == body_digest(" \n ") == hashlib.sha1(b"").hexdigest()


def test_normalised_text_is_nfkc_casefolded_without_spaces() -> None:
    assert normalise_for_digest("Straße ＡＢＣ（一）\tﬁle") == "strasseabc(一)file"
