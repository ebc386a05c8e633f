"""Places of the demo portfolio: one province, its counties, towns (镇/乡) and villages (村).

卧水镇 and its six village committees come from the seed's field report (section 3), as do
金坑, 内田, 大龙 and 塘冲 (placed in 香坪镇, the next town the report's team planned to visit).
The other names are invented but ordinary.
"""

from __future__ import annotations

from dataclasses import dataclass

PROVINCE = "四川省"


@dataclass(frozen=True)
class Town:
    county: str
    area_code: str  # first six digits of the ID numbers of people born there
    name: str
    villages: tuple[str, ...]
    weight: int  # relative number of borrowers


TOWNS: tuple[Town, ...] = (
    Town(
        "青林县",
        "511621",
        "卧水镇",
        ("姚龙村", "六联村", "大竹湾村", "马头冲村", "黄家冲村", "卧水村"),
        14,
    ),
    Town("青林县", "511621", "香坪镇", ("金坑村", "内田村", "大龙村", "塘冲村", "黄家村"), 10),
    Town("青林县", "511621", "石桥镇", ("石桥村", "柏树村", "杨柳村", "桂花村"), 8),
    Town("青林县", "511621", "白鹤乡", ("白鹤村", "青龙村", "白果村", "龙井村"), 6),
    Town("石门县", "511622", "龙池镇", ("龙池村", "凉水井村", "新华村", "和平村", "红星村"), 9),
    Town("石门县", "511622", "青山镇", ("青山村", "太平村", "双河村", "三合村"), 8),
    Town("石门县", "511622", "永兴镇", ("永兴村", "五星村", "天池村", "茶园村"), 7),
    Town("石门县", "511622", "金鸡乡", ("金鸡村", "枫林村", "花园村", "桃园村"), 5),
    Town("白沙县", "511623", "白沙镇", ("白沙村", "竹林村", "松林村", "响水村", "观音村"), 10),
    Town("白沙县", "511623", "新店镇", ("新店村", "龙潭村", "高桥村", "清泉村"), 8),
    Town("白沙县", "511623", "太和镇", ("太和村", "长岭村", "坪上村", "水口村"), 8),
    Town("白沙县", "511623", "清平乡", ("清平村", "岩头村", "石板村", "马鞍村"), 7),
)

# The field agent covers the seed's two towns (see users.FIELD_TOWNS).
COUNTIES = tuple(dict.fromkeys(t.county for t in TOWNS))
VILLAGE_COUNT = sum(len(t.villages) for t in TOWNS)

# Groups (村民小组) inside a village, for addresses: 一组 … 八组.
GROUPS = ("一", "二", "三", "四", "五", "六", "七", "八")
