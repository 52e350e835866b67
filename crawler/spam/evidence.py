"""Is a hidden block (or a cluster of links) an injected unit? Judged by what it is.

Hiding alone proves nothing: ministry pages hide drop-down menus, skip links,
screen-reader labels, print-only footers and share widgets.  Injectors rotate
brand names every week, so the lexicon alone misses new ones.  What injected
units share is their *nature*: links to off-site hosts that are neither
government nor a known medium or service, link-dense blocks of such links,
host names shaped like gambling brands (digit runs on a commercial top-level
domain), and the register of advertising (calls to action, contact details,
bonus amounts, domains written out in the text).  ``hidden_unit_is_spam``
combines them; crawler/spam/dom.py applies it to what crawler/spam/css.py
finds hidden, together with the lexicon.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.spam.features import CONTACT_RE

DATA = Path(__file__).parent / "data"
TRUSTED_HOSTS_FILE = DATA / "trusted_hosts.txt"

ABSOLUTE_HOST_RE = re.compile(r"^\s*(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//(?:[^/?#@]*@)?([^/?#:\s]+)")
GOVERNMENT_HOST_RE = re.compile(r"(?:^|\.)(?:gov\.cn|edu\.cn|gov|mil\.cn|org\.cn|ac\.cn)$")
# A registrable label with a run of two or more digits, or a cheap top-level
# domain: the shape of rotating gambling and porn brand domains (jl8899.com,
# hy-2288.net, 96aa.top).  Not on .cn: 12371.cn and 12306.cn are national services.
_DIGIT_BRAND_RE = re.compile(r"(?:^|\.)[a-z-]*\d{2,}[a-z0-9-]*\.(?:com|net|cc|vip|top|xyz|me|tv|la|ws|club|live|site|online|fun|pw|asia|biz|co|info|app|bet|win|games?)$")
_CHEAP_TLD_RE = re.compile(r"\.(?:vip|top|xyz|club|live|site|online|fun|pw|bet|win|casino|games?|cc)$")

# The register of advertising, independent of brand names.
_CALL_TO_ACTION_RE = re.compile(
    r"注册|开户|充值|首充|首存|存款|提款|提现|出款|秒到|到账|领取|彩金|返水|返利|优惠活动|赠送|免费试玩|试玩|"
    r"点击进入|立即(?:进入|加入|体验|注册|下载)|认准|官方入口|下载(?:app|APP)|(?:app|APP)下载|扫码(?:进群|下载|领取)|"
    r"日赚|稳赚|包赢|必中|代理招募|招代理|诚招|私聊|客服在线|24小时在线|"
    r"sign up|register now|join now|deposit|withdraw|free spins|bonus|promo code|click here|play now",
    re.IGNORECASE,
)
# An amount *offered* (送58, 返10%, 10倍, ¥88): not the classifier's AMOUNT_RE
# (crawler/spam/features.py), which reads any sum of money, a budget report's 493亿元 too.
_OFFER_RE = re.compile(r"(?:送|赠|返|领|赚|奖)\s*\d+(?:\.\d+)?\s*(?:元|%|倍|万)?|[¥￥$]\s*\d+|\d+\s*%\s*(?:返|回馈|加赠)|\d+倍")
_WRITTEN_DOMAIN_RE = re.compile(r"(?:https?://)?((?:www\.|m\.)?[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|net|cc|vip|top|xyz|me|tv|club|live|site|online|fun|app|bet|win|info|co))\b", re.IGNORECASE)
_PROMO_PUNCTUATION_RE = re.compile(r"[！!]{2,}|【|】|★|☆|✔|✅|🔥|💰|🎁|👉|➡|→")


@lru_cache(maxsize=1)
def trusted_hosts(path: Path = TRUSTED_HOSTS_FILE) -> frozenset[str]:
    """The shipped list of trusted off-site hosts (read once per process)."""
    hosts = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip().lower()
        if line:
            hosts.add(line)
    return frozenset(hosts)


def host_of(href: str) -> str:
    """Host of an absolute link, lower-cased; "" for relative and non-web links."""
    match = ABSOLUTE_HOST_RE.match(href or "")
    return match.group(1).lower().rstrip(".") if match else ""


@lru_cache(maxsize=4096)
def is_trusted_host(host: str) -> bool:
    """Government, education or a listed medium/service: its links are not spam evidence."""
    if not host or GOVERNMENT_HOST_RE.search(host):
        return True
    trusted = trusted_hosts()
    parts = host.split(".")
    return any(".".join(parts[i:]) in trusted for i in range(len(parts) - 1))


@lru_cache(maxsize=4096)
def is_brand_shaped(host: str) -> bool:
    """A host shaped like a rotating gambling/porn brand domain."""
    return bool(host) and not is_trusted_host(host) and bool(_DIGIT_BRAND_RE.search(host) or _CHEAP_TLD_RE.search(host))


def is_share_link(href: str, own_host: str) -> bool:
    """A share-service link: it carries the page's own address in its query."""
    try:
        query = urlsplit(href).query.lower()
    except ValueError:
        return False
    return bool(own_host) and own_host in query


