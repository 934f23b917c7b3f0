"""Factories for tally tests: surveys, questions and responses stored as ``surveys.kinds`` stores
them (one Answer row per chosen option, per matrix row, per ranked option)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from consult.extensions import db
from consult.models import Organisation, utcnow
from surveys.models import Answer, Choice, Invitation, Question, Response, Survey, SurveyPage

_counter = iter(range(1, 10**9))


def make_survey(questions: list[dict], *, slug: str = "khao-sat-htx", consultation=None,
                title: str = "Khảo sát về Luật Hợp tác xã") -> Survey:
    """A published survey, one page per distinct ``page`` key (default one page).

    Each question spec: ``name``, ``kind``, ``label``, optional ``choices`` [(name, label)],
    ``parameters``, ``relevant``, ``page`` (an int), ``page_relevant``.
    """
    survey = Survey(slug=slug, title={"vi": title, "en": "Cooperative law survey"}, status="published",
                    consultation=consultation, audience="both")
    db.session.add(survey)
    pages: dict[int, SurveyPage] = {}
    for position, spec in enumerate(questions):
        number = spec.get("page", 0)
        if number not in pages:
            pages[number] = SurveyPage(survey=survey, position=number, name=f"p{number}",
                                       relevant=spec.get("page_relevant", ""))
        question = Question(survey=survey, page=pages[number], name=spec["name"], kind=spec["kind"],
                            label={"vi": spec.get("label", spec["name"])}, position=position,
                            relevant=spec.get("relevant", ""), parameters=spec.get("parameters", {}))
        for index, (name, label) in enumerate(spec.get("choices", [])):
            question.choices.append(Choice(name=name, label={"vi": label}, position=index,
                                           is_other=name == "other"))
        db.session.add(question)
    db.session.commit()
    return survey


def answer_rows(question: Question, value) -> list[dict]:
    """The Answer columns ``surveys.kinds`` stores for ``value``."""
    choice_ids = {choice.name: choice.id for choice in question.choices}
    kind = question.kind
    if kind in ("single_choice", "dropdown"):
        return [{"choice_id": choice_ids.get(value), "value_text": value}]
    if kind == "multiple_choice":
        return [{"choice_id": choice_ids.get(name), "value_text": name} for name in value]
    if kind == "ranking":
        return [{"choice_id": choice_ids.get(name), "value_text": name, "rank": rank}
                for rank, name in enumerate(value, start=1)]
    if kind == "matrix":
        return [{"row_name": row, "choice_id": choice_ids.get(name), "value_text": name}
                for row, name in value.items()]
    if kind == "rating":
        return [{"value_number": float(value), "value_text": str(value)}]
    if kind in ("integer", "decimal"):
        return [{"value_number": float(value)}]
    if kind == "date":
        return [{"value_date": value}]
    return [{"value_text": value, "value_normalized": value}]


def respond(survey: Survey, answers: dict, *, skipped: tuple = (), respondent_type: str | None = "citizen",
            province_code: str | None = "01", submitted_at: datetime | None = None,
            status: str = "submitted", organisation: Organisation | None = None) -> Response:
    """One response; ``skipped`` names questions shown and left empty (a skip-marker row)."""
    number = next(_counter)
    invitation = None
    if organisation is not None:
        invitation = Invitation(survey=survey, organisation=organisation, token_hash=f"{number:064x}",
                                status="submitted")
    response = Response(survey=survey, status=status, respondent_type=respondent_type,
                        province_code=province_code, invitation=invitation,
                        submitted_at=(submitted_at or utcnow()) if status == "submitted" else None,
                        receipt_code=f"KS-{number:08d}" if status == "submitted" else None)
    db.session.add(response)
    by_name = {question.name: question for question in survey.questions}
    for name, value in answers.items():
        for row in answer_rows(by_name[name], value):
            response.answers.append(Answer(question=by_name[name], **row))
    for name in skipped:
        response.answers.append(Answer(question=by_name[name]))
    db.session.commit()
    return response


def make_organisation(kind: str = "ministry", code: str | None = None, province_code: str | None = None):
    code = code or f"ORG-{next(_counter)}"
    organisation = Organisation(code=code, kind=kind, name=f"Tổ chức {code}", province_code=province_code)
    db.session.add(organisation)
    db.session.commit()
    return organisation


def vn_time(day: date, hour: int = 9) -> datetime:
    """Naive UTC for ``hour`` o'clock Vietnam time on ``day``."""
    return datetime(day.year, day.month, day.day, hour) - timedelta(hours=7)


