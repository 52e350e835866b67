"""Fast paths of exact dedup (pipelines/dedup.py, crawler/state.py) give the same answers as the slow ones.

Shortcuts in normalisation, the Bloom filter, bulk statements and the background writer.
"""

from __future__ import annotations

import hashlib
import random
import re
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

from crawler.state import DigestFilter, SQLiteStateStore, StateStoreLocked
from pipelines.dedup import (
    _CASEFOLD_INVARIANT,
    _COMMON_REPLACED,
    _INVISIBLE_MARKS,
    _PLAIN_LINES,
    _PLAIN_TEXT,
    _SIMPLE_BODY,
    _SIMPLE_CASED_BODY,
    _SIMPLE_CASED_CHARS,
    _SIMPLE_CHARS,
    _SIMPLE_REPLACEMENTS,
    Deduplicator,
    _nfkc,
    _replaced,
    _replaced_common,
    normalise_for_digest,
    normalised_utf8,
)


def reference_normalise(body: str) -> str:
    """normalise_for_digest without any shortcut: NFKC, casefold, marks and whitespace removed."""
    text = unicodedata.normalize("NFKC", body).casefold()
    for mark in _INVISIBLE_MARKS:
        text = text.replace(mark, "")
    return "".join(text.split())


def test_casefold_invariant_class_holds_only_characters_casefold_keeps() -> None:
    pattern = re.compile(_CASEFOLD_INVARIANT.pattern.rstrip("*"))
    changed = [
        hex(code) for code in range(0x110000) if pattern.match(chr(code)) and chr(code).casefold() != chr(code)
    ]
    assert changed == []


def narrowed_wrongly(narrow: re.Pattern[str], wide: re.Pattern[str], keep: Callable[[str], bool]) -> list[str]:
    """Code points where the class ``narrow`` is not the class ``wide`` restricted to ``keep``."""
    one, other = re.compile(narrow.pattern.rstrip("*")), re.compile(wide.pattern.rstrip("*"))
    return [
        hex(code)
        for code in range(0x110000)
        if bool(one.match(chr(code))) != (bool(other.match(chr(code))) and keep(chr(code)))
    ]


def test_plain_text_class_is_the_invariant_class_without_invisible_marks() -> None:
    assert narrowed_wrongly(_PLAIN_TEXT, _CASEFOLD_INVARIANT, lambda char: char not in _INVISIBLE_MARKS) == []


def test_plain_lines_class_is_the_plain_class_without_whitespace_but_space_and_line_break() -> None:
    assert narrowed_wrongly(_PLAIN_LINES, _PLAIN_TEXT, lambda char: not char.isspace() or char in " \n") == []
    # Each path of normalise_for_digest on text that takes it: replace(), split(), casefold().
    assert _PLAIN_LINES.fullmatch("民政部 召开\n\n会议。") and not _PLAIN_LINES.fullmatch("民政部\t会议")
    for body in ("民政部 召开\n\n会议。", "民政部\t召开\r\n会议\u2028。", "Ministry\u00a0of Civil Affairs\n"):
        assert normalise_for_digest(body) == reference_normalise(body)


def test_full_width_shortcut_gives_nfkc_exactly() -> None:
    rng = random.Random(5)
    pieces = [
        "民政部", "，", "：", "；", "（", "）", "！", "？", "％", "Ａ", "ｚ", "０", "\u3000", "\u0301", "\u0308", "\u3099", "ｶ", "ﾞ",
        "e", "。", "“", "”", "、", "ﬁ", "①", "\uff5f", "\uffe5", " ", "\n\n", "가", "\u1100", "\u1161",
    ]
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        assert _nfkc(text) == unicodedata.normalize("NFKC", text), ascii(text)
    # Every character the shortcut replaces: alone, and before a combining mark it may compose with.
    for code in [0x3000, *range(0xFF01, 0xFF5F)]:
        for tail in ("", "\u0301", "\u0338", "民"):
            text = chr(code) + tail
            assert _nfkc(text) == unicodedata.normalize("NFKC", text), ascii(text)


