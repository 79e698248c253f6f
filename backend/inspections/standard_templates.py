"""The checklist templates every installation starts with, as published version 1.

Each item: (key, text, kind, severity, legal basis, photo required when failed, extra).
Kinds: pass_fail, number (extra: unit, min, max), text, choice (extra: choices).
"""

FOOD = "《中华人民共和国食品安全法》"
FOOD_LICENCE = "《食品生产许可管理办法》"
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
)
