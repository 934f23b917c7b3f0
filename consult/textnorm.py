"""Boundary normaliser for Vietnamese user text.

Every piece of user text is stored twice: as written (for display) and in the
form made here (for search, counting and analysis).  ``normalize_text`` repairs
broken encodings, composes to NFC, puts every tone mark where Vietnamese legal
texts put it ("hòa", "thủy", "khỏe") and cleans whitespace, keeping case and
line breaks.  ``fold`` adds casefolding, giving the key for search and dedup.

Pure Python, no Flask.  Tables and regexes are built once at import; the normal
path (already clean Unicode Vietnamese) runs a handful of regex scans.  No
function here raises on a ``str``.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import ftfy

# --- Vietnamese vowels ------------------------------------------------------

#: Tone marks by index: none, huyền, hỏi, ngã, sắc, nặng (the order of the
#: TCVN3 and VNI code charts).
_TONE_MARKS = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
_BASE_VOWELS = "aăâeêioôơuưy"
#: Vowels carrying a quality mark; in a syllable they take the tone mark.
_QUALITY_VOWELS = frozenset("ăâêôơư")


def _build_vowel_tables() -> tuple[dict[str, tuple[str, int]], dict[tuple[str, int], str]]:
    """Map every (un)toned vowel, both cases, to (vowel without tone, tone) and back."""
    split: dict[str, tuple[str, int]] = {}
    join: dict[tuple[str, int], str] = {}
    for base in _BASE_VOWELS + _BASE_VOWELS.upper():
        for tone, mark in enumerate(_TONE_MARKS):
            char = unicodedata.normalize("NFC", base + mark)
            split[char] = (base, tone)
            join[base, tone] = char
    return split, join


_VOWEL_SPLIT, _VOWEL_JOIN = _build_vowel_tables()
_VOWELS = "".join(_VOWEL_SPLIT)
_TONED_VOWELS = "".join(c for c, (_, tone) in _VOWEL_SPLIT.items() if tone)

# --- syllable shape -----------------------------------------------------------

_INITIALS = sorted(
    "b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x".split(),
    key=len, reverse=True,
)
_FINALS = frozenset("c ch m n ng nh p t".split())
#: Vowel groups that can end a syllable ("hòa", "người", "khuya").
_OPEN_NUCLEI = frozenset(
    "a e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iu oa oe oi ôi ơi ua uê ui uơ "
    "uy ưa ưi ưu iêu oai oay oeo uây uôi uya uyu ươi ươu yêu".split()
)
#: Vowel groups that can be followed by a final consonant ("hoàng", "thuyền").
_CLOSED_NUCLEI = frozenset(
    "a ă â e ê i o ô ơ u ư y iê yê uô ươ oa oă oe oo uâ uê uy uyê".split()
)
_PLAIN_VOWELS = frozenset(_BASE_VOWELS)


def _split_syllable(letters: str) -> tuple[str, str, str] | None:
    """Split lower-case letters without tone into (initial, vowels, final), or None.

    "gi" and "qu" are initials ("giữa" = gi+ưa, "quý" = qu+y) except where the
    i is the only vowel ("gì", "gìn").
    """
    initial = next((c for c in _INITIALS if letters.startswith(c)), "")
    rest = letters[len(initial):]
    if initial == "gi" and (not rest or rest[0] not in _PLAIN_VOWELS):
        initial, rest = "g", letters[1:]
    end = 0
    while end < len(rest) and rest[end] in _PLAIN_VOWELS:
        end += 1
    nucleus, final = rest[:end], rest[end:]
    if final:
        if final not in _FINALS or nucleus not in _CLOSED_NUCLEI:
            return None
    elif nucleus not in _OPEN_NUCLEI:
        return None
    return initial, nucleus, final


def _tone_position(nucleus: str, has_final: bool) -> int:
    """Index in the vowel group that takes the tone, traditional placement."""
    if "ươ" in nucleus:
        return nucleus.index("ươ") + 1
    for index, vowel in enumerate(nucleus):
        if vowel in _QUALITY_VOWELS:
            return index
    if has_final:
        return len(nucleus) - 1
    return 1 if len(nucleus) == 3 else 0


def _untone(word: str) -> tuple[list[str], int, int]:
    """Letters without tone, the tone and its index; tone -1 if marked twice."""
    letters, tone, tone_at = [], 0, -1
    for index, char in enumerate(word):
        base, mark = _VOWEL_SPLIT.get(char, (char, 0))
        letters.append(base)
        if mark:
            if tone:
                return letters, -1, -1
            tone, tone_at = mark, index
    return letters, tone, tone_at


@functools.lru_cache(maxsize=65536)
def _is_syllable(word: str) -> bool:
    """True when ``word`` (any case, NFC) has the shape of one Vietnamese syllable."""
    letters, tone, _ = _untone(word)
    return tone >= 0 and _split_syllable("".join(letters).lower()) is not None


@functools.lru_cache(maxsize=65536)
def _retone_word(word: str) -> str:
    """Move the tone mark of one syllable to its traditional place, keeping case."""
    letters, tone, tone_at = _untone(word)
    if tone <= 0:
        return word
    parts = _split_syllable("".join(letters).lower())
    if parts is None:
        return word
    initial, nucleus, final = parts
    target = len(initial) + _tone_position(nucleus, bool(final))
    if target == tone_at:
        return word
    letters[target] = _VOWEL_JOIN[letters[target], tone]
    return "".join(letters)


_WORD_EDGE = r"\w\u0300-\u036f"
_LETTER_CLASS = "A-Za-zĐđ" + "".join(c for c in _VOWELS if not c.isascii())
#: A word whose tone mark could move: a toned vowel next to another vowel.
#: Bounded: no syllable has more than seven letters ("nghiêng"), and unbounded
#: runs would backtrack quadratically on long garbage.
_RETONE_WORD = (
    rf"(?<![{_WORD_EDGE}])[{_LETTER_CLASS}]{{0,6}}"
    rf"(?:[{_TONED_VOWELS}][{_VOWELS}]|[{_VOWELS}][{_TONED_VOWELS}])"
    rf"[{_LETTER_CLASS}]{{0,6}}(?![{_WORD_EDGE}])"
)
_RETONE_WORD_RE = re.compile(_RETONE_WORD)
#: The same, but URLs and e-mail addresses (the ``skip`` group) stay as they are.
_RETONE_OUTSIDE_LINKS_RE = re.compile(rf"(?P<skip>(?<!\S)\S*?(?:://|@|www\.)\S*)|{_RETONE_WORD}")


def _retone_match(match: re.Match[str]) -> str:
    return match[0] if match.lastgroup == "skip" else _retone_word(match[0])


def _retone_chunk(chunk: str) -> str:
    if "@" in chunk or "://" in chunk or "www." in chunk:
        return _RETONE_OUTSIDE_LINKS_RE.sub(_retone_match, chunk)
    return _RETONE_WORD_RE.sub(_retone_match, chunk)


#: Space-separated chunk -> chunk with tone marks moved.  Real text reuses a few
#: thousand chunks, so a dict beats running the regex over every text.
_CHUNK_CACHE: dict[str, str] = {}
_CHUNK_CACHE_LIMIT = 50_000


def _retone_chunk_uncached(chunk: str) -> str:
    result = _retone_chunk(chunk)
    if len(chunk) <= 40:  # words with punctuation; long runs are not worth keeping
        if len(_CHUNK_CACHE) >= _CHUNK_CACHE_LIMIT:
            _CHUNK_CACHE.clear()
        _CHUNK_CACHE[chunk] = result
    return result


def normalize_tone_placement(text: str) -> str:
    """Put each syllable's tone mark in the traditional place ("hoà" -> "hòa").

    Expects NFC.  Tokens that are not a Vietnamese syllable shape, URLs and
    e-mail addresses are left alone.
    """
    if not isinstance(text, str) or not text:
        return ""
    if text.isascii():
        return text
    cached = _CHUNK_CACHE.get
    return " ".join([cached(chunk) or _retone_chunk_uncached(chunk) for chunk in text.split(" ")])


# --- control characters ----------------------------------------------------------

_SURROGATE_PAIR_RE = re.compile("[\ud800-\udbff][\udc00-\udfff]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_LINE_BREAK_RE = re.compile("\r\n?|[\x0b\x0c\u2028\u2029]")
_INVISIBLE = "\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_C0 = "\x00-\x08\x0e-\x1f\x7f"
_EARLY_JUNK_RE = re.compile(f"[{_C0}{_INVISIBLE}\r\x0b\x0c\u2028\u2029\ud800-\udfff\u200d]")
_JUNK_RE = re.compile(f"[{_C0}\x80-\x9f{_INVISIBLE}\r\x0b\x0c\u2028\u2029\ud800-\udfff\u200d]")
_EARLY_DROP_RE = re.compile(f"[{_C0}{_INVISIBLE}]")
_DROP_RE = re.compile(f"[{_C0}\x80-\x84\x86-\x9f{_INVISIBLE}]")
#: A zero-width joiner is kept only between two symbols (emoji sequences).
_STRAY_ZWJ_RE = re.compile(r"(?<![^\w\s])\u200d|\u200d(?![^\w\s])")


def _join_surrogates(match: re.Match[str]) -> str:
    high, low = match.group()
    return chr(0x10000 + ((ord(high) - 0xD800) << 10) + (ord(low) - 0xDC00))


def _clean_control(text: str, keep_c1: bool) -> str:
    if not (_EARLY_JUNK_RE if keep_c1 else _JUNK_RE).search(text):
        return text
    if _SURROGATE_RE.search(text):
        text = _SURROGATE_RE.sub("", _SURROGATE_PAIR_RE.sub(_join_surrogates, text))
    text = _LINE_BREAK_RE.sub("\n", text)
    if not keep_c1:
        text = text.replace("\x85", "\n")  # NEXT LINE is a line break
    text = (_EARLY_DROP_RE if keep_c1 else _DROP_RE).sub("", text)
    return _STRAY_ZWJ_RE.sub("", text)


def clean_control(text: str) -> str:
    """Remove lone surrogates, C0/C1 controls (but \\n and \\t), zero-width marks, BOM.

    A surrogate pair (from bad JSON) becomes its character; CR, CRLF and the
    other line separators become \\n.  PostgreSQL rejects NUL and surrogates.
    """
    if not isinstance(text, str):
        return ""
    return _clean_control(text, keep_c1=False)


def storable(text: str) -> str:
    """The text without what the database cannot store: NUL (PostgreSQL refuses it in text)
    and lone surrogates (from JSON escapes; a pair becomes its character). Nothing else is
    changed: this runs on every parameter of every request, before any form sees it."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    if _SURROGATE_RE.search(text):
        text = _SURROGATE_RE.sub("", _SURROGATE_PAIR_RE.sub(_join_surrogates, text))
    return text


