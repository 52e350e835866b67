"""What the spam classifier reads: a normalised text for its n-grams, and register features.

Solicitation is recognised by *how* a text is written as much as by its words:
calls to action (注册, 领取, 认准, 加微信, 秒到账 …), contact details, money and
bonus amounts, URLs and domain shapes, exclamation marks and emoji, and the
disguises injectors use against keyword filters (separators or zero-width
characters between characters, Latin look-alikes, traditional characters).
Lexicon hits are one feature among these.
"""

from __future__ import annotations

import re

from crawler.spam.lexicon import (
    CJK,
    SEPARATOR_CLASS,
    ZERO_WIDTH,
    Lexicon,
    is_government_domain,
    screen_regexes,
    strip_separators,
    trie_regex,
)

_ZERO_WIDTH_RE = re.compile(f"[{ZERO_WIDTH}]")
# A separator (or two) between two Chinese characters: 澳*门, 百 家 乐.
_CJK_GAP_RE = re.compile(f"(?<=[{CJK}]){SEPARATOR_CLASS}{{1,2}}(?=[{CJK}])")
_DIGITS_RE = re.compile(r"[0-9]")
_SPACES_RE = re.compile(r"\s+")
_SYMBOL = "◎"

_ENGLISH = " // "  # where the English phrases of a word list begin
CALLS_TO_ACTION = (
    "注册 领取 认准 加微 加v 微信 秒到 到账 点击 下载 官网 网址 扫码 客服 私聊 入口 试玩 立即 马上 火速 速来 上车 咨询 "
    "戳我 名额 先到先得 一键 体验 找我 联系 带单" + _ENGLISH + "sign up|join|click|register|claim|order now|download|visit|whatsapp|"
    "telegram|apply|get started|contact us"
)
BONUSES = "返水 返利 彩金 红包 首存 日赚 月入 翻倍 免费" + _ENGLISH + "bonus|free spins|double|cash|rebate"
CLAIMS = (
    "稳赚 必中 包过 可查 不看征信 秒批 下款 无需 私密 正品 信誉 靠谱 最高 全网 百分百 保证 无忧" + _ENGLISH +
    "guarantee|guaranteed|instant|best|cheap|discreet|no credit|no prescription|24/7|vip|hot"
)
# Promises, urgency, speed and the reader addressed: how any advert sells, whatever the product.
PROMISES = (
    "退款 退全款 不收费 满意 保密 无风险 包邮 见效 回本 稳拿 放心" + _ENGLISH +
    "money back|no fee|guaranteed|risk-free|satisfied|no questions asked|discreet"
)
URGENCY = (
    "限时 名额 仅剩 最后 截止 先到先得 今晚 仅限 抢购 赶紧 手慢无" + _ENGLISH +
    "limited|only|last chance|today|now|hurry|tonight|while"
)
SPEEDS = (
    "分钟 秒级 当天 当日 小时内 即刻 随时 极速 快速 三天 七天" + _ENGLISH +
    "minutes|instant|instantly|same day|within the hour|fast|quick|in seconds"
)
AUDIENCE = (
    "你 您 新人 新会员 会员 老用户 首单 首次 好友 亲" + _ENGLISH +
    "you|your|members|newcomer|newcomers|friends"
)
SUPERLATIVES = (
    "最高 最大 最好 最旺 最全 最专业 最受欢迎 顶级 独家 一站式 应有尽有 新一代 首选 第一 王牌" + _ENGLISH +
    "best|top|leading|number one|exclusive|all in one|hottest|largest|most trusted|premium"
)
OFFICIALS = (
    "会议 部署 工作 推进 落实 要求 强调 指出 有关 依法 部门 机关 政府 办公厅 通知 意见 规定 条例 同比 增长 公安 警方 打击 "
    "查处 破获 抓获 犯罪 案件 提醒 公益 责任 管理 服务 保障 群众 社会 发展 锦标赛 比赛 运动员 棋手" + _ENGLISH +
    "ministry|government|official|officials|meeting|police|percent|year on year|said|province|policy|policies|"
    "service|services|crackdown|cases"
)


def _words(spec: str) -> list[str]:
    """Chinese words separated by spaces, then English phrases (which hold spaces) separated by ``|``."""
    chinese, _, english = spec.partition(_ENGLISH)
    return chinese.split() + english.split("|")


