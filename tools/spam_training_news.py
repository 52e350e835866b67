"""Official-news sentences for the spam classifier's training corpus (label ``news``).

Composed from slots written for this project, in the register of ministry news:
civil affairs, the welfare and sports lotteries, chess and card sports, Macao's
economy, anti-gambling campaigns, e-sports, and English releases.  The trap
vocabulary is here on purpose (注册登记, 领取补贴, 咨询电话, 微信公众号, 亿元, www.….gov.cn,
博彩业, 赌球, “百家乐”): the classifier must learn the register, not the words.
"""

from __future__ import annotations

import random
from collections.abc import Callable

ORGS = ["民政部", "财政部", "国家体育总局", "公安部", "教育部", "人力资源社会保障部", "国家卫生健康委", "文化和旅游部",
        "国务院办公厅", "最高人民法院", "最高人民检察院", "市场监管总局", "国家医保局", "应急管理部", "退役军人事务部",
        "省民政厅", "市民政局", "区政府", "县人民政府", "中国残联", "全国老龄办", "国家乡村振兴局"]
PROVINCES = ["北京", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽", "福建", "江西",
             "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南", "西藏", "陕西",
             "甘肃", "青海", "宁夏", "新疆"]
CITIES = ["成都", "杭州", "武汉", "西安", "长沙", "南京", "郑州", "济南", "合肥", "福州", "昆明", "贵阳", "兰州",
          "太原", "南宁", "海口", "银川", "西宁", "拉萨", "呼和浩特", "哈尔滨", "长春", "沈阳", "石家庄"]
LEADERS = ["部长", "副部长", "党组书记", "党组成员", "司长", "副司长", "有关负责人", "新闻发言人", "局长", "副局长"]
MEETINGS = ["全国养老服务工作推进会", "全国民政工作会议", "社会救助工作座谈会", "儿童福利工作视频会议", "基层治理工作现场会",
            "慈善事业发展推进会", "殡葬改革工作会议", "婚姻登记工作培训班", "社会组织登记管理工作会议", "残疾人福利工作会议",
            "区划地名工作会议", "全国彩票工作会议", "体育彩票工作会议", "反赌工作联席会议", "电子竞技赛事管理座谈会"]
WORK = ["养老服务", "社会救助", "儿童福利", "未成年人保护", "社会组织管理", "慈善事业", "婚姻登记", "殡葬服务", "残疾人福利",
        "社区治理", "流浪乞讨人员救助", "地名管理", "福利彩票发行管理", "体育彩票销售管理", "群众体育", "竞技体育",
        "全民健身", "打击治理跨境赌博", "电子竞技规范发展", "农村留守儿童关爱保护", "困难群众基本生活保障"]
VERBS = ["部署", "总结", "研究", "推进", "安排", "落实", "交流", "调度", "督促检查", "专题研究"]
GOALS = ["切实保障困难群众基本生活", "推动各项政策措施落地见效", "不断增强人民群众的获得感、幸福感、安全感",
         "守住民生底线", "提升基本公共服务水平", "加快健全养老服务体系", "依法维护未成年人合法权益",
         "坚持以人民为中心的发展思想", "确保各项工作任务按期完成", "推进治理体系和治理能力现代化",
         "营造风清气正的社会环境", "促进社会组织健康有序发展", "筑牢安全发展底线", "维护社会公平正义"]
MONTHS = [f"{m}月" for m in range(1, 13)]
UNITS = ["个", "家", "名", "人次", "万人", "所", "项", "件", "起"]


def _num(rng: random.Random, low: int, high: int) -> str:
    return str(rng.randint(low, high))


def _money(rng: random.Random) -> str:
    return f"{rng.randint(1, 3999)}.{rng.randint(10, 99)}"


def _date(rng: random.Random) -> str:
    return f"{rng.choice(MONTHS)}{rng.randint(1, 28)}日"


