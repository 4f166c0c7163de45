"""The demo county's register vocabulary (campaigns/demo_registers.py): project, investor and
task names.

Plain tables, no logic. Names are combined with a unit's short name (城关镇 / 经开区 …) so they
stay unique within the year; the tables are long enough for a county of the default size.
"""

from .register_models import KeyProject, PilotVillage, SignedProject

Category = KeyProject.Category

# 项目建设会战: (name suffix, category, (low, high) annual plan in 万元). A township or park's
# short name goes in front: 青山镇农产品冷链物流中心, 经开区新能源电池材料产业园 …
INDUSTRY_PROJECTS = [
    ("新能源电池材料产业园", Category.INDUSTRY, (8000, 30000)),
    ("智能装备制造基地", Category.INDUSTRY, (6000, 20000)),
    ("农产品精深加工产业园", Category.AGRICULTURE, (3000, 12000)),
    ("标准化厂房（三期）", Category.INDUSTRY, (2000, 8000)),
    ("农产品冷链物流中心", Category.SERVICES, (1500, 6000)),
    ("污水处理厂提标改造", Category.INFRASTRUCTURE, (1000, 5000)),
    ("集中供水工程", Category.INFRASTRUCTURE, (800, 4000)),
    ("产城融合道路提质改造", Category.INFRASTRUCTURE, (1500, 7000)),
    ("易地扶贫搬迁安置房", Category.SOCIAL, (1200, 6000)),
    ("中心学校综合楼", Category.SOCIAL, (600, 2500)),
    ("卫生院改扩建", Category.SOCIAL, (500, 2000)),
    ("高标准农田建设", Category.AGRICULTURE, (800, 3500)),
    ("光伏发电项目", Category.INDUSTRY, (3000, 12000)),
    ("特色小镇文旅综合体", Category.SERVICES, (2000, 9000)),
    ("绿色建材产业园", Category.INDUSTRY, (3000, 12000)),
    ("电子信息产业园", Category.INDUSTRY, (5000, 20000)),
    ("食品加工产业园", Category.INDUSTRY, (2500, 10000)),
    ("现代物流园仓储中心", Category.SERVICES, (2000, 8000)),
    ("中药材种植加工基地", Category.AGRICULTURE, (1000, 4000)),
    ("乡村振兴示范片区", Category.AGRICULTURE, (1000, 5000)),
    ("110千伏变电站", Category.INFRASTRUCTURE, (1500, 4000)),
    ("小水库除险加固", Category.INFRASTRUCTURE, (500, 2000)),
    ("生活垃圾转运站", Category.INFRASTRUCTURE, (400, 1500)),
    ("纺织服装产业园", Category.INDUSTRY, (3000, 10000)),
    ("生物医药产业园", Category.INDUSTRY, (6000, 25000)),
    ("商贸物流综合体", Category.SERVICES, (2000, 8000)),
]

# 重大战略支撑项目 (投资几十亿乃至上百亿元): parks first, then a few townships.
STRATEGIC_PROJECTS = [
    ("百亿级新能源产业基地", Category.INDUSTRY, (150000, 300000)),
    ("高端装备制造产业园", Category.INDUSTRY, (80000, 200000)),
    ("抽水蓄能电站", Category.INFRASTRUCTURE, (200000, 600000)),
    ("数字经济产业园", Category.INDUSTRY, (60000, 150000)),
    ("现代农业全产业链项目", Category.AGRICULTURE, (50000, 120000)),
]

# 县城建设会战: 精品工程 (the speech names them) and the county town's other works.
SHOWCASE_PROJECTS = [
    ("中央商务区", Category.URBAN, (8000, 30000)),
    ("行政服务中心", Category.URBAN, (5000, 15000)),
    ("城市规划展馆", Category.URBAN, (3000, 9000)),
    ("企业文化广场", Category.URBAN, (2000, 6000)),
    ("城市体育公园", Category.SOCIAL, (3000, 10000)),
    ("滨河景观带", Category.URBAN, (3000, 12000)),
    ("县城第二实验学校", Category.SOCIAL, (4000, 12000)),
    ("县人民医院新院区", Category.SOCIAL, (8000, 25000)),
    ("图书馆文化馆", Category.SOCIAL, (2000, 6000)),
    ("城南湿地公园", Category.URBAN, (2000, 8000)),
    ("全民健身中心", Category.SOCIAL, (1500, 5000)),
    ("老城区历史文化街区", Category.URBAN, (3000, 10000)),
]
CITY_WORKS = [
    ("人民路拓宽改造", Category.INFRASTRUCTURE, (1500, 5000)),
    ("建设大道延伸段", Category.INFRASTRUCTURE, (3000, 9000)),
    ("解放路雨污分流改造", Category.INFRASTRUCTURE, (1000, 4000)),
    ("城北棚户区改造安置房", Category.SOCIAL, (3000, 12000)),
    ("老旧小区改造（一期）", Category.SOCIAL, (1000, 4000)),
    ("老旧小区改造（二期）", Category.SOCIAL, (1000, 4000)),
    ("城区公厕新建改造", Category.URBAN, (300, 1200)),
    ("城区垃圾中转站", Category.URBAN, (400, 1500)),
    ("城区公交候车亭", Category.URBAN, (200, 800)),
    ("城区停车场", Category.URBAN, (800, 3000)),
    ("城东污水管网", Category.INFRASTRUCTURE, (1000, 3500)),
    ("县城供水管网改造", Category.INFRASTRUCTURE, (800, 3000)),
    ("城区智慧路灯", Category.URBAN, (300, 1000)),
    ("北环路新建工程", Category.INFRASTRUCTURE, (3000, 10000)),
    ("滨江路改造", Category.INFRASTRUCTURE, (1500, 6000)),
    ("城区绿化提升", Category.URBAN, (500, 2000)),
    ("城南安置小区", Category.SOCIAL, (2500, 9000)),
    ("农贸市场改造", Category.SERVICES, (500, 2000)),
    ("城西片区道路网", Category.INFRASTRUCTURE, (2000, 7000)),
    ("城区燃气管网", Category.INFRASTRUCTURE, (800, 3000)),
    ("县城防洪堤", Category.INFRASTRUCTURE, (1500, 6000)),
    ("城区口袋公园", Category.URBAN, (300, 1200)),
    ("汽车客运站迁建", Category.INFRASTRUCTURE, (2000, 6000)),
    ("城区消防站", Category.SOCIAL, (800, 2500)),
    ("城区幼儿园", Category.SOCIAL, (600, 2000)),
    ("城市综合管廊", Category.INFRASTRUCTURE, (3000, 10000)),
    ("县城过境公路改线", Category.INFRASTRUCTURE, (3000, 12000)),
    ("城区背街小巷整治", Category.URBAN, (300, 1200)),
]

