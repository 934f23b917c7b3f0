"""Stage: stance of one opinion by transparent rules, with the cue words that decided it.

Stances: agree, disagree, proposes a change, asks a question, unclear.

How a text is read (``classify``):

1. The text (normalised by ``normalise.prepare``: teen-code such as "ko", "k", "hok", "dc"
   already expanded) is cut into syllables and clause marks.
2. Cue phrases are matched longest first. A syllable typed without marks matches the
   marked cue ("khong dong y" = "không đồng ý"), except one-syllable plain forms that are
   more often another word ("toi" is tôi, not tồi).
   Neutral phrases ("không khí", "không chỉ", "cho nên") are consumed so that their
   syllables never become cues.
3. Negation has a scope: a negator (không, chưa, chẳng, chả, đâu có, không hề …) flips the
   first evaluation or proposal cue that starts within ``NEGATION_SCOPE`` syllables after
   it in the same clause: "giáo trình chưa có hợp lý" disagrees, "không nên bỏ" disagrees,
   "không tệ" agrees.
4. An explicit stance verb (đồng ý, phản đối, ủng hộ, nhất trí …, negated or not) decides
   approval when present; descriptive words then only give reasons. Otherwise cues after
   a contrast word (nhưng, tuy nhiên …) weigh double. In a sentence that asks ("?"),
   praise is asked about, not given, so it does not count.
5. As much disapproval as approval or more → disagree; otherwise approval with a proposal →
   proposes a change, approval alone → agree; no evaluation: a proposal → proposes a
   change, a question → question, nothing → unclear.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from consult.textnorm import strip_marks as _strip_marks

STANCES = ("agree", "disagree", "proposes_change", "question", "unclear")
#: Change it whenever a change of the rules or lexicons may change a decision: stored
#: decisions (``analysis.results.TextStanceCache``) of another version are not reused.
CLASSIFIER_VERSION = "stance-2026-12-05"
#: Syllables after a negator in which the cue it negates may start.
NEGATION_SCOPE = 3

NEGATORS = (
    "không", "chưa", "chẳng", "chả", "đâu có", "không hề", "chưa hề", "chẳng hề", "chả hề",
    "không có", "chưa có", "không được", "chưa được", "không thể", "chẳng có", "đâu phải",
    "không phải", "chưa phải", "hông", "khỏi",
)
#: Phrases that look like cues or negators but are neither; matched first, then skipped.
NEUTRAL = (
    "không khí", "không gian", "không những", "không chỉ", "chẳng hạn", "cho nên", "vì vậy nên",
    "thế nên", "nên là", "không ít", "chưa kể", "không biết", "chả biết", "chẳng biết",
    "hay là", "phải chăng", "không lâu", "chưa lâu", "bỏ phiếu", "bỏ ra", "cần cù", "đúng giờ",
    "tăng ca", "chuyên cần", "cảm ơn", "cám ơn", "xin cảm ơn", "trân trọng",
    "càng sớm càng tốt", "càng nhanh càng tốt", "một cách thỏa đáng", "không ít",
)
AGREE = (
    "đồng ý", "nhất trí", "tán thành", "ủng hộ", "đồng tình", "hoan nghênh", "hợp lý", "hợp lí",
    "phù hợp", "đúng đắn", "cần thiết", "hợp tình hợp lý", "thỏa đáng", "khả thi", "công bằng",
    "minh bạch", "tốt", "tuyệt", "tuyệt vời", "hài lòng", "thích", "ổn", "ok", "oke", "okê",
    "okay", "okela", "good", "great", "like", "hiệu quả", "rõ ràng", "dễ hiểu", "dễ tiếp thu",
    "dễ", "nhiệt tình", "tận tình", "tận tâm", "chu đáo", "thân thiện", "vui vẻ", "vui tính",
    "dễ thương", "hấp dẫn", "bổ ích", "hữu ích", "thú vị", "sinh động", "đầy đủ", "chi tiết",
    "chuyên nghiệp", "xuất sắc", "giỏi", "tâm huyết", "nhiệt huyết", "gần gũi", "quan tâm",
    "biết ơn", "tiện lợi", "thuận tiện", "hiện đại", "sạch sẽ", "thoáng mát",
    "rộng rãi", "đúng", "chính xác", "dạy hay", "giảng hay", "rất hay", "khá hay", "hay quá",
    "bài hay", "vui", "tuyệt đối đồng ý", "hoàn toàn đồng ý", "không có ý kiến",
    "không vấn đề gì", "không sao", "yêu", "thoải mái", "nhiệt tâm", "tỉ mỉ", "kỹ lưỡng",
    "ủng hộ hoàn toàn", "xứng đáng", "đáng khen", "hoàn hảo", "ấn tượng", "cuốn hút",
    "lôi cuốn", "tận tụy", "dễ chịu", "chất lượng", "đẹp", "hữu dụng", "thiết thực",
)
DISAGREE = (
    "phản đối", "bác bỏ", "bất hợp lý", "bất hợp lí", "vô lý", "vô lí", "phi lý", "bất cập",
    "bất công", "sai", "sai lầm", "tệ", "kém", "dở", "chán", "nhàm chán", "buồn ngủ", "khó hiểu",
    "khó", "rườm rà", "phức tạp", "chồng chéo", "mơ hồ", "thiếu", "lãng phí", "tốn kém",
    "quá tải", "quá nhanh", "nhanh quá", "chậm", "trễ", "muộn", "thất vọng", "bức xúc",
    "vô trách nhiệm", "cẩu thả", "qua loa", "hời hợt", "khắt khe", "khắc nghiệt", "nặng nề",
    "gây khó khăn", "cản trở", "tùy tiện", "lạc hậu", "cũ kỹ", "hư", "hỏng", "ồn", "ồn ào",
    "bẩn", "dơ", "tồi", "dễ dãi", "mất thời gian", "áp đặt", "thiệt thòi", "bất lợi",
    "chưa rõ", "không rõ", "nóng", "nóng nực", "lag", "yếu", "khó chịu", "khó tính", "gắt",
    "lỗi", "nhảm", "vớ vẩn", "kém chất lượng", "quá nhiều", "quá ít", "hạn chế",
    "tệ hại", "không hiểu", "chưa hiểu", "không dễ", "chẳng dễ", "chưa dễ", "mệt", "căng thẳng", "áp lực", "lộn xộn", "xuống cấp", "chê",
)
PROPOSE = (
    "đề nghị", "đề xuất", "kiến nghị", "nên", "cần", "mong", "mong muốn", "hy vọng", "hi vọng",
    "muốn", "bổ sung", "sửa", "sửa đổi", "sửa lại", "thay", "thay thế", "thay bằng",
    "thay đổi", "điều chỉnh", "loại bỏ", "bỏ", "xóa bỏ", "tăng", "giảm", "thêm vào", "làm rõ", "quy định rõ",
    "xem xét", "xem xét lại", "cân nhắc", "rút ngắn", "kéo dài", "nâng", "hạ", "tách", "gộp",
    "cải thiện", "cải tiến", "khắc phục", "nâng cấp", "trang bị", "ước gì", "giá như", "hãy",
    "cần phải", "phải có", "yêu cầu", "đòi hỏi",
)
QUESTION = (
    "tại sao", "vì sao", "như thế nào", "thế nào", "có phải", "hay không", "làm sao", "bao giờ",
    "khi nào", "ở đâu", "là gì", "ra sao", "bao nhiêu", "được không", "có được không",
    "phải không", "sao lại",
)
#: Explicit stance: when a text has one, it decides approval over descriptive words
#: ("Tôi không đồng ý vì giảng viên dạy dễ hiểu" disagrees).
EXPLICIT = frozenset(tuple(phrase.split()) for phrase in (
    "đồng ý", "nhất trí", "tán thành", "ủng hộ", "đồng tình", "hoan nghênh", "phản đối", "bác bỏ",
    "tuyệt đối đồng ý", "hoàn toàn đồng ý", "ủng hộ hoàn toàn", "không có ý kiến",
))
CONTRASTS = ("nhưng", "tuy nhiên", "song", "nhưng mà", "có điều")
#: Plain spellings of one-syllable cues that are more often another word ("toi" is tôi
#: not tồi, "de" để not dễ, "thay" thấy not thay): never read as the cue in unaccented text,
#: and in marked text only when written exactly so.
_NEVER_PLAIN = frozenset({"toi", "chan", "de", "do", "hu", "ban", "nong", "kem", "te", "on",
                          "yeu", "cha", "dung", "nang", "ha", "bo", "thay", "gop", "cham", "tre",
                          "muon", "hong", "khoi", "ton", "it", "hay", "nham"})

_TOKEN_RE = re.compile(r"\w+|[?!.;,:…]")
_CLAUSE_MARKS = frozenset("?!.;,:…")
_SENTENCE_END = frozenset("?!.…")


@dataclass(frozen=True, slots=True)
class StanceDecision:
    """A stance and the cue phrases (as written) that made it.

    ``polarity``: +1 approves (agrees, or agrees and proposes), -1 disapproves, 0 neither;
    texts of different polarity are never one campaign."""

    stance: str
    cues: tuple[str, ...] = field(default_factory=tuple)
    polarity: int = 0
    #: Cue phrases without marks, as found and as negated ("nen" in "không nên"): a text
    #: that negates what another affirms says the opposite (``campaigns.negation_flip``).
    affirmed: frozenset[str] = frozenset()
    negated: frozenset[str] = frozenset()


@dataclass
class _Cue:
    kind: str
    start: int
    end: int
    negated_from: int | None = None
    #: An explicit stance verb ("đồng ý", "phản đối"), which outweighs descriptive words.
    explicit: bool = False


@lru_cache(maxsize=100_000)
def strip_marks(word: str) -> str:
    """``textnorm.strip_marks`` remembered per word: the same syllables come back all the time."""
    return _strip_marks(word)


def _marked(token: str) -> bool:
    return strip_marks(token) != token


@lru_cache(maxsize=1)
def _lexicon() -> tuple[dict[str, list[tuple[tuple[str, ...], str]]], int]:
    """First syllable (as written and without marks) -> [(cue syllables, kind)], longest first."""
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    kinds = (("neutral", NEUTRAL), ("negator", NEGATORS), ("agree", AGREE),
             ("disagree", DISAGREE), ("propose", PROPOSE), ("question", QUESTION),
             ("contrast", CONTRASTS))
    longest = 0
    for kind, phrases in kinds:
        for phrase in phrases:
            syllables = tuple(phrase.split())
            longest = max(longest, len(syllables))
            for first in {syllables[0], strip_marks(syllables[0])}:
                index.setdefault(first, []).append((syllables, kind))
    for entries in index.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return index, longest


def _same(token: str, cue: str) -> bool:
    if token == cue:
        return True
    if _marked(token):
        return False
    return strip_marks(cue) == token


def _match_at(tokens: list[str], i: int, unaccented: bool) -> tuple[tuple[str, ...], str] | None:
    index, _ = _lexicon()
    for syllables, kind in index.get(tokens[i], ()):
        end = i + len(syllables)
        if end > len(tokens) or not all(_same(t, c)
                                        for t, c in zip(tokens[i:end], syllables)):
            continue
        plain = " ".join(tokens[i:end])
        if plain in _NEVER_PLAIN and (unaccented or plain != " ".join(syllables)):
            continue
        return syllables, kind
    return None


def _scan(tokens: list[str], unaccented: bool) -> tuple[list[_Cue], list[int]]:
    """Cues found left to right (negation applied) and the positions of contrast words."""
    cues: list[_Cue] = []
    contrasts: list[int] = []
    pending_negator: int | None = None
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in _CLAUSE_MARKS:
            pending_negator = None
            i += 1
            continue
        if pending_negator is not None and i - _negator_end(cues, pending_negator) >= NEGATION_SCOPE:
            pending_negator = None
        found = _match_at(tokens, i, unaccented)
        if found is None:
            i += 1
            continue
        syllables, kind = found
        end = i + len(syllables)
        if kind == "contrast":
            contrasts.append(i)
            pending_negator = None
        elif kind == "negator":
            cues.append(_Cue("negator", i, end))
            pending_negator = len(cues) - 1
        elif kind in ("agree", "disagree", "propose"):
            cue = _Cue(kind, i, end, explicit=syllables in EXPLICIT)
            if pending_negator is not None:
                cue.negated_from = cues[pending_negator].start
                cue.kind = {"agree": "disagree", "disagree": "agree", "propose": "disagree"}[kind]
                pending_negator = None
            cues.append(cue)
        elif kind == "question":
            cues.append(_Cue("question", i, end))
        i = end
    return [c for c in cues if c.kind != "negator"], contrasts


def _negator_end(cues: list[_Cue], index: int) -> int:
    return cues[index].end


def _sentence_ends_in_question(tokens: list[str], position: int) -> bool:
    for token in tokens[position:]:
        if token in _SENTENCE_END:
            return token == "?"
    return False


def classify(text: str) -> StanceDecision:
    """The stance of a normalised opinion text (``normalise.prepare``) and the cue phrases
    behind it. Only NFC and case are redone here: the full normaliser is not cheap."""
    tokens = _TOKEN_RE.findall(unicodedata.normalize("NFC", text or "").casefold())
    words = [t for t in tokens if t not in _CLAUSE_MARKS]
    unaccented = bool(words) and not any(_marked(t) for t in words)
    cues, contrasts = _scan(tokens, unaccented)
    if any(c.explicit for c in cues):
        cues = [c for c in cues if c.explicit or c.kind in ("propose", "question")]
    last_contrast = contrasts[-1] if contrasts else -1
    scores = {"agree": 0.0, "disagree": 0.0, "propose": 0.0}
    used: dict[str, list[_Cue]] = {"agree": [], "disagree": [], "propose": [], "question": []}
    for cue in cues:
        if cue.kind == "question":
            used["question"].append(cue)
            continue
        if cue.kind == "agree" and _sentence_ends_in_question(tokens, cue.end):
            continue
        scores[cue.kind] += 2.0 if cue.start > last_contrast >= 0 else 1.0
        used[cue.kind].append(cue)
    asks = "?" in tokens or bool(used["question"])
    stance, chosen, polarity = _decide(scores, used, asks)
    return StanceDecision(stance, tuple(_surface(tokens, c) for c in chosen), polarity,
                          frozenset(_plain(tokens, c) for c in cues if c.negated_from is None),
                          frozenset(_plain(tokens, c) for c in cues if c.negated_from is not None))


def _plain(tokens: list[str], cue: _Cue) -> str:
    return strip_marks(" ".join(tokens[cue.start:cue.end]))


def _decide(scores: dict[str, float], used: dict[str, list[_Cue]],
            asks: bool) -> tuple[str, list[_Cue], int]:
    """Order-free, so a copy with its sentences reordered keeps its stance."""
    agree, disagree, propose = scores["agree"], scores["disagree"], scores["propose"]
    if disagree and disagree >= agree:  # a reservation weighs as much as the praise
        return "disagree", used["disagree"], -1
    if agree:
        return ("proposes_change", used["propose"] + used["agree"], 1) if propose \
            else ("agree", used["agree"], 1)
    if propose:
        return "proposes_change", used["propose"], 0
    if asks:
        return "question", used["question"] or [], 0
    return "unclear", [], 0


def _surface(tokens: list[str], cue: _Cue) -> str:
    start = cue.negated_from if cue.negated_from is not None else cue.start
    return " ".join(t for t in tokens[start:cue.end] if t not in _CLAUSE_MARKS)


def stance_of(text: str, without_marks: bool = False) -> str:
    """One of ``STANCES`` for a (normalised) opinion text (``without_marks`` is implied by
    the text itself and kept for callers of the first version)."""
    return classify(text).stance
