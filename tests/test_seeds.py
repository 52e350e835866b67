from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler.seeds import SeedError, load_seed
from crawler.spiderloader import SeedSpiderLoader

ROOT = Path(__file__).resolve().parent.parent
GOOD = """
name = "demo"
site_name = "示例部"
allowed_domains = ["www.example.gov.cn"]
start_urls = ["http://www.example.gov.cn/xw/"]
language = "zh"
article_patterns = ['/t\\d{8}_\\d+\\.html$']
"""


def write(tmp_path: Path, text: str, name: str = "demo.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_seed_loads(tmp_path):
    seed = load_seed(write(tmp_path, GOOD))
    assert seed.name == "demo"
    assert seed.allowed_domains == ("www.example.gov.cn",)
    assert seed.article_patterns[0].search("/202312/t20231219_1.html")
    assert seed.list_patterns == ()
    assert seed.allows_host("www.example.gov.cn") and not seed.allows_host("example.gov.cn.evil.com")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda t: t.replace('site_name = "示例部"\n', ""), "site_name", "missing"),
        (lambda t: t + 'colour = "red"\n', "colour", "unknown key"),
        (lambda t: t.replace("'/t\\d{8}_\\d+\\.html$'", "'/t(\\d{8}'"), "article_patterns", "bad regular expression"),
        (lambda t: t.replace("http://www.example.gov.cn/xw/", "http://www.other.gov.cn/xw/"), "start_urls", "outside allowed_domains"),
        (lambda t: t.replace('language = "zh"', 'language = "fr"'), "language", "not one of"),
        (lambda t: t.replace('allowed_domains = ["www.example.gov.cn"]', "allowed_domains = []"), "allowed_domains", "non-empty"),
        (lambda t: t.replace('name = "demo"', 'name = "Demo Site"'), "name", "lower-case"),
        (lambda t: t.replace("http://www.example.gov.cn/xw/", "www.example.gov.cn/xw/"), "start_urls", "absolute"),
    ],
)
def test_bad_seed_is_refused_naming_file_and_field(tmp_path, change, field, words):
    path = write(tmp_path, change(GOOD))
    with pytest.raises(SeedError) as info:
        load_seed(path)
    message = str(info.value)
    assert str(path) in message
    assert f"field '{field}'" in message
    assert words in message


def test_toml_syntax_error_names_file(tmp_path):
    path = write(tmp_path, GOOD + "name = \n")
    with pytest.raises(SeedError, match=r"demo\.toml: file: TOML syntax error"):
        load_seed(path)


def test_every_shipped_seed_is_valid_and_a_spider():
    shipped = sorted((ROOT / "seeds").glob("*.toml"))
    assert len(shipped) >= 5
    names = {load_seed(p).name for p in shipped}
    loader = SeedSpiderLoader(Settings({"SEEDS_DIR": str(ROOT / "seeds")}))
    assert set(loader.list()) == names | {"news"}
    assert {load_seed(p).language for p in shipped} >= {"zh", "en"}
    mca = loader.load("mca")
    assert mca.seed.site_name == "中华人民共和国民政部"


def test_loader_keeps_good_seeds_and_refuses_the_bad_one(tmp_path):
    write(tmp_path, GOOD)
    write(tmp_path, GOOD.replace('name = "demo"', 'name = "broken"') + "oops = 1\n", "broken.toml")
    loader = SeedSpiderLoader(Settings({"SEEDS_DIR": str(tmp_path)}))
    assert loader.list() == ["demo", "news"]
    with pytest.raises(SeedError, match="oops"):
        loader.load("broken")
    with pytest.raises(KeyError):
        loader.load("nothing")


@pytest.mark.e2e
def test_scrapy_list_prints_one_spider_per_seed():
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    listed = result.stdout.split()
    assert {"mca", "gov", "mohrss", "mee", "gov_en", "news"} <= set(listed)