BLOCKING_NOTES = {
    "blocked_land": "项目用地组卷报批未完成，征地拆迁尚有遗留户",
    "blocked_funds": "项目资本金未到位，银行贷款审批中",
    "blocked_procedures": "环评和施工许可尚在办理",
    "blocked_other": "设计方案调整，施工单位进场推迟",
}
SUSPENDED_NOTE = "资金链紧张，施工单位已撤场"

# 招商签约: investors by class.
InvestorClass = SignedProject.InvestorClass
INVESTORS = {
    InvestorClass.CENTRAL_SOE: ["中国电建集团", "中国建筑集团", "国家电力投资集团", "中国中化",
                                "中国能建集团", "中国铁建"],
    InvestorClass.GLOBAL_500: ["比亚迪股份", "正威国际集团", "京东集团", "宁德时代",
                               "海亮集团", "美的集团"],
    InvestorClass.CHINA_500: ["通威集团", "新希望集团", "牧原食品", "三一重工", "隆基绿能",
                              "双胞胎集团", "温氏食品"],
    InvestorClass.OTHER: ["湘江建材有限公司", "恒信农业科技有限公司", "鑫达新材料有限公司",
                          "华泰物流有限公司", "佳禾食品有限公司", "宏远电子科技有限公司",
                          "绿源生态农业有限公司", "金穗米业有限公司", "天成文旅发展有限公司",
                          "瑞丰纺织有限公司"],
}  # fmt: skip
SIGNED_SUBJECTS = [
    "锂电池正极材料", "智能家居制造", "农产品加工", "冷链仓储", "光伏组件", "生物饲料",
    "文旅康养综合体", "电子元器件", "新型建材", "预制菜加工", "电商物流园", "风电场",
    "中药饮片加工", "纺织服装", "汽车零部件", "生猪养殖一体化", "数据中心", "储能电站",
]  # fmt: skip

# 美丽乡村试点村: village names, and the task list a village draws from (name, month, day due).
VILLAGE_NAMES = [
    "桃花村", "柳溪村", "石桥村", "枫林村", "竹园村", "杏花村", "龙潭村", "凤凰村",
    "白云村", "青松村", "荷塘村", "梨树村", "清泉村", "金山村", "新塘村", "马家村",
    "李家湾村", "大屋场村", "黄花村", "高岭村", "双江村", "茶园村", "长冲村", "明月村",
    "红旗村", "团结村", "沙湾村", "永丰村",
]  # fmt: skip
VILLAGE_TASKS = [
    ("村庄规划编制", 5, 31),
    ("主干道路硬化拓宽", 7, 31),
    ("入户道路硬化", 7, 31),
    ("生活污水集中处理设施", 7, 31),
    ("农户改厕", 7, 31),
    ("垃圾分类收集点建设", 6, 30),
    ("房前屋后环境整治", 6, 30),
    ("村级党群服务中心改造", 7, 31),
    ("文化广场建设", 7, 31),
    ("路灯亮化工程", 7, 31),
    ("沟渠塘坝清淤", 7, 31),
    ("特色民居外立面改造", 9, 30),
    ("村庄绿化美化", 9, 30),
    ("产业基地建设", 10, 31),
]
LEVEL_FUNDS = {  # 万元 planned, by level: (中央, 省, 市) ranges; matching (县, 乡镇, 村)
    PilotVillage.Level.PROVINCIAL: ((0, 200), (300, 500), (50, 100)),
    PilotVillage.Level.MUNICIPAL: ((0, 0), (0, 100), (150, 300)),
    PilotVillage.Level.COUNTY_AID: ((0, 0), (0, 0), (50, 120)),
}
MATCHING_FUNDS = ((60, 150), (20, 60), (10, 40))
HIGHLIGHTS = [
    "打造荷塘观光步道，吸引周边游客", "建成村史馆和乡贤文化长廊", "发展民宿8家，带动村民增收",
    "建成稻虾共养示范基地300亩", "建成“积分超市”，村民参与环境整治", "完成百亩油菜花海景观",
]  # fmt: skip
