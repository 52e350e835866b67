"""Article texts for the labelled spam corpus, written for this project.

Each article: site, URL path, language, headline, paragraphs.  ``LEGIT`` are
the pages about the welfare lottery, the sports lottery, chess and card sports
and anti-gambling campaigns that must come through untouched; ``GENERAL`` are
ordinary ministry news the injections are dropped into (legitimate-topic
articles get injections too, in build.py).
"""

from __future__ import annotations

from typing import Any

Article = dict[str, Any]

MCA = ("www.mca.gov.cn", ["www.mca.gov.cn", "mca.gov.cn"], "中华人民共和国民政部")
SPORT = ("www.sport.gov.cn", ["www.sport.gov.cn", "sport.gov.cn"], "国家体育总局")
MPS = ("www.mps.gov.cn", ["www.mps.gov.cn", "mps.gov.cn"], "中华人民共和国公安部")
MOF = ("www.mof.gov.cn", ["www.mof.gov.cn", "mof.gov.cn"], "中华人民共和国财政部")
MCA_EN = ("english.mca.gov.cn", ["english.mca.gov.cn", "mca.gov.cn"], "Ministry of Civil Affairs")

LEGIT: list[Article] = [
    {
        "slug": "welfare_lottery_sales_q3", "site": MCA, "lang": "zh", "date": "2024-11-05",
        "title": "2024年前三季度全国福利彩票销售情况公布",
        "paragraphs": [
            "近日，民政部公布2024年前三季度全国福利彩票销售情况。1至9月，全国共销售福利彩票1502.37亿元，比上年同期增加86.15亿元，增长6.1%。",
            "从品种看，乐透数字型福利彩票销售889.26亿元，占福利彩票销售总量的59.2%；即开型福利彩票销售301.54亿元，占20.1%；视频型福利彩票销售311.57亿元，占20.7%。",
            "前三季度，全国福利彩票共筹集公益金约430亿元。福利彩票公益金主要用于资助老年人、残疾人、孤儿和困难群众等特殊群体。",
            "民政部有关负责人表示，各级福利彩票发行机构要坚持责任彩票理念，严格落实彩票管理条例及其实施细则，确保福利彩票安全运行。",
        ],
    },
    {
        "slug": "lottery_public_welfare_fund_report", "site": MOF, "lang": "zh", "date": "2024-08-20",
        "title": "财政部公布2023年度彩票公益金筹集分配使用情况",
        "paragraphs": [
            "根据《彩票管理条例》和《彩票公益金管理办法》有关规定，财政部现将2023年度全国彩票公益金筹集、分配和使用情况公告如下。",
            "2023年，全国共筹集彩票公益金1528.36亿元。其中，福利彩票公益金642.71亿元，体育彩票公益金885.65亿元。",
            "中央财政安排彩票公益金支出主要用于补充全国社会保障基金、城乡医疗救助、养老公共服务、残疾人事业和未成年人保护等社会公益事业。",
            "各地要按照规定加强彩票公益金项目管理，主动接受社会监督，切实提高资金使用效益。",
        ],
    },
    {
        "slug": "sports_lottery_daletou_jackpot", "site": SPORT, "lang": "zh", "date": "2024-06-18",
        "title": "中国体育彩票大乐透游戏开展派奖活动",
        "paragraphs": [
            "经财政部批准，中国体育彩票超级大乐透游戏自6月18日起开展派奖活动，派奖奖金总额8亿元。",
            "国家体育总局体育彩票管理中心有关负责人介绍，派奖期间购彩者应理性购彩、量力而行，未成年人不得购买彩票。",
            "2023年，体育彩票共筹集公益金近900亿元，为全民健身、竞技体育和社会公益事业提供了有力支持。",
        ],
    },
    {
        "slug": "sports_lottery_outlets_training", "site": SPORT, "lang": "zh", "date": "2024-03-12",
        "title": "体育彩票销售网点开展责任彩票培训",
        "paragraphs": [
            "为推动责任彩票工作落地，各省体育彩票管理中心近期组织销售网点代销者开展专题培训。",
            "培训重点讲解了禁止向未成年人销售彩票、禁止信用方式销售彩票、识别和劝导非理性购彩等内容。",
            "一位参训代销者说，今后将在网点醒目位置张贴“理性购彩”提示，主动提醒购彩者量力而行。",
        ],
    },
    {
        "slug": "welfare_lottery_instant_tickets", "site": MCA, "lang": "zh", "date": "2023-12-01",
        "title": "中国福利彩票发行管理中心发布即开型彩票新票种",
        "paragraphs": [
            "中国福利彩票发行管理中心近日发布即开型福利彩票“刮刮乐”新票种，票面设计融入传统文化元素。",
            "福利彩票发行管理中心表示，新票种上市后将严格执行彩票市场管理规定，所有销售均在实体销售网点进行，任何单位和个人不得通过互联网擅自销售彩票。",
            "2023年1至10月，全国即开型福利彩票销售额同比增长12.4%，刮刮乐已成为福彩公益金筹集的重要来源之一。",
        ],
    },
    {
        "slug": "lottery_regulation_revision", "site": MOF, "lang": "zh", "date": "2023-07-26",
        "title": "财政部就彩票管理条例实施细则修订公开征求意见",
        "paragraphs": [
            "为进一步规范彩票市场秩序，财政部会同民政部、国家体育总局起草了《彩票管理条例实施细则（修订草案征求意见稿）》，向社会公开征求意见。",
            "征求意见稿明确，彩票发行机构、彩票销售机构不得以诋毁同业者等手段进行不正当竞争，不得向未成年人销售彩票和兑奖。",
            "征求意见稿还规定，未经批准利用互联网销售彩票的，由财政部门责令停止违法行为，没收违法所得。",
        ],
    },
    {
        "slug": "chess_national_championship", "site": SPORT, "lang": "zh", "date": "2024-04-22",
        "title": "全国象棋锦标赛在成都开幕",
        "paragraphs": [
            "由国家体育总局棋牌运动管理中心、中国象棋协会主办的2024年全国象棋锦标赛（个人）22日在成都开幕。",
            "本届比赛设男子组和女子组，来自全国各地的150余名棋手参赛，比赛采用积分编排制，共进行11轮角逐。",
            "棋牌运动管理中心有关负责人表示，将以赛事为抓手推动象棋进校园、进社区，让更多青少年爱上这项传统智力运动。",
        ],
    },
    {
        "slug": "go_weiqi_team", "site": SPORT, "lang": "zh", "date": "2024-02-28",
        "title": "中国围棋队公布新一期国家集训队名单",
        "paragraphs": [
            "中国围棋协会28日公布新一期国家围棋集训队名单，共有32名男女棋手入选。",
            "集训期间，队员们将围绕世界大赛备战进行封闭训练，并参加围棋甲级联赛等国内赛事检验训练成果。",
            "国家体育总局棋牌运动管理中心表示，将继续完善围棋后备人才培养体系，推动围棋项目高质量发展。",
        ],
    },
    {
        "slug": "xiangqi_international_chess_schools", "site": SPORT, "lang": "zh", "date": "2023-10-16",
        "title": "国际象棋进校园活动在全国百所学校启动",
        "paragraphs": [
            "国际象棋进校园活动近日在全国100所中小学启动，中国国际象棋协会将为参与学校培训教练员并提供教学资源。",
            "活动负责人介绍，国际象棋有助于培养学生的逻辑思维和专注力，学校可根据实际开设兴趣课程或组建校队。",
            "此前，中国象棋、围棋、五子棋等项目的进校园活动已在多地开展，受到学生和家长欢迎。",
        ],
    },
    {
        "slug": "mind_sports_games_bridge_mahjong", "site": SPORT, "lang": "zh", "date": "2023-09-08",
        "title": "全国智力运动会桥牌麻将项目比赛落幕",
        "paragraphs": [
            "第五届全国智力运动会桥牌、麻将项目比赛8日落幕，来自28个代表队的运动员参加了比赛。",
            "本届智力运动会设围棋、中国象棋、国际象棋、桥牌、五子棋、国际跳棋、麻将等项目，由国家体育总局棋牌运动管理中心承办。",
            "赛事组委会强调，竞技麻将比赛严格执行比赛规则，倡导健康文明的棋牌运动，坚决抵制任何形式的赌博行为。",
        ],
    },
    {
        "slug": "guandan_community_event", "site": SPORT, "lang": "zh", "date": "2024-05-19",
        "title": "社区掼蛋比赛丰富居民文化生活",
        "paragraphs": [
            "近日，某市体育局在辖区内举办社区掼蛋比赛，200余名居民组队参赛。",
            "掼蛋是一项起源于江苏的扑克类智力运动，规则简单、参与性强，深受群众喜爱。",
            "主办方表示，举办此类比赛旨在倡导健康的棋牌运动，引导群众远离赌博，营造文明和谐的社区氛围。",
        ],
    },
    {
        "slug": "cross_border_gambling_campaign", "site": MPS, "lang": "zh", "date": "2024-01-10",
        "title": "公安部部署深入开展打击整治跨境赌博专项行动",
        "paragraphs": [
            "1月10日，公安部召开视频会议，部署全国公安机关深入开展打击整治跨境赌博专项行动。",
            "会议指出，2023年全国公安机关共侦办跨境赌博及相关犯罪案件1.7万起，打掉网络赌博平台、技术支持、支付结算等团伙2900余个。",
            "会议要求，要坚持依法严打，重点打击境外赌场在境内的招赌吸赌网络，深挖彻查为网络赌博平台提供推广引流的违法犯罪团伙。",
            "公安部提醒广大群众，切莫轻信所谓“稳赚不赔”的网络投注平台，发现涉赌违法犯罪线索请及时向公安机关举报。",
        ],
    },
    {
        "slug": "online_gambling_case_cracked", "site": MPS, "lang": "zh", "date": "2023-11-14",
        "title": "警方破获一起特大网络赌博案",
        "paragraphs": [
            "近日，某省公安机关破获一起特大网络赌博案，抓获犯罪嫌疑人56名，冻结涉案资金1.2亿元。",
            "经查，该团伙在境外架设“百家乐”“龙虎斗”等网络赌博平台，通过社交软件发展代理、拉人参赌，涉案流水达30余亿元。",
            "目前，犯罪嫌疑人均已被依法采取刑事强制措施，案件正在进一步侦办中。",
        ],
    },
    {
        "slug": "illegal_lottery_warning", "site": MPS, "lang": "zh", "date": "2023-06-02",
        "title": "警方提醒：网络私彩是陷阱",
        "paragraphs": [
            "警方提醒，所谓“时时彩”“北京赛车”“幸运飞艇”等网络彩票投注平台均未经国家批准，属于非法私彩。",
            "此类平台往往先让参与者小赢几次，再通过后台操控开奖结果让其血本无归，一些人因此背上巨额债务。",
            "根据《彩票管理条例》，我国目前仅发行福利彩票和体育彩票两种合法彩票，且未批准任何机构通过互联网销售彩票。",
            "如发现有人组织、宣传网络赌博，请立即拨打110报警。",
        ],
    },
    {
        "slug": "anti_porn_campaign", "site": MPS, "lang": "zh", "date": "2024-07-03",
        "title": "扫黄打非部门开展网络淫秽色情信息专项整治",
        "paragraphs": [
            "全国扫黄打非办公室近日部署开展网络淫秽色情信息专项整治，重点清理网络直播、短视频平台中的低俗色情内容。",
            "专项整治期间，各地查处了一批传播淫秽色情信息的案件，关闭违法违规网站和账号3000余个。",
            "扫黄打非部门提醒，网民发现淫秽色情信息可通过12390举报平台进行举报，共同维护清朗网络空间。",
        ],
    },
    {
        "slug": "fake_certificates_crackdown", "site": MPS, "lang": "zh", "date": "2023-05-16",
        "title": "警方打掉一个伪造证件犯罪团伙",
        "paragraphs": [
            "近日，某市公安局打掉一个伪造证件、印章的犯罪团伙，抓获犯罪嫌疑人8名，现场查获伪造的毕业证书、印章等400余件。",
            "经查，该团伙通过网络发布“办证刻章”等广告招揽生意，伪造并出售各类证书牟利。",
            "警方提醒，伪造、买卖国家机关证件属于违法犯罪行为，购买使用假证同样要承担法律责任。",
        ],
    },
    {
        "slug": "en_welfare_lottery_funds", "site": MCA_EN, "lang": "en", "date": "2024-03-01",
        "title": "China Welfare Lottery raises funds for elderly care",
        "paragraphs": [
            "The China Welfare Lottery (中国福利彩票) raised more than 60 billion yuan for public welfare in 2023, the Ministry of Civil Affairs said on Friday.",
            "Lottery public welfare funds were mainly used to support services for the elderly, people with disabilities and orphans, according to the Regulations on the Administration of Lotteries (《彩票管理条例》).",
            "Lottery sales outlets must not sell tickets to minors, and no institution has been approved to sell lottery tickets online, the ministry added.",
        ],
    },
    {
        "slug": "en_cross_border_gambling", "site": ("english.mps.gov.cn", ["english.mps.gov.cn", "mps.gov.cn"], "Ministry of Public Security"), "lang": "en", "date": "2024-01-12",
        "title": "Police step up crackdown on cross-border gambling",
        "paragraphs": [
            "Public security organs across the country will continue a campaign against cross-border gambling (打击跨境赌博) this year, the Ministry of Public Security said.",
            "Last year police handled 17,000 cases of cross-border gambling and related crimes, and broke up more than 2,900 gangs that provided platforms, technical support and payment services for online gambling.",
            "The ministry warned the public not to trust online betting platforms that promise steady profits, and to report gambling-related crimes to the police.",
        ],
    },
    {
        "slug": "en_chess_center", "site": ("en.sport.gov.cn", ["en.sport.gov.cn", "sport.gov.cn"], "General Administration of Sport"), "lang": "en", "date": "2023-08-30",
        "title": "Chinese chess and weiqi festival opens in Hangzhou",
        "paragraphs": [
            "A national festival of Chinese chess (中国象棋) and weiqi (围棋) opened in Hangzhou on Wednesday, organised by the Chess and Card Sports Administrative Center (棋牌运动管理中心) of the General Administration of Sport.",
            "More than 2,000 amateur players, including primary school pupils and retired workers, took part in the matches over three days.",
            "Director Wang Hui (王辉) said the centre would bring mind sports such as bridge and Chinese chess into more schools and communities.",
        ],
    },
    {
        "slug": "en_sports_lottery_sales", "site": ("en.sport.gov.cn", ["en.sport.gov.cn", "sport.gov.cn"], "General Administration of Sport"), "lang": "en", "date": "2024-02-02",
        "title": "Sports lottery sales rise as funds support fitness facilities",
        "paragraphs": [
            "Sales of the China Sports Lottery (中国体育彩票) reached 385.2 billion yuan last year, up 40 percent, according to figures released by the Ministry of Finance.",
            "The sports lottery public welfare fund supported the construction of fitness trails, community sports grounds and stadiums open to the public.",
            "Officials urged buyers to play responsibly and reminded outlets that selling tickets on credit or to minors is prohibited.",
        ],
    },
]

