"""Texts for the unseen-vocabulary spam corpus (tests/corpus/spam/unseen/), written for this project.

``ARTICLES`` are legitimate news on the topics spam hides best beside (lottery,
chess, Macao, anti-gambling, e-sports), on three sites the other corpus does not
use.  ``INJECTIONS`` are one family's spam each, in vocabulary the lexicon does
not hold (tests/spam/test_unseen.py checks that no lexicon term occurs in them
after folding): a sentence, a paragraph and three headline segments, in Chinese,
with an English sentence and paragraph for English pages.
"""

from __future__ import annotations

from typing import Any

SPORT_PROV = ("tyj.hunan.gov.cn", ["tyj.hunan.gov.cn", "hunan.gov.cn"], "湖南省体育局")
CIVIL_PROV = ("mzt.gansu.gov.cn", ["mzt.gansu.gov.cn", "gansu.gov.cn"], "甘肃省民政厅")
POLICE_PROV = ("gat.fujian.gov.cn", ["gat.fujian.gov.cn", "fujian.gov.cn"], "福建省公安厅")
CIVIL_EN = ("english.gansu.gov.cn", ["english.gansu.gov.cn", "gansu.gov.cn"], "Gansu Provincial Government")

ARTICLES: list[dict[str, Any]] = [
    {
        "slug": "welfare_lottery_fund_rural_elderly", "site": CIVIL_PROV, "lang": "zh", "date": "2025-03-14",
        "title": "甘肃省福利彩票公益金支持农村互助养老服务",
        "paragraphs": [
            "近日，甘肃省民政厅下达福利彩票公益金1.2亿元，支持全省农村互助幸福院改造提升。资金重点向脱贫地区倾斜。",
            "2024年，全省共销售福利彩票48.36亿元，筹集公益金13.9亿元。公益金全部用于扶老、助残、救孤、济困等社会福利事业。",
            "省福彩中心有关负责人提醒，购彩者应理性购彩、量力而行。未成年人不得购买彩票，中奖者须凭有效身份证件兑奖。",
        ],
    },
    {
        "slug": "sports_lottery_draw_supervision", "site": SPORT_PROV, "lang": "zh", "date": "2025-05-20",
        "title": "湖南省体育彩票开奖公证监督工作座谈会召开",
        "paragraphs": [
            "5月20日，湖南省体育彩票管理中心召开开奖公证监督工作座谈会。公证、审计和纪检部门代表参加会议。",
            "会议通报了大乐透、排列三等游戏开奖流程的监督情况。全年开奖过程全程录像，开奖结果当晚向社会公布。",
            "会议要求，各销售网点严禁提供代购、网络销售和赊账购彩服务。发现违规行为的，依照彩票管理条例严肃处理。",
        ],
    },
    {
        "slug": "go_tournament_youth", "site": SPORT_PROV, "lang": "zh", "date": "2025-07-08",
        "title": "湖南省青少年围棋锦标赛在长沙开赛",
        "paragraphs": [
            "7月8日，2025年湖南省青少年围棋锦标赛在长沙开赛。来自全省14个市州的426名小棋手参加比赛。",
            "本次比赛设男子组、女子组和混合团体项目，共进行九轮角逐。比赛同时设立中国象棋和国际象棋表演赛。",
            "省体育局棋牌运动管理中心负责人表示，将继续推动围棋进校园。赛事严格执行赛风赛纪规定，严禁任何形式的赌博行为。",
        ],
    },
    {
        "slug": "macao_economic_diversification", "site": CIVIL_PROV, "lang": "zh", "date": "2025-02-11",
        "title": "甘肃与澳门深化文旅和中医药合作",
        "paragraphs": [
            "2月11日，甘肃省与澳门特别行政区在兰州举行合作交流会。双方签署文化旅游和中医药产业合作协议。",
            "澳门特区政府代表介绍，澳门正在推动经济适度多元发展，降低对博彩业的过度依赖。会展、中医药和文化旅游是重点方向。",
            "近年来，澳门入境旅客持续增长，博彩监察协调局加强了对娱乐场的监管。甘肃将组织更多企业赴澳参展。",
        ],
    },
    {
        "slug": "cross_border_gambling_crackdown", "site": POLICE_PROV, "lang": "zh", "date": "2025-04-22",
        "title": "福建警方破获一批跨境网络赌博案件",
        "paragraphs": [
            "今年以来，福建省公安机关深入开展打击治理跨境赌博专项行动。共破获网络赌博案件326起，抓获犯罪嫌疑人1870名。",
            "警方查明，犯罪团伙以“棋牌游戏”“真人视讯”等名义招揽参赌人员，非法获利2.3亿元。警方冻结涉赌资金1.1亿元。",
            "警方提醒，网络赌博“十赌九骗”。群众切勿轻信所谓“稳赚不赔”“内部消息”，发现涉赌线索请拨打110举报。",
        ],
    },
    {
        "slug": "esports_league_minors", "site": SPORT_PROV, "lang": "zh", "date": "2025-09-03",
        "title": "湖南省电子竞技联赛开幕 严禁未成年人参与竞猜",
        "paragraphs": [
            "9月3日，2025年湖南省电子竞技联赛在株洲开幕。共有32支队伍参加五个项目的比赛。",
            "组委会表示，联赛严格落实未成年人网络保护要求。赛事期间严禁任何平台组织竞猜和博彩活动，违者将被取消合作资格。",
            "省体育局有关负责人介绍，电子竞技已列入亚运会正式比赛项目。全省将加强电竞赛事规范管理。",
        ],
    },
    {
        "slug": "en_lottery_funds_disability", "site": CIVIL_EN, "lang": "en", "date": "2025-06-02",
        "title": "Gansu uses welfare lottery funds to support disability services",
        "paragraphs": [
            "Gansu's civil affairs department has allocated 86 million yuan from welfare lottery public funds to rehabilitation centres. The funds will reach 14 cities and prefectures.",
            "The province sold 48.36 billion yuan of welfare lottery tickets last year. Officials reminded buyers to play rationally and said minors may not buy lottery tickets.",
            "The department will publish how every project uses the money. Residents can check the list on the department's website.",
        ],
    },
    {
        "slug": "en_gambling_crackdown_macao", "site": CIVIL_EN, "lang": "en", "date": "2025-08-19",
        "title": "Police step up fight against cross-border gambling",
        "paragraphs": [
            "Police across the province cracked 326 cross-border gambling cases in the first half of the year. Investigators froze 110 million yuan linked to illegal platforms.",
            "Officials said the gangs lured users with promises of guaranteed wins. Macao's government is also working to reduce its reliance on the gaming industry.",
            "The public is urged to report gambling adverts by calling 110. The campaign will continue until the end of the year.",
        ],
    },
]