def test_normalise_matches_reference_on_mixed_text() -> None:
    rng = random.Random(3)
    pieces = [
        "国务院新闻办公室", "GDP增长", "ＡＢＣ１２３", "Straße", "ΣΊΣΥΦΟΣ", "ﬁnance", "①②", "　\u3000", "\u200b",
        "\ufeff", "İstanbul", "ǅ", "e\u0301", "Ω", "\U00010400", "第12号。", "\n\n", " \t", "ｶﾞ", "㍿", "µ",
    ]
    for _ in range(2000):
        body = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert normalise_for_digest(body) == reference_normalise(body), body
    assert normalise_for_digest("") == ""


def composition_seconds() -> set[str]:
    """Characters NFC may fuse with the character before them (second halves of canonical pairs, Hangul V and T jamo)."""
    seconds = {chr(code) for code in [*range(0x1161, 0x1176), *range(0x11A8, 0x11C3)]}
    for code in range(0x110000):
        decomposition = unicodedata.decomposition(chr(code))
        if decomposition and not decomposition.startswith("<") and len(decomposition.split()) == 2:
            seconds.add(chr(int(decomposition.split()[1], 16)))
    return seconds


def test_simple_body_class_holds_only_characters_kept_as_they_are_or_replaced_by_name() -> None:
    simple = re.compile(f"[{_SIMPLE_CASED_CHARS}]")
    plain = re.compile(_PLAIN_LINES.pattern.rstrip("*"))
    # Without capitals, the same class but for them; the patterns are built from these classes.
    assert narrowed_wrongly(re.compile(f"[{_SIMPLE_CHARS}]"), simple, lambda char: not "A" <= char <= "Z") == []
    assert _SIMPLE_BODY.pattern.endswith(f"[{_SIMPLE_CHARS}]*)?")
    assert _SIMPLE_CASED_BODY.pattern.endswith(f"[{_SIMPLE_CASED_CHARS}]*)?")
    replaced = {wide for wide, _ in _SIMPLE_REPLACEMENTS}
    seconds = composition_seconds()
    wrong = []
    for code in range(0x110000):
        char = chr(code)
        if not simple.match(char) or char in replaced or char.isascii() and char.isalpha():
            continue
        kept_alone = plain.match(char) and unicodedata.is_normalized("NFKC", char) and not unicodedata.combining(char)
        if not kept_alone or char in seconds or unicodedata.normalize("NFD", char)[0] in seconds:
            wrong.append(hex(code))
    assert wrong == []
    # Any two kept ones side by side stay NFKC (so a whole body of them does).
    others = [chr(code) for code in range(0x3400) if simple.match(chr(code)) and chr(code) not in replaced]
    others += ["一", "鿿", "㐀"]
    assert len(others) > 300
    unstable = [a + b for a in others for b in others if not unicodedata.is_normalized("NFKC", a + b)]
    assert unstable == []


def test_simple_bodies_normalise_on_bytes_exactly_as_the_reference() -> None:
    rng = random.Random(11)
    replaced = [wide for wide, _ in _SIMPLE_REPLACEMENTS]
    pieces = [
        "民政部", "召开", "会议", "。", "、", "“", "”", "《", "》", "——", "·", " ", "\n", "\n\n", "Ministry", "GDP",
        "2025", "a", "Z", "\x85", "\xa0", "\t", "ﬁ", "\u0301", "e\u0301", "Straße", "\u200b", "①", "ｶ", "\uff21",
        "\u2025", "\u3099", *replaced,
    ]
    took: dict[str, int] = {}
    for _ in range(8000):
        body = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        expected = reference_normalise(body)
        simple = _SIMPLE_BODY.fullmatch(body) or _SIMPLE_CASED_BODY.fullmatch(body)
        # Rarer marks (group 2), only the common ones (group 1), none: each its own replacements.
        path = "slow" if simple is None else "rare" if simple.start(2) >= 0 else "common" if simple.start(1) >= 0 else "kept"
        path += "-cased" if simple is not None and not _SIMPLE_BODY.fullmatch(body) else ""
        took[path] = took.get(path, 0) + 1
        assert normalised_utf8(body) == expected.encode("utf-8"), ascii(body)
        assert normalise_for_digest(body) == expected, ascii(body)
    assert len(took) == 7 and min(took.values()) > 50, took  # every path was exercised
    # A news paragraph with full-width marks takes the byte path.
    paragraph = "民政部召开会议（第2次），部署……工作：养老服务、儿童福利！\u3000Ministry of Civil Affairs？\n\n"
    assert _SIMPLE_CASED_BODY.fullmatch(paragraph)
    assert normalised_utf8(paragraph).decode("utf-8") == "民政部召开会议(第2次),部署......工作:养老服务、儿童福利!ministryofcivilaffairs?"
    assert normalise_for_digest(paragraph.replace("2", "２")) == normalise_for_digest(paragraph)  # the general path


