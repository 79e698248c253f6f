"""The checklist templates every installation starts with, as published version 1.

Each item: (key, text, kind, severity, legal basis, photo required when failed, extra).
Kinds: pass_fail, number (extra: unit, min, max), text, choice (extra: choices). Extra may
give the item's class (KEY 重点项, GENERAL 一般项); the first four templates predate classes
and, as published, stay without (their critical items are the key ones). A template may
carry its rules (schemas.ChecklistRules).
"""

FOOD = "《中华人民共和国食品安全法》"
FOOD_RULES = "《中华人民共和国食品安全法实施条例》"
FOOD_LICENCE = "《食品生产许可管理办法》"
DUTY = "《企业落实食品安全主体责任监督管理规定》"
ART33 = f"{FOOD}第三十三条第一款"
KEY, GENERAL = {"class": "key"}, {"class": "general"}
SPECIAL = "《中华人民共和国特种设备安全法》"
INDUSTRIAL = "《中华人民共和国工业产品生产许可证管理条例》"
QUALITY = "《中华人民共和国产品质量法》"

STANDARD_TEMPLATES = (
    {
        "code": "food-routine",
        "title": "食品生产企业日常监督检查表",
        "title_en": "Food producer routine inspection",
        "sections": [
            {"title": "生产者资质（市场准入）", "items": [
                ("A1", "食品生产许可证在有效期内，生产的食品在许可范围内", "pass_fail", "critical", f"{FOOD}第三十五条", True, {}),
                ("A2", "许可证载明的生产场所、设备布局与实际一致", "pass_fail", "major", f"{FOOD_LICENCE}第三十二条", True, {}),
            ]},
            {"title": "原料进货与采购渠道", "items": [
                ("B1", "建立并执行原料进货查验记录制度，记录完整", "pass_fail", "major", f"{FOOD}第五十条", True, {}),
                ("B2", "原料供货者资质证明与合格证明文件齐全", "pass_fail", "major", f"{FOOD}第五十条", True, {}),
                ("B3", "未使用非食用物质、超范围超限量使用食品添加剂", "pass_fail", "critical", f"{FOOD}第三十四条", True, {}),
                ("B4", "原料库温度（℃）", "number", "minor", f"{FOOD}第三十三条", False, {"unit": "℃", "min": -25, "max": 25}),
            ]},
            {"title": "生产过程控制（关键控制点）", "items": [
                ("C1", "关键控制点按规定监控并记录", "pass_fail", "critical", f"{FOOD}第四十六条", True, {}),
                ("C2", "杀菌工序温度、时间符合工艺要求", "pass_fail", "critical", f"{FOOD}第四十六条", True, {}),
                ("C3", "关键控制点张贴质量警示语", "pass_fail", "minor", "质量警示语张贴要求", True, {}),
                ("C4", "生产人员健康证明在有效期内", "pass_fail", "major", f"{FOOD}第四十五条", False, {}),
            ]},
            {"title": "出厂检验", "items": [
                ("D1", "按规定对出厂食品进行检验，留存检验记录", "pass_fail", "critical", f"{FOOD}第五十一条", True, {}),
                ("D2", "检验设备在检定（校准）有效期内", "pass_fail", "major", f"{FOOD}第五十一条", True, {}),
            ]},
            {"title": "标签标识", "items": [
                ("E1", "预包装食品标签标注内容完整、真实", "pass_fail", "major", f"{FOOD}第六十七条", True, {}),
            ]},
            {"title": "企业台账", "items": [
                ("F1", "台账种类", "choice", "minor", "食品生产企业台账范本", False,
                 {"choices": ["齐全（18类）", "部分缺失", "无台账"]}),
                ("F2", "台账问题说明", "text", "minor", "食品生产企业台账范本", False, {}),
            ]},
        ],
    },
    {
        "code": "licence-verification",
        "title": "食品生产许可现场核查表",
        "title_en": "Licence on-site verification",
        "sections": [
            {"title": "生产场所", "items": [
                ("L1", "厂区环境整洁，远离污染源", "pass_fail", "major", f"{FOOD_LICENCE}第十二条", True, {}),
                ("L2", "车间布局合理，清洁区与非清洁区分隔", "pass_fail", "major", f"{FOOD_LICENCE}第十二条", True, {}),
            ]},
            {"title": "设备设施", "items": [
                ("L3", "生产设备与申请的生产工艺相适应", "pass_fail", "critical", f"{FOOD_LICENCE}第十二条", True, {}),
                ("L4", "检验设备满足出厂检验项目要求", "pass_fail", "critical", f"{FOOD_LICENCE}第十二条", True, {}),
            ]},
            {"title": "管理制度与人员", "items": [
                ("L5", "食品安全管理制度健全", "pass_fail", "major", f"{FOOD_LICENCE}第十二条", False, {}),
                ("L6", "配备食品安全管理人员和专业技术人员", "pass_fail", "major", f"{FOOD_LICENCE}第十二条", False, {}),
            ]},
            {"title": "核查结论", "items": [
                ("L7", "核查组意见（核查组成员现场共同确认，确认后不得更改）", "text", "critical", f"{FOOD_LICENCE}第二十一条", False, {}),
            ]},
        ],
    },
    {
        "code": "special-equipment",
        "title": "特种设备安全监督检查表",
        "title_en": "Special equipment safety check",
        "sections": [
            {"title": "使用登记与检验", "items": [
                ("S1", "特种设备已办理使用登记", "pass_fail", "critical", f"{SPECIAL}第三十三条", True, {}),
                ("S2", "设备在定期检验有效期内", "pass_fail", "critical", f"{SPECIAL}第四十条", True, {}),
            ]},
            {"title": "人员与制度", "items": [
                ("S3", "作业人员持证上岗", "pass_fail", "major", f"{SPECIAL}第十四条", True, {}),
                ("S4", "建立安全技术档案和日常维护保养记录", "pass_fail", "major", f"{SPECIAL}第三十五条", True, {}),
            ]},
            {"title": "现场安全", "items": [
                ("S5", "安全附件、安全保护装置齐全有效", "pass_fail", "critical", f"{SPECIAL}第三十九条", True, {}),
                ("S6", "锅炉/压力容器工作压力（MPa）", "number", "major", f"{SPECIAL}第三十九条", False,
                 {"unit": "MPa", "min": 0, "max": 2.5}),
                ("S7", "应急预案与演练记录", "pass_fail", "minor", f"{SPECIAL}第六十九条", False, {}),
            ]},
        ],
    },
    {
        "code": "industrial-routine",
        "title": "工业产品生产企业日常监督检查表",
        "title_en": "Industrial producer routine inspection",
        "sections": [
            {"title": "生产许可", "items": [
                ("G1", "列入目录的产品取得生产许可证并在有效期内", "pass_fail", "critical", f"{INDUSTRIAL}第五条", True, {}),
                ("G2", "产品或包装上标注许可证标志和编号", "pass_fail", "major", f"{INDUSTRIAL}第十四条", True, {}),
            ]},
            {"title": "原材料与生产过程", "items": [
                ("G3", "原材料进厂检验并记录", "pass_fail", "major", f"{QUALITY}第二十六条", True, {}),
                ("G4", "关键工序按工艺文件控制", "pass_fail", "major", f"{QUALITY}第二十六条", True, {}),
                ("G5", "关键控制点张贴质量警示语", "pass_fail", "minor", "质量警示语张贴要求", True, {}),
            ]},
            {"title": "出厂检验与标识", "items": [
                ("G6", "按标准进行出厂检验，留存检验报告", "pass_fail", "critical", f"{QUALITY}第十二条", True, {}),
                ("G7", "产品标识标注厂名、厂址、规格和执行标准", "pass_fail", "major", f"{QUALITY}第二十七条", True, {}),
                ("G8", "抽查成品断裂强力（kN）", "number", "minor", f"{QUALITY}第十三条", False,
                 {"unit": "kN", "min": 0, "max": 500}),
            ]},
        ],
    },
    {
        # Organised as the national food-production supervision checklist (食品生产监督检查要点表),
        # in our own words. Its rules: a routine visit examines at least 10 key items and 20
        # items in all; 合理缺项 says why; a failed key item makes the visit 不符合, any other
        # failure 基本符合, none 符合.
        "code": "food-supervision",
        "title": "食品生产监督检查要点表",
        "title_en": "Food production supervision checklist",
        "rules": {
            "coverage": {"key_items": 10, "items": 20, "visit_types": ["routine"]},
            "na_needs_reason": True,
            "conclusion": [
                {"when": {"class": "key", "result": "fail"}, "then": "fail"},
                {"when": {"result": "fail"}, "then": "pass_with_rectification"},
                {"then": "pass"},
            ],
        },
        "sections": [
            {"title": "生产者资质", "items": [
                ("A1", "持有有效的食品生产许可证，所产食品均在许可的类别和品种范围内", "pass_fail", "critical",
                 f"{FOOD}第三十五条", True, KEY),
                ("A2", "企业名称、生产地址、设备布局和工艺流程与许可证载明的一致，有变化的已申请变更", "pass_fail", "major",
                 f"{FOOD_LICENCE}第三十二条", True, GENERAL),
                ("A3", "委托他人生产的，受托方持有相应许可，双方有委托合同，委托方对生产行为进行监督", "pass_fail", "major",
                 f"{FOOD_RULES}第二十一条", False, GENERAL),
            ]},
            {"title": "生产环境条件", "items": [
                ("B1", "厂区和车间整洁，无积水、积尘、异味，与有毒有害场所和污染源保持规定距离", "pass_fail", "major",
                 f"{ART33}第（一）项", True, GENERAL),
                ("B2", "更衣、洗手、消毒、通风、照明和防鼠、防蝇、防虫等设施齐备并在用", "pass_fail", "major",
                 f"{ART33}第（二）项", True, GENERAL),
                ("B3", "设备布局和工艺流程能防止原料与成品、待加工品与直接入口食品交叉污染", "pass_fail", "major",
                 f"{ART33}第（四）项", True, GENERAL),
                ("B4", "生产用水达到生活饮用水卫生标准，有水质检测报告", "pass_fail", "major",
                 f"{ART33}第（九）项", True, GENERAL),
                ("B5", "洗涤剂、消毒剂对人体无害；杀虫剂等有毒有害物品专柜存放、专人保管、标识清楚", "pass_fail", "major",
                 f"{ART33}第（十）项", True, GENERAL),
                ("B6", "生产设备和设施定期维护、清洗、消毒，留有记录", "pass_fail", "minor",
                 f"{ART33}第（二）项", False, GENERAL),
            ]},
            {"title": "进货查验", "items": [
                ("C1", "采购原料、食品添加剂和食品相关产品时查验供货者许可证和产品合格证明，无证明的按标准检验",
                 "pass_fail", "critical", f"{FOOD}第五十条", True, KEY),
                ("C2", "进货查验记录写明名称、规格、数量、生产日期或批号、保质期、进货日期和供货者信息",
                 "pass_fail", "major", f"{FOOD}第五十条", True, GENERAL),
                ("C3", "未用非食品原料、回收食品、过期或不符合食品安全标准的原料生产", "pass_fail", "critical",
                 f"{FOOD}第三十四条", True, KEY),
                ("C4", "原辅料库分类分区存放，离地离墙，标识清楚，温湿度满足贮存要求", "pass_fail", "minor",
                 f"{ART33}第（六）项", True, GENERAL),
            ]},
            {"title": "生产过程控制", "items": [
                ("D1", "按配方和工艺规程投料，未添加非食用物质或其他可能危害人体健康的物质", "pass_fail", "critical",
                 f"{FOOD}第三十四条", True, KEY),
                ("D2", "食品添加剂按食品安全国家标准规定的品种、范围和用量使用，专人专柜管理并记录使用情况",
                 "pass_fail", "critical", f"{FOOD}第四十条", True, KEY),
                ("D3", "对原料控制、关键生产环节和检验控制制定控制要求并实施，关键控制点监控记录齐全",
                 "pass_fail", "critical", f"{FOOD}第四十六条", True, KEY),
                ("D4", "直接接触食品的包装材料、容器和工具无毒、清洁，符合食品安全标准", "pass_fail", "major",
                 f"{ART33}第（七）项", True, GENERAL),
                ("D5", "批生产记录写明投料、批次和关键工艺参数，能追溯到原料批次", "pass_fail", "major",
                 f"{FOOD}第四十六条", True, GENERAL),
            ]},
            {"title": "产品检验", "items": [
                ("E1", "自行检验的有相适应的检验室和人员，委托检验的委托有资质的检验机构", "pass_fail", "major",
                 f"{FOOD}第八十九条", False, GENERAL),
                ("E2", "按食品安全标准逐批检验出厂食品，检验合格方出厂，检验记录和报告留存", "pass_fail", "critical",
                 f"{FOOD}第五十二条", True, KEY),
                ("E3", "检验仪器设备在检定或校准有效期内，使用和维护有记录", "pass_fail", "minor",
                 f"{FOOD}第五十二条", True, GENERAL),
            ]},
            {"title": "贮存及交付控制", "items": [
                ("F1", "成品按标注的贮存条件分区存放，离地离墙，先进先出", "pass_fail", "minor",
                 f"{ART33}第（六）项", True, GENERAL),
                ("F2", "成品库温度（℃）", "number", "minor", f"{ART33}第（六）项", False,
                 {**GENERAL, "unit": "℃", "min": -25, "max": 25}),
                ("F3", "运输工具和容器清洁，温度符合产品要求，未与有毒有害物品混装", "pass_fail", "major",
                 f"{ART33}第（六）项", False, GENERAL),
                ("F4", "出厂检验记录写明食品名称、规格、数量、生产日期或批号、检验合格证号、销售日期和购货者信息",
                 "pass_fail", "critical", f"{FOOD}第五十一条", True, KEY),
            ]},
            {"title": "不合格品管理和食品召回", "items": [
                ("G1", "发现产品不符合食品安全标准或可能危害健康的，立即停产，通知经营者和消费者，召回已上市产品并记录",
                 "pass_fail", "critical", f"{FOOD}第六十三条", True, KEY),
                ("G2", "召回的食品采取无害化处理或销毁，召回和处理情况报告监管部门", "pass_fail", "major",
                 f"{FOOD}第六十三条", False, GENERAL),
                ("G3", "不合格原料、半成品和成品标识清楚、隔离存放，处置有记录", "pass_fail", "major",
                 f"{FOOD}第四十六条", True, GENERAL),
            ]},
            {"title": "标签和说明书", "items": [
                ("H1", "预包装食品标签标明名称、规格、净含量、生产日期、配料表、生产者、保质期、产品标准代号、"
                 "贮存条件和生产许可证编号", "pass_fail", "critical", f"{FOOD}第六十七条", True, KEY),
                ("H2", "标签和说明书内容真实，不涉及疾病预防、治疗功能", "pass_fail", "major",
                 f"{FOOD}第七十一条", True, GENERAL),
                ("H3", "所用食品添加剂以国家标准中的通用名称标注", "pass_fail", "minor",
                 f"{FOOD}第六十七条第一款第（七）项", True, GENERAL),
            ]},
            {"title": "食品安全自查", "items": [
                ("I1", "建立并执行食品安全自查制度，定期检查评价食品安全状况并记录", "pass_fail", "critical",
                 f"{FOOD}第四十七条", True, KEY),
                ("I2", "自查发现不再符合要求的已整改；有发生事故潜在风险的已停产并报告", "pass_fail", "major",
                 f"{FOOD}第四十七条", False, GENERAL),
                ("I3", "落实日管控、周排查、月调度，留有记录", "pass_fail", "minor", DUTY, False, GENERAL),
            ]},
            {"title": "从业人员管理", "items": [
                ("J1", "配备食品安全管理人员，经培训考核，掌握与岗位相适应的法规、标准和专业知识", "pass_fail", "critical",
                 f"{FOOD}第四十四条；{FOOD_RULES}第二十条", False, KEY),
                ("J2", "接触直接入口食品的人员有有效健康证明，患有妨碍食品安全疾病的已调离", "pass_fail", "critical",
                 f"{FOOD}第四十五条", False, KEY),
                ("J3", "进入车间按规定更衣、洗手、消毒，个人卫生符合要求", "pass_fail", "minor",
                 f"{ART33}第（八）项", True, GENERAL),
                ("J4", "开展食品安全知识培训，留有记录", "pass_fail", "minor", f"{FOOD}第四十四条", False, GENERAL),
            ]},
            {"title": "信息记录和追溯", "items": [
                ("K1", "建立食品安全追溯体系，如实记录并保存进货查验、生产、出厂检验和销售信息", "pass_fail", "critical",
                 f"{FOOD}第四十二条；{FOOD_RULES}第十八条", True, KEY),
                ("K2", "记录和凭证保存至保质期满后六个月，无明确保质期的不少于二年", "pass_fail", "major",
                 f"{FOOD}第五十条", False, GENERAL),
                ("K3", "追溯信息的记录方式", "choice", "minor", f"{FOOD}第四十二条", False,
                 {**GENERAL, "choices": ["信息化系统", "纸质台账", "两者兼有"]}),
            ]},
            {"title": "食品安全事故处置", "items": [
                ("L1", "制定食品安全事故处置方案，定期检查各项防范措施的落实情况", "pass_fail", "critical",
                 f"{FOOD}第一百零二条", False, KEY),
                ("L2", "发生事故时立即采取控制措施并按规定报告，未隐匿、伪造、毁灭证据", "pass_fail", "major",
                 f"{FOOD}第一百零三条", False, GENERAL),
            ]},
        ],
    },
)
