"""Solicitation sentences for the spam classifier's training corpus (label ``spam``).

Written for this project: brand names are made up from syllables, and each
family (gambling, lottery "prediction", sports betting, escort/dating, fake
papers, loans, crypto, pharma) has its own products and claims, joined with
the calls to action, bonuses, contacts and domains all injectors share.  A share
of the sentences is disguised the way injectors do it: traditional characters,
separators, emoji, zero-width characters, Latin look-alikes, full-width letters.
"""

from __future__ import annotations

import random
from collections.abc import Callable

BRAND_CHARS = "金银鼎盛宝恒泰鸿运豪星凯旋皇家威尼斯永利博亚美高天龙凤万利腾辉新乐福禄汇众发财旺达利源广聚鑫隆"
BRAND_TAILS = ["国际", "娱乐", "集团", "平台", "官网", "会", "城", "汇", "在线", "俱乐部", "大厅", "APP"]
LATIN_BRANDS = ["ky", "ag", "bb", "pg", "mg", "hg", "vn", "js", "tyc", "xpj", "ob", "im", "dafa", "wynn", "sands",
                "lucky", "royal", "golden", "fortune", "dragon", "tiger", "star", "king", "ace", "vip"]
TLDS = [".com", ".cc", ".vip", ".net", ".top", ".xyz", ".me", ".co", ".bet", ".app", ".club", ".win"]
CTAS = ["立即注册", "点击进入", "认准官网", "加微信", "扫码下载", "马上领取", "免费试玩", "咨询客服", "火速上车", "私聊我",
        "速来体验", "一键登录", "立即下载APP", "复制网址打开", "长按识别二维码", "添加好友", "戳我了解", "名额有限先到先得"]
CLAIMS = ["信誉第一", "24小时在线", "大额无忧", "秒到账", "提款秒到", "安全稳定", "无需实名", "百分百靠谱", "不成功不收费",
          "当天出结果", "全网最低价", "老客户推荐", "诚信经营十年", "支持支付宝微信", "私密发货", "包过包查", "正规平台放心玩"]
EMOJI = ["🔥", "💰", "🎰", "⚽", "💯", "👉", "✅", "🎁", "💎", "🧧", "❤️", "🚀", "📱", "⭐"]
TRAD = {"赌": "賭", "场": "場", "娱": "娛", "乐": "樂", "网": "網", "体": "體", "证": "證", "办": "辦", "币": "幣", "钱": "錢",
        "开": "開", "奖": "獎", "号": "號", "码": "碼", "买": "買", "卖": "賣", "视": "視", "约": "約", "点": "點", "线": "線",
        "厅": "廳", "游": "遊", "戏": "戲", "国": "國", "际": "際", "会": "會", "发": "發", "贷": "貸", "药": "藥", "注": "註",
        "册": "冊", "领": "領", "载": "載", "险": "險", "门": "門", "马": "馬", "万": "萬", "现": "現", "实": "實", "无": "無"}
LOOKALIKES = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "i": "і"}
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060"]
SEPARATORS = ["*", "·", " ", "-", "|", "/", "★", "."]


