"""Opinions follow their article to later versions through the confirmed matches, not the anchors."""
from __future__ import annotations

import pytest

from consult import decisions, drafts, synthesis, versions
from consult.demo import demo_draft_text
from consult.extensions import db
from tests.consult.decision_factories import comment, drafter, letter, organisation
from tests.consult.version_texts import demo_version_2
from tests.factories import login, make_consultation


@pytest.fixture()
def consultation(app):
    """Opinions on version 1 of the demo draft, then version 2 (one article inserted before
    Điều 12, Điều 29 removed, Điều 36 and 37 merged) imported and published."""
    found = make_consultation(text=demo_draft_text())
    comment(found, "dieu-12", "Đề nghị giữ mức trần 20% vốn điều lệ.")
    comment(found, "dieu-12-khoan-3", "Cho phép góp vốn bằng tài sản số.")
    comment(found, "dieu-29", "Kiểm toán nên bắt buộc với hợp tác xã lớn.")
    comment(found, "dieu-37", "Sáp nhập cần ý kiến của đa số thành viên.")
    letter(found, organisation("BTC"), [("dieu-12-khoan-1", "Bộ Tài chính đề nghị nâng mức trần.")])
    version = drafts.create_version(found.draft, demo_version_2(), "v2.txt")
    drafts.publish_version(version)
    db.session.commit()
    return found


def test_an_article_inserted_before_article_12_moves_its_opinions_to_article_13(consultation):
    groups = {group.anchor: group for group in decisions.opinions_by_article(consultation)}
    assert "dieu-12" not in groups  # the new Điều 12 was inserted: nobody commented on it
    moved = groups["dieu-13"]
    assert moved.article.title == "Góp vốn của thành viên" and moved.article.version.number == 2
    assert {o.body for o in moved.opinions} == {"Đề nghị giữ mức trần 20% vốn điều lệ.",
                                                "Cho phép góp vốn bằng tài sản số.",
                                                "Bộ Tài chính đề nghị nâng mức trần."}
    on_clause = next(o for o in moved.opinions if o.body.startswith("Cho phép"))
    assert on_clause.provision.anchor == "dieu-13-khoan-3" and on_clause.written_on.anchor == "dieu-12-khoan-3"
    assert on_clause.carried == "changed"  # clause 3 kept its number, its words changed
    on_article = next(o for o in moved.opinions if o.body.startswith("Đề nghị giữ"))
    assert on_article.carried == "moved" and on_article.provision.anchor == "dieu-13"


def test_removed_and_merged_articles_say_so(consultation):
    groups = {group.anchor: group for group in decisions.opinions_by_article(consultation)}
    removed = groups["v1-dieu-29"]
    assert removed.removed_in == 2 and removed.opinions[0].carried == "removed"
    merged = groups["dieu-36"]
    assert merged.opinions[0].carried == "merged" and merged.opinions[0].written_on.anchor == "dieu-37"
    progress = {row.anchor: (row.opinions, row.removed_in) for row in decisions.article_progress(consultation)}
    assert progress["dieu-13"] == (3, None) and progress["v1-dieu-29"] == (1, 2) and progress["dieu-12"] == (0, None)


def test_decision_pages_show_where_opinions_were_written(client, consultation):
    login(client, drafter())
    slug = consultation.slug
    page = client.get(f"/quan-tri/xu-ly/{slug}/dieu-13").text
    assert "Cho phép góp vốn bằng tài sản số." in page
    assert "viết trên Khoản 3 Điều 12 của phiên bản 1" in page
    removed = client.get(f"/quan-tri/xu-ly/{slug}/v1-dieu-29").text
    assert 'id="removed-notice"' in removed and "bị bãi bỏ ở phiên bản 2" in removed
    overview = client.get(f"/quan-tri/xu-ly/{slug}").text
    assert "Phiên bản 1, bãi bỏ ở phiên bản 2" in overview


def test_the_synthesis_report_cites_the_articles_in_force(consultation):
    report = synthesis.report_in_vietnamese(consultation)
    cited = " | ".join(row.provisions for row in report.rows)
    assert "Khoản 3 Điều 13" in cited and "Khoản 3 Điều 12" not in cited
    assert "Điều 29 của phiên bản 1 (đã bị bãi bỏ)" in cited