def solicitation_kinds(text: str, *, is_foreign: Callable[[str], bool] = lambda host: True) -> set[str]:
    """Which marks of advertising ``text`` carries: call to action, contact, amount,
    a foreign domain written out, promotional punctuation."""
    kinds = set()
    if _CALL_TO_ACTION_RE.search(text):
        kinds.add("call-to-action")
    if CONTACT_RE.search(text.casefold()):
        kinds.add("contact")
    if _OFFER_RE.search(text):
        kinds.add("amount")
    if any(is_foreign(match.lower()) and not is_trusted_host(match.lower()) for match in _WRITTEN_DOMAIN_RE.findall(text)):
        kinds.add("domain")
    if _PROMO_PUNCTUATION_RE.search(text):
        kinds.add("promotion")
    return kinds


# Anchors that name an institution (中华慈善总会, 中国社会工作联合会, 人民网): the
# related-sites lists ministries hide in drop-down menus.
_INSTITUTION_RE = re.compile(
    r"(?:部|局|委|厅|署|办|院|所|校|会|社|报|台|馆|网|中心|大学|学院|协会|学会|基金会|联合会|研究会|政府|"
    r"ministry|association|foundation|university|institute|council|commission|centre|center|society|federation|agency)$",
    re.IGNORECASE,
)


@dataclass
class LinkFacts:
    """The links of one block: foreign (off-site, untrusted, not share) hosts and link density."""

    links: int = 0
    foreign_hosts: list[str] = field(default_factory=list)
    link_chars: int = 0
    institution_anchors: int = 0  # foreign links whose anchor names an institution

    @property
    def distinct_foreign(self) -> int:
        return len(set(self.foreign_hosts))

    @property
    def brand_shaped(self) -> int:
        return sum(1 for host in set(self.foreign_hosts) if is_brand_shaped(host))


def link_facts(links: Iterable[Any], own_host: str, is_offsite: Callable[[str], bool]) -> LinkFacts:
    facts = LinkFacts()
    for link in links:
        facts.links += 1
        href = link.get("href") or ""
        facts.link_chars += len("".join(link.itertext()).strip())
        host = host_of(href)
        if host and is_offsite(host) and not is_trusted_host(host) and not is_share_link(href, own_host):
            facts.foreign_hosts.append(host)
            anchor = "".join(link.itertext()).strip()
            if _INSTITUTION_RE.search(anchor) and not is_brand_shaped(host):
                facts.institution_anchors += 1
    return facts


def hidden_unit_is_spam(text: str, facts: LinkFacts, *, is_foreign: Callable[[str], bool]) -> str | None:
    """The evidence that makes a hidden block an injection, or None (legitimate hiding).

    * ``foreign-links``: two or more foreign hosts in a link-dense block (a hidden link farm);
    * ``foreign-link+advert``: a foreign link with any mark of advertising;
    * ``brand-domain``: a link to a host shaped like a brand domain;
    * ``advert``: two or more marks of advertising (call to action, contact, amount, domain).
    """
    characters = len(re.sub(r"\s+", "", text))
    density = facts.link_chars / characters if characters else 1.0
    kinds = solicitation_kinds(text, is_foreign=is_foreign)
    # A list of related institutions' sites is not a farm, however it is hidden.
    institutions = facts.institution_anchors * 2 > len(facts.foreign_hosts)
    if facts.distinct_foreign >= 2 and density >= 0.5 and not institutions:
        return "foreign-links"
    if facts.brand_shaped:
        return "brand-domain"
    if facts.foreign_hosts and kinds:
        return "foreign-link+advert"
    if len(kinds - {"promotion"}) >= 2:
        return "advert"
    return None


def is_link_farm(facts: LinkFacts, other_chars: int) -> bool:
    """A visible cluster of links that is an injected farm even with unknown anchors:
    three or more foreign hosts, most of them brand-shaped, little text besides."""
    return facts.distinct_foreign >= 3 and facts.brand_shaped * 2 >= facts.distinct_foreign and other_chars <= 8 + facts.links


_SIGNIFICANT_RE = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff]")


def farm_hosts(root: Any, link_hosts: Iterable[str], own_host: str, is_offsite: Callable[[str], bool]) -> set[str]:
    """Brand-shaped foreign hosts linked from a block that, by its links alone, is a farm."""
    shaped = {host for host in link_hosts if is_brand_shaped(host) and is_offsite(host)}
    if len(shaped) < 2:
        return set()
    containers: dict[Any, None] = {}
    for link in root.iter("a"):
        if host_of(link.get("href") or "") in shaped:
            container = link.getparent()
            while container is not None and container.tag in {"li", "span", "font", "b", "strong", "em"}:
                container = container.getparent()
            if container is not None:
                containers[container] = None
    found: set[str] = set()
    for container in containers:
        facts = link_facts(container.iter("a"), own_host, is_offsite)
        anchors = sum(len(_SIGNIFICANT_RE.findall("".join(a.itertext()))) for a in container.iter("a"))
        other = len(_SIGNIFICANT_RE.findall("".join(container.itertext()))) - anchors
        if is_link_farm(facts, other):
            found.update(host for host in facts.foreign_hosts if is_brand_shaped(host))
    return found
