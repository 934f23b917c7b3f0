"""Store a checked import plan as a new draft survey."""
from __future__ import annotations

from consult.extensions import db
from consult.models import Consultation, User
from surveys.authoring import pinnable_articles, unique_slug
from surveys.models import Choice, Question, Survey, SurveyPage
from surveys.xlsform.mapping import SurveyPlan
from surveys.xlsform.report import ImportReport


def create_from_plan(plan: SurveyPlan, report: ImportReport, *,
                     consultation: Consultation | None = None, actor: User | None = None) -> Survey:
    survey = Survey(slug=unique_slug(plan.form_id or plan.title.get("vi", "")), title=plan.title,
                    introduction=plan.introduction, audience=plan.audience, status="draft",
                    settings=dict(plan.settings),
                    consultation=consultation, created_by_id=actor.id if actor else None)
    db.session.add(survey)
    articles = {p.anchor: p for p in pinnable_articles(survey)} if consultation else {}
    for page_position, planned_page in enumerate(plan.pages):
        page = SurveyPage(position=page_position, name=planned_page.name,
                          title=planned_page.title, relevant=planned_page.relevant)
        survey.pages.append(page)
        for position, planned in enumerate(planned_page.questions):
            question = Question(
                survey=survey, page=page, position=position, name=planned.name,
                kind=planned.kind, label=planned.label, hint=planned.hint,
                required=planned.required, relevant=planned.relevant,
                constraint=planned.constraint, constraint_message=planned.constraint_message,
                parameters=planned.parameters)
            question.choices = [Choice(name=c.name, label=c.label, is_other=c.is_other,
                                       position=index) for index, c in enumerate(planned.choices)]
            if planned.provision_anchor:
                article = articles.get(planned.provision_anchor)
                if article is None:
                    report.add("changed", "provision_not_found", row=planned.row,
                               name=planned.name, anchor=planned.provision_anchor)
                else:
                    question.provision = article
            db.session.add(question)
    db.session.flush()
    return survey