QUESTIONS = [
    {"name": "q_view", "kind": "single_choice", "label": "Bạn đánh giá dự thảo thế nào?",
     "choices": [("tot", "Tốt"), ("binh_thuong", "Bình thường"), ("chua_tot", "Chưa tốt"), ("other", "Khác")]},
    {"name": "q_multi", "kind": "multiple_choice", "label": "Nội dung cần sửa",
     "choices": [("a", "Vốn góp"), ("b", "Thành viên"), ("c", "Quản trị"), ("d", "Giải thể")]},
    {"name": "q_rating", "kind": "rating", "parameters": {"min": 1, "max": 5}},
    {"name": "q_int", "kind": "integer"},
    {"name": "q_matrix", "kind": "matrix",
     "parameters": {"rows": [{"name": "r1", "label": {"vi": "Điều 5"}}, {"name": "r2", "label": {"vi": "Điều 6"}}]},
     "choices": [("dong_y", "Đồng ý"), ("trung_lap", "Trung lập"), ("khong", "Không đồng ý")]},
    {"name": "q_rank", "kind": "ranking", "choices": [("x", "Vốn"), ("y", "Đất đai"), ("z", "Tín dụng")]},
    {"name": "q_text", "kind": "long_text"},
    {"name": "q_date", "kind": "date"},
    {"name": "q_cond", "kind": "single_choice", "relevant": "${q_view} = 'chua_tot'",
     "choices": [("yes", "Có"), ("no", "Không")]},
    {"name": "q_province", "kind": "dropdown", "parameters": {"choice_source": "provinces"}},
    {"name": "q_note", "kind": "note"},
]


def make_reference_survey() -> Survey:
    """The survey whose tallies the tests count by hand: five submitted responses R1…R5
    (R5 answered nothing) and one unfinished response that never counts."""
    survey = make_survey(QUESTIONS)
    respond(survey, {"q_view": "tot", "q_multi": ["a", "b", "c", "d"], "q_rating": 5, "q_int": 10,
                     "q_matrix": {"r1": "dong_y", "r2": "khong"}, "q_rank": ["x", "y", "z"],
                     "q_text": "Ý kiến", "q_date": date(2024, 1, 5), "q_province": "01"})
    respond(survey, {"q_view": "chua_tot", "q_multi": ["a"], "q_rating": 3, "q_int": 20,
                     "q_matrix": {"r1": "dong_y"}, "q_rank": ["y", "x", "z"], "q_date": date(2024, 1, 6),
                     "q_cond": "yes", "q_province": "79"}, skipped=("q_text",), respondent_type="enterprise")
    respond(survey, {"q_view": "chua_tot", "q_multi": ["b"], "q_rating": 4, "q_int": 30,
                     "q_matrix": {"r1": "trung_lap", "r2": "dong_y"}, "q_rank": ["y", "z", "x"],
                     "q_province": "79"}, skipped=("q_cond",), province_code="79")
    respond(survey, {"q_view": "binh_thuong", "q_rating": 4, "q_int": 40}, respondent_type="coop_member")
    respond(survey, {}, province_code=None)
    respond(survey, {"q_view": "tot", "q_multi": ["a", "c"], "q_rating": 1, "q_int": 99, "q_text": "Chưa gửi",
                     "q_matrix": {"r1": "khong"}, "q_rank": ["z"], "q_date": date(2024, 2, 1),
                     "q_province": "01"}, skipped=("q_cond",), status="in_progress")  # never counted
    return survey


def make_opinion(consultation, anchor: str | None, *, status: str = "published", respondent_type: str = "citizen",
                 province_code: str | None = "01", sent_at: datetime | None = None,
                 body: str = "Đề nghị làm rõ quy định này."):
    """One sent comment on the provision with ``anchor`` (None: on the draft as a whole)."""
    from consult.models import Comment, Contribution, Provision

    number = next(_counter)
    provision = None
    if anchor:
        provision = db.session.query(Provision).filter_by(anchor=anchor).order_by(Provision.id.desc()).first()
    contribution = Contribution(consultation=consultation, status="submitted", token=f"tok-{number}",
                                respondent_type=respondent_type, province_code=province_code,
                                receipt_code=f"GY-{number:08d}", submitted_at=sent_at or utcnow())
    comment = Comment(contribution=contribution, consultation=consultation, provision=provision, body=body,
                      body_normalized=body, status=status, form_key=f"key-{number}")
    db.session.add_all([contribution, comment])
    db.session.commit()
    return comment
