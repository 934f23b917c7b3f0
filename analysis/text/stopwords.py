"""Stopwords: the maintained Vietnamese list of stopwords-iso (pip ``stopwordsiso``), less
the words that carry a stance, plus the boilerplate every consultation comment repeats."""
from __future__ import annotations

from functools import lru_cache

#: Words that say what someone wants; never dropped although stopword lists contain some.
STANCE_WORDS = frozenset({
    "không", "chưa", "chẳng", "cần", "phải", "nên", "tăng", "giảm", "bỏ", "thêm", "bổ_sung",
    "sửa", "sửa_đổi", "giữ", "giữ_nguyên", "hủy", "cấm", "bắt_buộc", "đồng_ý", "phản_đối",
    "tán_thành", "ủng_hộ", "nhất_trí", "hạn_chế", "mở_rộng", "thu_hẹp", "cao", "thấp",
    "đủ", "thiếu", "quá", "rõ", "khó", "dễ", "mới", "cũ", "lâu", "ngắn",
})

#: Words in almost every comment on a draft law: they name the frame, not the view.
CONSULTATION_BOILERPLATE = frozenset({
    "đề_nghị", "kiến_nghị", "đề_xuất", "dự_thảo", "ban_soạn_thảo", "soạn_thảo", "kính",
    "ý_kiến", "góp_ý", "tôi", "chúng_tôi", "em", "mình", "điều", "khoản", "điểm", "luật",
    "quy_định", "nội_dung", "việc", "này", "đó", "theo", "tại", "về", "cho", "có", "là",
    "của", "và", "các", "những", "được", "thì", "mà", "với", "trong", "vì", "để",
})


#: Spellings of comment language merged with the standard word, so one word is not counted
#: as two ("sài" for "xài", s/x and ch/tr slips): segmented tokens, whole tokens only ("sài_gòn"
#: stays).
SPELLING_VARIANTS = {
    "sài": "xài", "sử_lý": "xử_lý", "xử_dụng": "sử_dụng", "chuẩn_đoán": "chẩn_đoán",
    "nghành": "ngành", "suất_sắc": "xuất_sắc", "dùm": "giùm", "xuông_xẻ": "suôn_sẻ",
    "trao_truốt": "trau_chuốt", "chau_dồi": "trau_dồi", "dành_mạch": "rành_mạch",
    "dõ": "rõ", "dõ_ràng": "rõ_ràng", "giễ": "dễ", "giễ_hiểu": "dễ_hiểu", "zui": "vui",
    "bít": "biết", "hiu": "hiểu", "nhìu": "nhiều", "iu": "yêu",
}
#: Word pairs of comment language the segmenter leaves apart but that are one word.
COMPOUNDS = frozenset({
    ("mọi", "thứ"), ("mọi", "người"), ("tất", "cả"), ("hơi", "bị"), ("cũng", "được"),
})


def canonical_words(words: list[str]) -> list[str]:
    """``words`` with spelling variants merged and COMPOUNDS joined ("mọi_thứ")."""
    out: list[str] = []
    for word in words:
        word = SPELLING_VARIANTS.get(word, word)
        if out and (out[-1], word) in COMPOUNDS:
            out[-1] = f"{out[-1]}_{word}"
        else:
            out.append(word)
    return out


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The stopwords-iso Vietnamese list in segmented form ("bởi_vì"), without STANCE_WORDS."""
    try:
        import stopwordsiso

        words = {word.replace(" ", "_") for word in stopwordsiso.stopwords("vi")}
    except ImportError:  # pragma: no cover - stopwordsiso is in requirements
        words = set()
    return frozenset(words - STANCE_WORDS)


@lru_cache(maxsize=1)
def _dropped() -> frozenset[str]:
    return stopwords() | (CONSULTATION_BOILERPLATE - STANCE_WORDS)


def content_words(words: list[str]) -> list[str]:
    """``words`` without stopwords, boilerplate, numbers and single letters (stance words kept),
    spelling variants merged and compounds joined (``canonical_words``)."""
    dropped = _dropped()
    return [w for w in canonical_words(words) if len(w) > 1 and w not in dropped
            and not w.replace(",", "").replace(".", "").isdigit()]


def topic_words(words: list[str]) -> list[str]:
    """Content words less the stance words: what an opinion is about, not how it leans."""
    return [w for w in words if w not in STANCE_WORDS]


def is_stopword(word: str) -> bool:
    return word in _dropped()
