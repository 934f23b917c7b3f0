"""Short codes people read, type and say over the phone: receipts and resume codes."""
from __future__ import annotations

import secrets

#: Crockford's base 32: no I, L, O or U, so a code read aloud is unambiguous.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def receipt_code(prefix: str) -> str:
    """``PREFIX-XXXX-XXXX``: GY for citizens' opinions, CV for letters, KS for surveys."""
    chars = random_code(8)
    return f"{prefix}-{chars[:4]}-{chars[4:]}"