CALL_TO_ACTION_RE = trie_regex(_words(CALLS_TO_ACTION), separators=False)
BONUS_WORDS_RE = trie_regex(_words(BONUSES), separators=False)
BONUS_RE = re.compile(r"送\s*[0-9]+|充\s*[0-9]+|[0-9]+\s*(?:%|折)")
CLAIM_RE = trie_regex(_words(CLAIMS), separators=False)
OFFICIAL_RE = trie_regex(_words(OFFICIALS), separators=False)
PROMISE_RE = trie_regex(_words(PROMISES), separators=False)
URGENCY_RE = trie_regex(_words(URGENCY), separators=False)
SPEED_RE = trie_regex(_words(SPEEDS), separators=False)
AUDIENCE_RE = trie_regex(_words(AUDIENCE), separators=False)
SUPERLATIVE_RE = trie_regex(_words(SUPERLATIVES), separators=False)
_ADVERT_WORD_LISTS = (CALL_TO_ACTION_RE, BONUS_WORDS_RE, CLAIM_RE, PROMISE_RE, URGENCY_RE, SPEED_RE, AUDIENCE_RE, SUPERLATIVE_RE)
ADVERT_WORD_SCREENS = screen_regexes(
    [word for spec in (CALLS_TO_ACTION, BONUSES, CLAIMS, PROMISES, URGENCY, SPEEDS, AUDIENCE, SUPERLATIVES) for word in _words(spec)],
    separators=False,
)
# A contact handle or number, in lower-case text (the classifier's contact feature, and a
# mark of advertising in crawler/spam/evidence.py).
CONTACT_RE = re.compile(
    # Homophones injectors write to dodge filters: 薇信, 扣扣 (QQ), 企鹅, 纸飞机 (Telegram) …
    r"(?:微信|薇信|徽信|威信|v信|vx|wx|加v|加微|加薇|客服v|qq|扣扣|企鹅|tg|飞机|纸飞机|电报|whatsapp|telegram)"
    r"\s*(?:号|群)?\s*[:：@]?\s*@?[a-z0-9_]{3,}|"
    r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])|\+[0-9]{2,3}\s?[0-9]{6,}|@[a-z][a-z0-9_]{2,}"
)
AMOUNT_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?\s*(?:万|亿)?\s*(?:元|块|\$|usdt|u\b)|\$\s*[0-9]+")
# What every URL_RE match holds: a letter after a dot that follows a host character.
_URL_HINT_RE = re.compile(r"[a-z0-9-]\.[a-z]")
URL_RE = re.compile(r"(?:https?://|www\.)?[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:[a-z]{2,6})(?![a-z])")
_EXCLAIM_RE = re.compile("[!！]")
_BRACKET_RE = re.compile("[【】〖〗]")
# A quoted name (所谓“稳赚计划”) is reported on, not advertised.
_QUOTED_RE = re.compile("[“「『\"][^”」』\"]{1,20}[”」』\"]")
_SYMBOLS = "\u2190-\u21ff\u2300-\u23ff\u2460-\u24ff\u25a0-\u27bf\u2900-\u297f\u2b00-\u2bff\U0001f000-\U0001faff"
_SYMBOL_RE = re.compile(f"[{_SYMBOLS}]+")
_LATIN_RE = re.compile("[a-z]")
_HOMOGLYPH_RE = re.compile("[аеорсухіјѕкмтвнАВЕКМНОРСТХαονικρτυΑΒΕΙΚΜΝΟΡΤΧ]")
FEATURE_NAMES = (
    "call_to_action", "contact", "bonus", "amount", "url", "non_government_domain", "spam_domain", "claim",
    "official", "exclamation", "emoji", "brackets", "separated_cjk", "zero_width", "lookalike", "traditional",
    "lexicon", "short", "official_full_stop", "digits", "promise", "urgency", "speed", "audience",
    "superlative", "quoted",
)


def prepare(text: str, lexicon: Lexicon) -> tuple[str, str, str]:
    """(text without zero-width characters, its fold, the fold with separators between Chinese characters removed)."""
    raw = _ZERO_WIDTH_RE.sub("", text) if not text.isascii() else text
    folded = lexicon.fold(raw)
    return raw, folded, _CJK_GAP_RE.sub("", folded) if not folded.isascii() else folded