def _general_zh(rng: random.Random) -> str:
    o, p, c = rng.choice(ORGS), rng.choice(PROVINCES), rng.choice(CITIES)
    forms: list[Callable[[], str]] = [
        lambda: f"{_date(rng)}，{o}在{c}召开{rng.choice(MEETINGS)}，{rng.choice(VERBS)}{rng.choice(WORK)}工作。",
        lambda: f"{o}{rng.choice(LEADERS)}出席会议并讲话，强调要{rng.choice(GOALS)}。",
        lambda: f"会议指出，{rng.choice(WORK)}事关民生福祉，各地要{rng.choice(GOALS)}。",
        lambda: f"截至{rng.choice(MONTHS)}底，全国共有{rng.choice(WORK)}机构{_num(rng, 100, 90000)}{rng.choice(UNITS)}，同比增长{_num(rng, 1, 19)}.{_num(rng, 1, 9)}%。",
        lambda: f"{p}省{rng.choice(['民政厅', '财政厅', '体育局', '公安厅'])}联合有关部门印发通知，要求{rng.choice(GOALS)}。",
        lambda: f"{c}市累计为{_num(rng, 2, 90)}万名困难群众发放救助资金{_money(rng)}万元。",
        lambda: f"符合条件的申请人可通过政务服务网或“{rng.choice(['民政通', '一网通办', '掌上办'])}”小程序在线申请，领取补贴无需提交纸质材料。",
        lambda: f"社会组织应当依法办理注册登记，按期报送年度工作报告，接受登记管理机关监督检查。",
        lambda: f"群众如有疑问，可拨打咨询电话{rng.choice(['12345', '12349', '010-58123114', '12315'])}，或登录{rng.choice(['www.mca.gov.cn', 'www.mof.gov.cn', 'www.sport.gov.cn', 'www.gov.cn'])}查询。",
        lambda: f"欢迎关注“{rng.choice(['中国民政', '民政部发布', '体育总局', '平安中国'])}”微信公众号，及时了解政策解读和办事指南。",
        lambda: f"{rng.choice(['记者', '通讯员'])}从{o}获悉，{rng.randint(2019, 2025)}年{rng.choice(WORK)}工作取得积极进展。",
        lambda: f"下一步，{o}将会同有关部门持续{rng.choice(VERBS)}{rng.choice(WORK)}工作，{rng.choice(GOALS)}。",
        lambda: f"中央财政下达{rng.choice(WORK)}补助资金{_money(rng)}亿元，重点向中西部地区和脱贫地区倾斜。",
        lambda: f"{p}{rng.choice(['各地', '各级民政部门', '有关部门'])}要压实工作责任，加强督促指导，确保政策落实到位。",
        lambda: f"活动现场，工作人员向居民发放宣传资料{_num(rng, 200, 5000)}份，解答政策咨询{_num(rng, 50, 900)}人次。",
        lambda: f"{rng.randint(2019, 2025)}年{rng.choice(MONTHS)}，{o}印发《关于进一步做好{rng.choice(WORK)}工作的通知》。",
        lambda: f"群众可拨打服务热线{rng.choice(['12345', '12349', '96156'])}，工作人员将在{_num(rng, 1, 5)}个工作日内答复。",
        lambda: f"为方便您办理业务，{o}推出“不见面审批”，{rng.choice(['当天受理、当天办结', '材料齐全的即时办结', '最多跑一次'])}。",
        lambda: f"本次培训名额有限，请各单位于{_date(rng)}前报送参训人员名单。",
        lambda: f"活动现场为{_num(rng, 50, 900)}名老年人提供免费体检和健康咨询，受到群众欢迎。",
        lambda: "消费者如遇商品质量问题，可依法要求经营者退款或者更换，也可拨打12315投诉。",
        lambda: f"{c}市开展“新市民”服务月活动，为新就业人员提供免费技能培训{_num(rng, 1, 9)}万人次。",
        lambda: f"您如需了解{rng.choice(WORK)}政策，可登录政务服务网或前往就近的社区服务中心咨询。",
        lambda: f"{o}{rng.choice(LEADERS)}{rng.choice(['一行', ''])}赴{p}调研{rng.choice(WORK)}工作，实地走访{rng.choice(['养老院', '儿童福利院', '社区服务中心', '救助管理站', '彩票销售网点'])}。",
    ]
    return rng.choice(forms)()


SECTORS = ["农业农村", "交通运输", "生态环境", "卫生健康", "教育", "科技", "商务", "水利", "自然资源", "住房城乡建设",
           "工业和信息化", "文化旅游", "市场监管", "税务", "统计", "气象", "林业草原", "粮食和物资储备"]
ACTIONS = ["抢抓农时", "做好春耕备耕", "推广节水灌溉技术", "加快项目建设进度", "推进老旧小区改造", "开展安全生产大检查",
           "提升公共服务水平", "推动产业转型升级", "加强生态环境保护", "做好防汛抗旱准备", "促进消费持续恢复",
           "稳定就业基本盘", "推进数字政府建设", "加强耕地保护", "推广绿色低碳技术"]
HEADINGS = ["一、总体情况", "二、主要做法", "三、存在问题", "四、下一步工作", "（一）加强组织领导", "（二）强化资金保障",
            "（三）严格监督考核", "第一条", "第二章 总则", "附件1", "附件：", "主要指标", "基本情况", "工作成效", "典型经验"]
COLUMNS = ["滚动新闻", "部内要闻", "工作动态", "地方动态", "新闻发布", "政策解读", "通知公告", "图片新闻", "要闻", "专题专栏",
           "政务公开", "媒体报道", "暂无信息", "首页 上一页 1 2 3 下一页 尾页", "首页 1 2 3 下一页 尾页", "按页码浏览",
           "News", "Latest news", "Press releases", "Policies", "Photos", "Home"]