#: Characters that show nothing on their own: format marks (zero-width, bidi, BOM, soft
#: hyphen, tags), controls, separators, and combining marks with no letter to sit on.
_UNSEEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})
#: Letters that render as blank space (Hangul fillers, the braille blank).
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def has_visible_text(text: str | None) -> bool:
    """Whether ``text`` shows anything: False for "", spaces, NULs, zero-width or bidi marks.

    Used to refuse an opinion that would reach moderation empty although something was typed.
    """
    return any(unicodedata.category(char) not in _UNSEEN_CATEGORIES and char not in _BLANK_LETTERS
               for char in text or "")


# --- mojibake ------------------------------------------------------------------

_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=False,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)


def _mojibake_trigger() -> re.Pattern[str]:
    """A UTF-8 lead byte followed by a continuation byte, read as cp1252 or latin-1."""
    continuations = {chr(b) for b in range(0x80, 0xC0)}
    continuations |= {bytes([b]).decode("cp1252", "ignore") for b in range(0x80, 0xC0)}
    continuations.discard("")
    return re.compile("[\u00c2-\u00f4][" + re.escape("".join(sorted(continuations))) + "]")


_UTF8_PAIR_RE = _mojibake_trigger()
_C1_RE = re.compile("[\x80-\x9f]")


