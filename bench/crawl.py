"""Crawl throughput: the project's full default stack against a bare crawl.

Generates a loopback news site (default 2,000 article pages of ~30 KB plus
their list pages), serves it with the sample site's Twisted proxy, and
crawls it three times in this one run:

- floor: plain Scrapy following the same links and doing nothing else
  (``bench/floor_spider.py``), the ceiling any crawler here can reach;
- bare: the project's spider (link rules + extraction) with no item
  pipelines and none of the project's middlewares;
- full: everything the project enables by default.

Prints pages/s for each and the ratios full/bare and full/floor. Usage: ``python bench/crawl.py [--pages N]``.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sample.demo import crawl_env, sample_site  # noqa: E402

HOST = "www.bench.gov.cn"
SECTION = "/xwzx/gzdt/"
PER_LIST = 20
WORDS = (
    "民政部 召开 全国 养老服务 工作 会议 部署 推进 基本 公共服务 体系 建设 要求 各地 "
    "进一步 加强 社会救助 兜底保障 城乡 低保 特困人员 供养 儿童福利 未成年人 保护 "
    "社区 治理 志愿服务 慈善事业 发展 残疾人 福利 殡葬 改革 婚姻 登记 行政区划 地名 管理"
).split()


def article_html(number: int, rng: random.Random, target_bytes: int) -> str:
    title = "".join(rng.choice(WORDS) for _ in range(8))
    paragraphs = []
    size = 0
    while size < target_bytes:
        sentence = "，".join("".join(rng.choice(WORDS) for _ in range(5)) for _ in range(4)) + "。"
        paragraphs.append(f"<p>{sentence * 3}</p>")
        size += len(paragraphs[-1].encode("utf-8"))
    return (
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
        f"<meta name=\"ArticleTitle\" content=\"{title}\"><meta name=\"PubDate\" content=\"2023-12-19 10:30\">"
        f"<meta name=\"ContentSource\" content=\"中国社会报\"><title>{title}_基准测试部</title></head><body>"
        "<div class=\"nav\">首页 &gt; 新闻中心 &gt; 工作动态</div>"
        f"<h1>{title}</h1><div class=\"info\">发布时间：2023-12-19 10:30 来源：中国社会报</div>"
        f"<div id=\"zoom\">{''.join(paragraphs)}</div>"
        "<div class=\"footer\">网站标识码 bm00000000 京ICP备00000000号</div></body></html>"
    )


def list_html(page: int, pages: int, numbers: list[int]) -> str:
    items = "".join(
        f"<li><a href=\"{SECTION}202312/t20231219_{n}.html\">基准测试文章 {n} 标题文字</a><span>2023-12-19</span></li>" for n in numbers
    )
    next_link = f"<a href=\"index_{page + 1}.html\">下一页</a>" if page + 1 < pages else ""
    return f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>工作动态</title></head><body><ul>{items}</ul>{next_link}</body></html>"


def generate_site(site_dir: Path, pages: int, page_bytes: int) -> None:
    rng = random.Random(42)
    section = site_dir / HOST / SECTION.strip("/")
    (section / "202312").mkdir(parents=True)
    (site_dir / HOST / "robots.txt").write_text("User-agent: *\nDisallow:\n")
    list_count = (pages + PER_LIST - 1) // PER_LIST
    for list_page in range(list_count):
        numbers = list(range(list_page * PER_LIST, min(pages, (list_page + 1) * PER_LIST)))
        name = "index.html" if list_page == 0 else f"index_{list_page}.html"
        (section / name).write_text(list_html(list_page, list_count, numbers), encoding="utf-8")
    for number in range(pages):
        (section / "202312" / f"t20231219_{number}.html").write_text(article_html(number, rng, page_bytes), encoding="utf-8")
    (site_dir / "bench.toml").write_text(
        f'name = "bench"\nsite_name = "基准测试部"\nallowed_domains = ["{HOST}"]\n'
        f'start_urls = ["http://{HOST}{SECTION}index.html"]\nlanguage = "zh"\n',
        encoding="utf-8",
    )


def crawl_floor(proxy_url: str, out_dir: Path) -> dict:
    stats_file = out_dir / "stats.json"
    out_dir.mkdir(parents=True)
    script = (
        "import json, sys, time\n"
        "from scrapy.crawler import CrawlerProcess\n"
        "sys.path.insert(0, 'bench')\n"
        "from floor_spider import FloorSpider\n"
        "process = CrawlerProcess({'LOG_LEVEL': 'WARNING', 'CONCURRENT_REQUESTS': 16, 'CONCURRENT_REQUESTS_PER_DOMAIN': 16, "
        "'ROBOTSTXT_OBEY': True, 'TELNETCONSOLE_ENABLED': False})\n"
        "crawler = process.create_crawler(FloorSpider)\n"
        f"process.crawl(crawler, start_url='http://{HOST}{SECTION}index.html')\n"
        "process.start()\n"
        "stats = crawler.stats.get_stats()\n"
        f"json.dump({{'pages': stats['downloader/response_count'], 'seconds': stats['elapsed_time_seconds']}}, open({str(stats_file)!r}, 'w'))\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=crawl_env(proxy_url), check=True)
    result = json.loads(stats_file.read_text())
    return {**result, "pages_per_s": result["pages"] / result["seconds"], "records": 0}


def crawl(proxy_url: str, site_dir: Path, out_dir: Path, bare: bool) -> dict:
    settings = {
        "OUTPUT_DIR": str(out_dir),
        "AUTOTHROTTLE_ENABLED": "False",
        "DOWNLOAD_DELAY": "0",
        "CONCURRENT_REQUESTS": "16",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
        "LOG_LEVEL": "WARNING",
    }
    if bare:
        settings |= {"ITEM_PIPELINES": "{}", "DOWNLOADER_MIDDLEWARES": "{}", "SPIDER_MIDDLEWARES": "{}"}
    command = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"seed={site_dir / 'bench.toml'}"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    subprocess.run(command, cwd=ROOT, env=crawl_env(proxy_url), check=True)
    (manifest_path,) = (out_dir / "runs").glob("*.json")
    manifest = json.loads(manifest_path.read_text("utf-8"))
    pages = manifest["counts"]["responses"]
    return {"pages": pages, "seconds": manifest["duration_seconds"], "pages_per_s": pages / manifest["duration_seconds"], "records": manifest["counts"]["records_written"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--page-bytes", type=int, default=30_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
        tmp_path = Path(tmp)
        started = time.monotonic()
        generate_site(tmp_path / "site", args.pages, args.page_bytes)
        print(f"generated {args.pages} articles of ~{args.page_bytes // 1000} KB in {time.monotonic() - started:.1f}s")
        with sample_site(site_dir=tmp_path / "site") as proxy_url:
            floor = crawl_floor(proxy_url, tmp_path / "floor")
            bare = crawl(proxy_url, tmp_path / "site", tmp_path / "bare", bare=True)
            full = crawl(proxy_url, tmp_path / "site", tmp_path / "full", bare=False)
    for name, result in (("floor", floor), ("bare", bare), ("full", full)):
        print(f"{name:5} {result['pages']:6d} pages in {result['seconds']:7.2f}s  {result['pages_per_s']:7.1f} pages/s  records={result['records']}")
    print(f"full/bare throughput ratio: {full['pages_per_s'] / bare['pages_per_s']:.2f}")
    print(f"full/floor throughput ratio: {full['pages_per_s'] / floor['pages_per_s']:.2f}")


if __name__ == "__main__":
    main()