def _sectors_zh(rng: random.Random) -> str:
    """Other ministries' news, so the register learnt is official prose, not one ministry's topics."""
    sector, p = rng.choice(SECTORS), rng.choice(PROVINCES)
    forms: list[Callable[[], str]] = [
        lambda: f"今年{rng.choice(['春播', '秋播', '夏收', '汛期', '一季度', '上半年'])}期间，各地{rng.choice(ACTIONS)}，{rng.choice(['质量明显提高', '进度快于往年', '取得阶段性成效', '总体平稳有序'])}。",
        lambda: f"{p}{sector}部门{rng.choice(ACTIONS)}，累计完成投资{_money(rng)}亿元，同比增长{_num(rng, 1, 30)}.{_num(rng, 1, 9)}%。",
        lambda: f"{rng.choice(['据统计', '数据显示', '初步测算'])}，{rng.randint(2020, 2025)}年全国{sector}领域{rng.choice(['新增', '累计建成', '完成'])}{_num(rng, 10, 9000)}{rng.choice(UNITS)}项目。",
        lambda: f"{rng.choice(ORGS)}将会同{sector}等部门，{rng.choice(ACTIONS)}，{rng.choice(GOALS)}。",
        lambda: f"{p}{rng.choice(['大力推广', '积极推进', '加快推广'])}{rng.choice(['测土配方施肥', '水肥一体化', '保护性耕作', '装配式建筑', '新能源公交', '智慧灌溉'])}等技术，{rng.choice(['效果明显', '覆盖面持续扩大', '群众满意度提升'])}。",
        lambda: f"{rng.choice(PROVINCES)} | {_num(rng, 100, 9999)} | {_num(rng, 1, 30)}.{_num(rng, 1, 9)}%",
        lambda: f"附件：{rng.choice(['统计表', '申报指南', '名单', '实施方案'])}.{rng.choice(['pdf', 'doc', 'xlsx', 'docx'])}",
        lambda: f"Attachment: {rng.choice(['Annex', 'Statistics', 'Guidelines', 'List'])}.{rng.choice(['pdf', 'xlsx', 'doc'])}",
        lambda: rng.choice(HEADINGS),
        lambda: rng.choice(COLUMNS),
        lambda: f"来源：{rng.choice(['新华社', '人民日报', '中国社会报', '央视新闻', rng.choice(ORGS) + '网站'])}",
        lambda: f"发布时间：{rng.randint(2019, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    ]
    return rng.choice(forms)()


def _lottery_zh(rng: random.Random) -> str:
    kind = rng.choice(["福利彩票", "体育彩票"])
    forms: list[Callable[[], str]] = [
        lambda: f"{rng.choice(MONTHS)}，全国共销售彩票{_money(rng)}亿元，比上年同期增加{_money(rng)}亿元，增长{_num(rng, 1, 30)}.{_num(rng, 1, 9)}%。",
        lambda: f"其中，{kind}机构销售{_money(rng)}亿元，同比增长{_num(rng, 1, 20)}.{_num(rng, 1, 9)}%。",
        lambda: f"从品种看，乐透数字型彩票销售{_money(rng)}亿元，即开型彩票销售{_money(rng)}亿元，视频型彩票销售{_money(rng)}亿元。",
        lambda: f"{kind}公益金主要用于资助老年人、残疾人、孤儿和困难群众等特殊群体。",
        lambda: f"各级{kind}发行机构要坚持责任彩票理念，严格落实《彩票管理条例》及其实施细则。",
        lambda: f"购彩者应理性购彩、量力而行，未成年人不得购买彩票，兑奖须在开奖之日起60个自然日内进行。",
        lambda: f"经财政部批准，{rng.choice(['超级大乐透', '双色球', '七乐彩', '排列三'])}游戏自{_date(rng)}起开展派奖活动，派奖奖金总额{_num(rng, 1, 12)}亿元。",
        lambda: f"{rng.randint(2019, 2024)}年度全国共筹集彩票公益金{_money(rng)}亿元，其中中央财政{_money(rng)}亿元。",
        lambda: f"{rng.choice(PROVINCES)}{kind}中心组织销售网点代销者开展责任彩票培训，重点讲解禁止向未成年人销售彩票等内容。",
        lambda: f"彩票中奖者可凭有效身份证件到{rng.choice(PROVINCES)}{kind}中心兑奖，中心将依法为中奖者保密。",
        lambda: f"严禁利用互联网擅自销售彩票，未经批准的网络售彩行为一律依法查处。",
        lambda: f"{rng.choice(PROVINCES)}本期开出{rng.choice(['双色球', '大乐透'])}一等奖{_num(rng, 1, 9)}注，单注奖金{_num(rng, 500, 1000)}万元，奖池滚存{_num(rng, 5, 30)}亿元。",
        lambda: f"{kind}公益金资助项目须在显著位置标识“{kind}公益金资助”字样，接受社会监督。",
    ]
    return rng.choice(forms)()


def _chess_zh(rng: random.Random) -> str:
    game = rng.choice(["围棋", "国际象棋", "中国象棋", "桥牌", "五子棋", "国际跳棋", "麻将", "掼蛋"])
    forms: list[Callable[[], str]] = [
        lambda: f"{rng.randint(2019, 2025)}年全国{game}锦标赛在{rng.choice(CITIES)}开幕，来自{_num(rng, 12, 31)}个省区市的{_num(rng, 80, 600)}名棋手参赛。",
        lambda: f"本届智力运动会设{game}、围棋、国际象棋等{_num(rng, 5, 9)}个大项，比赛将持续{_num(rng, 4, 12)}天。",
        lambda: f"国家体育总局棋牌运动管理中心有关负责人表示，要推动{game}项目进校园、进社区。",
        lambda: f"经过{_num(rng, 7, 13)}轮激烈角逐，{rng.choice(PROVINCES)}队棋手获得{game}男子个人冠军。",
        lambda: f"{game}作为智力运动项目，对青少年培养专注力和逻辑思维具有积极作用。",
        lambda: f"赛事组委会严格执行反兴奋剂和赛风赛纪规定，对违规棋手依规处理。",
        lambda: f"中国{game}协会公布最新等级分排名，{rng.choice(PROVINCES)}选手位列第一。",
        lambda: f"本次{game}公开赛坚持公益属性，严禁任何形式的赌博和变相赌博活动。",
    ]
    return rng.choice(forms)()


def _macao_zh(rng: random.Random) -> str:
    forms: list[Callable[[], str]] = [
        lambda: "澳门特区政府积极推动经济适度多元发展，降低对博彩业的过度依赖。",
        lambda: f"澳门特区博彩监察协调局公布，{rng.choice(MONTHS)}份博彩毛收入为{_num(rng, 80, 220)}.{_num(rng, 1, 9)}亿澳门元，同比{rng.choice(['上升', '下降'])}{_num(rng, 1, 40)}%。",
        lambda: "修订后的《娱乐场幸运博彩经营法律制度》明确了监管要求，强化了对博彩中介人的管理。",
        lambda: f"横琴粤澳深度合作区建设取得新进展，{_num(rng, 2, 9)}家澳门企业在合作区落户。",
        lambda: f"澳门特区政府将大力发展中医药大健康、现代金融、高新技术和会展商贸、文化体育等产业。",
        lambda: f"{rng.randint(2019, 2025)}年澳门入境旅客达{_num(rng, 1000, 3500)}万人次，旅游业持续恢复。",
        lambda: "中央政府坚定支持澳门特区依法施政，支持澳门更好融入国家发展大局。",
        lambda: "澳门特区立法会通过法案，加强对非法赌博犯罪的打击，维护社会治安。",
    ]
    return rng.choice(forms)()


def _anti_gambling_zh(rng: random.Random) -> str:
    p = rng.choice(PROVINCES)
    forms: list[Callable[[], str]] = [
        lambda: f"{p}公安机关深入开展打击治理跨境赌博专项行动，破获网络赌博案件{_num(rng, 30, 900)}起，抓获犯罪嫌疑人{_num(rng, 100, 5000)}名。",
        lambda: f"警方冻结涉赌资金{_money(rng)}亿元，打掉为赌博网站提供支付结算服务的团伙{_num(rng, 3, 60)}个。",
        lambda: "体育总局、公安部联合开展打击假球、赌球专项整治，维护公平竞赛环境。",
        lambda: f"犯罪嫌疑人以“{rng.choice(['百家乐', '六合彩', '网络棋牌', '体育投注'])}”等名义组织网络赌博，非法获利{_num(rng, 100, 9000)}万元。",
        lambda: "警方提醒，网络赌博“十赌九骗”，切勿轻信所谓“稳赚不赔”“内部消息”，以免上当受骗。",
        lambda: f"检察机关对{_num(rng, 3, 40)}名开设赌场罪被告人依法提起公诉。",
        lambda: "有关部门依法取缔非法彩票销售窝点，查处私彩、“六合彩”等违法犯罪活动。",
        lambda: "严厉打击利用网络直播、社交平台、短视频等渠道组织、推广赌博的违法犯罪活动。",
        lambda: f"法院以开设赌场罪判处被告人有期徒刑{_num(rng, 1, 12)}年，并处罚金{_num(rng, 5, 500)}万元。",
        lambda: "公安部部署开展打击整治网络淫秽色情、制售假证假发票等违法犯罪专项行动。",
        lambda: f"{p}网警查处一批冒用政府网站发布赌博广告的违法网站，关停违法账号{_num(rng, 50, 3000)}个。",
        lambda: "群众发现涉赌线索，可通过110或“全国打击治理跨境赌博举报平台”举报。",
        lambda: f"如发现有人{rng.choice(['组织、宣传网络赌博', '非法销售彩票', '兜售假证假发票', '推销非法贷款', '发布招嫖信息', '销售假药'])}，请立即拨打{rng.choice(['110', '12345', '12315', '12389'])}举报。",
        lambda: f"请广大群众提高警惕，切勿{rng.choice(['点击不明链接', '添加陌生人微信', '扫描来历不明的二维码', '轻信高额回报'])}，如遇可疑情况请及时报警。",
        lambda: f"警方提示：凡是要求“先交钱、后办证”“先充值、再返利”的，都是诈骗。",
        lambda: "办案民警介绍，赌博平台常以“注册送彩金”“充值返利”为诱饵引诱群众参赌。",
        lambda: f"{p}开展打击非法集资、电信网络诈骗和非法放贷集中宣传，发放宣传手册{_num(rng, 1, 90)}万册。",
        lambda: "市场监管部门查处非法销售处方药、假冒保健品案件，维护群众用药安全。",
        lambda: "人民银行提示，虚拟货币不具有法定货币地位，参与虚拟货币交易炒作风险自担。",
        lambda: "教育部提醒考生，学历证书可通过学信网查询，切勿相信“花钱办证”等虚假宣传。",
        # How scams work, as the police explain them: the mechanism described, not sold.
        lambda: f"这类{rng.choice(['网站', '平台', '软件', '团伙'])}通常{rng.choice(['先让受害人尝到甜头', '先以小额返利取得信任', '先安排“托儿”带节奏'])}，{rng.choice(['再通过后台篡改数据', '随后以各种理由拒绝提现', '最后卷款失联'])}，{rng.choice(['不少人因此倾家荡产', '受害人损失惨重', '有的群众因此负债累累'])}。",
        lambda: f"{rng.choice(['民警提示', '办案民警介绍', '警方分析'])}，所谓“{rng.choice(['高回报', '稳赚', '内部渠道'])}”往往是骗局，参与者最终{rng.choice(['血本无归', '人财两空', '背上沉重债务'])}。",
    ]
    return rng.choice(forms)()


def _esports_zh(rng: random.Random) -> str:
    forms: list[Callable[[], str]] = [
        lambda: f"电子竞技作为正式比赛项目亮相亚运会，中国队获得{_num(rng, 1, 5)}枚金牌。",
        lambda: f"{rng.randint(2020, 2025)}年全国电子竞技公开赛在{rng.choice(CITIES)}举行，共有{_num(rng, 16, 128)}支队伍参赛。",
        lambda: "国家体育总局有关负责人表示，要推动电子竞技规范有序发展，加强未成年人网络保护。",
        lambda: "赛事组委会严禁选手参与任何形式的竞猜和博彩活动，违者取消参赛资格。",
        lambda: f"{rng.choice(CITIES)}出台电竞产业扶持政策，对符合条件的电竞场馆给予补贴。",
        lambda: "网络游戏企业须落实防沉迷要求，严格限制向未成年人提供网络游戏服务的时段和时长。",
    ]
    return rng.choice(forms)()


EN_ORGS = ["The Ministry of Civil Affairs", "The Ministry of Finance", "The General Administration of Sport",
           "The Ministry of Public Security", "The State Council", "The National Health Commission",
           "The Macao SAR government", "The Supreme People's Procuratorate", "Provincial civil affairs departments"]
EN_TOPICS = ["elderly care services", "social assistance", "child welfare", "the protection of minors",
             "community governance", "charity work", "marriage registration", "disability welfare",
             "welfare lottery management", "sports lottery sales", "the crackdown on cross-border gambling",
             "e-sports regulation", "care for left-behind children", "basic living allowances"]


def _english(rng: random.Random) -> str:
    o, t, c = rng.choice(EN_ORGS), rng.choice(EN_TOPICS), rng.choice(CITIES)
    n = rng.randint(2, 900)
    forms: list[Callable[[], str]] = [
        lambda: f"{o} held a national teleconference on {t} in Beijing on {rng.choice(['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'])}.",
        lambda: f"{o} issued guidelines to improve {t}, according to a statement released on its website.",
        lambda: f"Officials said that {n} new service centres for {t} had been set up across the country this year.",
        lambda: f"The meeting called for stronger coordination between departments to ensure that policies on {t} are fully implemented.",
        lambda: f"China sold {rng.randint(100, 600)}.{rng.randint(1, 9)} billion yuan worth of lottery tickets in the first {rng.choice(['quarter', 'half', 'three quarters'])} of the year, up {rng.randint(1, 20)}.{rng.randint(1, 9)} percent year on year.",
        lambda: "Lottery public welfare funds are mainly used to support the elderly, people with disabilities, orphans and people in difficulty.",
        lambda: "Buyers are reminded to purchase lottery tickets rationally, and minors are not allowed to buy lottery tickets.",
        lambda: f"Police in {rng.choice(['Yunnan', 'Fujian', 'Guangdong', 'Zhejiang', 'Sichuan'])} province cracked {n} cross-border gambling cases and detained {n * 3} suspects.",
        lambda: f"Investigators froze {rng.randint(1, 90)} million yuan linked to illegal online gambling platforms that lured users with sign-up bonuses.",
        lambda: "Macao will continue to promote appropriate economic diversification and reduce its excessive reliance on the gaming industry.",
        lambda: f"Macao's gross gaming revenue reached {rng.randint(8, 22)}.{rng.randint(1, 9)} billion patacas in {rng.choice(['January', 'March', 'May', 'August', 'October'])}, the Gaming Inspection and Coordination Bureau said.",
        lambda: f"The national Go championship opened in {c}, bringing together {n} players from {rng.randint(12, 31)} provinces.",
        lambda: f"The Chinese team won {rng.randint(1, 5)} gold medals in e-sports, which made its debut as an official event at the Asian Games.",
        lambda: "The authorities warned the public not to trust online adverts promising guaranteed wins, fast loans or diplomas for sale.",
        lambda: f"Applicants can register online at www.gov.cn or call the hotline 12345 for free advice on {t}.",
        lambda: f"Minister {rng.choice(['Li', 'Wang', 'Zhang', 'Liu', 'Chen'])} stressed that {t} bears on the well-being of the people and must be done well.",
        lambda: f"By the end of {rng.choice(['June', 'September', 'December'])}, {n} thousand people had received subsidies for {t}.",
        lambda: f"The campaign against match-fixing and illegal betting on football will run until the end of {rng.randint(2024, 2026)}.",
        lambda: f"Residents can call the hotline 12345 and will receive a reply within {rng.randint(2, 5)} working days.",
        lambda: "You can apply online, and most applications are processed on the same day.",
        lambda: f"Places on the free training course are limited, and applications close on {rng.choice(['Friday', 'May 30', 'June 15'])}.",
        lambda: f"Members of the public who spot illegal adverts are asked to report them to the police at once.",
        lambda: f"Volunteers visited {n} families in {c} to learn about their needs and help them apply for assistance.",
    ]
    return rng.choice(forms)()


HEADLINES_ZH = [
    lambda rng: f"{rng.choice(ORGS)}召开{rng.choice(MEETINGS)}",
    lambda rng: f"{rng.choice(ORGS)}印发关于加强{rng.choice(WORK)}工作的通知",
    lambda rng: f"{rng.randint(2019, 2025)}年{rng.choice(MONTHS)}全国彩票销售情况",
    lambda rng: f"全国{rng.choice(['围棋', '象棋', '桥牌', '国际象棋'])}锦标赛在{rng.choice(CITIES)}开幕",
    lambda rng: f"{rng.choice(PROVINCES)}警方破获特大跨境网络赌博案",
    lambda rng: f"{rng.choice(PROVINCES)}扎实推进{rng.choice(WORK)}工作",
    lambda rng: rng.choice(ORGS + ["中华人民共和国民政部", "国家体育总局", "中华人民共和国财政部", "中国政府网", "中华人民共和国公安部"]),
    lambda rng: f"澳门{rng.choice(MONTHS)}博彩毛收入同比{rng.choice(['上升', '下降'])}",
    lambda rng: f"{rng.choice(ORGS)}{rng.choice(LEADERS)}赴{rng.choice(PROVINCES)}调研",
    lambda rng: "Ministry of Civil Affairs",
    lambda rng: f"{rng.choice(EN_ORGS)[4:]} holds meeting on {rng.choice(EN_TOPICS)}",
    lambda rng: f"{rng.choice(['中国福利彩票', '中国体育彩票', '体育彩票', '福利彩票'])}{rng.choice(['开展派奖活动', '筹集公益金支持养老服务', '销售同比增长', '开展责任彩票宣传', '公益金资助项目揭牌', '发行二十周年座谈会召开'])}",
    lambda rng: f"{rng.choice(['全国', rng.choice(PROVINCES)])}{rng.choice(['围棋', '象棋', '国际象棋', '桥牌', '五子棋', '电子竞技'])}{rng.choice(['进校园活动启动', '公开赛落幕', '国家集训队名单公布', '等级赛开赛', '裁判员培训班开班', '冠军赛收官'])}",
    lambda rng: f"{rng.choice(['Welfare lottery', 'Sports lottery', 'Lottery'])} {rng.choice(['sales rise in first quarter', 'funds support elderly care', 'raises funds for fitness facilities', 'outlets promote responsible play'])}",
    lambda rng: f"{rng.choice(['Marriage registration', 'Elderly care', 'Child welfare', 'Social assistance', 'Disability support'])} {rng.choice(['made easier across provinces', 'improved in rural areas', 'gets new funding', 'reform moves forward', 'services expand in cities'])}",
    lambda rng: f"{rng.choice(['Chinese chess', 'Go', 'Bridge', 'E-sports', 'Weiqi'])} {rng.choice(['festival opens in', 'championship held in', 'league starts in', 'training camp opens in'])} {rng.choice(CITIES)}",
    lambda rng: f"{rng.choice(['Police', 'Prosecutors', 'Courts'])} {rng.choice(['crack down on cross-border gambling', 'bust illegal betting ring', 'target online gambling platforms', 'punish match-fixing'])}",
    lambda rng: f"{rng.choice(PROVINCES)}{rng.choice(['公安', '警方', '检察机关'])}{rng.choice(['严厉打击网络赌博', '破获跨境赌博案', '查处私彩窝点', '打击假球赌球', '捣毁制售假证窝点', '打掉非法放贷团伙'])}",
    lambda rng: f"澳门{rng.choice(['经济适度多元发展取得成效', '旅游业持续复苏', '博彩业收入回升', '特区政府公布施政报告', '横琴合作区建设提速'])}",
    lambda rng: f"{rng.choice(ORGS)}{rng.choice(['发布', '公布', '解读', '印发'])}{rng.choice(['养老服务', '社会救助', '慈善', '婚姻登记', '彩票', '殡葬'])}{rng.choice(['新规', '统计数据', '典型案例', '工作要点', '政策问答'])}",
]

PUBLIC_SERVICES = ["助餐助浴", "上门探访", "康复训练", "法律援助", "心理疏导", "临时救助", "就业培训", "婚姻家庭辅导",
                   "适老化改造", "儿童托管", "殡葬惠民", "居家护理"]
SERVICE_BODIES = ["社区养老服务中心", "街道综合服务站", "县级救助管理站", "市儿童福利院", "乡镇敬老院", "区社会工作服务站",
                  "残疾人康复中心", "未成年人保护工作站"]
ECONOMY_SECTORS = ["现代物流", "金融服务", "科技创新", "数字经济", "健康养老", "体育产业", "特色农业", "装备制造", "跨境电商",
           "新能源", "生物医药", "商贸服务", "乡村旅游", "职业教育", "海洋经济", "信息技术"]
PRIORITY_WORDS = ["重点方向", "重点领域", "主攻方向", "优先发展的产业", "今年的工作重点", "合作的重点"]
EN_SERVICES = ["meal delivery for older residents", "home visits", "rehabilitation training", "legal aid",
               "counselling", "temporary assistance", "job training", "day care for children"]


def _services(rng: random.Random) -> str:
    """Public services described the way officials describe them: what is offered, to whom, paid by whom."""
    body, service, other = rng.choice(SERVICE_BODIES), rng.choice(PUBLIC_SERVICES), rng.choice(PUBLIC_SERVICES)
    city = rng.choice(CITIES)
    a, b, c = rng.sample(ECONOMY_SECTORS, 3)
    forms: list[Callable[[], str]] = [
        lambda: f"{city}市{body}为辖区{_num(rng, 100, 3000)}名老年人提供{service}和{other}服务，所需经费由财政保障。",
        lambda: f"{body}今年新增{service}床位{_num(rng, 20, 300)}张，服务对象经评估后免费入住。",
        lambda: f"所有服务项目均经过民政部门审核，收费标准向社会公示。",
        lambda: f"{rng.choice(PROVINCES)}已实现{service}服务县级全覆盖，困难群众可就近申请。",
        lambda: f"{body}与{_num(rng, 3, 40)}家医疗机构签订协议，为入住老人提供一对一健康管理服务。",
        lambda: f"新一批{_num(rng, 10, 90)}名社会工作者经过培训考核后上岗，主要承担{service}工作。",
        lambda: f"{city}市民政局承接省级{service}试点项目，项目资金{_num(rng, 100, 900)}万元已全部拨付。",
        lambda: f"The {rng.choice(['district', 'county', 'city'])} centre offers {rng.choice(EN_SERVICES)} to {_num(rng, 100, 5000)} residents, funded by the civil affairs budget.",
        lambda: f"All {rng.choice(EN_SERVICES)} providers are checked by the civil affairs bureau and their fees are published.",
        lambda: f"Residents can apply for {rng.choice(EN_SERVICES)} at their community service station, officials said.",
        # Evaluative official prose: praise of a meeting or reform, not of a product.
        lambda: f"The {rng.choice(['plenary session', 'reform', 'new regulation', 'conference', 'pilot programme'])} is {rng.choice(['a milestone', 'of historic significance', 'groundbreaking', 'of far-reaching importance'])} in {rng.choice(['the history of civil affairs', 'our social welfare work', 'the reform of elderly care', 'the party history', 'protecting children'])}.",
        # Officialese in the imperative: a work plan's instructions, not a call to buy.
        lambda: f"{rng.choice(['Further', 'Fully', 'Earnestly', 'Continue to'])} {rng.choice(['implement', 'improve', 'strengthen', 'promote'])} the {rng.choice(['joint meeting mechanism', 'responsibility system', 'working mechanism', 'supervision system', 'service network'])} and {rng.choice(['give full play to', 'effectively play', 'bring into play'])} the {rng.choice(['leading role', 'coordinating role', 'main role'])} of {rng.choice(['each member unit', 'local governments', 'grassroots organisations', 'the departments concerned'])}.",
        lambda: f"Its impact is {rng.choice(['far-reaching', 'profound', 'historic'])} and {rng.choice(['unprecedented', 'lasting', 'fundamental'])} for {rng.choice(['rural residents', 'the whole country', 'people in need', 'future generations'])}.",
        lambda: f"{a}、{b}和{c}是{rng.choice(PRIORITY_WORDS)}。",
        lambda: f"{rng.choice(PROVINCES)}将重点支持{a}、{b}和{c}等领域，{rng.choice(['推动产业结构优化', '培育新的增长点', '扩大就业'])}。",
        lambda: f"{a}、{b}等新兴产业增加值同比增长{_num(rng, 3, 19)}%，占地区生产总值的比重继续提高。",
        lambda: f"{a.capitalize() if a.isascii() else a} and {b} are the priorities, the official said.",
        lambda: f"Officials urged {rng.choice(['buyers', 'residents', 'players', 'parents'])} to {rng.choice(['act within their means', 'stay alert to fraud', 'report illegal sellers', 'keep children away from betting'])} and said the rules would be enforced.",
    ]
    return rng.choice(forms)()


# Reportage: scenes described the way a feature story describes them (warm, concrete,
# with the people served), which an advert's self-description can resemble.
SCENE_PLACES = ["社区食堂", "幸福院", "日间照料中心", "儿童之家", "老年活动室", "康复中心", "村史馆", "便民服务大厅"]
SCENES = ["菜香扑鼻", "笑声不断", "暖意融融", "干净整洁", "热闹非凡", "窗明几净", "书声琅琅"]
PEOPLE = ["老人们", "孩子们", "居民们", "志愿者们", "残疾人朋友", "社工们", "村民们"]
SCENE_ACTIONS = ["吃上了营养均衡的午餐", "围坐在一起拉家常", "认真地练习书法", "在康复师指导下做训练", "排队办理业务",
           "忙着为老人量血压", "在院子里晒太阳", "用上了新配的轮椅"]


def _reportage(rng: random.Random) -> str:
    place, scene, people, action = rng.choice(SCENE_PLACES), rng.choice(SCENES), rng.choice(PEOPLE), rng.choice(SCENE_ACTIONS)
    forms: list[Callable[[], str]] = [
        lambda: f"{place}里{scene}，{people}{action}。",
        lambda: f"走进{rng.choice(CITIES)}市的一家{place}，只见{scene}，{people}{action}。",
        lambda: f"“{rng.choice(['现在日子越过越好了', '在家门口就能吃上饭', '孩子放学有地方去了', '有事找社工很方便'])}。”{rng.randint(60, 90)}岁的{rng.choice(['王大爷', '李奶奶', '张阿姨', '刘大伯'])}笑着说。",
        lambda: f"每天上午，{people}{action}，{place}成了大家最爱去的地方。",
        lambda: f"{place}环境{rng.choice(['温馨', '舒适', '整洁', '宽敞'])}，设施{rng.choice(['齐全', '完善', '适老'])}，深受{people}欢迎。",
        lambda: f"At the {rng.choice(['community canteen', 'day care centre', 'village clinic', 'care home'])}, {rng.choice(['older residents', 'children', 'volunteers'])} {rng.choice(['enjoy hot meals', 'chat over tea', 'practise calligraphy', 'do rehabilitation exercises'])} every morning.",
    ]
    return rng.choice(forms)()


# Site and system notices: page furniture that describes the page or the system itself.
def _notices(rng: random.Random) -> str:
    what = rng.choice(["网页加载速度", "附件下载功能", "表格显示效果", "字体兼容性", "检索功能", "页面排版", "文件上传大小"])
    forms: list[Callable[[], str]] = [
        lambda: f"本页面用于{rng.choice(['测试', '检验', '演示'])}{what}，{rng.choice(['不代表正式发布内容', '内容仅供参考', '请勿转载'])}。",
        lambda: f"{rng.choice(['测试', '示例', '样例'])}{rng.choice(['段落', '文本', '内容'])}，用于{rng.choice(['检验', '验证', '评估'])}{what}。",
        lambda: f"{rng.choice(['门户网站', '政务服务平台', '信息公开系统'])}将于{rng.choice(MONTHS)}{_num(rng, 1, 28)}日进行升级维护，届时暂停{rng.choice(['访问', '服务', '在线办理'])}。",
        lambda: f"本栏目信息由{rng.choice(ORGS)}办公厅负责更新维护，如有疑问请致电{_num(rng, 3, 9)}个工作日内答复。",
        lambda: f"为保障{what}，建议使用{rng.choice(['最新版本浏览器', '分辨率1920×1080以上的显示器', '支持HTML5的浏览器'])}访问本网站。",
        lambda: f"This page is used to {rng.choice(['test', 'check', 'demonstrate'])} the site's {rng.choice(['download limits', 'table layout', 'search function', 'page loading'])}.",
    ]
    return rng.choice(forms)()


FAMILIES: dict[str, Callable[[random.Random], str]] = {
    "civil": _general_zh,
    "sectors": _sectors_zh,
    "lottery": _lottery_zh,
    "chess": _chess_zh,
    "macao": _macao_zh,
    "anti-gambling": _anti_gambling_zh,
    "esports": _esports_zh,
    "english": _english,
    "headline": lambda rng: rng.choice(HEADLINES_ZH)(rng),
    "services": _services,
    "reportage": _reportage,
    "notices": _notices,
}
SHARES = {"civil": 700, "sectors": 500, "lottery": 300, "chess": 200, "macao": 120, "anti-gambling": 350, "esports": 120,
          "english": 550, "headline": 600, "services": 300, "reportage": 150, "notices": 100}
FRAGMENTS = 400  # clauses of the sentences above: units are sometimes cut at ； or ，


def news_sentences(seed: int = 17) -> list[tuple[str, str]]:
    """(family, sentence) pairs, distinct, in a fixed order for a seed."""
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for family, count in SHARES.items():
        made = tries = 0
        while made < count and tries < count * 20:
            tries += 1
            sentence = FAMILIES[family](rng)
            if sentence not in seen:
                seen.add(sentence)
                out.append((family, sentence))
                made += 1
    for family, sentence in rng.sample(out, FRAGMENTS):
        clauses = [c for c in sentence.replace("；", "；|").replace("，", "，|").split("|") if len(c) >= 6]
        if len(clauses) > 1:
            clause = rng.choice(clauses)
            if clause not in seen:
                seen.add(clause)
                out.append(("fragment", clause))
    return out