def test_citizens_see_and_count_opinions_on_the_matched_article(client, consultation):
    page = client.get(f"/du-thao/{consultation.slug}/dieu-13").text
    assert "Đề nghị giữ mức trần 20% vốn điều lệ." in page and "viết trên Khoản 3 Điều 12 của phiên bản 1" in page
    assert "Đề nghị giữ mức trần" not in client.get(f"/du-thao/{consultation.slug}/dieu-12").text
    counts = drafts.published_comment_counts(consultation.draft.current_version)
    by_anchor = {p.anchor: counts[p.id] for p in consultation.draft.current_version.provisions if p.kind == "article"}
    assert by_anchor["dieu-13"] == 2 and by_anchor["dieu-12"] == 0 and by_anchor["dieu-36"] == 1


def test_a_corrected_match_carries_the_opinions_with_it(consultation):
    first, second = consultation.draft.versions
    targets = versions.article_targets(second)
    old_29 = next(p for p in first.provisions if p.anchor == "dieu-29")
    targets[old_29.id] = [next(p for p in second.provisions if p.anchor == "dieu-30").id]
    versions.confirm_matches(second, targets, None)
    db.session.commit()
    groups = {group.anchor: group for group in decisions.opinions_by_article(consultation)}
    assert "v1-dieu-29" not in groups
    assert "Kiểm toán nên bắt buộc với hợp tác xã lớn." in {o.body for o in groups["dieu-30"].opinions}


def test_the_overview_tally_counts_by_the_matches(consultation):
    from analysis.overview import comments_per_article

    table = comments_per_article(db.session, consultation.id).set_index("anchor")
    assert table.loc["dieu-13", "opinions"] == 2 and table.loc["dieu-13", "title"] == "Góp vốn của thành viên"
    assert table.loc["v1-dieu-29", "opinions"] == 1 and "dieu-12" not in table.index


def _carriers_built(monkeypatch) -> list:
    """Count the ``Carrier``s built (each reads every provision of every version)."""
    from consult import carry

    built, original = [], carry.Carrier

    def counting(*args, **kwargs):
        built.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(carry, "Carrier", counting)
    return built


def test_a_published_versions_landings_are_built_once_then_follow_a_corrected_match(client, consultation,
                                                                                      monkeypatch):
    built = _carriers_built(monkeypatch)
    slug = consultation.slug
    for _ in range(3):
        assert "Đề nghị giữ mức trần 20% vốn điều lệ." in client.get(f"/du-thao/{slug}/dieu-13").text
    client.get(f"/du-thao/{slug}")
    assert len(built) == 1  # kept after the first view: a published version never changes
    assert "Kiểm toán nên bắt buộc" not in client.get(f"/du-thao/{slug}/dieu-30").text
    first, second = consultation.draft.versions
    targets = versions.article_targets(second)
    old_29 = next(p for p in first.provisions if p.anchor == "dieu-29")
    targets[old_29.id] = [next(p for p in second.provisions if p.anchor == "dieu-30").id]
    versions.confirm_matches(second, targets, None)
    db.session.commit()
    assert "Kiểm toán nên bắt buộc với hợp tác xã lớn." in client.get(f"/du-thao/{slug}/dieu-30").text
    assert len(built) == 2  # matches confirmed again: built anew once


def test_the_receipt_shows_where_each_opinion_stands_without_rebuilding_the_outline(client, consultation,
                                                                                     monkeypatch):
    from sqlalchemy import event, select

    from consult import answers
    from consult.comments import new_receipt_code
    from consult.models import Comment

    made = db.session.scalars(select(Comment).order_by(Comment.id)).all()  # dieu-12, its clause 3, 29, 37
    own = made[0].contribution
    for other in made[1:]:
        other.contribution = own
    own.receipt_code = new_receipt_code()
    answers.publish(consultation, None)
    db.session.commit()
    decisions.decide([made[0]], "not_accepted", "Mức trần bảo đảm tính tương trợ.", None)
    db.session.commit()
    receipt = f"/bien-nhan/{own.receipt_code}"
    client.get(receipt)  # the landings of version 2 are read once per process

    def forbidden(consultation):
        raise AssertionError("the receipt rebuilt the outline")

    monkeypatch.setattr(answers, "outline", forbidden)
    statements: list[str] = []
    db.session.remove()
    listen = lambda conn, cursor, statement, *rest: statements.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        page = client.get(receipt).text
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert "Mức trần bảo đảm tính tương trợ." in page
    assert "Điều 13 (phiên bản 2)" in page and "Khoản 3 Điều 13 (phiên bản 2)" in page
    assert "Điều 36 (phiên bản 2)" in page  # Điều 37 was merged into Điều 36
    assert "Điều này đã được bỏ khỏi bản dự thảo hiện hành." in page  # Điều 29 was removed
    # the contribution, its comments, their decisions, provisions and parents, the landings'
    # stamp and the provisions shown: not one query per comment
    assert len(statements) <= 10, statements