def _fix_mojibake(text: str) -> str:
    """Undo UTF-8 read as cp1252/latin-1 ("Há»£p tÃ¡c xÃ£" -> "Hợp tác xã")."""
    return _try_mojibake(text)[0]


def _try_mojibake(text: str) -> tuple[str, bool]:
    """The repaired text, and whether it looked like mojibake at all."""
    if not (_C1_RE.search(text) or _UTF8_PAIR_RE.search(text)):  # two simple scans are faster
        return text, False
    try:
        return ftfy.fix_text(text, _FTFY_CONFIG), True
    except Exception:  # ftfy is a heuristic; a failure must not lose the text
        return text, True


# --- legacy 8-bit fonts: TCVN3 (ABC, .VnTime) and VNI-Windows ---------------------------

#: TCVN3 (TCVN 5712:1993 VN3) as seen in a Unicode field: the font's bytes
#: read as cp1252.  Per vowel: the code without tone ("" when ASCII), then the
#: codes with huyền, hỏi, ngã, sắc, nặng.  VN3 has no capitals with tone.
_TCVN3_VOWELS = {
    "a": ("", "\xb5\xb6\xb7\xb8\xb9"),
    "ă": ("\xa8", "\xbb\xbc\xbd\xbe\xc6"),
    "â": ("\xa9", "\xc7\xc8\xc9\xca\xcb"),
    "e": ("", "\xcc\xce\xcf\xd0\xd1"),
    "ê": ("\xaa", "\xd2\xd3\xd4\xd5\xd6"),
    "i": ("", "\xd7\xd8\xdc\xdd\xde"),
    "o": ("", "\xdf\xe1\xe2\xe3\xe4"),
    "ô": ("\xab", "\xe5\xe6\xe7\xe8\xe9"),
    "ơ": ("\xac", "\xea\xeb\xec\xed\xee"),
    "u": ("", "\xef\xf1\xf2\xf3\xf4"),
    "ư": ("\xad", "\xf5\xf6\xf7\xf8\xf9"),
    "y": ("", "\xfa\xfb\xfc\xfd\xfe"),
}
_TCVN3_OTHERS = {
    "\xae": "đ", "\xa1": "Ă", "\xa2": "Â", "\xa3": "Ê",
    "\xa4": "Ô", "\xa5": "Ơ", "\xa6": "Ư", "\xa7": "Đ",
}


