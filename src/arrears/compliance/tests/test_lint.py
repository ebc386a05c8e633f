"""The template linter: each class of forbidden wording, allowed and refused."""

import pytest

from arrears.compliance.rules import BLOCK, WARN, lint_template
from arrears.compliance.tests.helpers import CN, UK, US, with_params

PLAIN = "您好，您的贷款已逾期3天，请于11月30日前还款。如有疑问请致电4001234567。"


def lint(text, pack=CN, **kw):
    return lint_template(text, pack=pack, **kw)


def test_a_plain_reminder_passes():
    assert lint(PLAIN) == []
    assert lint("Your payment of $120 is 3 days overdue. Please call us.", pack=UK) == []


@pytest.mark.parametrize(
    "text,category,phrase",
    [
        ("再不还钱就让你坐牢。", "threat", "坐牢"),
        ("我们会上门找你家人。", "threat", "上门找你家人"),
        ("不还就弄死你", "threat", "弄死"),
        ("你等着，让你好看", "threat", "让你好看"),
        ("Pay now or you will go to jail.", "threat", "jail"),
        ("你这个老赖！", "insult", "你这个老赖"),
        ("你就是个骗子", "insult", "骗子"),
        ("无赖一个", "insult", "无赖"),
        ("You deadbeat.", "insult", "deadbeat"),
        ("我是公安局的，请配合调查。", "impersonation", "公安局"),
        ("【法院通知】请于三日内还款", "impersonation", "法院通知"),
        ("警察会来找你", "impersonation", "警察"),
        ("您的传票已寄出", "impersonation", "传票"),
        ("This is the police.", "impersonation", "police"),
        ("我们将通知你的单位。", "shaming", "通知你的单位"),
        ("再不还款就告诉你的亲友", "shaming", "告诉你的亲友"),
        ("我们会联系您的同事", "shaming", "联系您的同事"),
        ("We will tell your employer.", "shaming", "tell your employer"),
    ],
)
def test_forbidden_wording_is_refused_with_its_span(text, category, phrase):
    findings = [f for f in lint(text) if f.mode == BLOCK]
    assert findings, text
    hit = next(f for f in findings if f.category == category and f.text.lower() == phrase.lower())
    assert hit.rule_id == "CN.CONDUCT_LINT"
    assert text[hit.start : hit.end] == hit.text
    assert hit.reason_en and hit.reason_zh


@pytest.mark.parametrize(
    "text,phrase",
    [("您的案件已立案。", "已立案"), ("即将被拘留", "拘留"), ("您将被纳入黑名单", "纳入黑名单")],
)
def test_false_legal_claims_are_flagged_for_review_not_refused(text, phrase):
    findings = lint(text)
    assert findings and all(f.mode == WARN for f in findings)
    assert any(f.text == phrase and f.category == "false_legal" for f in findings)


def test_laolai_as_a_word_is_a_warning_and_as_an_address_an_insult():
    word = lint("失信被执行人俗称老赖")
    assert any(f.mode == WARN and f.text == "老赖" for f in word)
    address = lint("你这个老赖")
    # The warning inside the insult is folded into it.
    assert [(f.mode, f.text) for f in address] == [(BLOCK, "你这个老赖")]


def test_english_words_match_whole_words_only():
    assert lint("Our policy is to help; we are familiar with hardship.") == []


def test_third_party_messages_may_not_mention_the_debt():
    text = "请转告张三尽快处理逾期欠款。"
    assert lint(text, audience="debtor") == []
    findings = lint(text, audience="third_party")
    assert {f.text for f in findings} == {"逾期", "欠款"}
    assert {f.rule_id for f in findings} == {"CN.THIRD_PARTY"}
    assert lint("您好，请张三回电4001234567，谢谢。", audience="third_party") == []
    en = lint(
        "Please ask John to call us about his overdue loan.",
        pack=US,
        audience="third_party",
        channel="letter",
    )
    assert {f.text for f in en} == {"overdue", "loan"}


def test_us_texts_and_emails_need_an_opt_out():
    bare = lint("Please call us about your account.", pack=US, channel="sms")
    assert [(f.rule_id, f.category) for f in bare] == [("US.OPT_OUT", "opt_out_missing")]
    for ok in (
        "Please call us. Reply STOP to opt out.",
        "请回电。回复TD退订",
        "Unsubscribe: example.com/u",
    ):
        assert lint(ok, pack=US, channel="email") == [], ok
    # Letters and the China pack do not require one.
    assert lint("Please call us about your account.", pack=US, channel="letter") == []
    assert lint(PLAIN, pack=CN, channel="sms") == []


def test_lists_are_data_in_the_pack():
    rule = CN.get("CN.CONDUCT_LINT")
    extended = with_params(
        CN,
        "CN.CONDUCT_LINT",
        phrases=[*rule.parameters["phrases"], {"category": "threat", "phrase": "小心点"}],
    )
    assert lint("你小心点", pack=CN) == []
    assert [f.text for f in lint("你小心点", pack=extended)] == ["小心点"]
