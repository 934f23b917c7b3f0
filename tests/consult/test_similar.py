"""The similar-decisions check: its candidate filter never loses a near-identical text, and it
reads a fixed number of statements however many groups and decisions there are."""
from __future__ import annotations

import random

from rapidfuzz import fuzz
from sqlalchemy import event

from consult import decisions, similar
from consult.extensions import db
from tests.consult.decision_factories import comments_saying, drafter
from tests.factories import make_consultation

WORDS = ["đề", "nghị", "bỏ", "quy", "định", "về", "mức", "góp", "vốn", "tối", "thiểu", "thành", "viên",
         "hợp", "tác", "xã", "làm", "rõ", "khoản", "điều", "ạ", "Ngân", "sách", "ưu", "đãi", "🙂"]


def mutate(rng: random.Random, text: str, edits: int) -> str:
    chars = list(text)
    for _ in range(edits):
        where = rng.randrange(len(chars) + 1)
        action = rng.choice("ids")
        if action == "i" or not chars:
            chars.insert(where, rng.choice("aăâeêioôơuưyđ ,.!"))
        elif action == "d":
            del chars[min(where, len(chars) - 1)]
        else:
            chars[min(where, len(chars) - 1)] = rng.choice("xyzàáạ")
    return "".join(chars)


def test_the_candidate_filter_keeps_every_text_rapidfuzz_would_pass():
    rng = random.Random(5)
    bases = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 40))) for _ in range(60)]
    texts = list(dict.fromkeys([*bases, *(mutate(rng, b, rng.randint(0, 12)) for b in bases for _ in range(6)),
                                "", "a"]))
    index = similar.Candidates(texts)
    kept = total = 0
    for query in [*bases[:30], *(mutate(rng, b, rng.randint(0, 8)) for b in bases[30:]), "a", "xyz"]:
        found = set(index.candidates(query))
        passing = {t for t in texts if fuzz.ratio(query, t) >= similar.MIN_SCORE}
        assert passing <= found, (query, passing - found)
        kept += len(found)
        total += len(texts)
    assert kept < total / 10  # and it does rule most texts out


def test_the_length_window_is_exact_at_its_edges():
    low, high = similar.length_window(100)
    assert fuzz.ratio("a" * 100, "a" * 82) >= 90 and low <= 82  # 200·82/182 = 90.1
    assert fuzz.ratio("a" * 100, "a" * 122) >= 90 and high >= 122  # 200·100/222 = 90.09
    assert fuzz.ratio("a" * 100, "a" * 80) < 90 and fuzz.ratio("a" * 100, "a" * 124) < 90
    assert similar.length_window(0) == (0, 1)


def test_the_check_reads_a_fixed_number_of_statements(app):
    """Twenty open groups against two hundred decisions: the same handful of statements as one
    group against one decision, never one per group or per decision."""
    consultation = make_consultation()
    team = drafter()

    def statements_for(decided: int, open_count: int) -> tuple[int, int]:
        earlier = comments_saying(consultation, "dieu-4",
                                  [f"Đề nghị bỏ quy định về mức góp vốn tối thiểu, ý kiến số {n:04d}."
                                   for n in range(decided)])
        for opinion in earlier:
            decisions.decide([opinion], "explained", f"Lý do {opinion.id}.", team)
        comments_saying(consultation, "dieu-3", [f"Đề nghị bỏ quy định về mức góp vốn tối thiểu, ý kiến số {n:04d}!"
                                                 for n in range(open_count)])
        db.session.commit()
        groups = decisions.article_opinions(consultation, "dieu-3").page(1).groups
        seen: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            seen.append(statement)

        db.session.expire_all()
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            found = similar.similar_decisions(consultation, groups)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(seen), sum(len(offers) for offers in found.values())

    few, offered = statements_for(1, 1)
    assert offered == 1
    many, offered = statements_for(200, 20)
    assert offered == 20 * similar.LIMIT  # every open group (the first text twice) offered the three nearest
    assert many <= few + 1, (few, many)
    assert many <= 8