def _build_tcvn3() -> dict[str, str]:
    table = dict(_TCVN3_OTHERS)
    for base, (plain, toned) in _TCVN3_VOWELS.items():
        if plain:
            table[plain] = base
        for tone, code in enumerate(toned, start=1):
            table[code] = _VOWEL_JOIN[base, tone]
    return table


TCVN3_TO_UNICODE = _build_tcvn3()
_TCVN3_TABLE = str.maketrans(TCVN3_TO_UNICODE)
#: TCVN3 codes that are rare symbols in ordinary text (0xA1-0xBE, ×, ÷): one starts detection.
_TCVN3_STRONG = frozenset(c for c in TCVN3_TO_UNICODE if c < "\xc0" or c in "\xd7\xf7")
_TCVN3_STRONG_RE = re.compile("[" + re.escape("".join(sorted(_TCVN3_STRONG))) + "]")
#: Latin-1 letters VN3 never produces ("là", "và"): their presence rules TCVN3 out.
_TCVN3_FOREIGN_RE = re.compile(
    "[" + "".join(chr(c) for c in range(0xC0, 0x100)
                  if chr(c).isalpha() and chr(c) not in TCVN3_TO_UNICODE) + "]"
)
#: Toned vowels exist in VN3 in lower case only; .VnTime users get them in capitals words.
_TCVN3_CASELESS = frozenset(c for c in TCVN3_TO_UNICODE if c >= "\xb5")
#: A small letter followed by a VN3 code that reads as a Latin-1 capital ("thÇy" = "thầy",
#: "kÓ" = "kể"): no language writes a capital there, so it is as telling as a rare symbol.
_TCVN3_MIXED_CASE_RE = re.compile(
    "[a-z][" + re.escape("".join(sorted(c for c in TCVN3_TO_UNICODE
                                        if c >= "\xc0" and c.isupper()))) + "]"
)


