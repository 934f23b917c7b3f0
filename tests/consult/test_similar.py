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


# --- the index is kept between page loads, and rebuilt when a decision changes -----------------

TEXT = "Đề nghị bỏ quy định về mức góp vốn tối thiểu của thành viên."


def _page(client, consultation, anchor: str) -> str:
    return client.get(f"/quan-tri/xu-ly/{consultation.slug}/{anchor}").text


def _count_builds(monkeypatch) -> list[int]:
    built: list[int] = []
    real = similar._build

    def counting(consultation_id):
        built.append(consultation_id)
        return real(consultation_id)

    monkeypatch.setattr(similar, "_build", counting)
    return built


def test_the_index_is_kept_until_a_decision_is_made_and_a_new_decision_is_seen(app, client, monkeypatch):
    from tests.consult.decision_factories import comment
    from tests.factories import login

    consultation = make_consultation()
    login(client, drafter())
    built = _count_builds(monkeypatch)
    first = comment(consultation, "dieu-3", TEXT)
    near = comment(consultation, "dieu-4", TEXT + "!!")
    assert f'id="similar-c{near.id}"' not in _page(client, consultation, "dieu-4")  # nothing decided yet
    assert f'id="similar-c{near.id}"' not in _page(client, consultation, "dieu-4")
    assert len(built) == 1  # the second load used the kept index
    answered = client.post(f"/quan-tri/xu-ly/{consultation.slug}/dieu-3", data={
        "opinion": f"c{first.id}", "outcome": "explained", "reason": "Mức góp bảo đảm trách nhiệm."})
    assert answered.status_code == 302
    page = _page(client, consultation, "dieu-4")
    assert f'id="similar-c{near.id}"' in page and "Mức góp bảo đảm trách nhiệm." in page
    assert len(built) == 2
    _page(client, consultation, "dieu-4")
    assert len(built) == 2


def test_an_opinion_taken_off_a_decision_rebuilds_the_index(app, client, monkeypatch):
    """Two opinions answered by one decision; the decision is taken off one of them (it still
    answers the other): the kept index must not offer it for that opinion's text any more."""
    from tests.consult.decision_factories import comment
    from tests.factories import login

    consultation = make_consultation()
    team = drafter()
    login(client, team)
    kept = comment(consultation, "dieu-3", "Điều 3 cần định nghĩa rõ hơn về thành viên liên kết.")
    taken_off = comment(consultation, "dieu-3", TEXT)
    decisions.decide([kept, taken_off], "explained", "Đã giải trình chung.", team)
    db.session.commit()
    near = comment(consultation, "dieu-4", TEXT + "!!")
    assert "Đã giải trình chung." in _page(client, consultation, "dieu-4")
    built = _count_builds(monkeypatch)
    removed = client.post(f"/quan-tri/xu-ly/{consultation.slug}/dieu-3",
                          data={"opinion": f"c{taken_off.id}", "action": "undecide"})
    assert removed.status_code == 302
    page = _page(client, consultation, "dieu-4")
    assert built and f'id="similar-c{near.id}"' not in page


def _decided_and_near(client, consultation):
    """A comment answered by a decision on article 3, a near copy still open on article 4, and
    the page of article 4 offering that decision (the index is now kept)."""
    from tests.consult.decision_factories import comment

    team = drafter()
    decided = comment(consultation, "dieu-3", TEXT)
    decisions.decide([decided], "explained", "Mức góp bảo đảm trách nhiệm.", team)
    db.session.commit()
    near = comment(consultation, "dieu-4", TEXT + "!!")
    from tests.factories import login

    login(client, team)
    assert f'id="similar-c{near.id}"' in _page(client, consultation, "dieu-4")
    return decided, near


def test_a_decided_comment_hidden_by_a_moderator_is_no_longer_offered(app, client):
    from tests.factories import login, make_user

    consultation = make_consultation()
    decided, near = _decided_and_near(client, consultation)
    moderator = app.test_client()
    login(moderator, make_user("moderator", "kiemduyet@example.vn"))
    hidden = moderator.post(f"/quan-tri/kiem-duyet/{decided.id}",
                            data={"action": "hide", "reason": "Thông tin cá nhân."})
    assert hidden.status_code == 302
    page = _page(client, consultation, "dieu-4")
    assert f'id="similar-c{near.id}"' not in page and "Mức góp bảo đảm trách nhiệm." not in page
    shown = moderator.post(f"/quan-tri/kiem-duyet/{decided.id}", data={"action": "publish"})
    assert shown.status_code == 302
    assert f'id="similar-c{near.id}"' in _page(client, consultation, "dieu-4")


def test_a_hide_committed_by_another_process_is_seen(app, client):
    """Nothing of this process is told: the moderation is committed straight to the database, as
    another worker would; the kept index must still be built again."""
    from consult import moderation
    from consult.models import Comment
    from tests.factories import make_user

    consultation = make_consultation()
    decided, near = _decided_and_near(client, consultation)
    before = similar.stamp(consultation.id)
    moderation.moderate(db.session.get(Comment, decided.id), "hide", make_user("moderator", "kd2@example.vn"),
                        "Trùng lặp.")
    db.session.commit()
    assert similar.stamp(consultation.id) != before  # what every process compares its index with
    assert f'id="similar-c{near.id}"' not in _page(client, consultation, "dieu-4")