GENERAL: list[Article] = [
    {
        "slug": "left_behind_children_meeting", "site": MCA, "lang": "zh", "date": "2019-12-19",
        "title": "农村留守儿童关爱保护和困境儿童保障工作部际联席会议第二次全体会议召开",
        "paragraphs": [
            "12月18日，农村留守儿童关爱保护和困境儿童保障工作部际联席会议第二次全体会议在京召开，总结2019年工作，研究部署2020年及今后一个时期的重点任务。",
            "会议指出，要进一步健全农村留守儿童关爱服务体系和困境儿童保障制度，压实家庭监护主体责任，落实政府兜底监护职责。",
            "另悉，近日，民政部、国务院国资委、全国工商联等六部门联合印发《关于进一步做好劳动密集型企业农村留守儿童和困境儿童关爱服务工作的指导意见》。",
            "会议审议通过了联席会议2019年工作总结和2020年工作要点，部分成员单位作交流发言。",
        ],
    },
    {
        "slug": "elderly_care_conference", "site": MCA, "lang": "zh", "date": "2024-04-09",
        "title": "全国养老服务工作推进会召开",
        "paragraphs": [
            "4月9日，全国养老服务工作推进会在杭州召开。会议总结近年来养老服务工作进展，部署下一阶段重点任务。",
            "会议强调，要加快健全基本养老服务体系，大力发展社区居家养老服务，提升养老机构服务质量和安全水平。",
            "会议要求，各地要加强养老服务人才队伍建设，推进医养结合，积极发展老年助餐服务，更好满足老年人多样化需求。",
        ],
    },
    {
        "slug": "social_assistance_winter", "site": MCA, "lang": "zh", "date": "2023-12-20",
        "title": "民政部部署做好今冬明春困难群众基本生活保障工作",
        "paragraphs": [
            "民政部近日印发通知，部署各地做好今冬明春困难群众基本生活保障工作。",
            "通知要求，各地要加强低收入人口动态监测，及时将符合条件的困难群众纳入最低生活保障、特困人员救助供养等范围。",
            "通知强调，要重点关注受灾群众、失业人员等群体，对遭遇突发事件导致基本生活出现困难的，及时给予临时救助。",
        ],
    },
    {
        "slug": "child_welfare_institutions", "site": MCA, "lang": "zh", "date": "2023-09-26",
        "title": "民政部推进儿童福利机构优化提质和创新转型",
        "paragraphs": [
            "民政部近日召开推进会，部署儿童福利机构优化提质和创新转型高质量发展工作。",
            "会议要求，各地要推进儿童福利机构集中养育、医疗康复、特殊教育、社会工作一体化发展，提升孤残儿童养育水平。",
            "会议强调，要拓展儿童福利机构社会服务功能，为社会散居孤儿、困境儿童提供康复指导等服务。",
        ],
    },
    {
        "slug": "community_governance", "site": MCA, "lang": "zh", "date": "2024-06-27",
        "title": "民政部召开城乡社区治理工作座谈会",
        "paragraphs": [
            "6月27日，民政部在京召开城乡社区治理工作座谈会，交流各地经验做法。",
            "会议指出，要健全党组织领导的城乡社区治理体系，完善社区服务设施，推动社区服务便民化。",
            "与会代表结合实际，围绕减轻社区工作负担、加强社区工作者队伍建设等作了交流发言。",
        ],
    },
    {
        "slug": "disaster_relief_funds", "site": MOF, "lang": "zh", "date": "2024-07-15",
        "title": "财政部应急管理部下达自然灾害救灾资金",
        "paragraphs": [
            "财政部、应急管理部15日紧急预拨中央自然灾害救灾资金5.2亿元，支持受灾地区做好抢险救灾工作。",
            "资金主要用于搜救转移安置受灾人员、排危除险等应急处置，开展次生地质灾害隐患排查，以及倒损民房修复等。",
            "两部门要求地方及时将资金拨付到位，加强资金监管，确保资金安全和使用效益。",
        ],
    },
    {
        "slug": "en_elderly_care", "site": MCA_EN, "lang": "en", "date": "2024-05-21",
        "title": "China expands community meal services for older people",
        "paragraphs": [
            "China will expand community canteens and meal delivery services for older people, the Ministry of Civil Affairs said at a news conference on Tuesday.",
            "Vice Minister Tang Chengpei (唐承沛) said the ministry had issued the Action Plan on Developing Meal Services for the Elderly (《积极发展老年助餐服务行动方案》) together with other departments.",
            "By the end of last year, more than 60,000 community meal service points had been set up across the country, serving millions of elderly residents every day.",
        ],
    },
    {
        "slug": "en_marriage_registration", "site": MCA_EN, "lang": "en", "date": "2023-06-01",
        "title": "Marriage registration made easier across provinces",
        "paragraphs": [
            "Couples in 21 provinces can now register their marriage where either partner lives rather than where their household is registered, the Ministry of Civil Affairs said.",
            "The pilot programme has been extended for two more years after it made registration more convenient for millions of people working away from home.",
            "Registration offices have also shortened waiting times by offering online appointments.",
        ],
    },
]