def _tcvn3_signature(chunk: str) -> bool:
    return bool(_TCVN3_STRONG_RE.search(chunk) or _TCVN3_MIXED_CASE_RE.search(chunk))

_VNI_TONES = "øûõùï"  # after a e o u y ơ ư: huyền hỏi ngã sắc nặng
_VNI_CIRCUMFLEX = "âàåãáä"  # after a e o: â ê ô, then with the five tones
_VNI_BREVE = "êèúüéë"  # after a: ă, then with the five tones
_VNI_SINGLES = {"ô": "ơ", "ö": "ư", "ñ": "đ", "î": "ỵ",
                "ì": "ì", "æ": "ỉ", "ó": "ĩ", "í": "í", "ò": "ị"}


def _build_vni() -> dict[str, str]:
    """VNI-Windows sequences (cp1252 view) to Unicode, lower and upper case."""
    lower: dict[str, str] = dict(_VNI_SINGLES)
    for base in "aeouy":
        for tone, mod in enumerate(_VNI_TONES, start=1):
            lower[base + mod] = _VOWEL_JOIN[base, tone]
    for horn_code, horn in (("ô", "ơ"), ("ö", "ư")):
        for tone, mod in enumerate(_VNI_TONES, start=1):
            lower[horn_code + mod] = _VOWEL_JOIN[horn, tone]
    for base, marked in (("a", "â"), ("e", "ê"), ("o", "ô")):
        for tone, mod in enumerate(_VNI_CIRCUMFLEX):
            lower[base + mod] = _VOWEL_JOIN[marked, tone]
    for tone, mod in enumerate(_VNI_BREVE):
        lower["a" + mod] = _VOWEL_JOIN["ă", tone]
    lower["yï"] = "ỵ"
    lower["ÿ"] = "ỵ"
    table = dict(lower)
    for code, char in lower.items():
        table[code.upper()] = char.upper()
        if len(code) == 2:  # capital letter typed with a small-letter mark, seen in use
            table[code[0].upper() + code[1]] = char.upper()
    return table


VNI_TO_UNICODE = _build_vni()
_VNI_RE = re.compile("|".join(re.escape(k) for k in sorted(VNI_TO_UNICODE, key=len, reverse=True)))
_VNI_STRONG = "øûïåäëüñöæîÿ"
_VNI_STRONG_RE = re.compile(f"[{_VNI_STRONG}{_VNI_STRONG.upper().replace('Ÿ', '')}]")
_VNI_SIGNATURE_RE = re.compile(
    "[aeouyôöAEOUYÔÖ][øûõùïØÛÕÙÏ]|[aeoAEO][âàåãáäÂÀÅÃÁÄ]|[aA][êèúüéëÊÈÚÜÉË]"
)

#: Letters (or marks) only Unicode Vietnamese has: their presence rules legacy out.
_VIETNAMESE_RE = re.compile("[ăĂđĐơƠưƯĩĨũŨ\u1ea0-\u1ef9\u0300\u0301\u0303\u0309\u0323]")
_LETTER_RUN_RE = re.compile(r"[^\W\d_]+")
_ASCII_LETTER_RE = re.compile("[A-Za-z]")
_DIGIT_RE = re.compile(r"\d")


def _vni_signature(chunk: str) -> bool:
    return bool(_VNI_SIGNATURE_RE.search(chunk) or _VNI_STRONG_RE.search(chunk))


def _vni_decode(text: str) -> str:
    return _VNI_RE.sub(lambda m: VNI_TO_UNICODE[m.group()], text)


def _tcvn3_decode(text: str) -> str:
    return text.translate(_TCVN3_TABLE)


#: Spellings of comment language that are not standard syllables but are read as one:
#: teen-code initials ("zời", "fải", "jờ", "wá", "qá"), a dropped letter of a final ("năg",
#: "nhưg", "bệh"), "uơ" for "ươ" ("cuời"), a letter repeated for emphasis ("thảoo").
_CASUAL_INITIALS = (("dz", "d"), ("z", "d"), ("f", "ph"), ("j", "gi"), ("w", "qu"))
_CASUAL_FINALS = (("g", "ng"), ("h", "nh"))
#: Abbreviations of consonants only ("đc" = được, "đm", "sđt", "đkm"): no syllable, no harm.
_CONSONANTS_ONLY_RE = re.compile("[bcdđghklmnpqrstvx]{1,4}")


