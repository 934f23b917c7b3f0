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
    """``words`` without stopwords, boilerplate, numbers and single letters (stance words kept)."""
    dropped = _dropped()
    return [w for w in words if len(w) > 1 and w not in dropped
            and not w.replace(",", "").replace(".", "").isdigit()]


def topic_words(words: list[str]) -> list[str]:
    """Content words less the stance words: what an opinion is about, not how it leans."""
    return [w for w in words if w not in STANCE_WORDS]


def is_stopword(word: str) -> bool:
    return word in _dropped()