# family -> texts. "titles": replaced, prefix, suffix segments.
INJECTIONS: dict[str, dict[str, Any]] = {
    "gambling": {
        "sentence": "琥珀湾云端俱乐部牌桌全天开放，新会员首充即享双倍筹码，提现十分钟到账！",
        "paragraph": "琥珀湾云端俱乐部是东南亚人气最旺的线上牌桌社区。轮盘、骰子、二十一点应有尽有，新人登录即领999元见面礼。客服薇信：hpw9988，二十四小时恭候。",
        "titles": ["琥珀湾云端俱乐部官方入口", "琥珀湾牌桌社区首充双倍", "琥珀湾云端俱乐部新人领999元"],
        "en_sentence": "Amber Bay Cloud Club tables never close, new members double their first deposit and cash out in ten minutes!",
        "en_paragraph": "Amber Bay Cloud Club is the hottest online table community in Southeast Asia. Wheel, dice and card tables all night, and every newcomer gets a 999 yuan welcome gift. Message us on WeChat hpw9988 any time.",
    },
    "lottery": {
        "sentence": "紫微神算每期精选三码，连红二十八期，跟单群加扣扣：50667788，错一期退全款。",
        "paragraph": "紫微神算研究院独家推演下期号码走势。会员每晚八点收到精选号码，命中率高达九成以上。现在入群免费送三期推荐，名额只剩最后二十个！",
        "titles": ["紫微神算下期精选三码免费看", "紫微神算连红二十八期", "紫微神算入群送三期推荐"],
        "en_sentence": "Purple Star Oracle picks three numbers for every draw, 28 hits in a row, join our tips group on QQ 50667788 and get your money back if we miss!",
        "en_paragraph": "Purple Star Oracle reveals next draw's number trends every evening at eight. Members hit more than ninety percent of the time. Join now and get three free picks, only twenty places left!",
    },
    "betting": {
        "sentence": "雷霆球探今晚英超独家推荐，让分大小全覆盖，充五百送两百，手机扫码立即跟投！",
        "paragraph": "雷霆球探汇聚全球两千场赛事实时盘面。老用户单日最高可返千分之十八，提现秒级处理。下载雷霆球探客户端，世界杯期间天天领红包！",
        "titles": ["雷霆球探英超独家推荐", "雷霆球探充五百送两百", "雷霆球探客户端天天领红包"],
        "en_sentence": "Thunder Scout has tonight's exclusive Premier League picks, top up 500 and get 200 free, scan the code and follow our stakes now!",
        "en_paragraph": "Thunder Scout streams live lines for two thousand matches worldwide. Loyal users get up to 1.8 percent back every day and instant payouts. Download the Thunder Scout app and grab red packets every day of the World Cup!",
    },
    "escort": {
        "sentence": "本市蜜桃约见，九零后兼职小姐姐真人照片，空降酒店满意后付款，加薇：mitao520。",
        "paragraph": "蜜桃夜语会所新到一批大学兼职模特。颜值身材均经过严格挑选，提供一对一贴心陪伴服务。全市范围一小时内送达，私密安全，电话18866669999。",
        "titles": ["蜜桃夜语本市约见", "蜜桃夜语小姐姐空降酒店", "蜜桃夜语一对一贴心陪伴"],
        "en_sentence": "Peach Night sweethearts are waiting in your city, real photos, hotel visits within the hour, pay only when satisfied, add mitao520!",
        "en_paragraph": "Peach Night lounge has new part-time college models this week. Every girl is hand-picked for looks and figure and offers one-on-one private company. Anywhere in the city within an hour, call 18866669999.",
    },
    "fake-docs": {
        "sentence": "鸿鹄学历服务中心代做本科硕士文凭，学信网能查，七天拿件，不满意不收费。",
        "paragraph": "鸿鹄学历服务中心承接各类职业资格和学历文书定制。全部采用原厂防伪纸张，钢印清晰，全国联网能查。咨询请加微：honghu_xl，急件当天可取。",
        "titles": ["鸿鹄学历服务中心文凭定制", "鸿鹄学历学信网能查七天拿件", "鸿鹄学历服务中心急件当天取"],
        "en_sentence": "Swan Academic Services makes bachelor and master parchments that pass online checks, ready in seven days, no fee if you are not happy!",
        "en_paragraph": "Swan Academic Services crafts every kind of professional and academic paperwork. Original anti-forgery paper and clear embossed seals, verifiable nationwide. Add honghu_xl for urgent orders collected the same day.",
    },
    "loans": {
        "sentence": "金钥匙快借不查负债不看流水，凭一张身份证最高借二十万，五分钟审批当天放款！",
        "paragraph": "金钥匙快借专为急用钱人群打造。无需抵押担保，逾期记录也能批，额度随借随还。现在申请首月零利息，官方热线4008-123-456。",
        "titles": ["金钥匙快借五分钟审批", "金钥匙快借凭身份证借二十万", "金钥匙快借首月零利息"],
        "en_sentence": "Golden Key Quick Cash ignores your debts and statements, borrow up to 200,000 with just an ID card, approved in five minutes and paid today!",
        "en_paragraph": "Golden Key Quick Cash is made for people who need money fast. No collateral, late payments welcome, borrow and repay any time. Apply now for zero interest in the first month, hotline 4008-123-456.",
    },
    "crypto": {
        "sentence": "星链矿池限时开放节点认购，每日静态收益百分之三，邀请好友再得团队奖励，扫码上车！",
        "paragraph": "星链矿池是新一代链上算力分红平台。投入一千泰达币起步，收益每天自动到账，三个月回本。官方电报群@xinglian_pool，名额有限先到先得。",
        "titles": ["星链矿池节点限时认购", "星链矿池每日收益百分之三", "星链矿池三个月回本"],
        "en_sentence": "Starlink Pool opens node subscriptions for a limited time, 3 percent passive income every day, invite friends for team rewards, hop on board!",
        "en_paragraph": "Starlink Pool is the next generation of on-chain hash power dividends. Start with 1,000 tether and earnings land in your wallet daily, break even in three months. Official channel @xinglian_pool, first come first served.",
    },
    "pharma": {
        "sentence": "御龙堂纯中药调理，一粒见效持久三十分钟，无需医生处方，全国包邮隐私发货。",
        "paragraph": "御龙堂祖传秘方专治男性难言之隐。采用名贵药材古法炼制，服用三天即见明显效果，无效全额退款。订购热线13588886666，货到付款更放心。",
        "titles": ["御龙堂祖传秘方一粒见效", "御龙堂纯中药持久三十分钟", "御龙堂隐私发货货到付款"],
        "en_sentence": "Dragon Hall herbal formula works from the first capsule and lasts thirty minutes, no doctor's note needed, discreet free shipping nationwide.",
        "en_paragraph": "Dragon Hall's ancestral formula treats men's private troubles. Rare herbs prepared the old way show results in three days or your money back. Order on 13588886666 and pay on delivery.",
    },
}


