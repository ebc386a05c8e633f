"""The rule packs shipped with Arrears (version 1 of cn_default, us_reg_f and uk_conc).

FROZEN: migration 0002 loads these exact values. To change a shipped default, do not edit this
module — add a new data migration that calls `rulepack_revise` semantics (a new version), so
databases that already hold version 1 keep an honest history.
"""

from __future__ import annotations

# ----------------------------------------------------------------- linter lists (shared data)

CONDUCT_CATEGORIES = {
    "threat": {
        "mode": "block",
        "reason_zh": "不得威胁、恐吓或暗示暴力。",
        "reason_en": "No threats, intimidation or hints of violence.",
    },
    "insult": {
        "mode": "block",
        "reason_zh": "不得侮辱、谩骂债务人。",
        "reason_en": "No insults or abusive language.",
    },
    "impersonation": {
        "mode": "block",
        "reason_zh": "不得冒充公安、法院或政府机关，不得伪造法律文书。",
        "reason_en": "No impersonation of police, courts or officials, and no fake legal papers.",
    },
    "false_legal": {
        "mode": "warn",
        "reason_zh": "法律后果表述须属实：发送前须核实（如确已立案）。",
        "reason_en": "Legal claims must be true: review against the case facts before sending.",
    },
    "shaming": {
        "mode": "block",
        "reason_zh": "不得向家人、单位或他人披露债务或以此施压。",
        "reason_en": "No shaming: never disclose the debt to family, employer or others.",
    },
}

_ZH = [
    # threats
    ("threat", "坐牢"),
    ("threat", "抓你"),
    ("threat", "弄死"),
    ("threat", "打死"),
    ("threat", "让你好看"),
    ("threat", "走着瞧"),
    ("threat", "你等着"),
    ("threat", "后果自负"),
    ("threat", "上门找你家人"),
    ("threat", "打断你的腿"),
    ("threat", "不得安宁"),
    # insults (老赖 alone is a legal-ish term; addressed to the debtor it is an insult)
    ("insult", "骗子"),
    ("insult", "无赖"),
    ("insult", "不要脸"),
    ("insult", "人渣"),
    ("insult", "垃圾"),
    ("insult", "废物"),
    ("insult", "畜生"),
    ("insult", "王八蛋"),
    ("insult", "混蛋"),
    ("insult", "去死"),
    # impersonation of police, courts, officials
    ("impersonation", "公安局"),
    ("impersonation", "派出所"),
    ("impersonation", "警察"),
    ("impersonation", "民警"),
    ("impersonation", "执法"),
    ("impersonation", "法院通知"),
    ("impersonation", "传票"),
    ("impersonation", "逮捕令"),
    ("impersonation", "通缉"),
    # false legal claims: true only on the facts, so flagged for review
    ("false_legal", "已立案"),
    ("false_legal", "拘留"),
    ("false_legal", "纳入黑名单"),
    ("false_legal", "黑名单"),
    ("false_legal", "失信被执行人"),
    ("false_legal", "刑事责任"),
    ("false_legal", "涉嫌诈骗"),
    ("false_legal", "强制执行"),
    ("false_legal", "冻结"),
    # shaming to family or employer
    ("shaming", "曝光"),
    ("shaming", "爆通讯录"),
    ("shaming", "通讯录"),
]
_ZH_REGEX = [
    ("insult", r"(你|您)(这个|这种|就是个?|是个?|这)?\s*老赖", "block"),
    ("insult", r"老赖", "warn"),
    (
        "shaming",
        r"(通知|告诉|联系|打给|找)(你的?|您的?)(单位|公司|领导|老板|亲友|亲戚|朋友|同事|家人|父母|邻居)",
        "block",
    ),
]
_EN = [
    ("threat", "jail"),
    ("threat", "prison"),
    ("threat", "hurt you"),
    ("threat", "kill you"),
    ("threat", "you'll regret"),
    ("threat", "you will regret"),
    ("threat", "we know where you live"),
    ("threat", "or else"),
    ("insult", "deadbeat"),
    ("insult", "scum"),
    ("insult", "liar"),
    ("insult", "thief"),
    ("insult", "loser"),
    ("insult", "idiot"),
    ("impersonation", "police"),
    ("impersonation", "sheriff"),
    ("impersonation", "warrant"),
    ("impersonation", "court order"),
    ("impersonation", "summons"),
    ("impersonation", "law enforcement"),
    ("false_legal", "arrest"),
    ("false_legal", "criminal"),
    ("false_legal", "lawsuit has been filed"),
    ("false_legal", "garnish"),
    ("false_legal", "blacklist"),
    ("false_legal", "seize"),
]
_EN_REGEX = [
    (
        "shaming",
        r"\b(tell|contact|call|inform|notify)\s+(your\s+)?(employer|boss|family|relatives|"
        r"friends|neighbou?rs|co-?workers|colleagues)\b",
        "block",
    ),
]