@functools.lru_cache(maxsize=65536)
def _is_casual_syllable(word: str) -> bool:
    """A syllable, or one in the casual spellings of comments (only for judging legacy text)."""
    if _is_syllable(word):
        return True
    letters, tone, _ = _untone(word)
    if tone < 0:
        return False
    plain = "".join(letters).lower()
    if _CONSONANTS_ONLY_RE.fullmatch(plain):
        return True
    while len(plain) > 2 and plain[-1] == plain[-2]:
        plain = plain[:-1]
    for casual, standard in _CASUAL_INITIALS:
        if plain.startswith(casual):
            plain = standard + plain[len(casual):]
            break
    if plain.startswith("q") and not plain.startswith("qu"):
        plain = "qu" + plain[1:]
    plain = plain.replace("uơ", "ươ")
    if _split_syllable(plain) is not None:
        return True
    for short, full in _CASUAL_FINALS:
        if plain.endswith(short) and not plain.endswith(full) and plain[-2:] not in ("ch", "gh"):
            return _split_syllable(plain[:-1] + full) is not None
    return False


def _all_syllables(chunk: str) -> bool:
    """Every non-ASCII word in ``chunk`` is a Vietnamese syllable (or "đ", the currency),
    written in standard or casual spelling."""
    return all(
        word.isascii() or word in ("đ", "Đ") or _is_casual_syllable(word)
        for word in _LETTER_RUN_RE.findall(chunk)
    )


def _reads_as_word(chunk: str, decoded: str) -> bool:
    """An ASCII letter in the word, or two letters once converted ("®Î" = "đẻ"); not a
    lone symbol."""
    return bool(_ASCII_LETTER_RE.search(chunk)) or any(
        len(word) >= 2 for word in _LETTER_RUN_RE.findall(decoded))


def _is_legacy(text: str, decode, is_signature, needed: int = 2) -> bool:
    """Judge by words: converted words must read as Vietnamese syllables.

    Evidence is a changed word with a signature of the encoding, an ASCII letter
    and no digit; two are needed (one in a text of at most three words), and at
    most one changed word in ten may fail to read as Vietnamese.
    """
    chunks = text.split()
    changed = invalid = evidence = 0
    for chunk in chunks:
        bare = chunk.replace("\xad", "")
        decoded = decode(chunk)
        # A soft hyphen inside a word is TCVN3's ư ("ng\xadêi" = "người"): evidence when the
        # word then reads as Vietnamese; elsewhere (hyphenation hints) it is ignored.
        soft_hyphen_u = ("\xad" in chunk.strip("\xad") and decoded != chunk
                         and "\xad" not in decoded and _all_syllables(decoded))
        if decode(bare) == bare and not soft_hyphen_u:  # nothing to convert but soft hyphens
            continue
        changed += 1
        if not _all_syllables(decoded):
            invalid += 1
        elif ((is_signature(bare) or soft_hyphen_u) and _reads_as_word(chunk, decoded)
              and not _DIGIT_RE.search(chunk) and chunk.lower() != "où"):
            evidence += 1
    if not changed or invalid * 10 > changed:
        return False
    return evidence >= needed or (evidence == 1 and len(chunks) <= 3 and needed <= 2)


def _restore_tcvn3_capitals(original: str, decoded: str) -> str:
    """Upper-case toned vowels inside words typed in capitals ("HîP" -> "HỢP").

    VN3 has no toned capitals, so "HỢP TÁC XÃ" typed in .VnTime arrives as
    "HîP T¸C X·".  A toned vowel is raised when the other letters of its word are
    capitals, two or more of them, or one when its line has no small letters.
    """
    out = list(decoded)
    start = 0
    for line in decoded.split("\n"):
        line_caps = _line_is_capitals(original, decoded, start, len(line))
        for word in _LETTER_RUN_RE.finditer(line):
            _raise_word(out, original, decoded, start + word.start(), start + word.end(), line_caps)
        start += len(line) + 1
    return "".join(out)


