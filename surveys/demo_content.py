"""The questions of the two demo surveys, in Vietnamese and English (written for this project).

Each page: ``name``, ``title``, optional ``relevant``, ``questions``. Each question: the
``Question`` fields, ``choices`` as (name, label) pairs (``other`` is "Other, specify") and
``article`` (an anchor such as ``dieu-5``) for a question pinned to an article.
"""
from __future__ import annotations


def t(vi: str, en: str) -> dict:
    return {"vi": vi, "en": en}


AGREEMENT = {"min": 1, "max": 5, "min_label": t("Hoàn toàn không đồng ý", "Strongly disagree"),
             "max_label": t("Hoàn toàn đồng ý", "Strongly agree")}
IS_COOP_PERSON = ("selected(${respondent_type}, 'coop_member') or "
                  "selected(${respondent_type}, 'cooperative')")

CITIZEN_SURVEY = {
    "title": t("Ý kiến người dân về dự thảo Luật Hợp tác xã (sửa đổi)",
               "Citizens' views on the draft revised Law on Cooperatives"),
    "introduction": t(
        "Ban soạn thảo mong nhận ý kiến của người dân, thành viên hợp tác xã và doanh nghiệp về "
        "một số chính sách chính của dự thảo. Trả lời mất chừng 5 phút.",
        "The drafting team would like the views of citizens, cooperative members and businesses on "
        "some key policies of the draft. It takes about 5 minutes."),
    "pages": [
        {"name": "about", "title": t("Về bạn", "About you"), "questions": [
            {"name": "respondent_type", "kind": "single_choice", "required": True,
             "label": t("Bạn trả lời với tư cách nào?", "In what capacity are you answering?"),
             "parameters": {"profile_field": "respondent_type"},
             "choices": [("citizen", t("Người dân", "Citizen")),
                         ("coop_member", t("Thành viên hợp tác xã", "Cooperative member")),
                         ("cooperative", t("Người quản lý hợp tác xã", "Cooperative manager")),
                         ("enterprise", t("Doanh nghiệp", "Enterprise")),
                         ("other", t("Khác", "Other"))]},
            {"name": "province", "kind": "dropdown", "required": True,
             "label": t("Bạn sống hoặc làm việc ở tỉnh, thành phố nào?",
                        "Which province or city do you live or work in?"),
             "parameters": {"choice_source": "provinces", "profile_field": "province_code"}},
            {"name": "age_group", "kind": "single_choice",
             "label": t("Bạn thuộc nhóm tuổi nào?", "Which age group are you in?"),
             "choices": [("under_30", t("Dưới 30", "Under 30")), ("30_44", t("30 – 44", "30 – 44")),
                         ("45_59", t("45 – 59", "45 – 59")), ("60_plus", t("Từ 60 trở lên", "60 or over"))]},
        ]},
        {"name": "cooperative", "title": t("Hợp tác xã của bạn", "Your cooperative"),
         "relevant": IS_COOP_PERSON, "questions": [
            {"name": "coop_sector", "kind": "single_choice", "required": True,
             "label": t("Hợp tác xã hoạt động chủ yếu trong lĩnh vực nào?",
                        "What is the cooperative's main field?"),
             "choices": [("agriculture", t("Nông nghiệp", "Agriculture")),
                         ("fishery", t("Thủy sản", "Fishery")),
                         ("handicraft", t("Tiểu thủ công nghiệp", "Handicrafts")),
                         ("services", t("Thương mại, dịch vụ, vận tải", "Trade, services, transport")),
                         ("credit", t("Quỹ tín dụng nhân dân", "People's credit fund")),
                         ("other", t("Khác", "Other"))]},
            {"name": "coop_members", "kind": "integer",
             "label": t("Hợp tác xã có bao nhiêu thành viên?", "How many members does the cooperative have?"),
             "hint": t("Một con số, ví dụ 25.", "A number, for example 25."),
             "parameters": {"min": 1, "max": 100000},
             "constraint": ". >= 5",
             "constraint_message": t("Một hợp tác xã cần ít nhất 5 thành viên.",
                                     "A cooperative needs at least 5 members.")},
            {"name": "coop_satisfaction", "kind": "rating",
             "relevant": "${respondent_type} = 'coop_member'",
             "label": t("Bạn hài lòng thế nào với các dịch vụ hợp tác xã cung cấp cho thành viên?",
                        "How satisfied are you with the services the cooperative gives its members?"),
             "parameters": {"min": 1, "max": 5, "min_label": t("Rất không hài lòng", "Very unsatisfied"),
                            "max_label": t("Rất hài lòng", "Very satisfied")}},
        ]},
        {"name": "joining", "title": t("Tham gia hợp tác xã", "Joining a cooperative"),
         "relevant": "not(" + IS_COOP_PERSON + ")", "questions": [
            {"name": "intend_join", "kind": "single_choice",
             "label": t("Bạn có muốn tham gia một hợp tác xã trong thời gian tới không?",
                        "Would you like to join a cooperative in the coming years?"),
             "choices": [("yes", t("Có", "Yes")), ("maybe", t("Có thể", "Maybe")),
                         ("no", t("Không", "No"))]},
            {"name": "barriers", "kind": "multiple_choice", "relevant": "${intend_join} = 'no'",
             "label": t("Điều gì khiến bạn chưa muốn tham gia?", "What keeps you from joining?"),
             "hint": t("Chọn tối đa 3 ý.", "Choose up to 3."),
             "parameters": {"max_picks": 3},
             "choices": [("capital", t("Phải góp vốn", "Having to contribute capital")),
                         ("trust", t("Chưa tin vào cách quản lý", "Not trusting the management")),
                         ("information", t("Thiếu thông tin", "Lack of information")),
                         ("benefit", t("Chưa thấy lợi ích", "No clear benefit")),
                         ("other", t("Lý do khác", "Another reason"))]},
        ]},
        {"name": "policies", "title": t("Các chính sách chính của dự thảo", "Key policies of the draft"),
         "questions": [
            {"name": "policy_support", "kind": "rating", "required": True, "article": "dieu-5",
             "label": t("Nhà nước hỗ trợ hợp tác xã về đào tạo, thị trường, công nghệ và vốn, nhưng "
                        "không làm thay và không tạo sự lệ thuộc vào ngân sách (Điều 5). Bạn có đồng ý?",
                        "The State supports cooperatives with training, markets, technology and "
                        "credit, without doing their work or creating dependence on the budget "
                        "(Article 5). Do you agree?"),
             "parameters": AGREEMENT},
            {"name": "policy_membership", "kind": "rating", "article": "dieu-8",
             "label": t("Thành viên là pháp nhân không vượt quá một phần ba tổng số thành viên "
                        "chính thức (Điều 8). Bạn có đồng ý?",
                        "Legal entities may be at most one third of the full members (Article 8). "
                        "Do you agree?"),
             "parameters": AGREEMENT},
            {"name": "policy_indivisible", "kind": "rating", "article": "dieu-25",
             "label": t("Tài sản hình thành từ hỗ trợ của Nhà nước là tài sản không chia (Điều 25). "
                        "Bạn có đồng ý?",
                        "Assets built with State support are indivisible (Article 25). Do you agree?"),
             "parameters": AGREEMENT},
            {"name": "priorities", "kind": "ranking",
             "label": t("Xếp thứ tự các hình thức hỗ trợ theo mức độ cần thiết.",
                        "Rank the kinds of support from most to least needed."),
             "choices": [("training", t("Đào tạo, bồi dưỡng", "Training")),
                         ("market", t("Xúc tiến thương mại, thị trường", "Markets and trade promotion")),
                         ("technology", t("Công nghệ, chuyển đổi số", "Technology, digital transformation")),
                         ("credit", t("Tiếp cận vốn, tín dụng", "Access to credit"))]},
        ]},
        {"name": "comments", "title": t("Ý kiến của bạn", "Your comments"), "questions": [
            {"name": "why_disagree", "kind": "long_text", "relevant": "${policy_support} <= 2",
             "label": t("Vì sao bạn chưa đồng ý với chính sách hỗ trợ ở Điều 5? Nên sửa thế nào?",
                        "Why do you not agree with the support policy of Article 5? How should it change?")},
            {"name": "open_comment", "kind": "long_text",
             "label": t("Bạn có ý kiến nào khác về dự thảo Luật?", "Any other comment on the draft law?"),
             "parameters": {"max_length": 3000}},
        ]},
    ],
}