def normalise(text: str, lexicon: Lexicon, prepared: tuple[str, str, str] | None = None) -> str:
    """The text the n-grams are read from: folded, disguises undone, digits as 0, symbols as one mark."""
    joined = (prepared or prepare(text, lexicon))[2]
    joined = _DIGITS_RE.sub("0", joined)
    if not joined.isascii():
        joined = _SYMBOL_RE.sub(_SYMBOL, joined)
    return _SPACES_RE.sub(" ", joined).strip()


def register_features(text: str, lexicon: Lexicon, prepared: tuple[str, str, str] | None = None) -> list[float]:
    """The features in FEATURE_NAMES order, each in [0, 1]."""
    raw, folded, joined = prepared or prepare(text, lexicon)
    # One scan for all the advert word lists; most news sentences hold none of their words,
    # and then every one of their counts is 0 (any word a list finds, the union finds).
    if Lexicon.holds(joined, ADVERT_WORD_SCREENS):
        call_to_action, bonus_words, claim, promise, urgency, speed, audience, superlative = (
            len(pattern.findall(joined)) for pattern in _ADVERT_WORD_LISTS)
    else:
        call_to_action = bonus_words = claim = promise = urgency = speed = audience = superlative = 0
    bonus = bonus_words + len(BONUS_RE.findall(joined))
    # URL_RE backtracks through every word of an English sentence; most hold no dotted host.
    hosts = [m.group() for m in URL_RE.finditer(joined)] if _URL_HINT_RE.search(joined) else []
    non_government = [h for h in hosts if not is_government_domain(h) and _LATIN_RE.search(h.rsplit(".", 1)[0])]
    spam_domain = any(p.search(" " + h + " ") for h in non_government for p in lexicon.domain_patterns)
    strong = weak = 0
    seeds = lexicon.seed_re.finditer(joined) if lexicon.holds(joined, lexicon.seed_screens) else ()
    for match in seeds:
        term = lexicon.terms.get(strip_separators(match.group()))
        if term is None or (lexicon.allow_re is not None and _inside_allowed(joined, match.start(), match.end(), lexicon)):
            continue
        strong += term.kind == "strong"
        weak += term.kind == "weak"
    length = max(len(joined), 1)
    digits = len(_DIGITS_RE.findall(joined)) if not joined.isalpha() else 0
    traditional = 0
    if raw != folded and not raw.isascii():
        traditional = sum(1 for a, b in zip(raw, folded) if a != b and "\u4e00" <= b <= "\u9fff")
    return [
        min(call_to_action, 3) / 3,
        float(bool(CONTACT_RE.search(joined))),
        min(bonus, 2) / 2,
        float(bool(AMOUNT_RE.search(joined))),
        float(bool(hosts)),
        float(bool(non_government)),
        float(spam_domain),
        min(claim, 3) / 3,
        min(len(OFFICIAL_RE.findall(joined)), 4) / 4,
        min(len(_EXCLAIM_RE.findall(raw)), 2) / 2,
        float(not raw.isascii() and bool(_SYMBOL_RE.search(raw))),
        float(bool(_BRACKET_RE.search(raw))),
        float(len(joined) != len(folded)),
        float(len(raw) != len(text)),
        float(not raw.isascii() and bool(_HOMOGLYPH_RE.search(raw))),
        min(traditional, 3) / 3,
        min(strong + 0.3 * weak, 3) / 3,
        1.0 / (1.0 + length / 12),
        float(raw.rstrip().endswith(("。", "."))),
        min(digits / length * 4, 1.0),
        min(promise, 2) / 2,
        min(urgency, 2) / 2,
        min(speed, 2) / 2,
        min(audience, 2) / 2,
        min(superlative, 2) / 2,
        min(len(_QUOTED_RE.findall(raw)), 2) / 2,
    ]


def _inside_allowed(text: str, start: int, end: int, lexicon: Lexicon) -> bool:
    """Is text[start:end] inside an allow-listed phrase (福彩 in 中国福利彩票)?"""
    assert lexicon.allow_re is not None
    window = text[max(0, start - 12) : end + 12]
    offset = max(0, start - 12)
    return any(m.start() + offset <= start and end <= m.end() + offset for m in lexicon.allow_re.finditer(window))