def _line_is_capitals(original: str, decoded: str, start: int, length: int) -> bool:
    cased = [decoded[i] for i in range(start, start + length)
             if original[i] not in _TCVN3_CASELESS and decoded[i].lower() != decoded[i].upper()]
    return len(cased) >= 3 and all(c.isupper() for c in cased)


def _raise_word(out: list[str], original: str, decoded: str, begin: int, end: int,
                line_caps: bool) -> None:
    caseless = [i for i in range(begin, end) if original[i] in _TCVN3_CASELESS]
    if not caseless:
        return
    others = [decoded[i] for i in range(begin, end) if original[i] not in _TCVN3_CASELESS]
    if not others or not all(c.isupper() for c in others):
        return
    if len(others) >= 2 or line_caps:
        for i in caseless:
            out[i] = decoded[i].upper()


def _decode_tcvn3_text(text: str) -> str | None:
    return _restore_tcvn3_capitals(text, _tcvn3_decode(text))


def _decode_vni_text(text: str) -> str | None:
    decoded = _vni_decode(text)
    return None if _VNI_STRONG_RE.search(decoded) else decoded  # a VNI mark left over


def _legacy_decoder(judged: str):
    """The decoder for the legacy encoding ``judged`` is clearly in, or None."""
    if _VIETNAMESE_RE.search(judged):
        return None
    # Without one of the rare codes, a legacy verdict needs three telling words: "Hoà bình"
    # (Unicode in Latin-1 letters) has the shape of VNI "Hồ bình" but one telling word.
    if _tcvn3_signature(judged) and not _TCVN3_FOREIGN_RE.search(judged):
        needed = 2 if _TCVN3_STRONG_RE.search(judged) else 3
        if _is_legacy(judged, _tcvn3_decode, _tcvn3_signature, needed):
            return _decode_tcvn3_text
    if _vni_signature(judged):
        needed = 2 if _VNI_STRONG_RE.search(judged) else 3
        if _is_legacy(judged, _vni_decode, _vni_signature, needed):
            return _decode_vni_text
    return None


def _fix_legacy_fonts(text: str, judged: str | None = None) -> str:
    """Convert TCVN3 or VNI-Windows text, only when it clearly is one.

    ``judged`` is the text to judge by (the caller's tone-normalised form, so the
    verdict is the same on a second pass); ``text`` is what gets converted.  A
    result that would itself pass for legacy text (two encodings mixed) is
    refused, so converting never has to be repeated.
    """
    decode = _legacy_decoder(text)
    if decode is None and judged is not None and judged != text:
        # Moving tone marks can make a legacy code look like Unicode Vietnamese (VNI "seõ"
        # becomes "sẽo"), so the text as written is judged too.
        decode = _legacy_decoder(judged)
    decoded = decode(text) if decode else None
    if decoded is None:
        return text
    plain = _to_nfc(decoded.replace("\xad", ""))
    settled = normalize_tone_placement(plain)
    return text if _legacy_decoder(settled) or _legacy_decoder(plain) else decoded


def repair_legacy_encoding(text: str) -> str:
    """Repair mojibake (UTF-8 read as cp1252/latin-1), then TCVN3 or VNI text.

    Correct Unicode text comes back unchanged.  Legacy fonts are converted only
    when the text has no letter that only Unicode Vietnamese has and its words,
    once converted, read as Vietnamese syllables.
    """
    if not isinstance(text, str) or not text:
        return ""
    try:
        text = _to_nfc(_fix_mojibake(text))
        return _to_nfc(_fix_legacy_fonts(text, normalize_tone_placement(text)))
    except Exception:  # a repair heuristic must never lose the user's text
        return text


# --- NFC, look-alikes, whitespace -------------------------------------------------

_ETH_RE = re.compile(rf"(?<![{_WORD_EDGE}])[Ðð](?=[{_VOWELS}])")
_ETH_TABLE = str.maketrans("Ðð", "Đđ")
_ODD_SPACE_RE = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_SPACE_RUN_RE = re.compile(" {2,}")
_LINE_EDGE_RE = re.compile(" ?\n ?")
_BLANK_LINES_RE = re.compile("\n{3,}")


