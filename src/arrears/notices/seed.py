"""The notice templates Arrears ships with (version 1 of `cn_default` and `en_default`).

FROZEN: migration 0002 loads these exact texts. To change a shipped template, make a new
version (notices.services.template_revise, or a new data migration doing the same), so notices
already issued keep the version they were rendered from.

The texts pass the cn_default conduct lint: no threats, no insults, no impersonation of courts
or police, no legal consequences stated as fact, nothing said to third parties. They state the
debt, the amounts as of a date, a date to pay by, and how to raise a dispute or hardship.
"""

CN_DEFAULT_BODY = """致：{borrower}

您在{company}的借款（借款编号 {loan}）已逾期。截至{as_of}，您尚欠款项如下（单位：元）：

{amounts}

请您于{pay_by}前将上述款项合计人民币{total_due}元归还至本公司指定账户，或到本公司营业网点办理还款。如您已还款，请忽略本通知并保留还款凭证。

如您对欠款金额有异议，或还款确有困难，请在收到本通知后与我们联系，我们将核实情况，并与您协商还款方案。

{company}（盖章）

{issued_on}

签收回执：本人已收到本通知书。  借款人签字：____________  日期：____年__月__日"""

EN_DEFAULT_BODY = """To: {borrower}

Your loan {loan} with {company} is overdue. As of {as_of}, the amounts below are due (CNY):

{amounts}

Please pay the total of CNY {total_due} by {pay_by} into our designated account or at any of our branches. If you have already paid, please disregard this notice and keep your payment receipt.

If you dispute the amount, or if you are having difficulty paying, please contact us after receiving this notice. We will look into it with you and can agree a repayment plan.

{company}

{issued_on}

Receipt: I have received this notice.  Signature: ____________  Date: ____________"""

TEMPLATES = [
    # code, language, title, body
    ("cn_default", "zh-hans", "催款通知书", CN_DEFAULT_BODY),
    ("en_default", "en", "Payment demand notice", EN_DEFAULT_BODY),
]