def test_common_marks_are_replaced_like_all_of_them_and_the_groups_tell_which_are_there() -> None:
    assert set(_COMMON_REPLACED) <= {wide for wide, _ in _SIMPLE_REPLACEMENTS}
    text = "民政部（第2次），部署：工作；" * 3
    assert _replaced_common(text) == _replaced(text) == "民政部(第2次),部署:工作;" * 3
    for body, common, rare in [
        ("民政部召开会议。", False, False),
        ("民政部召开会议，部署工作。", True, False),
        ("民政部召开会议……部署工作。", False, True),
        ("民政部召开会议，部署工作！", True, True),
        ("民政部召开会议！部署工作，", True, True),  # a common mark after a rare one
    ]:
        match = _SIMPLE_BODY.fullmatch(body)
        assert match is not None
        # Group 1 is set by a common mark before any rare one: with a rare one, everything is replaced anyway.
        assert (match.start(2) >= 0, match.start(1) >= 0 or match.start(2) >= 0) == (rare, common or rare), body


def test_digest_filter_blocks_never_miss_and_rarely_lie_when_full() -> None:
    digest_filter = DigestFilter(1 << 19)  # exactly one 16-bit block per digest: the sparsest it gets
    assert len(digest_filter.bits) == digest_filter.capacity and digest_filter.bits.itemsize == 2
    stored = [hashlib.sha1(f"in-{n}".encode()).digest() for n in range(digest_filter.capacity)]
    for digest in stored:
        digest_filter.add(digest)
    assert all(digest in digest_filter for digest in stored)
    false_positives = sum(hashlib.sha1(f"out-{n}".encode()).digest() in digest_filter for n in range(100_000))
    assert false_positives < 1700  # ~1.4% expected at 16 bits a digest, 3 bits of one block each


@pytest.mark.parametrize("capacity", [5000, 1 << 25])  # probes of 8 hex digits, and of 10 past 2**20 blocks
def test_digest_filter_rebuilt_from_key_integers_answers_like_one_fed_digests(capacity: int) -> None:
    from crawler.state import digest_key

    digests = [hashlib.sha1(f"in-{n}".encode()).digest() for n in range(5000)]
    from_digests, from_keys = DigestFilter(capacity), DigestFilter(capacity)
    assert from_digests.digits == (8 if capacity == 5000 else 10)
    false_maybes = sum(from_digests.add(digest) for digest in digests)  # none was in before
    assert false_maybes < 10
    for digest in digests:
        from_keys.add_key(digest_key(digest))
    assert from_digests.bits == from_keys.bits
    assert all(digest in from_keys for digest in digests)
    assert from_keys.add(digests[0]) is True  # adding again reports it as (maybe) present
    assert from_keys.count == 5000 - false_maybes  # and not counted twice: a lookup and a store add each digest
    in_bulk = DigestFilter(capacity)
    in_bulk.add_keys(digest_key(digest) for digest in digests)
    assert in_bulk.bits == from_keys.bits and in_bulk.count == 5000
    from_hex = DigestFilter(capacity)  # the lookup's path: the digests as the store's callers hold them
    assert sum(from_hex.add_hex(digest.hex()) for digest in digests) == false_maybes
    assert from_hex.bits == from_digests.bits
    assert digest_key(bytes(range(20))) == int.from_bytes(bytes(range(8)), "big", signed=True)
    assert digest_key(b"\xff" * 20) == -1