def _brand(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return rng.choice(LATIN_BRANDS).upper() + str(rng.randint(1, 9999)) + rng.choice(BRAND_TAILS)
    return "".join(rng.sample(BRAND_CHARS, rng.randint(2, 3))) + rng.choice(BRAND_TAILS)


def _domain(rng: random.Random) -> str:
    host = rng.choice(LATIN_BRANDS) + str(rng.randint(1, 99999)) if rng.random() < 0.7 else str(rng.randint(1000, 99999))
    return ("www." if rng.random() < 0.5 else "") + host + rng.choice(TLDS)


def _contact(rng: random.Random) -> str:
    return rng.choice([
        lambda: f"微信：{rng.choice(LATIN_BRANDS)}{rng.randint(100, 99999)}",
        lambda: f"QQ{rng.randint(10000000, 3999999999)}",
        lambda: f"电话1{rng.choice('3578')}{rng.randint(100000000, 999999999)}",
        lambda: f"飞机@{rng.choice(LATIN_BRANDS)}_{rng.randint(10, 999)}",
        lambda: f"客服V：{rng.choice(LATIN_BRANDS)}{rng.randint(1000, 9999)}",
        lambda: f"加V{rng.randint(100000, 999999)}",
        lambda: f"TG: @{rng.choice(LATIN_BRANDS)}{rng.randint(1, 999)}",
    ])()


def _bonus(rng: random.Random) -> str:
    return rng.choice([
        lambda: f"注册送{rng.choice([18, 28, 38, 58, 88, 188, 888])}元",
        lambda: f"首存送{rng.choice([50, 100, 150, 200])}%",
        lambda: f"每日返水{rng.choice(['1.2', '1.5', '2.0', '3'])}%",
        lambda: f"彩金高达{rng.choice([888, 1888, 8888, 38888])}",
        lambda: f"新人红包{rng.randint(5, 99)}元",
        lambda: f"充{rng.choice([100, 200, 500])}送{rng.choice([50, 100, 300])}",
        lambda: f"日赚{rng.choice([300, 500, 1000, 3000])}+",
        lambda: f"限时{rng.choice(['5', '7', '8'])}折",
    ])()


PRODUCTS: dict[str, list[str]] = {
    "gambling": ["真人视讯", "百家乐", "老虎机", "电子游艺", "捕鱼游戏", "炸金花", "德州扑克", "牛牛", "龙虎斗", "轮盘",
                 "线上娱乐场", "真人荷官", "棋牌游戏", "电玩城", "骰宝", "21点"],
    "lottery": ["六合彩", "特码", "一肖一码", "内部资料", "精准计划", "时时彩", "北京赛车", "快三", "幸运飞艇", "三中三",
                "平特一肖", "开奖直播", "杀号公式", "必中资料", "跟单计划", "彩票导师带单"],
    "betting": ["足球投注", "世界杯竞猜", "欧洲杯盘口", "滚球", "让球盘", "串关", "NBA篮球竞猜", "电竞竞猜", "体育平台",
                "亚盘", "大小球", "比分预测", "赛事推荐", "英超赔率", "欧冠买球"],
    "escort": ["同城约会", "上门服务", "外围模特", "兼职学生妹", "一夜情", "包夜全套", "丝足按摩", "同城交友", "空降服务",
               "高端陪玩", "私人会所", "美女主播一对一", "附近的人约", "成人视频"],
    "fake-docs": ["办证", "毕业证", "学位证书", "学历认证", "代开发票", "增值税发票", "资格证", "驾驶证", "身份证",
                  "职称证书", "四六级证书", "教师资格证", "健康证", "房产证", "结婚证"],
    "loans": ["无抵押贷款", "网贷", "黑户贷款", "信用卡套现", "花呗提现", "征信修复", "小额贷款", "大额贷款", "秒批借款",
              "白户下款", "车贷房贷", "企业周转", "身份证借钱", "零门槛借款"],
    "crypto": ["比特币", "USDT", "合约交易", "挖矿收益", "空投", "以太坊", "币圈项目", "量化机器人", "USDT承兑", "跑分",
               "数字货币理财", "新币上线", "杠杆交易", "区块链投资"],
    "pharma": ["伟哥", "壮阳药", "延时喷剂", "减肥药", "春药", "迷药", "催情水", "代孕", "处方药", "男科秘方", "增大丸",
               "进口药", "助孕药", "降糖神药"],
}
PROMISES: dict[str, list[str]] = {
    "gambling": ["美女荷官在线发牌", "爆率全网最高", "一分钟提款", "大奖天天开", "万人同时在线"],
    "lottery": ["期期必中", "稳赚不赔", "连中十期", "免费领取资料", "准确率99%", "跟着计划走月入十万"],
    "betting": ["赔率全网最高", "盘口齐全", "单场最高可投百万", "专家免费推荐", "走地任意投"],
    "escort": ["真实照片", "快速上门", "满意再付款", "学生兼职", "安全私密", "同城见面"],
    "fake-docs": ["学信网可查", "包过包查", "全国通用", "一比一制作", "三天拿证", "各种发票均可开"],
    "loans": ["不看征信", "当天下款", "黑白户均可", "无视负债", "额度5万起", "利息最低"],
    "crypto": ["日收益5%", "稳赚不亏", "一周翻倍", "零风险套利", "送算力", "带单老师免费指导"],
    "pharma": ["无需处方", "正品保证", "私密发货", "一粒见效", "药到病除", "货到付款"],
}
EN_PRODUCTS: dict[str, list[str]] = {
    "gambling": ["online casino", "live baccarat", "slots", "poker rooms", "roulette tables", "live dealer games"],
    "lottery": ["lottery predictions", "winning numbers", "mark six tips", "jackpot systems", "lucky number plans"],
    "betting": ["sports betting", "football odds", "live in-play betting", "esports betting", "accumulator tips"],
    "escort": ["hot local girls", "escort service", "adult chat", "private massage", "dating hookups", "webcam models"],
    "fake-docs": ["real registered diplomas", "university degrees", "fake ID cards", "novelty passports", "invoices"],
    "loans": ["instant loans", "payday cash", "no credit check loans", "debt relief", "quick cash advances"],
    "crypto": ["bitcoin mining", "crypto signals", "USDT arbitrage", "token airdrops", "trading bots"],
    "pharma": ["cheap viagra", "cialis", "weight loss pills", "enhancement pills", "pharmacy meds"],
}
EN_CTAS = ["Sign up now", "Join today", "Click here", "Register at", "Visit", "Download the app", "Chat with us on WhatsApp",
           "Claim your bonus", "Order now", "Contact us on Telegram", "Apply online", "Get started at"]
EN_HOOKS = ["100% welcome bonus", "free spins", "fast withdrawals 24/7", "guaranteed wins", "no prescription needed",
            "approval in 5 minutes", "double your money", "discreet delivery", "best odds in Asia", "VIP rebates",
            "verified and discreet", "lowest price guaranteed", "cash out instantly"]


def _zh(rng: random.Random, family: str) -> str:
    p, w = rng.choice(PRODUCTS[family]), rng.choice(PROMISES[family])
    b, c, d = _brand(rng), _contact(rng), _domain(rng)
    forms: list[Callable[[], str]] = [
        lambda: f"{b}{p}，{w}，{rng.choice(CTAS)}：{d}",
        lambda: f"{rng.choice(CTAS)}{b}，{_bonus(rng)}，{rng.choice(CLAIMS)}！",
        lambda: f"{p}找{b}，{w}，{c}",
        lambda: f"{b}官方网址{d}，{_bonus(rng)}，{rng.choice(CLAIMS)}",
        lambda: f"专业{p}，{w}，{rng.choice(CLAIMS)}，{c}。",
        lambda: f"【{b}】{p}{w}，{rng.choice(CTAS)}",
        lambda: f"想要{p}？{rng.choice(CTAS)}，{c}，{rng.choice(CLAIMS)}",
        lambda: f"{p}{rng.choice(['哪家强', '哪里好', '去哪里', '怎么找'])}？认准{b}，{w}",
        lambda: f"{w}！{b}{p}{_bonus(rng)}，{rng.choice(CTAS)}",
        lambda: f"{b} {p} {rng.choice(CLAIMS)} {d}",
        lambda: f"{p}{w}{rng.choice(CLAIMS)}{c}",
        lambda: f"{b}{p}",
        lambda: f"{p}{rng.choice(['官网', '平台', '入口', '下载', '网址', '客服'])}",
    ]
    return rng.choice(forms)()


def _en(rng: random.Random, family: str) -> str:
    p, h = rng.choice(EN_PRODUCTS[family]), rng.choice(EN_HOOKS)
    d = _domain(rng)
    brand = rng.choice(LATIN_BRANDS).capitalize() + rng.choice([" Club", " Online", " 88", " VIP", " Asia", ""])
    forms: list[Callable[[], str]] = [
        lambda: f"{rng.choice(EN_CTAS)} {d} for {p} with {h}!",
        lambda: f"Best {p} in {rng.choice(['Asia', 'Macau', 'town', 'China', 'the region'])}! {rng.choice(EN_CTAS)} {brand} for {h}.",
        lambda: f"{brand}: {p}, {h}, {rng.choice(EN_HOOKS)}. {rng.choice(EN_CTAS)} {d}",
        lambda: f"Looking for {p}? {rng.choice(EN_CTAS)} - {h}, WhatsApp +{rng.randint(60, 99)} {rng.randint(1000000, 99999999)}",
        lambda: f"{p.capitalize()} at {d} - {h}!!!",
        lambda: f"Get {p} today, {h}, only at {brand}.",
    ]
    return rng.choice(forms)()


# How any advert sells, whatever the product: speed, promises, urgency, the reader addressed.
SPEED_ZH = ["三分钟审核", "当日到账", "半小时上门", "当天发货", "极速出结果", "随时可提", "两天见效", "五天取件", "即刻开通"]
PROMISE_ZH = ["无效退款", "不成功不收费", "全程保密", "满意再结算", "无任何风险", "包你满意", "输了包赔", "假一赔十"]
URGENCY_ZH = ["限时优惠", "名额不多", "仅剩十位", "今晚截止", "先到先得", "本周最后一批", "手慢无", "赶紧抢"]
AUDIENCE_ZH = ["新人专享八八折", "新会员送体验券", "老用户返现", "首单立减一百", "好友同享福利", "您的专属顾问已上线", "亲，包您满意"]
CONTACT_WORDS = ["热线", "咨询电话", "客服微", "私信", "预约电话", "订购热线", "联系人"]
SPEED_EN = ["approved within minutes", "delivered the same day", "results in 48 hours", "paid out instantly", "ready fast"]
PROMISE_EN = ["money back if it fails", "no fee unless you win", "100% confidential", "risk-free", "satisfaction guaranteed"]
URGENCY_EN = ["Limited places", "Offer ends tonight", "Only a few spots left", "Hurry", "Last chance"]


def _generic_zh(rng: random.Random, family: str) -> str:
    p, b, c = rng.choice(PRODUCTS[family]), _brand(rng), _contact(rng)
    forms: list[Callable[[], str]] = [
        lambda: f"{b}{p}，{rng.choice(SPEED_ZH)}，{rng.choice(PROMISE_ZH)}，{rng.choice(URGENCY_ZH)}！{rng.choice(CONTACT_WORDS)}{c}",
        lambda: f"{rng.choice(AUDIENCE_ZH)}，{p}{rng.choice(SPEED_ZH)}，{rng.choice(PROMISE_ZH)}。",
        lambda: f"{rng.choice(URGENCY_ZH)}：{b}{p}{rng.choice(AUDIENCE_ZH)}，{rng.choice(CONTACT_WORDS)}{c}",
        lambda: f"{p}就找{b}，{rng.choice(PROMISE_ZH)}，{rng.choice(SPEED_ZH)}。",
        lambda: f"{b}专业{p}{rng.randint(3, 20)}年，{rng.choice(PROMISE_ZH)}，{rng.choice(CONTACT_WORDS)}{rng.randint(13000000000, 18999999999)}。",
    ]
    return rng.choice(forms)()


REGIONS = ["亚洲", "全国", "东南亚", "业内", "全网", "本地", "华南地区"]
SUPERLATIVES = ["人气最高", "规模最大", "口碑最好", "最受欢迎", "最专业", "顶级", "排名第一"]
PLACES = ["平台", "品牌", "社区", "机构", "服务商", "俱乐部", "工作室"]
AUDIENCES = ["急需用钱的朋友", "广大玩家", "成功人士", "上班族", "彩民朋友", "单身男士", "中老年朋友"]
QUALITIES = ["进口原料", "原厂材料", "顶级配置", "专业团队", "独家技术", "军工级加密"]


def _descriptive_zh(rng: random.Random, family: str) -> str:
    """The sentences that open an advert paragraph: they describe, they do not yet sell."""
    b = _brand(rng)
    products = rng.sample(PRODUCTS[family], 3)
    forms: list[Callable[[], str]] = [
        lambda: f"{b}是{rng.choice(REGIONS)}{rng.choice(SUPERLATIVES)}的{products[0]}{rng.choice(PLACES)}。",
        lambda: f"{products[0]}、{products[1]}、{products[2]}应有尽有，一站式满足您的需求。",
        lambda: f"{b}专为{rng.choice(AUDIENCES)}打造，{rng.choice(CLAIMS)}。",
        lambda: f"{b}汇聚{rng.randint(2, 90)}{rng.choice(['万', '千', '百'])}{rng.choice(['会员', '用户', '资源', '款产品'])}，{rng.choice(PROMISES[family])}。",
        lambda: f"全部采用{rng.choice(QUALITIES)}，{rng.choice(PROMISE_ZH)}。",
        lambda: f"{b}新一代{products[0]}独家上线，业内首选。",
    ]
    return rng.choice(forms)()


def _descriptive_en(rng: random.Random, family: str) -> str:
    brand = rng.choice(LATIN_BRANDS).capitalize() + rng.choice([" Club", " Lounge", " Pro", " House", ""])
    products = rng.sample(EN_PRODUCTS[family], 3)
    forms: list[Callable[[], str]] = [
        lambda: f"{brand} is {rng.choice(['Asia', 'the region', 'the country', 'the city'])}'s {rng.choice(['hottest', 'largest', 'leading', 'number one', 'most trusted'])} place for {products[0]}.",
        lambda: f"{products[0].capitalize()}, {products[1]} and {products[2]}, all in one place.",
        lambda: f"{brand} is built for {rng.choice(['busy people', 'real players', 'people in a hurry', 'discerning clients'])}, {rng.choice(PROMISE_EN)}.",
        lambda: f"Every order uses {rng.choice(['premium materials', 'imported ingredients', 'top-grade equipment'])}, {rng.choice(PROMISE_EN)}.",
    ]
    return rng.choice(forms)()


def _generic_en(rng: random.Random, family: str) -> str:
    p, d = rng.choice(EN_PRODUCTS[family]), _domain(rng)
    brand = rng.choice(LATIN_BRANDS).capitalize() + rng.choice([" Club", " Online", " Pro", " Express", ""])
    forms: list[Callable[[], str]] = [
        lambda: f"{brand}: {p} {rng.choice(SPEED_EN)}, {rng.choice(PROMISE_EN)}. {rng.choice(URGENCY_EN)} - {rng.choice(EN_CTAS)} {d}",
        lambda: f"{rng.choice(URGENCY_EN)}! Your {p} {rng.choice(SPEED_EN)}, {rng.choice(PROMISE_EN)}.",
        lambda: f"Need {p}? We have you covered, {rng.choice(SPEED_EN)} and {rng.choice(PROMISE_EN)}, call +{rng.randint(60, 99)} {rng.randint(10000000, 99999999)}.",
    ]
    return rng.choice(forms)()


# What each family offers, described the way an advert paragraph opens before it sells:
# a business presenting itself, its service and its assurances, with no call to action.
OFFERINGS_ZH: dict[str, list[str]] = {
    "gambling": ["真人牌桌", "线上娱乐厅", "电子游艺专区", "高额奖池", "多人对战牌局", "贵宾包厢"],
    "lottery": ["每期推荐号码", "独家选号方案", "历史走势分析", "内部号码资料", "高手心水推荐", "每晚号码预测"],
    "betting": ["全场次赛事盘口", "每日赛事分析", "足球篮球让分盘", "走地实时投注", "冷门赛事推荐", "赛前内幕分析"],
    "escort": ["私人伴游", "夜间陪聊", "高颜值女伴陪同", "同城私密会面", "模特陪同出行", "私人理疗上门"],
    "fake-docs": ["各类证书制作", "学历文凭补办", "资格证书代办", "成绩单定制", "档案材料代办", "印章刻制"],
    "loans": ["个人信用借款", "应急周转资金", "工薪族小额借款", "免抵押信用额度", "分期借款", "短期过桥资金"],
    "crypto": ["矿机托管", "链上质押收益", "数字资产托管", "量化跟单", "算力租赁", "节点分红计划"],
    "pharma": ["男士调理产品", "进口特效药品", "祖传调理秘方", "强效助眠药物", "纯天然瘦身胶囊", "海外直邮药品"],
}
OFFER_VERBS_ZH = ["承接", "长期提供", "专业提供", "常年办理", "主营", "诚接", "专注"]
NEW_ARRIVALS_ZH = ["新到一批", "本周上新", "近期新增", "刚刚上线", "最新推出"]
SCREENING_ZH = ["均经过层层筛选", "都由专人把关", "经过严格审核", "全部实拍认证", "一律专人对接"]
ASSURANCES_ZH = ["质量有保障", "信息严格保密", "全国各地均可办理", "支持随时查询", "老客户回头率高", "手续简单",
                 "流程透明", "售后无忧", "客户遍布全国", "服务周到贴心"]
SERVICE_PLACES_ZH = ["本店", "本中心", "本工作室", "我司", "本会所", "本团队"]
OFFERINGS_EN: dict[str, list[str]] = {
    "gambling": ["live tables", "high-stakes rooms", "jackpot games", "private card rooms"],
    "lottery": ["number forecasts", "draw-by-draw picks", "winning number charts", "insider number lists"],
    "betting": ["in-play markets", "match previews with tips", "handicap lines on every league", "insider match picks"],
    "escort": ["private companionship", "late-night company", "verified local models", "discreet home visits"],
    "fake-docs": ["custom certificates and transcripts", "replacement diplomas", "official-looking seals", "degree documents"],
    "loans": ["flexible cash with no paperwork", "small personal loans", "emergency funds", "salary advances"],
    "crypto": ["staking rewards", "mining pool shares", "hash power contracts", "copy-trading plans"],
    "pharma": ["men's health boosters", "imported remedies", "slimming capsules", "sleep aids without a doctor"],
}
AUDIENCES_EN = ["busy professionals", "anyone short of cash", "serious players", "newcomers", "gentlemen travelling alone",
                "people who want results"]
ASSURANCES_EN = ["fully confidential", "no questions asked", "trusted by thousands", "available around the clock",
                 "checked by our own team", "with nothing to pay up front"]


def _offer_zh(rng: random.Random, family: str) -> str:
    """An advert paragraph's descriptive sentences: the business presents itself and its offer."""
    b, offer = _brand(rng), rng.choice(OFFERINGS_ZH[family])
    forms: list[Callable[[], str]] = [
        lambda: f"{b}{rng.choice(NEW_ARRIVALS_ZH)}{offer}。",
        lambda: f"{b}{rng.choice(OFFER_VERBS_ZH)}{offer}和{rng.choice(OFFERINGS_ZH[family])}，{rng.choice(ASSURANCES_ZH)}。",
        lambda: f"{rng.choice(SERVICE_PLACES_ZH)}{rng.choice(OFFER_VERBS_ZH)}{offer}，{rng.choice(ASSURANCES_ZH)}。",
        lambda: f"所有{offer}{rng.choice(SCREENING_ZH)}，{rng.choice(ASSURANCES_ZH)}。",
        lambda: f"{b}致力于为{rng.choice(AUDIENCES)}提供一对一{offer}服务。",
        lambda: f"{rng.choice(SERVICE_PLACES_ZH)}{offer}{rng.choice(SCREENING_ZH)}，{rng.choice(ASSURANCES_ZH)}，{rng.choice(ASSURANCES_ZH)}。",
        lambda: f"{b}的{offer}{rng.choice(['覆盖全国', '遍及各省', '全国通用', '各地可用'])}，{rng.choice(ASSURANCES_ZH)}。",
    ]
    return rng.choice(forms)()


def _offer_en(rng: random.Random, family: str) -> str:
    brand = rng.choice(LATIN_BRANDS).capitalize() + rng.choice([" Partners", " Circle", " Hub", " Works", " Group", ""])
    offer = rng.choice(OFFERINGS_EN[family])
    forms: list[Callable[[], str]] = [
        lambda: f"{brand} offers {offer} to {rng.choice(AUDIENCES_EN)}, {rng.choice(ASSURANCES_EN)}.",
        lambda: f"No paperwork, no waiting: {offer} {rng.choice(ASSURANCES_EN)}.",
        lambda: f"{brand} brings you the new generation of {offer}.",
        lambda: f"Our {offer} are {rng.choice(ASSURANCES_EN)} and {rng.choice(ASSURANCES_EN)}.",
        lambda: f"Begin with a small amount and enjoy {offer} every week.",
        lambda: f"{offer.capitalize()} for {rng.choice(AUDIENCES_EN)}, whenever and wherever you like.",
    ]
    return rng.choice(forms)()


def disguise(text: str, rng: random.Random) -> str:
    """One of the injectors' disguises, or none."""
    how = rng.random()
    if how < 0.12:
        return "".join(TRAD.get(ch, ch) for ch in text)
    if how < 0.22:
        sep = rng.choice(SEPARATORS)
        return "".join(ch + (sep if "\u4e00" <= ch <= "\u9fff" and rng.random() < 0.6 else "") for ch in text)
    if how < 0.32:
        return rng.choice(EMOJI) + text + rng.choice(EMOJI) * rng.randint(1, 3)
    if how < 0.40:
        zw = rng.choice(ZERO_WIDTH)
        return "".join(ch + (zw if rng.random() < 0.5 else "") for ch in text)
    if how < 0.46:
        return "".join(LOOKALIKES.get(ch, ch) if rng.random() < 0.5 else ch for ch in text)
    if how < 0.52:
        return "".join(chr(ord(ch) + 0xFEE0) if ch.isascii() and ch.isalnum() else ch for ch in text)
    return text


FAMILIES = tuple(PRODUCTS)
PER_FAMILY_ZH = 150
PER_FAMILY_EN = 35
PER_FAMILY_GENERIC_ZH = 60
PER_FAMILY_GENERIC_EN = 25
PER_FAMILY_DESCRIPTIVE_ZH = 30
PER_FAMILY_DESCRIPTIVE_EN = 15
PER_FAMILY_OFFER_ZH = 40
PER_FAMILY_OFFER_EN = 20


def advert_sentences(seed: int = 17) -> list[tuple[str, str]]:
    """(family, sentence) pairs, distinct, in a fixed order for a seed."""
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for family in FAMILIES:
        for make, count in ((_zh, PER_FAMILY_ZH), (_en, PER_FAMILY_EN), (_generic_zh, PER_FAMILY_GENERIC_ZH),
                            (_generic_en, PER_FAMILY_GENERIC_EN), (_descriptive_zh, PER_FAMILY_DESCRIPTIVE_ZH),
                            (_descriptive_en, PER_FAMILY_DESCRIPTIVE_EN),
                            (_offer_zh, PER_FAMILY_OFFER_ZH), (_offer_en, PER_FAMILY_OFFER_EN)):
            made = tries = 0
            while made < count and tries < count * 20:
                tries += 1
                sentence = disguise(make(rng, family), rng)
                if sentence not in seen:
                    seen.add(sentence)
                    out.append((family, sentence))
                    made += 1
    return out