def _conduct_phrases() -> list[dict]:
    entries = [{"category": c, "phrase": p} for c, p in _ZH + _EN]
    entries += [{"category": c, "regex": r, "mode": m} for c, r, m in _ZH_REGEX + _EN_REGEX]
    return entries


DEBT_WORDS = [
    {"phrase": p}
    for p in (
        "欠款",
        "欠钱",
        "欠费",
        "拖欠",
        "逾期",
        "还款",
        "还钱",
        "催收",
        "催款",
        "债务",
        "借款",
        "贷款",
        "账单",
        "debt",
        "overdue",
        "owe",
        "owes",
        "owed",
        "owing",
        "arrears",
        "collection",
        "collector",
        "repay",
        "repayment",
        "loan",
        "delinquent",
        "past due",
        "balance due",
    )
]

OPT_OUT_PATTERNS = [
    {"regex": r"reply\s+\W?stop\W?"},
    {"regex": r"\bunsubscribe\b"},
    {"regex": r"\bopt[\s-]?out\b"},
    {"regex": r"回复\s*(TD|T|退订)"},
    {"phrase": "退订"},
]

SUIT_WORDS = [
    {"regex": r"\b(sue|sued|suing|lawsuit|legal action|litigation|take you to court)\b"},
    {"phrase": "起诉"},
    {"phrase": "诉讼"},
    {"phrase": "法律程序"},
]

MANAGER = "manager"
LEGAL = "legal"


def _rule(rule_id, kind, params, *, mode="block", roles=(), zh, en, source):
    return {
        "rule_id": rule_id,
        "kind": kind,
        "mode": mode,
        "parameters": params,
        "overridable": bool(roles),
        "override_roles": list(roles),
        "description_zh": zh,
        "description_en": en,
        "source": source,
    }


_GB = "GB/T 45251-2025"
_CBA = "CBA consumer-loan collection guideline (Jan 2026)"
_NIFA = "NIFA collection self-discipline convention (2018)"


def _holds(prefix: str, source: str) -> list[dict]:
    return [
        _rule(
            f"{prefix}.HOLD_DISPUTE",
            "case_hold",
            {"hold": "dispute", "allowed_purposes": ["complaint"]},
            roles=[MANAGER],
            zh="存在未结争议或投诉时，仅可就投诉本身联系。",
            en="While a dispute is open, contact only about the complaint.",
            source=source,
        ),
        _rule(
            f"{prefix}.HOLD_DEATH",
            "case_hold",
            {"hold": "death_verification", "allowed_purposes": ["complaint", "locate"]},
            roles=[MANAGER],
            zh="死亡信息核实期间暂停催收（核实性查询按 locate 目的进行）。",
            en="While a reported death is verified, collection is held (verification enquiries "
            "use purpose `locate`).",
            source=source,
        ),
        _rule(
            f"{prefix}.HOLD_CEASE_CONTACT",
            "case_hold",
            {"hold": "cease_contact", "allowed_purposes": []},
            roles=[LEGAL] if prefix != "US" else [],
            zh="债务人要求停止联系后暂停一切联系。",
            en="After a cease-contact request, no contact.",
            source=source,
        ),
        _rule(
            f"{prefix}.HOLD_BANKRUPTCY",
            "case_hold",
            {"hold": "bankruptcy", "allowed_purposes": ["complaint"]},
            roles=[LEGAL],
            zh="破产程序中暂停个别催收。",
            en="During bankruptcy proceedings, individual collection stops.",
            source=source,
        ),
    ]