def test_bulk_insert_keeps_first_and_last_seen_whether_or_not_they_differ(tmp_path: Path) -> None:
    from crawler.state import ArticleState

    path = tmp_path / "times.sqlite"
    store = SQLiteStateStore(path, background_writes=True)
    store.put_article(ArticleState("a" * 40, "http://a.gov.cn/1.html", "b" * 40, "s", None, 1700000000.25, 1700000000.25, "r"))
    store.put_article(ArticleState("c" * 40, "http://a.gov.cn/2.html", "d" * 40, "s", None, 1600000000.5, 1700000000.75, "r"))
    store.put_article(ArticleState("e" * 40, "http://民政部.中国/新闻\u2028.html", "f" * 40, "民政", None, 1.0, 1.0, "运行"))
    store.close()
    with sqlite3.connect(path) as db:
        rows = dict(db.execute("SELECT hex(id), first_seen || ' ' || last_seen FROM articles"))
        text = db.execute("SELECT canonical_url, site, last_run FROM articles WHERE hex(id) = ?", ("E" * 40,)).fetchone()
    assert rows == {"A" * 40: "1700000000.25 1700000000.25", "C" * 40: "1600000000.5 1700000000.75", "E" * 40: "1.0 1.0"}
    assert text == ("http://民政部.中国/新闻\u2028.html", "民政", "运行")  # JSON escapes in the bulk statement decoded


def test_bulk_statements_store_times_to_the_microsecond_and_keep_them_when_stored_again(tmp_path: Path) -> None:
    from crawler.state import ArticleState

    path = tmp_path / "micro.sqlite"
    first, last = 1764403200.1234567, 1764403261.9999996  # sub-microsecond parts, the second rounding up
    store = SQLiteStateStore(path)
    store.put_article(ArticleState("a" * 40, "http://a.gov.cn/1.html", "b" * 40, "s", None, first, last, "r1"))
    store.flush()
    stored = store.get_article("a" * 40)
    assert stored is not None
    assert (stored.first_seen, stored.last_seen) == (1764403200.123457, 1764403262.0)
    for run in ("r2", "r3"):  # read back and stored again (an update): the same microsecond each time
        store.put_article(ArticleState("a" * 40, "http://a.gov.cn/1.html", "c" * 40, "s", None, stored.first_seen, stored.last_seen, run))
        store.flush()
        again = store.get_article("a" * 40)
        assert again is not None and again.last_run == run and again.body_sha1 == "c" * 40
        assert (again.first_seen, again.last_seen) == (stored.first_seen, stored.last_seen)
    store.close()


def test_republication_within_a_run_is_found_in_the_buffers_without_sql(tmp_path: Path) -> None:
    store = SQLiteStateStore(tmp_path / "buffered.sqlite", background_writes=True, commit_every=2)
    queries: list[bytes] = []
    stored_body = store._stored_body
    store._stored_body = lambda blob: queries.append(blob) or stored_body(blob)  # type: ignore[method-assign]
    dedup = Deduplicator(store, run_id="r1")
    first = dedup.classify(url="http://www.mca.gov.cn/n/1.html", body="民政部召开会议。" * 20, site="mca")
    dedup.record(first)  # two writes: the batch goes to the background writer, its rows stay answerable
    again = dedup.classify(url="http://www.gov.cn/n/9.html", body="民政部召开会议。" * 20, site="gov")
    assert (again.kind, again.duplicate_of) == ("duplicate", first.id)
    assert queries == []
    store.close()
    reopened = SQLiteStateStore(tmp_path / "buffered.sqlite")
    assert reopened.lookup("0" * 40, first.body_sha1) == (None, first.id)  # and from the table once committed
    reopened.close()


def test_due_batch_keeps_buffering_while_the_writer_is_busy_then_waits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import crawler.state
    from crawler.state import ArticleState

    release = threading.Event()
    execute = crawler.state._execute_batch

    def slow_execute(db: sqlite3.Connection, statements: list) -> None:
        release.wait(10)
        execute(db, statements)

    monkeypatch.setattr(crawler.state, "_execute_batch", slow_execute)
    path = tmp_path / "behind.sqlite"
    store = SQLiteStateStore(path, background_writes=True, commit_every=10, commit_interval=3600)

    def put(n: int) -> None:
        digest = hashlib.sha1(str(n).encode()).hexdigest()
        store.put_article(ArticleState(digest, f"http://a.gov.cn/{n}.html", digest, "s", None, 1.0, 1.0, "r"))

    for n in range(10):
        put(n)  # the tenth write hands the batch to the writer, which is held
    assert store._writer is not None and store._writer.busy
    started = time.monotonic()
    for n in range(10, 21):
        put(n)  # due again from the tenth, but buffered on: up to a quarter of a batch more
    assert time.monotonic() - started < 1 and store._pending_writes == 11
    threading.Timer(0.3, release.set).start()
    started = time.monotonic()
    put(21)  # the twelfth: now the crawl waits for the writer
    assert time.monotonic() - started >= 0.25 and store._pending_writes == 0
    store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 22


