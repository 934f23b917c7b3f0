"""A corpus of XLSForms built here, one per XLSForm type or column the importer knows.

Each feature is a list of survey rows (dicts: column -> value), optional choices and settings,
the kinds its questions must import as, and the report codes its import must say.  The
kitchen-sink form puts every feature marked ``sink`` into one workbook.  All texts are our own.
"""
from __future__ import annotations

from dataclasses import dataclass, field

VI, EN = "label::Tiếng Việt (vi)", "label::English (en)"


def q(type_: str, name: str = "", vi: str = "", en: str = "", **columns) -> dict:
    """One survey row; ``columns`` use ``__`` for ``::`` (``hint__English (en)``)."""
    row = {"type": type_, "name": name, VI: vi, EN: en}
    row.update({key.replace("__", "::"): value for key, value in columns.items()})
    return row


def c(list_name: str, name: str, vi: str, en: str = "", **columns) -> dict:
    return {"list_name": list_name, "name": name, VI: vi, EN: en, **columns}


CHOICES = [
    c("yn", "co", "Có", "Yes"), c("yn", "khong", "Không", "No"),
    *[c("scale", str(n), text, english) for n, text, english in (
        (1, "Rất kém", "Very poor"), (2, "Kém", "Poor"), (3, "Được", "Fair"), (4, "Tốt", "Good"),
        (5, "Rất tốt", "Very good"))],
    c("mau", "do", "Đỏ", "Red"), c("mau", "xanh", "Xanh", "Blue"), c("mau", "vang", "Vàng", "Yellow"),
]


@dataclass
class Feature:
    rows: list[dict]
    kinds: dict = field(default_factory=dict)
    codes: set = field(default_factory=set)
    choices: list[dict] = field(default_factory=list)
    settings: dict = field(default_factory=dict)
    sink: bool = True

    def sheets(self) -> dict:
        sheets = {"survey": table(self.rows), "choices": table(CHOICES + self.choices)}
        if self.settings:
            sheets["settings"] = table([self.settings])
        return sheets


def table(rows: list[dict]) -> list[list]:
    """Rows of dicts as a sheet: the union of their keys as the header, in first-seen order."""
    header: list[str] = []
    for row in rows:
        header += [key for key in row if key not in header]
    return [header] + [[row.get(column, "") for column in header] for row in rows]