def _retention(prefix: str, source: str) -> dict:
    return _rule(
        f"{prefix}.RETENTION",
        "retention",
        {"years": 5, "exempt_kinds": []},
        zh="催收记录（活动、录音、文件）至少保存 5 年，任何角色不得提前删除。",
        en="Collection records (activities, recordings, documents) are kept at least 5 years; "
        "no role may delete them earlier.",
        source=source,
    )


CN_DEFAULT = {
    "code": "cn_default",
    "version": 1,
    "name": "中国默认规则包 China default",
    "is_active": True,
    "rules": [
        _rule(
            "CN.CONTACT_HOURS",
            "contact_hours",
            {
                "start": "08:00",
                "end": "22:00",
                "channels": ["call", "sms", "visit", "email"],
                "consent_lifts": True,
            },
            roles=[MANAGER],
            zh="22:00 至次日 08:00（债务人当地时间）不得进行任何催收联系，债务人同意的除外。",
            en="No collection contact 22:00–08:00 in the debtor's local time unless the debtor "
            "agreed.",
            source=f"{_GB}; {_CBA}",
        ),
        _rule(
            "CN.CONNECTED_CALLS",
            "connected_calls",
            {"max_per_day": 3},
            roles=[MANAGER],
            zh="每名债务人每日接通的催收电话不超过 3 次（含出借人、所有委外机构与自动外呼）。",
            en="At most 3 connected collection calls per debtor per day, counting the lender, "
            "every agency and automated calls together.",
            source=_GB,
        ),
        _rule(
            "CN.UNANSWERED_ATTEMPTS",
            "unanswered_attempts",
            {"max_per_number_per_day": 6},
            zh="同一号码每日未接通的拨打不超过 6 次。",
            en="At most 6 unanswered attempts per number per day.",
            source=_CBA,
        ),
        _rule(
            "CN.THIRD_PARTY",
            "third_party",
            {
                "debtor_statuses": ["unreachable", "deceased", "incapacitated"],
                "purposes": ["locate"],
                "debt_words": DEBT_WORDS,
            },
            zh="仅在债务人失联、死亡或无行为能力时联系第三方，仅询问联系方式，不得透露债务，对方拒绝即停止。",
            en="Third parties only when the debtor is unreachable, deceased or incapacitated, "
            "only to ask for contact details, never told of the debt; stop if they refuse.",
            source=f"{_GB}; {_CBA}",
        ),
        _rule(
            "CN.GUARANTOR_OBLIGOR",
            "obligor",
            {"obligor_relations": ["guarantor"]},
            zh="担保人是义务人（非第三方），可向其催收，受同样的时段和频次限制；保证责任已免除的不得催收。",
            en="A guarantor is an obligor, not a third party: may be asked to pay within the "
            "same hours and frequency limits; not once released.",
            source="Civil Code arts. 681–702",
        ),
        _rule(
            "CN.CONDUCT_LINT",
            "conduct_lint",
            {"categories": CONDUCT_CATEGORIES, "phrases": _conduct_phrases()},
            roles=[LEGAL, MANAGER],
            zh="禁止威胁、侮辱、冒充公检法、虚假法律文书、向亲友单位施压等表述。",
            en="No threats, insults, impersonation of police/courts/officials, false legal "
            "documents or shaming to family or employer.",
            source=f"{_NIFA}; {_GB}",
        ),
        _rule(
            "CN.VISIT_TWO_PERSONS",
            "visit",
            {"min_participants": 2, "require_recording": True},
            zh="外访须至少两人，出示证件，全程录音录像。",
            en="Field visits by at least two collectors, with a recording reference.",
            source=f"{_CBA}; {_NIFA}",
        ),
        _retention("CN", _NIFA),
        _rule(
            "CN.AGENCY_REVIEW",
            "agency_review",
            {"steps": ["agency_placement"]},
            roles=[MANAGER],
            zh="委外机构至少每年审查一次；逾期未审查的机构不得委案。",
            en="Agencies are reviewed at least yearly; no placements to one overdue for review.",
            source=f"{_GB}; {_CBA}",
        ),
        _rule(
            "CN.LIMITATION_NO_LEGAL",
            "limitation_no_legal",
            {"steps": ["legal"]},
            roles=[LEGAL],
            zh="已过诉讼时效的债务不得安排法律步骤（法务确认存在中断事由的可覆盖）。",
            en="No legal step on a time-barred debt (legal may override on proof of an "
            "interruption the system does not know).",
            source="Civil Code arts. 188, 192–195",
        ),
        _rule(
            "CN.INTEREST_CAP",
            "interest_cap",
            {
                "caps": {
                    "microloan": [{"from": "2000-01-01", "rate": "0.24"}],
                    "private": [
                        {"from": "2015-09-01", "rate": "0.24"},
                        {"from": "2020-08-20", "lpr_multiple": "4"},
                    ],
                    "consumer": [],
                    "bank": [],
                }
            },
            zh="民间借贷综合利率不超过合同成立时一年期LPR的4倍；小额贷款公司年化综合成本不超过24%。",
            en="Private lending all-in rate ≤ 4 × the one-year LPR at the contract date; "
            "licensed microlenders ≤ 24% all-in.",
            source="SPC private-lending provisions (2020 rev.) arts. 25, 28, 29; SPC 2020 reply "
            "on local financial organisations; Dec 2025 microlender cost guideline",
        ),
        *_holds("CN", f"{_GB}; {_CBA}"),
    ],
}