def _to_nfc(text: str) -> str:
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def _fix_eth(text: str) -> str:
    """Icelandic eth used for Đ: only at the start of a word before a vowel ("Ðà Nẵng")."""
    if "ð" not in text and "Ð" not in text:
        return text
    return _ETH_RE.sub(lambda m: m.group().translate(_ETH_TABLE), text)


def _clean_whitespace(text: str) -> str:
    """Unicode spaces and tabs to one space, lines trimmed, at most one blank line.

    Each rewrite runs only when a cheap test finds something to do.
    """
    if _ODD_SPACE_RE.search(text):
        text = _ODD_SPACE_RE.sub(" ", text)
    if "  " in text:
        text = _SPACE_RUN_RE.sub(" ", text)
    if " \n" in text or "\n " in text:
        text = _LINE_EDGE_RE.sub("\n", text)
    if "\n\n\n" in text:
        text = _BLANK_LINES_RE.sub("\n\n", text)
    return text.strip()


# --- public entry points ------------------------------------------------------------


def normalize_text(text: str | None) -> str:
    """Repair, NFC, traditional tone placement, clean whitespace; keeps case and line breaks."""
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    try:
        return _normalize(text)
    except Exception:  # last resort: never fail at the boundary
        return _clean_whitespace(clean_control(text))


def _normalize(text: str) -> str:
    """Run the steps; repeat while a repair changed the text, until it is stable.

    Repairs can expose more to repair (a control removed between two halves of
    a mojibake pair, ftfy judging differently once spaces are trimmed), so text
    that needed a repair is normalised again, at most three times, which keeps
    normalize_text idempotent.  Clean text runs once.
    """
    result, repaired = _normalize_once(text)
    for _ in range(3):
        if not repaired:
            break
        again, repaired = _normalize_once(result)
        if again == result:
            break
        result = again
    return result


def _normalize_once(text: str) -> tuple[str, bool]:
    """One pass of the steps, and whether the text needed a repair step."""
    text = _clean_control(_to_nfc(text), keep_c1=True)  # C1 bytes may be mojibake
    fixed, repaired = _try_mojibake(text)
    fixed = clean_control(_to_nfc(fixed))
    # Legacy fonts are judged before the eth look-alike is replaced: TCVN3's é is the
    # byte of Ð ("®Ðo" is "đéo"), and a Đ would rule TCVN3 out.
    legacy = _fix_legacy_fonts(fixed, normalize_tone_placement(fixed))
    if legacy is not fixed:
        repaired = True
        toned = normalize_tone_placement(_fix_eth(_to_nfc(legacy)))
    else:
        toned = normalize_tone_placement(_fix_eth(fixed))
    if "\xad" in toned:  # soft hyphens are TCVN3's ư, so they go only now
        repaired = True
        toned = normalize_tone_placement(toned.replace("\xad", ""))
    return _clean_whitespace(toned), repaired


def fold(text: str | None) -> str:
    """normalize_text + casefold: the key for search, dedup and counting."""
    return _to_nfc(normalize_text(text).casefold())


_MARKS_RE = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_D_TABLE = str.maketrans("đĐ", "dD")


def strip_marks(text: str) -> str:
    """Remove diacritics: "Hợp tác xã" -> "Hop tac xa", đ/Đ -> d/D."""
    if not isinstance(text, str) or not text:
        return ""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text.translate(_D_TABLE))
    return unicodedata.normalize("NFC", _MARKS_RE.sub("", decomposed))


_NOT_WORD_RE = re.compile(r"[\W_]+")


def search_key(text: str | None) -> str:
    """The form titles are searched in: ``fold`` (NFC, one tone-mark style, no case), then no
    diacritics and no punctuation, words separated by one space: "Nghị định (sửa đổi)" ->
    "nghi dinh sua doi". A query folded the same way finds it typed with or without marks."""
    return " ".join(_NOT_WORD_RE.sub(" ", strip_marks(fold(text))).split())
