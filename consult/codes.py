"""Short codes people read, type and say over the phone: receipts and resume codes."""
from __future__ import annotations

import secrets

#: Crockford's base 32: no I, L, O or U, so a code read aloud is unambiguous.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: Characters of a receipt code after its prefix: 16 × 5 bits = 80 bits, too many to guess
#: (a receipt code is the only key to a sender's name and contact).
RECEIPT_CHARS = 16
#: Receipt codes made before December 2026 had 8 characters (40 bits); they still work.
LEGACY_RECEIPT_CHARS = 8
#: Characters per group, as printed: ``GY-7K3M-9QXD-A2BC-4EFG``.
GROUP = 4


def random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def grouped(chars: str) -> str:
    return "-".join(chars[i:i + GROUP] for i in range(0, len(chars), GROUP))


def receipt_code(prefix: str) -> str:
    """``PREFIX-XXXX-XXXX-XXXX-XXXX``: GY for citizens' opinions, CV for letters, KS for surveys."""
    return f"{prefix}-{grouped(random_code(RECEIPT_CHARS))}"


def normalise_receipt(text: str, prefix: str) -> str:
    """A receipt code as stored, from what someone typed: any case, spaces or dashes, the
    prefix optional, and the letters people confuse with digits (O → 0, I and L → 1).
    Anything that cannot be a code comes back empty, to be found by nothing (and never to
    reach the database with a NUL byte in it)."""
    cleaned = "".join(ch for ch in (text or "").upper() if ch.isascii() and ch.isalnum())
    if cleaned.startswith(prefix):
        cleaned = cleaned[len(prefix):]
    cleaned = cleaned.translate(str.maketrans("OIL", "011"))
    if len(cleaned) not in (RECEIPT_CHARS, LEGACY_RECEIPT_CHARS):
        return ""
    return f"{prefix}-{grouped(cleaned)}"