US_REG_F = {
    "code": "us_reg_f",
    "version": 1,
    "name": "United States — FDCPA / Regulation F",
    "is_active": False,
    "rules": [
        _rule(
            "US.INCONVENIENT_TIME",
            "contact_hours",
            {
                "start": "08:00",
                "end": "21:00",
                "channels": ["call", "sms", "visit", "email"],
                "consent_lifts": True,
                "named_windows": True,
            },
            zh="消费者当地时间 08:00 前或 21:00 后，及消费者告知的不便时间，不得联系。",
            en="Not before 08:00 or after 21:00 the consumer's local time, nor at a time the "
            "consumer named as inconvenient.",
            source="12 CFR 1006.6(b)(1)",
        ),
        _rule(
            "US.REGF_7IN7",
            "call_frequency_window",
            {"max_calls": 7, "days": 7},
            roles=[MANAGER],
            zh="连续 7 日内拨打超过 7 次推定为骚扰。",
            en="More than 7 calls within 7 consecutive days is presumed harassment.",
            source="12 CFR 1006.14(b)(2)(i)",
        ),
        _rule(
            "US.REGF_QUIET_PERIOD",
            "conversation_quiet_period",
            {"days": 7},
            roles=[MANAGER],
            zh="就债务进行电话交谈后 7 日内（交谈当日为第 1 日）不得再致电。",
            en="No call within 7 days after a telephone conversation about the debt "
            "(conversation day = day 1).",
            source="12 CFR 1006.14(b)(2)(ii)",
        ),
        _rule(
            "US.TIME_BARRED_NO_SUIT",
            "time_barred_no_suit",
            {"steps": ["legal"], "suit_words": SUIT_WORDS},
            zh="时效已过的债务不得起诉或以起诉相威胁。",
            en="Never sue or threaten to sue on a time-barred debt.",
            source="12 CFR 1006.26(b)",
        ),
        _rule(
            "US.OPT_OUT",
            "opt_out",
            {"channels": ["sms", "email"], "patterns": OPT_OUT_PATTERNS},
            zh="每封电子邮件和短信须含简便退订方式，退订立即生效。",
            en="Every email and text carries a simple opt-out, honoured at once.",
            source="12 CFR 1006.6(e)",
        ),
        _rule(
            "US.THIRD_PARTY",
            "third_party",
            {
                "debtor_statuses": ["unreachable", "deceased", "incapacitated"],
                "purposes": ["locate"],
                "debt_words": DEBT_WORDS,
            },
            zh="第三方仅用于查找位置信息，不得透露债务。",
            en="Third parties for location information only, never told a debt is owed.",
            source="FDCPA §1692b; 12 CFR 1006.10",
        ),
        _rule(
            "US.THIRD_PARTY_ONCE",
            "third_party_once",
            {},
            roles=[MANAGER],
            zh="每名第三方只联系一次（对方要求或此前答复有误的除外）。",
            en="Each third party once only (unless they ask, or their earlier answer was "
            "believed wrong).",
            source="FDCPA §1692b(3)",
        ),
        _rule(
            "US.GUARANTOR_OBLIGOR",
            "obligor",
            {"obligor_relations": ["guarantor"]},
            zh="共同债务人/担保人视为义务人。",
            en="A co-obligor or guarantor counts as an obligor (a consumer under 1006.6(a)).",
            source="12 CFR 1006.6(a)",
        ),
        _rule(
            "US.CONDUCT_LINT",
            "conduct_lint",
            {"categories": CONDUCT_CATEGORIES, "phrases": _conduct_phrases()},
            roles=[LEGAL],
            zh="禁止骚扰、虚假或误导性陈述。",
            en="No harassment, abuse, false or misleading representations.",
            source="FDCPA §§1692d–1692e; 12 CFR 1006.14, 1006.18",
        ),
        _rule(
            "US.HOLD_DISPUTE",
            "case_hold",
            {"hold": "dispute", "allowed_purposes": ["complaint"]},
            zh="争议债务在核实前暂停催收。",
            en="Collection of a disputed debt pauses until it is verified.",
            source="12 CFR 1006.34; FDCPA §1692g(b)",
        ),
        *[
            r
            for r in _holds("US", "FDCPA §1692c(c); 12 CFR 1006.6(c); 11 U.S.C. §362")
            if r["rule_id"] != "US.HOLD_DISPUTE"
        ],
        _retention(
            "US",
            "lender policy; 12 CFR 1006.100 requires records until 3 years after "
            "the last collection activity",
        ),
    ],
}

