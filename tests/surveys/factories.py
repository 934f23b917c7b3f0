"""Build surveys for tests from a compact description."""
from __future__ import annotations

from datetime import timedelta

from consult.extensions import db
from consult.models import Organisation, utcnow
from surveys.models import Choice, Question, Survey, SurveyPage


def make_survey(slug: str = "khao-sat", pages=None, *, audience: str = "open",
                status: str = "published", settings: dict | None = None, consultation=None,
                is_open: bool = True) -> Survey:
    """``pages``: a list of pages, each a list of question dicts with ``name``, ``kind`` and
    optionally ``label``, ``required``, ``relevant``, ``constraint``, ``constraint_message``,
    ``choices`` (names, or (name, label) pairs; a name ending in ``*`` is "other"),
    ``parameters``, ``provision``."""
    now = utcnow()
    survey = Survey(slug=slug, title={"vi": f"Khảo sát {slug}", "en": f"Survey {slug}"},
                    introduction={"vi": "Giới thiệu", "en": "Introduction"}, audience=audience,
                    status=status, settings=settings or {}, consultation=consultation,
                    opens_at=now - timedelta(days=1),
                    closes_at=now + timedelta(days=30) if is_open else now - timedelta(hours=1))
    db.session.add(survey)
    for page_number, questions in enumerate(pages or [[{"name": "q1", "kind": "short_text"}]]):
        page = SurveyPage(survey=survey, position=page_number,
                          title={"vi": f"Trang {page_number + 1}", "en": f"Page {page_number + 1}"})
        db.session.add(page)
        for position, spec in enumerate(questions):
            add_question(survey, page, position, spec)
    db.session.commit()
    return survey


def add_question(survey: Survey, page: SurveyPage, position: int, spec: dict) -> Question:
    question = Question(
        survey=survey, page=page, position=position, name=spec["name"], kind=spec["kind"],
        label={"vi": spec.get("label", spec["name"]), "en": spec.get("label", spec["name"])},
        required=spec.get("required", False), relevant=spec.get("relevant", ""),
        constraint=spec.get("constraint", ""),
        constraint_message={"vi": spec.get("constraint_message", ""),
                            "en": spec.get("constraint_message", "")},
        parameters=spec.get("parameters", {}), provision=spec.get("provision"),
    )
    for index, choice in enumerate(spec.get("choices", [])):
        name, label = choice if isinstance(choice, tuple) else (choice, choice.title())
        is_other = name.endswith("*")
        name = name.rstrip("*")
        question.choices.append(Choice(name=name, label={"vi": label.rstrip("*"), "en": label.rstrip("*")},
                                       position=index, is_other=is_other))
    db.session.add(question)
    return question


def make_organisation(code: str = "BTC", kind: str = "ministry", name: str = "Bộ Tài chính",
                      province_code: str | None = None) -> Organisation:
    organisation = Organisation(code=code, kind=kind, name=name, short_name=name,
                                province_code=province_code)
    db.session.add(organisation)
    db.session.commit()
    return organisation
