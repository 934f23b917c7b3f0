"""Stage: a stance signal from Vietnamese cue phrases (a heuristic, labelled so in the UI).

Disagreement cues are matched first and masked, so "không đồng ý" is never read as
"đồng ý".  An opinion that disagrees and proposes is counted as disagreeing; one that
agrees and proposes, as proposing a change.  Unaccented text is matched against the
cues without marks.
"""
from __future__ import annotations

import re
from functools import lru_cache

from consult.textnorm import fold, strip_marks

STANCES = ("agree", "disagree", "proposes_change", "question", "unclear")

CUES = {
    "disagree": (
        "không đồng ý", "chưa đồng ý", "không nhất trí", "chưa nhất trí", "không tán thành",
        "không ủng hộ", "phản đối", "bất hợp lý", "không hợp lý", "chưa hợp lý", "vô lý",
        "không phù hợp", "chưa phù hợp", "không cần thiết", "không nên", "không chấp nhận",
        "không thể chấp nhận", "không đúng",
    ),
    "proposes_change": (
        "đề nghị", "đề xuất", "kiến nghị", "nên sửa", "cần sửa", "sửa lại", "sửa đổi",
        "bổ sung", "thay bằng", "thay thế", "điều chỉnh", "loại bỏ", "nên bỏ", "cần bỏ",
        "phải bỏ", "cần quy định", "nên quy định", "cần làm rõ", "nên làm rõ", "nên có",
        "cần có", "cần tăng", "cần giảm", "nên tăng", "nên giảm", "tăng lên", "giảm xuống",
        "hạ xuống", "nâng lên", "mong muốn", "xem xét lại", "cần thêm", "nên thêm",
        "nên tách", "cần tách", "nên gộp",
    ),
    "agree": (
        "đồng ý", "nhất trí", "tán thành", "ủng hộ", "hợp lý", "phù hợp", "rất tốt",
        "hoan nghênh", "đúng đắn", "cần thiết", "đồng tình",
    ),
    "question": (
        "tại sao", "vì sao", "như thế nào", "thế nào", "có phải", "hay không", "làm sao",
        "bao giờ", "ở đâu", "là gì", "có được không", "ra sao",
    ),
}


@lru_cache(maxsize=2)
def _patterns(without_marks: bool) -> dict[str, re.Pattern[str]]:
    patterns = {}
    for stance, cues in CUES.items():
        forms = sorted({strip_marks(c) if without_marks else c for c in cues}, key=len, reverse=True)
        patterns[stance] = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, forms)) + r")(?!\w)")
    return patterns


def stance_of(text: str, without_marks: bool = False) -> str:
    """One of ``STANCES`` for a (normalised) opinion text."""
    folded = fold(text)
    if without_marks:
        folded = strip_marks(folded)
    patterns = _patterns(without_marks)
    if patterns["disagree"].search(folded):
        return "disagree"
    if patterns["proposes_change"].search(folded):
        return "proposes_change"
    if patterns["agree"].search(folded):
        return "agree"
    if "?" in folded or patterns["question"].search(folded):
        return "question"
    return "unclear"
