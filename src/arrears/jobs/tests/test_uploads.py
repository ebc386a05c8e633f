"""Import files from the browser: checked first (every row error, the error file), then
committed; the role rules of `arrears import`."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from arrears.book.models import Payment
from arrears.core.models import AuditEntry
from arrears.jobs.imports import uploads_expire
from arrears.jobs.models import Job
from arrears.jobs.services import job_path
from arrears.jobs.tests.conftest import BAD_ROWS, GOOD_ROWS, payments_csv

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def upload(client: Client, data: bytes, kind: str = "payments", name: str = "payments.csv"):
    return client.post(
        "/jobs/imports/", {"kind": kind, "file": SimpleUploadedFile(name, data, "text/csv")}
    )


def test_a_bad_row_is_shown_with_its_reason_and_nothing_is_posted(people, two_loans):
    mia = signed_in(people["mia"])

    response = upload(mia, payments_csv(BAD_ROWS))

    check = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{check.pk}/"
    assert (check.status, check.params["dry_run"], check.created_by) == (
        "succeeded",
        True,
        people["mia"],
    )
    assert (check.result["rows"], check.result["valid"], check.result["errors_total"]) == (2, 1, 1)
    page = mia.get(f"/jobs/{check.pk}/").content.decode()
    assert "金额" in page and "not an amount of money" in page and "五百元" in page
    assert 'id="commit"' not in page  # a file with errors is not offered whole
    assert Payment.objects.count() == 0

    # The error file: the rejected row as it was, with its reason, as --skip-invalid writes it.
    download = mia.get(f"/jobs/{check.pk}/files/errors/")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    body = b"".join(download.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows == [
        ["流水号", "贷款编号", "还款日期", "金额", "渠道", "reason"],
        [
            "P2",
            "L0002",
            "2026-02-10",
            "五百元",
            "代扣",
            "column 金额: not an amount of money ('五百元')",
        ],
    ]


def test_a_file_with_errors_cannot_be_committed_whole(people, two_loans):
    mia = signed_in(people["mia"])
    upload(mia, payments_csv(BAD_ROWS))
    check = Job.objects.get()

    response = mia.post(f"/jobs/{check.pk}/commit/", follow=True)

    assert "The file has errors" in response.content.decode()
    assert Job.objects.count() == 1 and Payment.objects.count() == 0


def test_the_fixed_file_is_checked_then_committed_once(people, two_loans):
    mia = signed_in(people["mia"])
    upload(mia, payments_csv(GOOD_ROWS))
    check = Job.objects.get()
    assert check.result["errors_total"] == 0
    assert 'id="commit"' in mia.get(f"/jobs/{check.pk}/").content.decode()
    stored = job_path(check.input_file)
    assert stored.is_file()

    response = mia.post(f"/jobs/{check.pk}/commit/")

    job = Job.objects.exclude(pk=check.pk).get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert (job.status, job.params["dry_run"], job.params["check_job"]) == (
        "succeeded",
        False,
        check.pk,
    )
    assert job.result["created"] == 2
    assert {p.external_id: p.amount_fen for p in Payment.objects.all()} == {
        "P1": 106619,
        "P2": 50000,
    }
    entry = AuditEntry.objects.get(event="import.payments")
    assert (entry.actor_name, entry.source) == ("mia", "web")
    # Committed: the upload is gone, and the check cannot be committed again.
    assert not stored.exists()
    check.refresh_from_db()
    assert check.params["commit_job"] == job.pk and check.input_file == ""
    again = mia.post(f"/jobs/{check.pk}/commit/", follow=True)
    assert "already committed" in again.content.decode()
    assert Payment.objects.count() == 2


def test_the_valid_rows_alone_may_be_imported(people, two_loans):
    mia = signed_in(people["mia"])
    upload(mia, payments_csv(BAD_ROWS))
    check = Job.objects.get()

    mia.post(f"/jobs/{check.pk}/commit/", {"skip_invalid": "1"})

    job = Job.objects.exclude(pk=check.pk).get()
    assert job.status == "succeeded" and job.result["rejected"] == 1
    assert list(Payment.objects.values_list("external_id", flat=True)) == ["P1"]
    assert job.error_file  # the rejected row, to fix and import on its own


def test_only_roles_that_import_may_upload(people, two_loans):
    for name in ("carl", "tom", "aud"):
        client = signed_in(people[name])
        assert client.get("/jobs/imports/").status_code == 403
        assert upload(client, payments_csv(GOOD_ROWS)).status_code == 403
    assert Job.objects.count() == 0
    assert signed_in(people["alice"]).get("/jobs/imports/").status_code == 200


def test_a_job_is_only_seen_by_its_owner_and_those_who_see_all(people, two_loans):
    upload(signed_in(people["mia"]), payments_csv(BAD_ROWS))
    job = Job.objects.get()
    assert signed_in(people["carl"]).get(f"/jobs/{job.pk}/").status_code == 404
    assert signed_in(people["carl"]).get(f"/jobs/{job.pk}/files/errors/").status_code == 404
    assert signed_in(people["aud"]).get(f"/jobs/{job.pk}/").status_code == 200
    listing = signed_in(people["alice"]).get("/jobs/").content.decode()
    assert f"#{job.pk}" in listing


def test_a_file_type_the_importers_do_not_read_is_refused(people, two_loans):
    response = upload(signed_in(people["mia"]), b"%PDF-1.7", name="payments.pdf")
    assert response.status_code == 400
    assert "unsupported file type" in response.content.decode()
    assert Job.objects.count() == 0


def test_an_unreadable_file_fails_the_job_with_the_reason(people, two_loans):
    upload(signed_in(people["mia"]), b"\xff\xfe\x00garbage\x81\x82", name="p.csv")
    job = Job.objects.get()
    assert job.status == "failed"
    assert "neither UTF-8 nor GBK" in job.error


def test_an_uncommitted_upload_expires(people, two_loans, settings):
    import datetime as dt

    from django.utils import timezone

    upload(signed_in(people["mia"]), payments_csv(GOOD_ROWS))
    check = Job.objects.get()
    stored = job_path(check.input_file)
    settings.ARREARS_UPLOAD_KEEP_HOURS = 24

    assert uploads_expire(now=timezone.now() + dt.timedelta(hours=23)) == 0
    assert uploads_expire(now=timezone.now() + dt.timedelta(hours=25)) == 1

    assert not stored.exists()
    check.refresh_from_db()
    assert check.input_file == ""
    page = signed_in(people["mia"]).get(f"/jobs/{check.pk}/").content.decode()
    assert "has expired" in page


def test_the_pages_read_in_chinese(people, two_loans):
    client = Client(headers={"accept-language": "zh-hans"})
    client.force_login(people["mia"])
    upload(client, payments_csv(BAD_ROWS))
    job = Job.objects.get()
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "行错误" in page and "下载" in page
    assert "上传文件" in client.get("/jobs/imports/").content.decode()