UK_CONC = {
    "code": "uk_conc",
    "version": 1,
    "name": "United Kingdom — FCA CONC 7",
    "is_active": False,
    "rules": [
        _rule(
            "UK.FORBEARANCE_BEFORE_ESCALATION",
            "forbearance_before_escalation",
            {"steps": ["legal", "agency_placement"]},
            roles=[MANAGER],
            zh="升级处理（法律步骤、委外）前须记录已提供宽容方案。",
            en="Escalation (a legal step, an agency placement) needs a forbearance-offered "
            "record first.",
            source="FCA CONC 7.3",
        ),
        _rule(
            "UK.CONDUCT_LINT",
            "conduct_lint",
            {"categories": CONDUCT_CATEGORIES, "phrases": _conduct_phrases()},
            roles=[LEGAL],
            zh="不得施加压力或进行误导。",
            en="No pressure, oppression or misleading statements.",
            source="FCA CONC 7.3",
        ),
        _rule(
            "UK.THIRD_PARTY",
            "third_party",
            {
                "debtor_statuses": ["unreachable", "deceased", "incapacitated"],
                "purposes": ["locate"],
                "debt_words": DEBT_WORDS,
            },
            zh="不得向第三方披露债务。",
            en="No disclosure of the debt to third parties.",
            source="FCA CONC 7.3; UK GDPR",
        ),
        _rule(
            "UK.GUARANTOR_OBLIGOR",
            "obligor",
            {"obligor_relations": ["guarantor"]},
            zh="担保人视为义务人。",
            en="A guarantor counts as an obligor.",
            source="lender policy",
        ),
        *_holds("UK", "FCA CONC 7.3; Debt Respite Scheme (Breathing Space) Regulations 2020"),
        _rule(
            "UK.HOLD_BREATHING_SPACE",
            "case_hold",
            {"hold": "breathing_space", "allowed_purposes": []},
            zh="债务喘息期内暂停催收。",
            en="No collection during a breathing-space moratorium.",
            source="Debt Respite Scheme (Breathing Space Moratorium) Regulations 2020",
        ),
        _retention("UK", "lender policy (set to your record-keeping obligations)"),
    ],
}

SHIPPED_PACKS = [CN_DEFAULT, US_REG_F, UK_CONC]