AGREEMENT_SCALE = [("agree", t("Đồng ý", "Agree")), ("partly", t("Đồng ý một phần", "Partly agree")),
                   ("disagree", t("Không đồng ý", "Disagree")), ("no_view", t("Chưa có ý kiến", "No view"))]

ORGANISATION_SURVEY = {
    "title": t("Phiếu khảo sát các bộ, ngành và địa phương về dự thảo Luật Hợp tác xã (sửa đổi)",
               "Survey of ministries, sectors and provinces on the draft revised Law on Cooperatives"),
    "introduction": t(
        "Phiếu gửi các bộ, cơ quan ngang bộ và Ủy ban nhân dân các tỉnh, thành phố để tổng hợp số "
        "liệu về hợp tác xã trong lĩnh vực, địa bàn quản lý và ý kiến về các chính sách chính.\n"
        "Đơn vị có thể lưu và sửa câu trả lời đến hết hạn khảo sát.",
        "Sent to ministries, ministerial-level agencies and provincial People's Committees to "
        "collect figures on cooperatives in their sector or province and views on key policies.\n"
        "You may save and change your answers until the survey closes."),
    "pages": [
        {"name": "general", "title": t("Số liệu về hợp tác xã", "Figures on cooperatives"), "questions": [
            {"name": "intro_note", "kind": "note",
             "label": t("Số liệu tính đến ngày 31/12/2021, trong lĩnh vực (đối với bộ, ngành) hoặc "
                        "trên địa bàn (đối với tỉnh, thành phố).",
                        "Figures as of 31/12/2021, in your sector (ministries) or province.")},
            {"name": "contact_unit", "kind": "short_text", "required": True,
             "label": t("Đơn vị đầu mối trả lời phiếu", "Unit answering this survey")},
            {"name": "coop_count", "kind": "integer", "required": True,
             "label": t("Số hợp tác xã đang hoạt động", "Number of active cooperatives"),
             "parameters": {"min": 0, "max": 100000}},
            {"name": "coop_effective", "kind": "integer",
             "label": t("Trong đó, số hợp tác xã hoạt động hiệu quả (xếp loại tốt, khá)",
                        "Of which, cooperatives rated good or fair"),
             "parameters": {"min": 0, "max": 100000}, "constraint": ". <= ${coop_count}",
             "constraint_message": t("Không được lớn hơn số hợp tác xã đang hoạt động.",
                                     "Cannot exceed the number of active cooperatives.")},
            {"name": "coop_members_total", "kind": "integer",
             "label": t("Tổng số thành viên hợp tác xã", "Total number of cooperative members"),
             "parameters": {"min": 0, "max": 100000000}},
            {"name": "support_budget", "kind": "decimal",
             "label": t("Kinh phí hỗ trợ kinh tế tập thể năm 2021 (tỷ đồng)",
                        "Budget for supporting cooperatives in 2021 (billion dong)"),
             "hint": t("Ví dụ 12,5", "For example 12.5"), "parameters": {"min": 0, "max": 1000000}},
        ]},
        {"name": "policies", "title": t("Ý kiến về các chính sách chính", "Views on key policies"), "questions": [
            {"name": "policy_matrix", "kind": "matrix", "required": True,
             "label": t("Cơ quan, đơn vị có đồng ý với các chính sách sau?",
                        "Does your organisation agree with these policies?"),
             "choices": AGREEMENT_SCALE,
             "parameters": {"rows": [
                 {"name": "support", "label": t("Chính sách hỗ trợ, ưu đãi (Điều 5)", "Support policies (Article 5)")},
                 {"name": "membership", "label": t("Giới hạn thành viên là pháp nhân (Điều 8)", "Cap on legal-entity members (Article 8)")},
                 {"name": "indivisible", "label": t("Tài sản không chia (Điều 25)", "Indivisible assets (Article 25)")},
                 {"name": "distribution", "label": t("Phân phối thu nhập (Điều 26)", "Income distribution (Article 26)")},
             ]}},
            {"name": "difficulties", "kind": "multiple_choice",
             "label": t("Khó khăn lớn nhất của hợp tác xã trong lĩnh vực, địa bàn", "The main difficulties of cooperatives"),
             "hint": t("Chọn tối đa 3 ý.", "Choose up to 3."), "parameters": {"max_picks": 3},
             "choices": [("capital", t("Thiếu vốn", "Lack of capital")), ("land", t("Đất đai, mặt bằng", "Land")),
                         ("staff", t("Năng lực cán bộ quản lý", "Management skills")),
                         ("market", t("Thị trường tiêu thụ", "Markets")),
                         ("legal", t("Vướng mắc pháp lý", "Legal obstacles")),
                         ("other", t("Khác", "Other"))]},
            {"name": "proposal", "kind": "long_text",
             "label": t("Đề xuất sửa đổi, bổ sung cụ thể đối với dự thảo",
                        "Specific amendments your organisation proposes")},
        ]},
        {"name": "documents", "title": t("Tài liệu kèm theo", "Attached documents"), "questions": [
            {"name": "report_pdf", "kind": "file",
             "label": t("Báo cáo tổng kết thi hành Luật Hợp tác xã năm 2012 (PDF, nếu có)",
                        "Report on the implementation of the 2012 Law on Cooperatives (PDF, if any)")},
            {"name": "report_date", "kind": "date", "relevant": "${report_pdf} != ''",
             "label": t("Ngày ban hành báo cáo", "Date of the report"),
             "parameters": {"min": "2013-01-01"}},
        ]},
    ],
}