def test_new_article_probes_the_filter_once_per_digest_and_a_rebuild_in_between_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    probes: list[str] = []
    for name in ("add_hex", "__contains__"):  # every add goes through add_hex
        method = getattr(DigestFilter, name)
        monkeypatch.setattr(
            DigestFilter, name, lambda self, digest, _m=method, _n=name: probes.append(_n) or _m(self, digest)
        )
    store = SQLiteStateStore(tmp_path / "probes.sqlite", background_writes=True)
    dedup = Deduplicator(store, run_id="r1")
    dedup.record(dedup.classify(url="http://www.mca.gov.cn/0.html", body="第零篇。" * 30, site="s"))  # builds the filter
    probes.clear()
    first = dedup.classify(url="http://www.mca.gov.cn/1.html", body="第一篇文章。" * 30, site="s")
    dedup.record(first)
    assert probes == ["add_hex", "add_hex"]  # id and body: added at the lookup, not probed again when stored
    second = dedup.classify(url="http://www.mca.gov.cn/2.html", body="第二篇文章。" * 30, site="s")
    store._filter = store._load_filter()  # rebuilt from the tables between lookup and record
    dedup.record(second)
    assert bytes.fromhex(second.id) in store._filter and bytes.fromhex(second.body_sha1) in store._filter
    store.close()


def test_pack_hex_packs_only_whole_sha1_hex_digests() -> None:
    from crawler.state import _pack_hex

    first, second = "ab" * 20, "0f" * 20
    assert _pack_hex([first, second]) == bytes.fromhex(first) + bytes.fromhex(second)
    assert _pack_hex([first, "ab" * 19]) is None  # too short
    assert _pack_hex([first, "zz" * 20]) is None  # not hex
    assert _pack_hex([first, "ab " * 10 + "ab" * 5]) is None  # 40 characters, but blanks fromhex() would skip


