"""Copies of a text the way a campaign organiser's followers send them, for measuring
campaign detection on real comments (``bench/text``, tests).

Each ``PERTURBATIONS`` kind turns a base text into one copy; ``opposite_pair`` makes an
agreeing and a disagreeing wording of the same text, which must never be one campaign.
"""
from __future__ import annotations

import random
import re
import unicodedata

from analysis.text.stance import classify
from consult.textnorm import TCVN3_TO_UNICODE, VNI_TO_UNICODE, strip_marks

PERTURBATIONS = ("exact", "reordered", "nfd", "tone_style", "tcvn3", "vni", "capitals",
                 "no_diacritics", "words_changed", "template")

NAMES = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Minh Đức", "Hoàng Thị Em",
         "Vũ Quang Huy", "Đặng Thu Hà", "Bùi Văn Khánh", "Đỗ Thị Lan", "Ngô Bảo Long")
PROVINCES = ("Thái Bình", "Nghệ An", "Lâm Đồng", "Sóc Trăng", "Yên Bái", "Quảng Nam", "Đắk Lắk",
             "Hà Giang", "Bến Tre", "Cà Mau", "Bắc Giang", "Long An")
#: (agreeing, disagreeing) frames around a base text.
POLARITY_FRAMES = (
    ("Tôi đồng ý với Điều {n} vì", "Tôi không đồng ý với Điều {n} vì"),
    ("Tôi ủng hộ quy định tại Điều {n}:", "Tôi phản đối quy định tại Điều {n}:"),
    ("Nhất trí với khoản {n}, vì", "Không nhất trí với khoản {n}, vì"),
    ("Tôi tán thành đề xuất số {n} vì", "Tôi không hề tán thành đề xuất số {n} vì"),
    ("Em hoàn toàn đồng ý với điều {n} vì", "Em ko đồng ý với điều {n} vì"),
)
_CLAUSE_RE = re.compile(r"\s*[,.;]\s*")
_OLD_STYLE_RE = re.compile("([òóỏõọ])([ae])|([ùúủũụ])(y)(?!\\w)", re.IGNORECASE)


def _encoder(table: dict[str, str]) -> dict[str, str]:
    """Unicode letter -> legacy code, from a legacy -> Unicode table (shortest code wins)."""
    encode: dict[str, str] = {}
    for code, char in sorted(table.items(), key=lambda item: len(item[0])):
        encode.setdefault(char, code)
    return encode


def to_tcvn3(text: str) -> str:
    """``text`` as TCVN3 (ABC) bytes read as Latin-1, the way a .VnTime document arrives.
    TCVN3 has toned capitals only in separate fonts, so the text is lower-cased first."""
    table = _encoder(TCVN3_TO_UNICODE)
    return "".join(table.get(c, c) for c in unicodedata.normalize("NFC", text.lower()))


def to_vni(text: str) -> str:
    """``text`` as VNI-Windows (a base letter then mark codes) read as cp1252."""
    table = _encoder(VNI_TO_UNICODE)
    return "".join(table.get(c, c) for c in unicodedata.normalize("NFC", text))


def old_tone_style(text: str) -> str:
    """Tone marks on the first vowel of oa/oe/uy ("hóa", "thủy") moved to the second
    ("hoá", "thuỷ") — the other of the two styles in use."""
    def move(match: re.Match[str]) -> str:
        first, second = (match.group(1), match.group(2)) if match.group(1) else \
            (match.group(3), match.group(4))
        decomposed = unicodedata.normalize("NFD", first)
        base, marks = decomposed[0], decomposed[1:]
        return base + unicodedata.normalize("NFC", second + marks)
    return _OLD_STYLE_RE.sub(move, unicodedata.normalize("NFC", text))


def reorder_clauses(rng: random.Random, text: str) -> str:
    clauses = [c for c in _CLAUSE_RE.split(text.strip()) if c]
    if len(clauses) < 2:
        return text
    shuffled = clauses[:]
    while shuffled == clauses:
        rng.shuffle(shuffled)
    return ", ".join(shuffled) + "."


def change_words(rng: random.Random, text: str, vocabulary: list[str]) -> str:
    """One to three syllables replaced, inserted or removed, keeping the stance polarity
    (an edit that turns agreement into disagreement is not a copy)."""
    polarity = classify(text).polarity
    for _ in range(10):
        words = text.split()
        for _ in range(rng.randint(1, 3)):
            position = rng.randrange(len(words))
            action = rng.choice(("replace", "insert", "delete"))
            if action == "replace":
                words[position] = rng.choice(vocabulary)
            elif action == "insert":
                words.insert(position, rng.choice(vocabulary))
            elif len(words) > 2:
                del words[position]
        changed = " ".join(words)
        if changed != text and classify(changed).polarity == polarity:
            return changed
    return text


def template(rng: random.Random, text: str) -> str:
    """The base text inside a signed template whose name, province and number change."""
    return (f"Tôi là {rng.choice(NAMES)}, {rng.randint(25, 80)} tuổi, ở {rng.choice(PROVINCES)}. "
            f"{text}")


def perturb(kind: str, rng: random.Random, text: str, vocabulary: list[str]) -> str:
    """One copy of ``text`` changed the way ``kind`` says."""
    changes = {
        "exact": lambda: text,
        "reordered": lambda: reorder_clauses(rng, text),
        "nfd": lambda: unicodedata.normalize("NFD", text),
        "tone_style": lambda: old_tone_style(text),
        "tcvn3": lambda: to_tcvn3(text),
        "vni": lambda: to_vni(text),
        "capitals": lambda: text.upper(),
        "no_diacritics": lambda: strip_marks(text),
        "words_changed": lambda: change_words(rng, text, vocabulary),
        "template": lambda: template(rng, text),
    }
    return changes[kind]()


def opposite_pair(rng: random.Random, text: str, number: int) -> tuple[str, str]:
    """An agreeing and a disagreeing opinion that share ``text`` word for word."""
    agree, disagree = rng.choice(POLARITY_FRAMES)
    return f"{agree.format(n=number)} {text}", f"{disagree.format(n=number)} {text}"
