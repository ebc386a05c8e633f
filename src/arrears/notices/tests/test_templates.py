"""Notice templates: the shipped ones pass the conduct lint, a threatening one is refused, and
editing makes a new version while issued notices keep theirs."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from arrears.core.models import AuditEntry
from arrears.notices import render
from arrears.notices.errors import NoticeInvalid, TemplateRefused
from arrears.notices.models import NoticeTemplate
from arrears.notices.services import (
    template_activate,
    template_create,
    template_deactivate,
    template_findings,
    template_revise,
)

pytestmark = pytest.mark.django_db

GOOD_BODY = "致：{borrower}\n\n请于{pay_by}前归还欠款{total_due}元。\n\n{amounts}\n\n{company}"


def test_the_shipped_templates_are_active_and_pass_the_lint_without_findings():
    shipped = {t.code: t for t in NoticeTemplate.objects.filter(active=True)}
    assert set(shipped) == {"cn_default", "en_default"}
    assert (shipped["cn_default"].language, shipped["en_default"].language) == ("zh-hans", "en")
    for template in shipped.values():
        assert template_findings(title=template.title, body=template.body) == []
        assert render.unknown_variables(template.body) == []


def test_a_threatening_template_is_refused_with_the_phrase_and_the_reason(people):
    body = "致：{borrower}\n\n请于{pay_by}前还清{total_due}元，否则后果自负。"
    with pytest.raises(TemplateRefused) as exc:
        template_create(code="harsh", title="最后通牒", body=body, actor=people["mia"])
    assert exc.value.field == "body"
    (finding,) = exc.value.findings
    assert (finding.rule_id, finding.category, finding.text) == (
        "CN.CONDUCT_LINT",
        "threat",
        "后果自负",
    )
    assert finding.reason_zh == "不得威胁、恐吓或暗示暴力。"
    assert "后果自负" in exc.value.message
    assert not NoticeTemplate.objects.filter(code="harsh").exists()


def test_impersonating_a_court_in_the_title_is_refused_on_the_title(people):
    with pytest.raises(TemplateRefused) as exc:
        template_create(code="fake_court", title="法院通知", body=GOOD_BODY, actor=people["mia"])
    assert exc.value.field == "title"
    assert [f.category for f in exc.value.findings] == ["impersonation"]


def test_warnings_do_not_refuse_but_are_recorded(people):
    body = GOOD_BODY + "\n\n如逾期不还，本公司将依法申请强制执行。"
    template = template_create(code="firm", title="催款通知书", body=body, actor=people["mia"])
    assert template.active and template.version == 1
    findings = template_findings(title=template.title, body=template.body)
    assert [(f.category, f.mode) for f in findings] == [("false_legal", "warn")]
    assert AuditEntry.objects.get(event="notice.template.create").after["warnings"] == [
        "CN.CONDUCT_LINT"
    ]


def test_unknown_variables_are_refused_naming_them(people):
    with pytest.raises(NoticeInvalid) as exc:
        template_create(
            code="typo", title="催款通知书", body="致：{borower}\n\n{amounts}", actor=people["mia"]
        )
    assert (exc.value.code, exc.value.field) == ("unknown_variable", "body")
    assert "{borower}" in exc.value.message and "{borrower}" in exc.value.message


def test_editing_makes_a_new_version_and_issued_notices_keep_theirs(issue, cn_template, people):
    notice = issue()
    new = template_revise(
        template=cn_template,
        title="催款通知书",
        body=cn_template.body.replace("请您于", "敬请您于"),
        note="措辞更礼貌",
        actor=people["mia"],
    )
    assert (new.code, new.version, new.active) == ("cn_default", 2, True)
    cn_template.refresh_from_db()
    assert cn_template.active is False and cn_template.body != new.body
    notice.refresh_from_db()
    assert (notice.template, notice.template_version) == (cn_template, 1)
    assert issue(template=new).template_version == 2


def test_a_refused_edit_changes_nothing(cn_template, people):
    with pytest.raises(TemplateRefused):
        template_revise(
            template=cn_template,
            title=cn_template.title,
            body=cn_template.body + "\n\n我们会通知你的单位和家人。",
            actor=people["mia"],
        )
    assert NoticeTemplate.objects.filter(code="cn_default").count() == 1
    cn_template.refresh_from_db()
    assert cn_template.active


def test_activation_runs_the_lint_again(people):
    # A version stored before the pack learned a phrase (written directly, as an old row would be).
    old = NoticeTemplate.objects.create(
        code="legacy", version=1, title="通知", body="你这个老赖，请还款。", active=False
    )
    with pytest.raises(TemplateRefused):
        template_activate(template=old, actor=people["mia"])
    old.refresh_from_db()
    assert not old.active


def test_activating_a_version_deactivates_the_others(cn_template, people):
    v2 = template_revise(
        template=cn_template,
        title="催款通知书",
        body=cn_template.body + "\n\n谢谢。",
        actor=people["mia"],
    )
    template_activate(template=cn_template, actor=people["mia"])
    v2.refresh_from_db()
    cn_template.refresh_from_db()
    assert (cn_template.active, v2.active) == (True, False)
    template_deactivate(template=cn_template, actor=people["alice"])
    assert not NoticeTemplate.objects.filter(code="cn_default", active=True).exists()


def test_only_managers_and_admins_edit_templates(cn_template, people):
    for name in ("carl", "tom", "aud"):
        with pytest.raises(PermissionDenied):
            template_revise(template=cn_template, title="x", body=GOOD_BODY, actor=people[name])


def test_amounts_must_stand_alone(people):
    with pytest.raises(NoticeInvalid) as exc:
        template_create(
            code="inline", title="通知", body="欠款如下：{amounts}", actor=people["mia"]
        )
    assert (exc.value.code, exc.value.field) == ("misplaced_amounts", "body")