def test_a_batch_with_near_duplicate_bands_does_not_grow_past_its_size(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from crawler.state import ArticleState

    store = SQLiteStateStore(tmp_path / "bands.sqlite", background_writes=True, commit_every=10, commit_interval=3600)
    store.put_article(ArticleState("b" * 40, "http://a.gov.cn/1.html", "c" * 40, "s", None, 1.0, 1.0, "r"))
    writer, store._writer = store._writer, SimpleNamespace(busy=True)  # type: ignore[assignment]  # still committing
    store._pending_writes = 10
    assert store._writer_behind()  # a due batch of articles keeps buffering
    store._writer = writer
    store.put_signature("a" * 40, bytes(16), [1, 2])
    store._writer, store._pending_writes = SimpleNamespace(busy=True), 10  # type: ignore[assignment]
    assert not store._writer_behind()  # one with band rows goes to the writer (and waits for it)
    store._writer = writer
    store.close()


def synthetic_articles(count: int) -> list[tuple[str, str]]:
    rng = random.Random(11)
    bodies: list[str] = []
    stream = []
    for n in range(count):
        url = f"http://www.site{n % 3}.gov.cn/art/{n % 40}.html" + ("?utm_source=x&b=2&a=1" if n % 5 == 0 else "")
        if bodies and rng.random() < 0.2:
            body = rng.choice(bodies)
        else:
            body = f"第{n}号。Text ÄÖ 国务院" + "".join(rng.choice("的一是在不了有和人这中大") for _ in range(60))
            bodies.append(body)
        stream.append((url, body))
    return stream


def table_rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(path) as db:
        return {
            "articles": db.execute(
                "SELECT id, body_sha1, duplicate_of, site, last_run, canonical_url FROM articles ORDER BY id"
            ).fetchall(),
            "bodies": db.execute("SELECT body_sha1, id FROM bodies ORDER BY body_sha1").fetchall(),
        }


@pytest.mark.parametrize("commit_every", [1, 7, 50])
def test_background_writes_decide_and_store_exactly_as_synchronous_ones(tmp_path: Path, commit_every: int) -> None:
    stream = synthetic_articles(300)
    outcomes = {}
    for background in (False, True):
        path = tmp_path / f"{background}.sqlite"
        store = SQLiteStateStore(path, commit_every=commit_every, background_writes=background)
        dedup = Deduplicator(store, run_id="r1")
        decisions = []
        for url, body in stream:
            decision = dedup.classify(url=url, body=body, site="s")
            dedup.record(decision)
            decisions.append((decision.kind, decision.id, decision.duplicate_of))
        # A second run sees every record of the first, whichever layer it is in.
        second = Deduplicator(store, run_id="r2")
        decisions += [(d.kind, d.duplicate_of) for d in (second.classify(url=u, body=b, site="s") for u, b in stream)]
        store.close()
        outcomes[background] = (decisions, table_rows(path))
    assert outcomes[True] == outcomes[False]
    kinds = {kind for kind, *_ in outcomes[True][0]}
    assert {"new", "duplicate", "unchanged"} <= kinds


def test_background_batch_is_answered_from_memory_until_committed(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    store = SQLiteStateStore(path, commit_every=2, commit_interval=3600, background_writes=True)
    first = "a" * 40
    body = "b" * 40
    store.add_body(body, first)
    store.add_body("c" * 40, "d" * 40)  # second write hands the batch to the writer
    assert store.find_body(body) == first
    assert store.lookup("e" * 40, body) == (None, first)
    store.flush()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM bodies").fetchone()[0] == 2
    store.close()


def test_failed_background_commit_is_raised_not_lost(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    SQLiteStateStore(path).close()
    store = SQLiteStateStore(path, commit_every=1, lock_timeout=0.2, background_writes=True)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        store.add_body("a" * 40, "b" * 40)  # handed to the writer, which cannot get the lock
        with pytest.raises(StateStoreLocked, match="locked by another process"):
            store.flush()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    store.add_body("c" * 40, "d" * 40)
    store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM bodies").fetchone()[0] == 1


@pytest.mark.parametrize("sites", [("mca",), ("mca", "gov")])
def test_bulk_rows_with_one_site_and_run_or_several_store_what_row_by_row_statements_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sites: tuple[str, ...]
) -> None:
    """A chunk sharing one site and run passes them as parameters; a mixed one in its rows; both as executemany."""
    import crawler.state
    from crawler.state import ArticleState

    def digest(text: str) -> str:
        return hashlib.sha1(text.encode()).hexdigest()

    outcomes = {}
    for name in ("bulk", "rows"):
        if name == "rows":
            monkeypatch.setattr(crawler.state, "_NO_DIGEST_HEX", "0" * 38)
        path = tmp_path / f"{name}-{len(sites)}.sqlite"
        store = SQLiteStateStore(path, background_writes=True)
        for run in ("r1", "r2"):  # the second run updates every row
            for n in range(12):
                duplicate_of = digest("a0") if n % 4 == 3 else None
                store.put_article(
                    ArticleState(
                        digest(f"a{n}"), f"http://www.mca.gov.cn/{n}.html", digest(f"{run}-b{n}"),
                        sites[n % len(sites)], duplicate_of, 1764403200.5 + n, 1764403200.5 + n + (run == "r2"), run,
                    )
                )
            store.flush()
        store.close()
        monkeypatch.undo()
        with sqlite3.connect(path) as db:
            times = db.execute("SELECT hex(id), first_seen, last_seen FROM articles ORDER BY id").fetchall()
        outcomes[name] = (table_rows(path), times)
    assert outcomes["bulk"] == outcomes["rows"]
    articles = outcomes["bulk"][0]["articles"]
    assert len(articles) == 12 and {row[4] for row in articles} == {"r2"} and {row[3] for row in articles} == set(sites)
    assert sum(row[2] == bytes.fromhex(digest("a0")) for row in articles) == 3  # duplicate_of read from its packed blob
    assert sum(row[2] is None for row in articles) == 9
    assert all(last == first + 1 for _, first, last in outcomes["bulk"][1])  # first seen kept, last seen updated



@pytest.mark.parametrize("bulk_rows", [7, 5000])
def test_chunked_bulk_upserts_store_what_row_by_row_statements_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bulk_rows: int
) -> None:
    """Two runs (the second updates every article) through bulk statements of any size and through plain ones."""
    import crawler.state

    stream = synthetic_articles(300)  # 120 distinct canonical URLs, each seen more than once per run
    outcomes = {}
    for name, memory_filter, background in (("bulk", True, True), ("bulk-no-filter", False, True), ("rows", False, False)):
        monkeypatch.setattr(crawler.state, "_BULK_ROWS", bulk_rows)
        if name == "rows":  # digests that are not 20 bytes take the executemany statements
            monkeypatch.setattr(crawler.state, "_NO_DIGEST_HEX", "0" * 38)
        path = tmp_path / f"{name}-{bulk_rows}.sqlite"
        store = SQLiteStateStore(path, commit_every=33, memory_filter=memory_filter, background_writes=background)
        for run in ("r1", "r2"):
            dedup = Deduplicator(store, run_id=run)
            for url, body in stream:
                dedup.record(dedup.classify(url=url, body=body, site="s"))
        store.close()
        monkeypatch.undo()
        rows = table_rows(path)
        ids = [row[0] for row in rows["articles"]]
        assert len(ids) == len(set(ids)) == 120  # one row per canonical URL, never a duplicate row
        assert {row[4] for row in rows["articles"]} == {"r2"}
        outcomes[name] = rows
    assert outcomes["bulk"] == outcomes["bulk-no-filter"] == outcomes["rows"]


def test_a_decision_built_with_six_fields_has_every_other_at_its_default() -> None:
    import dataclasses

    from pipelines.dedup import Decision

    first = Decision("new", "a" * 40, "http://www.mca.gov.cn/1.html", "b" * 40, "http://www.mca.gov.cn/1.html", "mca")
    second = Decision("new", "a" * 40, "http://www.mca.gov.cn/1.html", "b" * 40, "http://www.mca.gov.cn/1.html", "mca")
    for field in dataclasses.fields(Decision):
        if field.default is not dataclasses.MISSING:
            assert getattr(first, field.name) == field.default, field.name
    assert first == second
    first.emit, first.duplicate_of, first.band_keys = True, "c" * 40, [1, 2]
    assert (second.emit, second.duplicate_of, second.band_keys) == (False, None, None)  # set on the instance only
    assert first != second and "duplicate_of='" + "c" * 40 in repr(first)


def test_a_batch_with_band_rows_ends_at_half_size_and_the_next_one_at_full_size(tmp_path: Path) -> None:
    from crawler.state import ArticleState

    path = tmp_path / "half.sqlite"
    store = SQLiteStateStore(path, commit_every=40, commit_interval=3600)
    other = sqlite3.connect(path)

    def committed(table: str) -> int:
        return other.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]

    for n in range(3):  # a signature and 8 band rows: 9 writes each
        store.put_signature(f"{n:040x}", bytes(16), [n * 10 + band for band in range(8)])
        assert committed("signatures") == (0 if n < 2 else 3)  # 27 writes: past half of 40
    for n in range(40):  # a batch without band rows runs to the full 40 writes again
        store.record_article(ArticleState(f"{n:040x}", f"http://www.mca.gov.cn/{n}.html", "b" * 40, "s", None, 1.0, 1.0, "r"), False)
        assert committed("articles") == (0 if n < 39 else 40)
    store.close()
    other.close()


