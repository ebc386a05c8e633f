"""Pools of Chinese names, employers and shops for the demo (Faker zh_CN, seeded once).

Faker is slow per call (tens of microseconds), so it fills small pools once per run and the
generator draws from them with its own `random.Random`: a million borrowers stay cheap.
"""

from __future__ import annotations

import bisect

from faker import Faker
from faker.providers.person.zh_CN import Provider as PersonProvider

MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "173", "177", "180", "182", "183", "186",
    "187", "188", "189", "199",
)  # fmt: skip
# Surnames common in the seed's villages (方, 房, 沈, 潘) are more frequent there.
LOCAL_SURNAMES = ("方", "方", "方", "房", "沈", "潘", "黄", "姚")
SHOP_KINDS = (
    "农资店", "五金店", "小卖部", "养殖场", "农家乐", "竹木加工厂", "茶叶专业合作社",
    "建材经营部", "副食店", "家电维修部", "运输队", "种植专业合作社",
)  # fmt: skip
EMPLOYER_EXTRA = ("务农", "务农", "务农", "个体经营", "外出务工（广州）", "外出务工（成都）")
COLLATERAL = (
    ("林权抵押", "{town}集体林地承包经营权，约{n}亩"),
    ("房产抵押", "{town}自建房一处，砖混结构约{n}平方米"),
    ("车辆抵押", "农用运输车一辆"),
    ("存单质押", "定期存单一张"),
)


class NamePools:
    """Names and employers drawn with the caller's rng; built from Faker seeded with `seed`."""

    def __init__(self, seed: int) -> None:
        fake = Faker("zh_CN")
        fake.seed_instance(seed)
        self.surnames = list(PersonProvider.last_names.keys())
        weights = list(PersonProvider.last_names.values())
        self.cum = []
        total = 0.0
        for w in weights:
            total += w
            self.cum.append(total)
        self.total = total
        self.given = list(PersonProvider.first_names)
        self.companies = sorted({fake.company() for _ in range(600)})

    def surname(self, rng, local: bool = False) -> str:
        """A surname by national frequency (or the seed villages' own, for locals)."""
        if local and rng.random() < 0.4:
            return LOCAL_SURNAMES[int(rng.random() * len(LOCAL_SURNAMES))]
        return self.surnames[bisect.bisect_right(self.cum, rng.random() * self.total)]

    def given_name(self, rng) -> str:
        """A one- or two-character given name."""
        g = self.given
        first = g[int(rng.random() * len(g))]
        if rng.random() < 0.7:
            return first + g[int(rng.random() * len(g))]
        return first

    def person(self, rng, local: bool = False) -> str:
        """A full name."""
        return self.surname(rng, local) + self.given_name(rng)

    def spouse(self, rng, person: str) -> str:
        """A spouse's name (Chinese spouses keep their own surnames)."""
        return self.person(rng)

    def shop(self, rng, town: str) -> str:
        """A small business's name, e.g. 卧水方记农资店."""
        kind = SHOP_KINDS[int(rng.random() * len(SHOP_KINDS))]
        return f"{town[:-1]}{self.surname(rng, True)}记{kind}"

    def employer(self, rng) -> str:
        """An employer, or how a farmer or migrant worker earns a living."""
        if rng.random() < 0.55:
            return EMPLOYER_EXTRA[int(rng.random() * len(EMPLOYER_EXTRA))]
        return self.companies[int(rng.random() * len(self.companies))]

    def mobile(self, rng) -> str:
        """An 11-digit mainland mobile number."""
        prefix = MOBILE_PREFIXES[int(rng.random() * len(MOBILE_PREFIXES))]
        return f"{prefix}{rng.randrange(100_000_000):08d}"

    def landline(self, rng) -> str:
        """A landline in the region's area code."""
        return f"0838-{rng.randrange(2_000_000, 9_000_000)}"

    def collateral(self, rng, town: str) -> tuple[str, str]:
        """(kind, description) of pledged property."""
        kind, desc = COLLATERAL[int(rng.random() * len(COLLATERAL))]
        return kind, desc.format(town=town, n=rng.randint(5, 300))