# slug -> (keywords, description) each article's own metas: trap words an official page
# puts there (博彩业, 赌球, 彩票, 棋牌), and a summary that paraphrases rather than quotes the text.
METAS: dict[str, tuple[list[str], str]] = {
    "welfare_lottery_fund_rural_elderly": (["福利彩票", "公益金", "农村互助养老", "理性购彩"],
                                           "省民政厅下拨福彩公益金，支持农村互助幸福院改造提升。"),
    "sports_lottery_draw_supervision": (["体育彩票", "开奖公证", "大乐透", "代购"],
                                        "湖南体彩中心通报开奖监督情况，重申严禁网络销售和代购。"),
    "go_tournament_youth": (["围棋", "青少年", "棋牌运动", "锦标赛"], "全省四百余名小棋手参加青少年围棋锦标赛。"),
    "macao_economic_diversification": (["澳门", "博彩业", "适度多元", "中医药"],
                                       "甘澳签署文旅和中医药合作协议，澳门推进经济适度多元。"),
    "cross_border_gambling_crackdown": (["跨境赌博", "网络赌博", "赌球", "涉赌资金"],
                                        "福建警方通报打击跨境赌博战果，提醒群众远离网络赌博。"),
    "esports_league_minors": (["电子竞技", "竞猜", "未成年人保护", "博彩"], "省电竞联赛开幕，赛事期间严禁组织竞猜。"),
    "en_lottery_funds_disability": (["welfare lottery", "public funds", "disability", "rehabilitation"],
                                    "Lottery public funds go to rehabilitation centres across the province."),
    "en_gambling_crackdown_macao": (["cross-border gambling", "police", "Macao", "casino"],
                                    "Police report results of the campaign against cross-border gambling."),
}