def test_a_batch_stores_its_articles_and_bodies_in_digest_order(tmp_path: Path) -> None:
    from crawler.state import ArticleState

    path = tmp_path / "order.sqlite"
    store = SQLiteStateStore(path, background_writes=True)
    digests = [hashlib.sha1(f"{n}".encode()).hexdigest() for n in range(300)]
    bodies = [hashlib.sha1(f"body {n}".encode()).hexdigest() for n in range(300)]
    for n in random.Random(5).sample(range(300), 300):  # arrival order: random
        store.record_article(ArticleState(digests[n], f"http://a.gov.cn/{n}.html", bodies[n], "s", None, 1.0, 2.0, "r"), True)
    store.close()
    with sqlite3.connect(path) as db:
        ids = [row[0].hex() for row in db.execute("SELECT id FROM articles ORDER BY rowid")]
        stored_bodies = [(row[0].hex(), row[1].hex()) for row in db.execute("SELECT body_sha1, id FROM bodies ORDER BY rowid")]
        urls = dict((row[0].hex(), row[1]) for row in db.execute("SELECT id, canonical_url FROM articles"))
    assert ids == sorted(digests)  # one batch: appended in key order, so the key index is walked once
    assert stored_bodies == sorted(zip(bodies, digests))  # each body with its own article
    assert urls == {digests[n]: f"http://a.gov.cn/{n}.html" for n in range(300)}  # each row with its own columns