FEATURES = {
    "text": Feature([q("text", "ho_ten", "Họ và tên", "Full name")], {"ho_ten": "short_text"}),
    "multiline": Feature([q("text", "y_kien", "Ý kiến", "Opinion", appearance="multiline")],
                         {"y_kien": "long_text"}),
    "integer_constraint": Feature([q(
        "integer", "tuoi", "Tuổi", "Age", constraint=". >= 16 and . <= 120",
        **{"constraint_message::Tiếng Việt (vi)": "Từ 16 đến 120",
           "constraint_message::English (en)": "From 16 to 120"})], {"tuoi": "integer"}),
    "decimal": Feature([q("decimal", "von", "Vốn (tỷ đồng)", "Capital")], {"von": "decimal"}),
    "date": Feature([q("date", "ngay", "Ngày thành lập", "Founded", constraint=". <= today()")],
                    {"ngay": "date"}),
    "note": Feature([q("note", "loi_chao", "Xin chào", "Hello"), q("text", "t1", "T", "T")],
                    {"loi_chao": "note"}),
    "hint": Feature([q("text", "dia_chi", "Địa chỉ", "Address", **{
        "hint::Tiếng Việt (vi)": "Số nhà, đường", "hint::English (en)": "Number, street"})],
        {"dia_chi": "short_text"}),
    "select_one": Feature([q("select_one yn", "dong_y", "Đồng ý?", "Agree?", required="yes")],
                          {"dong_y": "single_choice"}),
    "dropdown_minimal": Feature([q("select_one mau", "mau1", "Màu", "Colour", appearance="minimal")],
                                {"mau1": "dropdown"}, {"dropdown"}),
    "dropdown_autocomplete": Feature([q("select_one mau", "mau2", "Màu", "Colour",
                                        appearance="autocomplete")], {"mau2": "dropdown"}),
    "likert_scale": Feature([q("select_one scale", "muc_do", "Mức độ", "Level", appearance="likert")],
                            {"muc_do": "rating"}, {"likert"}),
    "likert_not_a_scale": Feature([q("select_one yn", "lk", "Có không", "Yes no", appearance="likert")],
                                  {"lk": "single_choice"}),
    "select_multiple": Feature([q("select_multiple mau", "nhieu_mau", "Các màu", "Colours",
                                  constraint="count-selected(.) <= 2")], {"nhieu_mau": "multiple_choice"}),
    "select_multiple_minimal": Feature([q("select_multiple mau", "mm", "Các màu", "Colours",
                                          appearance="minimal")], {"mm": "multiple_choice"}),
    "or_other": Feature([q("select_multiple mau or_other", "khac", "Màu khác", "Other colour"),
                         q("select_one yn or_other", "khac1", "Có/không/khác", "Yes/no/other")],
                        {"khac": "multiple_choice", "khac1": "single_choice"}, {"or_other"}),
    "rank": Feature([q("rank mau", "xep", "Xếp hạng màu", "Rank the colours")], {"xep": "ranking"}),
    "rank_or_other": Feature([q("rank mau or_other", "xep2", "Xếp hạng", "Rank")], {"xep2": "ranking"},
                             {"or_other_ranking"}),
    "range_rating": Feature([q("range", "diem", "Điểm", "Score", parameters="start=1 end=10")],
                            {"diem": "rating"}),
    "range_step": Feature([q("range", "buoc", "Bước", "Step", parameters="start=0 end=10 step=2")],
                          {"buoc": "rating"}, {"range_step"}),
    "range_wide": Feature([q("range", "rong", "Rộng", "Wide", parameters="start=0 end=1000")],
                          {"rong": "integer"}),
    "file": Feature([q("file", "tep", "Tệp PDF", "PDF file", parameters="max-file-size=3")],
                    {"tep": "file"}, {"file_pdf_only"}),
    "required_kinds": Feature([
        q("integer", "so", "Số", "Number", required="true()"),
        q("text", "vi_sao", "Vì sao", "Why", required="${so} > 1"),
        q("text", "bat_buoc", "Bắt buộc", "Required", required="yes",
          **{"required_message::Tiếng Việt (vi)": "Cần trả lời"})],
        {"so": "integer", "vi_sao": "short_text"}, {"required_expression", "required_message"}),
    "pages_and_show_if": Feature([
        q("begin_group", "trang_a", "Trang A", "Page A"),
        q("select_one yn", "co_htx", "Có HTX?", "A cooperative?"), q("end_group"),
        q("begin_group", "trang_b", "Trang B", "Page B", relevant="${co_htx} = 'co'"),
        q("integer", "so_tv", "Số thành viên", "Members", relevant="${co_htx} = 'co'"),
        q("end_group")], {"co_htx": "single_choice", "so_tv": "integer"}, {"imported_page"}),
    "nested_group": Feature([
        q("begin_group", "ngoai", "Ngoài", "Outer"), q("integer", "n1", "N1", "N1"),
        q("begin_group", "trong", "Trong", "Inner", relevant="${n1} > 1"), q("text", "n2", "N2", "N2"),
        q("end_group"), q("end_group")], {"n2": "short_text"}, {"nested_group"}),
    "table_list_matrix": Feature([
        q("begin_group", "bang", "Đánh giá", "Rate", appearance="table-list"),
        q("select_one scale", "h1", "Vốn", "Capital", required="yes"),
        q("select_one scale", "h2", "Đất", "Land", required="yes"), q("end_group")],
        {"bang": "matrix"}, {"imported_matrix", "matrix_row"}),
    "field_list_matrix": Feature([
        q("begin_group", "bang2", "Bảng", "Table", appearance="field-list"),
        q("select_one yn", "tieu_de", "", "", appearance="label"),
        q("select_one yn", "r1", "Hàng 1", "Row 1", appearance="list-nolabel"),
        q("select_one yn", "r2", "Hàng 2", "Row 2", appearance="list-nolabel"), q("end_group")],
        {"bang2": "matrix"}, {"matrix_header"}),
    "repeat": Feature([
        q("text", "chu_ho", "Chủ hộ", "Head"), q("begin_repeat", "nguoi", "Người", "Person"),
        q("text", "ten", "Tên", "Name"), q("end_repeat")], {"chu_ho": "short_text"},
        {"repeat", "inside_repeat"}),
    "loop": Feature([
        q("text", "truoc", "Trước", "Before"), q("begin loop over mau", "vong", "Vòng", "Loop"),
        q("integer", "so_luong", "Số lượng %(label)s", "How many %(label)s"), q("end loop")],
        {"truoc": "short_text"}, {"loop", "inside_loop"}),
    "calculate_in_label": Feature([
        q("integer", "a", "A", "A"), q("calculate", "gap_doi", calculation="${a} * 2"),
        q("note", "kq", "Gấp đôi: ${gap_doi}", "Double: ${gap_doi}"),
        q("text", "b", "Sau ${a}", "After ${a}")],
        {"kq": "note", "b": "short_text"}, {"calculate", "reference_rewritten"}),
    "metadata_in_label": Feature([
        q("start", "start"), q("end", "end"), q("deviceid", "deviceid"), q("today", "hom_nay"),
        q("note", "gio", "Bắt đầu lúc ${start}", "Started at ${start}")],
        {"gio": "note"}, {"metadata", "reference_rewritten"}),
    "show_if_on_calculate": Feature([
        q("integer", "x", "X", "X"), q("calculate", "x2", calculation="${x} + 1"),
        q("text", "y", "Y", "Y", relevant="${x2} > 3")], {"y": "short_text"},
        {"calculate", "expression_dropped"}),
    "sum_in_constraint": Feature([q("integer", "s", "S", "S", constraint="sum(.) < 10")],
                                 {"s": "integer"}, {"expression_dropped"}),
    "curly_quotes": Feature([
        q("select_one yn", "cq", "Có?", "Yes?"),
        q("text", "cq2", "Vì sao có", "Why yes", relevant="${cq} = ‘co’")],
        {"cq2": "short_text"}, {"quotes_repaired"}),
    "name_in_two_groups": Feature([
        q("begin_group", "g1", "Nhóm 1", "Group 1"), q("text", "ghi_chu", "Ghi chú 1", "Note 1"),
        q("end_group"), q("begin_group", "g2", "Nhóm 2", "Group 2"),
        q("text", "ghi_chu", "Ghi chú 2", "Note 2"), q("end_group")],
        {"ghi_chu": "short_text", "ghi_chu_2": "short_text"}, {"renamed_duplicate"}, sink=False),
    "allow_choice_duplicates": Feature(
        [q("select_one trung", "trung_q", "Trùng", "Duplicates")], {"trung_q": "single_choice"},
        {"renamed_duplicate_choice"}, choices=[c("trung", "1", "Một", "One"), c("trung", "1", "Lại một", "One again")],
        settings={"allow_choice_duplicates": "yes"}),
    "select_from_file": Feature([q("select_one_from_file tinh.csv", "tinh", "Tỉnh", "Province"),
                                 q("text", "sf", "S", "S")], {"sf": "short_text"}, {"select_from_file"}),
    "choice_filter": Feature([
        q("select_one yn", "cf1", "Một", "One"),
        q("select_one mau", "cf2", "Hai", "Two", choice_filter="name != ${cf1}")],
        {"cf2": "single_choice"}, {"choice_filter"}),
    "unsupported_types": Feature([
        q("geopoint", "vi_tri", "Vị trí", "Location"), q("time", "gio_hop", "Giờ", "Time"),
        q("barcode", "ma", "Mã", "Code"), q("text", "ut", "U", "U")], {"ut": "short_text"},
        {"unsupported_type"}),
    "media": Feature([
        q("note", "hinh", "", "", image="logo.png"),
        q("select_one yn", "anh", "Ảnh", "Picture", image="cau_hoi.png", audio="doc.mp3")],
        {"anh": "single_choice"}, {"media_only", "media_dropped", "choice_media_dropped"},
        choices=[c("yn", "khong_ro", "Không rõ", "Unsure", image="khong_ro.png")], sink=False),
    "unknown_columns": Feature([q("integer", "mac_dinh", "Mặc định", "Default", default="3",
                                  read_only="no", guidance_hint="Hướng dẫn")],
                               {"mac_dinh": "integer"}, {"column_ignored"}),
    "settings": Feature([q("text", "st", "S", "S")], {"st": "short_text"}, {"setting_ignored"},
                        settings={"form_title": "Phiếu hỏi", "form_id": "phieu_hoi",
                                  "version": "2024", "style": "pages"}, sink=False),
    "platform_parameters": Feature([q("integer", "pp", "P", "P",
                                      platform_parameters='{"min": 0, "max": 9}')], {"pp": "integer"}),
    "label_text_english": Feature([{"type": "text", "name": "te", "label::Tiếng Việt (vi)": "Tên",
                                    "text:english": "Name"}], {"te": "short_text"}, sink=False),
    "label_single_colon": Feature([{"type": "text", "name": "sc", "label::Tiếng Việt (vi)": "Tên",
                                    "label:English": "Name", "hint:English": "Your name"}],
                                  {"sc": "short_text"}, sink=False),
    "label_capitalised": Feature([{"Type": "text", "Name": "cap", "Label": "Tên"}], {"cap": "short_text"},
                                 sink=False),
    "default_language_english": Feature([{"type": "text", "name": "dl", "label": "Name",
                                          "label::Tiếng Việt (vi)": "Tên"}], {"dl": "short_text"},
                                        settings={"default_language": "English (en)"}, sink=False),
    "french_only": Feature([{"type": "text", "name": "fr", "label::Français (fr)": "Nom"}],
                           {"fr": "short_text"}, {"language_substituted"}, sink=False),
    "french_dropped": Feature([q("text", "fd", "Tên", "Name", **{"label::Français (fr)": "Nom"})],
                              {"fd": "short_text"}, {"language_dropped"}, sink=False),
}

#: Labels the tests check after import, per feature: name -> expected ``Question.label``.
LABELS = {
    "label_text_english": {"te": {"vi": "Tên", "en": "Name"}},
    "label_single_colon": {"sc": {"vi": "Tên", "en": "Name"}},
    "label_capitalised": {"cap": {"vi": "Tên"}},
    "default_language_english": {"dl": {"vi": "Tên", "en": "Name"}},
    "french_only": {"fr": {"vi": "Nom"}},
    "calculate_in_label": {"kq": {"vi": "Gấp đôi: [gap_doi]", "en": "Double: [gap_doi]"},
                           "b": {"vi": "Sau ${a}", "en": "After ${a}"}},
    "media": {"anh": {"vi": "Ảnh", "en": "Picture"}},
}


def kitchen_sink() -> Feature:
    """Every feature marked ``sink`` in one form (their names do not collide)."""
    chosen = [feature for feature in FEATURES.values() if feature.sink]
    sink = Feature(rows=[row for feature in chosen for row in feature.rows],
                   choices=[choice for feature in chosen for choice in feature.choices])
    for feature in chosen:
        sink.kinds.update(feature.kinds)
        sink.codes |= feature.codes
        sink.settings.update(feature.settings)
    return sink
