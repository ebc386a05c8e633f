"""The document categories Arrears ships with; managers edit the list from there."""

from arrears.documents.storage import AMR, JPEG, M4A, MP3, PDF, PNG, TEXT, WAV

_PAPER = [PDF, JPEG, PNG]
CATEGORIES = [
    # code, 中文, English, allowed types
    ("contract", "合同", "Contract", _PAPER),
    ("identity", "身份证明", "Identity document", _PAPER),
    ("notice_receipt", "通知书回执", "Notice receipt", _PAPER),
    ("notice", "催款通知书", "Collection notice", [PDF]),
    ("visit_photo", "外访照片", "Visit photo", [JPEG, PNG]),
    ("call_recording", "通话录音", "Call recording", [MP3, M4A, WAV, AMR]),
    ("court_document", "法院文书", "Court document", _PAPER),
    ("death_certificate", "死亡证明", "Death certificate", _PAPER),
    ("payment_receipt", "还款凭证", "Payment receipt", _PAPER),
    ("acknowledgement", "书面确认", "Written acknowledgement", _PAPER),
    ("other", "其他", "Other", [PDF, JPEG, PNG, TEXT]),
]
