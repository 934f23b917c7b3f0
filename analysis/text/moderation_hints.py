"""Hints for moderators: likely insults, hate, spam, personal data and off-topic text,
each with the words that triggered it. A hint never hides anything; the moderator decides.

Words are matched on the folded text, whole syllables only. A syllable typed without
marks matches the marked entry ("ngu" = "ngu", "oc cho" = "óc chó"), except plain forms
that are mostly innocent words ("cho" is usually cho, not chó); teen-code spellings
(đm, dm, vl, vcl, cc, dmm …) are entries of their own. Cheap enough (a few regular
expressions and a dictionary walk) to run on each comment of a moderation page.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from consult.textnorm import fold, strip_marks

HINTS = ("insult", "hate", "spam", "personal_data", "off_topic")

INSULT = (
    # teen-code and abbreviations of obscenities
    "đm", "dm", "đmm", "dmm", "đcm", "dcm", "đkm", "dkm", "cmm", "cmn", "vl", "vcl", "vkl", "vcc",
    "vll", "cc", "clm", "cl", "loz", "lz", "đb", "dcmm", "đụ", "đù", "du ma", "đụ má", "đù má",
    "dume", "duma", "đéo", "đếch", "địt", "dit me", "đĩ", "điếm", "cặc", "lồn", "buồi", "vãi lồn",
    "vãi", "vãi chưởng", "đệch", "mẹ mày", "con mẹ mày", "bố mày", "mả mẹ", "cha mày",
    # insults
    "ngu", "ngu si", "ngu dốt", "ngu như bò", "ngu như lợn", "óc chó", "óc lợn", "óc trâu",
    "não tôm", "thiểu năng", "khốn nạn", "mất dạy", "vô học", "súc vật", "súc sinh", "chó má",
    "đồ chó", "thằng chó", "con chó", "lũ chó", "chó chết", "rác rưởi", "đồ rác", "cút", "câm mồm",
    "im mồm", "câm miệng", "hãm", "hãm tài", "bựa", "khùng", "điên", "thần kinh", "dở hơi",
    "mặt dày", "trơ trẽn", "láo", "láo toét", "xạo", "xạo lồn", "bố láo", "thằng", "con đĩ",
    "đồ ngu", "thằng ngu", "con ngu", "lũ ngu", "bọn ngu", "đần", "đần độn", "ăn hại", "ăn bám",
    "mày", "tao", "chúng mày", "bọn mày", "tụi mày", "lũ", "bọn", "cẩu", "cờ hó", "sml", "xàm",
    "xàm l", "phò", "ngáo", "ảo tưởng", "hèn", "hèn hạ", "đểu", "lừa đảo", "bố đời", "trẻ trâu",
    "quần què", "mọe", "đumoe", "đmoe", "chịch", "lôz", "lìn", "nứng", "xamlol", "xàm lol",
    "sạo lol", "xạo lol", "fuck", "shit", "đỷ", "cave", "chó hùa", "trẩu", "mất nết", "tởm",
    "kinh tởm", "hạ đẳng", "đel", "éo", "mẹ nó", "chết mẹ", "bỏ mẹ", "con bò", "sủa", "clg",
    "vô duyên", "cái thứ", "nhục", "ghét", "chửi", "bẩn", "lol", "méo", "bò", "md", "gớm",
    # more spellings of the obscenities, and insults of comment language
    "lòn", "lôn", "lìn", "vailon", "vãi lon", "qq", "cức", "ml", "đỉ", "đách", "dái", "thối",
    "thối nát", "thối tha", "thúi", "câm", "cái mồm", "như chó", "có não", "không có não",
    "ko có não", "k có não", "não phẳng", "óc bã đậu", "vô văn hóa", "mất nết", "rẻ rách",
    "bệnh hoạn", "vô liêm sỉ", "đê tiện", "bỉ ổi", "đốn mạt", "im mẹ", "kệ mẹ", "mẹ m",
    "mẹ mồm", "cái mẹ gì", "cái miệng", "như l", "cái l", "cái nết", "dạng háng",
    # weak alone (see WEAK): a hint needs two of them, or one with another word
    "chó", "mồm", "mõm", "não", "óc", "dơ", "đít", "cứt", "dâm", "bú", "nát", "liếm", "đái",
    "loài", "mụ", "nô lệ", "hiếp",
)
HATE = (
    "bắc kỳ", "bắc kì", "nam kỳ", "nam kì", "parky", "namkiki", "bake", "baki", "namki",
    "mọi rợ", "tộc cối", "khựa", "tàu khựa", "chệt", "ba que", "3 que", "bò đỏ", "bê đê", "pê đê",
    "đồ bóng", "xăng pha nhớt", "thằng đen", "mọi đen", "đồ nhà quê", "phản động", "giết hết",
    "chết hết", "chết đi", "đáng chết", "đốt hết", "treo cổ", "đập chết", "tiêu diệt", "diệt",
    "cộng sản", "việt cộng", "đu càng", "bò vàng", "dư luận viên", "dlv", "đảng cướp",
    "búa liềm", "khửa", "tàu khửa", "thổ phỉ", "chủ tịt", "bóng dơ", "con bóng", "đông lào",
    "bán nước",
)
#: Selling words: a spam hint needs two of them, or one with a link or a phone number
#: (an opinion may well speak of loans or prices).
SPAM = (
    "inbox", "ib", "zalo", "liên hệ ngay", "mua ngay", "giảm giá", "khuyến mãi", "kiếm tiền",
    "việc nhẹ lương cao", "click", "đăng ký ngay", "link", "free", "sale", "order", "shop",
    "giá rẻ", "vay tiền nhanh", "quà tặng", "trúng thưởng", "cá độ", "nhà cái", "casino",
    "follow", "like và share", "kết bạn", "giải ngân",
)
#: Plain spellings that are mostly innocent words: "cho" (for), "may" (luck/sew), "dien"
#: (electricity), "lu" (jar), "bon" (four), "han", "di" (go) …
_NEVER_PLAIN = frozenset({"cho", "may", "dien", "lu", "bon", "han", "di", "hen", "deu", "lao",
                          "xao", "cut", "tao", "than kinh", "dan", "do", "con cho", "thang",
                          "ngao", "dit", "bo do", "du", "cac", "vai", "chet", "cau",
                          "khung", "ham", "deo", "diet", "bua", "dan do", "hen ha", "phan dong",
                          "chui", "ban", "bo", "meo", "nhuc", "ghet", "gom", "tom", "ha dang",
                          "sua", "con bo", "eo", "lin", "chich", "nao", "thoi", "dai", "oc",
                          "cuc", "mu", "bu", "dam", "cam", "thui", "loai", "mom", "nat", "liem",
                          "ml", "hiep", "no le"})
#: Two-syllable words a comment on a consultation shares with almost any draft law (used
#: besides the provision's own words), compared without marks.
_DOMAIN = frozenset(strip_marks(w) for w in (
    "dự thảo", "quy định", "hợp tác", "tác xã", "thành viên", "góp vốn", "nhà nước", "tổ chức",
    "đăng ký", "hội đồng", "quản trị", "giám đốc", "kiểm soát", "chính sách", "doanh nghiệp",
    "tài sản", "lợi nhuận", "cơ quan", "đề nghị", "sửa đổi", "bổ sung", "điều lệ", "pháp luật",
    "nghị định", "thủ tục", "hồ sơ", "người dân", "ban soạn", "soạn thảo", "góp ý", "ý kiến",
    "đề xuất", "kiến nghị", "xã viên", "tín dụng", "đại hội", "luật", "vốn", "thuế", "htx",
))

#: Words that are often mere intensifiers or familiar address ("vl", "vãi", "tao"): they
#: raise a hint only together with another word of the lists.
WEAK = frozenset(fold(w) for w in (
    "vl", "vãi", "tao", "vkl", "hèn", "bê đê", "đù", "diệt", "đần", "cho chết", "nhục", "ghét",
    "chửi", "bẩn", "méo", "bò", "md", "gớm",
    # familiar address and political words, as often in plain talk as in insults
    "thằng", "mày", "bọn", "phản động", "cộng sản", "dlv", "cmn", "trẻ trâu", "vcl",
    "chó", "mồm", "mõm", "não", "óc", "dơ", "đít", "cứt", "dâm", "bú", "nát", "liếm", "đái",
    "loài", "mụ", "nô lệ", "hiếp", "đông lào", "bán nước"))

#: A WEAK word raises a hint alone in a comment of at most this many words, or when the
#: comment aims at someone with one of AIMED (set on the ViHSD training and dev splits).
SHORT_COMMENT = 8
#: WEAK words that mostly only intensify: alone, a hint unless they intensify praise.
INTENSIFIERS = frozenset(fold(w) for w in ("vl", "vãi", "vkl", "vcl", "cmn", "md"))
#: Words of praise (without marks) that an intensifier makes stronger, not offensive.
PRAISE = frozenset(strip_marks(w) for w in (
    "hay", "đẹp", "ngon", "tốt", "đỉnh", "giỏi", "xinh", "dễ thương", "cute", "chất", "thích",
    "yêu", "ổn", "khá", "tuyệt", "xịn", "mê", "ngầu", "cuốn", "vui", "hài", "buồn cười"))
AIMED = frozenset(fold(w) for w in (
    "nó", "con này", "thằng này", "con đó", "thằng đó", "mấy thằng", "bọn", "lũ", "tụi",
    "mày", "thằng"))

_URL_RE = re.compile(r"https?://\S+|www\.\S+|\b[\w-]+\.(?:com|vn|net|org|xyz|info|shop)\b", re.I)
_EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE_RE = re.compile(r"(?<![\d])(?:\+?84|0)(?:[\s.-]?\d){9,10}(?![\d])")
_ID_RE = re.compile(r"(?<!\d)(?:\d{12}|\d{9})(?!\d)")
_ID_CONTEXT_RE = re.compile(r"\b(?:cccd|cmnd|căn cước|chứng minh|số định danh|stk|số tài khoản)\b", re.I)
_REPEAT_RE = re.compile(r"(\b\w+(?:\s+\w+){0,2}\b)(?:\W+\1\b){3,}", re.I)
_LONG_RUN_RE = re.compile(r"(\w)\1{6,}")
_TOKEN_RE = re.compile(r"\w+")
#: "nguuuu" -> "ngu"; "đ.ĩ", "l*z" -> "đĩ", "lz" (letters split to dodge filters).
_STRETCH_RE = re.compile(r"(\w)\1{2,}")
_SPLIT_LETTERS_RE = re.compile(r"(?<!\w)(\w)[.*_\-](\w{1,3})(?!\w)")


@dataclass(frozen=True)
class Hint:
    kind: str
    #: The words (as written, folded) that triggered the hint.
    words: tuple[str, ...]


@lru_cache(maxsize=1)
def _index() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for kind, phrases in (("hate", HATE), ("insult", INSULT), ("spam", SPAM)):
        for phrase in phrases:
            syllables = tuple(fold(phrase).split())
            for first in {syllables[0], strip_marks(syllables[0])}:
                index.setdefault(first, []).append((syllables, kind))
    for entries in index.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return index


def _matches(token: str, entry: str) -> bool:
    return token == entry or (strip_marks(token) == token and strip_marks(entry) == token)


def _candidates(index, token: str) -> list[tuple[tuple[str, ...], str]]:
    plain = strip_marks(token)
    return index.get(token, []) + (index.get(plain, []) if plain != token else [])


def lexicon_hits(text: str) -> dict[str, list[str]]:
    """Words of the insult, hate and spam lists found in ``text``, longest first."""
    text = _SPLIT_LETTERS_RE.sub(r"\1\2", _STRETCH_RE.sub(r"\1", fold(text)))
    tokens = _TOKEN_RE.findall(text)
    found: dict[str, list[str]] = {}
    index, i = _index(), 0
    while i < len(tokens):
        hit = None
        for syllables, kind in _candidates(index, tokens[i]):
            end = i + len(syllables)
            if end <= len(tokens) and all(_matches(t, e) for t, e in zip(tokens[i:end], syllables)):
                written = " ".join(tokens[i:end])
                if written in _NEVER_PLAIN and written != " ".join(syllables):
                    continue
                hit = (kind, written, end)
                break
        if hit is None:
            i += 1
            continue
        kind, written, i = hit
        if written not in found.setdefault(kind, []):
            found[kind].append(written)
    return found


def personal_data(text: str) -> list[str]:
    """Phone numbers, e-mail addresses and ID numbers (CCCD 12 digits, CMND 9 digits)."""
    found = _EMAIL_RE.findall(text) + [m.strip() for m in _PHONE_RE.findall(text)]
    ids = [m for m in _ID_RE.findall(text) if not any(m in f.replace(" ", "").replace(".", "")
                                                      for f in found)]
    if ids and (_ID_CONTEXT_RE.search(text) or any(len(m) == 12 for m in ids)):
        found += ids
    return list(dict.fromkeys(found))


def spam_signals(text: str) -> list[str]:
    signals = _URL_RE.findall(text)
    repeat = _REPEAT_RE.search(text)
    if repeat:
        signals.append(repeat.group(0)[:40])
    run = _LONG_RUN_RE.search(text)
    if run:
        signals.append(run.group(0)[:20])
    return signals


def _pairs(text: str) -> set[str]:
    """Adjacent syllable pairs without marks: "công viên" shares no pair with "thành viên"."""
    words = [strip_marks(w) for w in _TOKEN_RE.findall(fold(text)) if not w.isdigit()]
    return {f"{a} {b}" for a, b in zip(words, words[1:])}


def off_topic(text: str, context: str | None = None) -> list[str]:
    """A text of 8 or more syllables that shares no two-syllable word with the provision
    (``context``) nor a word of a draft law's usual vocabulary, and neither disagrees, takes
    an explicit stance nor proposes anything: returns its first words, else []."""
    from analysis.text.stance import EXPLICIT, classify

    words = _TOKEN_RE.findall(fold(text))
    plain = {strip_marks(w) for w in words}
    context_pairs = _pairs(context or "")
    if len(words) < 8 or (_pairs(text) | plain) & (_DOMAIN | context_pairs):
        return []
    decision = classify(text)
    explicit = {strip_marks(" ".join(verb)) for verb in EXPLICIT}
    if decision.stance in ("proposes_change", "disagree") or any(
            verb in strip_marks(cue) for cue in decision.cues for verb in explicit):
        return []
    return [" ".join(words[:6]) + " …"]


def _offends(text: str, offensive: list[str]) -> bool:
    """A word that is not WEAK, two words, or one WEAK word in a short comment (up to
    ``SHORT_COMMENT`` words: "tức vl", "óc…") or aimed at someone ("con này", "mày"…)."""
    if len(offensive) >= 2 or any(word not in WEAK for word in offensive):
        return True
    if not offensive:
        return False
    words = _TOKEN_RE.findall(fold(text))
    plain = f" {' '.join(strip_marks(w) for w in words)} "
    if offensive[0] in INTENSIFIERS and any(f" {word} " in plain for word in PRAISE):
        return False  # "hay vl", "đẹp vãi": praise made stronger
    if len(words) <= SHORT_COMMENT:
        return True
    aimed = set(words) | {f"{a} {b}" for a, b in zip(words, words[1:])}
    return bool((aimed - set(offensive)) & AIMED)


def hints(text: str, context: str | None = None) -> list[Hint]:
    """Every hint that applies to ``text`` (a comment as written), with its trigger words."""
    text = text or ""
    hits = lexicon_hits(text)
    offensive = hits.get("insult", []) + hits.get("hate", [])
    found = [Hint(kind, tuple(hits[kind])) for kind in ("insult", "hate")
             if hits.get(kind)] if _offends(text, offensive) else []
    private = personal_data(text)
    signals = spam_signals(text)
    selling = hits.get("spam", [])
    if signals or len(selling) >= 2 or (selling and private):
        found.append(Hint("spam", tuple(selling + signals)))
    if private:
        found.append(Hint("personal_data", tuple(private)))
    stray = off_topic(text, context)
    if stray:
        found.append(Hint("off_topic", tuple(stray)))
    return found
