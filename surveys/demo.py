"""The demo's two surveys on the draft revised Law on Cooperatives, with invitations and answers.

- A citizen survey (open link, 14 questions over 5 pages) that branches on who answers:
  cooperative members and managers are asked about their cooperative, others whether they would
  join one; Likert questions on three key policies are pinned to Articles 5, 8 and 25.
- A survey for ministries and provinces (by invitation): numbers of cooperatives in their sector
  or province, a matrix on the key policies, an optional PDF report.

Invitation tokens are derived from the secret key (``invitations.demo_token``), so loading the
demo prints nothing and ``flask survey demo-links`` shows the links when they are wanted.
Answers are generated with a fixed seed and saved through ``surveys.responses`` so they obey
the same logic and checks as real ones.
"""
from __future__ import annotations

import random
from datetime import timedelta

import click
from flask import current_app, url_for
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from consult.data import load_provinces
from consult.extensions import db
from consult.models import Consultation, Organisation, utcnow
from surveys import blueprint, invitations, responses
from surveys.demo_content import CITIZEN_SURVEY, ORGANISATION_SURVEY
from surveys.models import Choice, Question, Survey, SurveyPage

CITIZEN_SLUG = "y-kien-nguoi-dan-luat-htx"
ORGANISATION_SLUG = "khao-sat-bo-nganh-dia-phuong-luat-htx"
DEMO_CITIZEN_RESPONSES = 36
DEMO_ORGANISATION_RESPONSES = 14


def load_demo_surveys(consultation: Consultation) -> None:
    """Add the two demo surveys to the demo consultation (once)."""
    if db.session.scalar(select(Survey.id).where(Survey.slug == CITIZEN_SLUG)) is not None:
        return
    articles = {p.anchor: p for p in consultation.draft.current_version.provisions}
    citizen = build_survey(CITIZEN_SURVEY, CITIZEN_SLUG, consultation, articles, "open")
    organisation = build_survey(ORGANISATION_SURVEY, ORGANISATION_SLUG, consultation, articles,
                                "invited")
    db.session.flush()
    _invite_everyone(organisation)
    db.session.flush()
    with current_app.test_request_context("/"):  # messages need a locale, even when unused
        _answer_as_citizens(citizen, random.Random(2022))
        _answer_as_organisations(organisation, random.Random(2023))


def build_survey(spec: dict, slug: str, consultation: Consultation, articles: dict,
                 audience: str) -> Survey:
    now = utcnow()
    survey = Survey(slug=slug, consultation=consultation, title=spec["title"],
                    introduction=spec["introduction"], audience=audience, status="published",
                    opens_at=consultation.opens_at, closes_at=consultation.closes_at,
                    settings=spec.get("settings", {}), created_at=now)
    db.session.add(survey)
    for page_index, page_spec in enumerate(spec["pages"]):
        page = SurveyPage(survey=survey, position=page_index, name=page_spec["name"],
                          title=page_spec["title"], relevant=page_spec.get("relevant", ""))
        db.session.add(page)
        for position, question_spec in enumerate(page_spec["questions"]):
            _add_question(survey, page, position, question_spec, articles)
    return survey


def _add_question(survey, page, position, spec: dict, articles: dict) -> Question:
    question = Question(
        survey=survey, page=page, position=position, name=spec["name"], kind=spec["kind"],
        label=spec["label"], hint=spec.get("hint", {}), required=spec.get("required", False),
        relevant=spec.get("relevant", ""), constraint=spec.get("constraint", ""),
        constraint_message=spec.get("constraint_message", {}),
        parameters=spec.get("parameters", {}),
        provision=articles.get(spec["article"]) if spec.get("article") else None,
    )
    for index, (name, label) in enumerate(spec.get("choices", [])):
        question.choices.append(Choice(name=name, label=label, position=index,
                                       is_other=name == "other"))
    db.session.add(question)
    return question


def _reference_day(survey: Survey):
    return survey.consultation.reference_day if survey.consultation else None


def _invite_everyone(survey: Survey) -> None:
    secret = current_app.config["SECRET_KEY"]
    organisations = db.session.scalars(
        select(Organisation).where(Organisation.kind.in_(("ministry", "ministerial_agency",
                                                          "government_agency", "province")),
                                   Organisation.in_force_clause(_reference_day(survey)))
        .order_by(Organisation.id))
    for organisation in organisations:
        invitations.create_invitation(survey, organisation,
                                      token=invitations.demo_token(secret, survey, organisation))


# --- generated answers ---------------------------------------------------------------------

def _fill(survey: Survey, response, pages: dict[str, dict]) -> None:
    """Save each page's answers (by page name) through the answering service."""
    for page in survey.pages:
        data = MultiDict()
        for key, value in pages.get(page.name, {}).items():
            for item in value if isinstance(value, list) else [value]:
                data.add(key, str(item))
        responses.save_page(response, page, data, {}, require=False)


def _citizen_answers(rng: random.Random, provinces: list[str]) -> dict[str, dict]:
    kind = rng.choices(["citizen", "coop_member", "cooperative", "enterprise", "other"],
                       weights=[5, 6, 3, 2, 1])[0]
    about = {"q-respondent_type": kind, "q-province": rng.choice(provinces),
             "q-age_group": rng.choice(["under_30", "30_44", "45_59", "60_plus"])}
    if kind == "other":
        about["q-respondent_type-other"] = "Cán bộ hội nông dân xã"
    pages = {"about": about}
    if kind in ("coop_member", "cooperative"):
        pages["cooperative"] = {
            "q-coop_sector": rng.choice(["agriculture", "fishery", "handicraft", "services", "credit"]),
            "q-coop_members": str(rng.randint(7, 400)),
        }
        if kind == "coop_member":
            pages["cooperative"]["q-coop_satisfaction"] = str(rng.randint(2, 5))
    else:
        join = rng.choice(["yes", "maybe", "no"])
        pages["joining"] = {"q-intend_join": join}
        if join == "no":
            pages["joining"]["q-barriers"] = rng.sample(["capital", "trust", "information", "benefit"], 2)
    support = rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 3, 6, 5])[0]
    pages["policies"] = {
        "q-policy_support": str(support), "q-policy_membership": str(rng.randint(1, 5)),
        "q-policy_indivisible": str(rng.choices([1, 2, 3, 4, 5], weights=[3, 4, 3, 2, 1])[0]),
    }
    for rank, item in enumerate(rng.sample(["training", "market", "technology", "credit"], 4), 1):
        pages["policies"][f"q-priorities-{item}"] = str(rank)
    pages["comments"] = {}
    if support <= 2:
        pages["comments"]["q-why_disagree"] = rng.choice([
            "Thủ tục nhận hỗ trợ còn phức tạp, hợp tác xã nhỏ khó tiếp cận.",
            "Chính sách hỗ trợ nên ưu tiên hợp tác xã đã hoạt động hiệu quả.",
        ])
    if rng.random() < 0.5:
        pages["comments"]["q-open_comment"] = rng.choice([
            "Đề nghị quy định rõ hơn về quyền của thành viên liên kết không góp vốn.",
            "Cần có hướng dẫn cụ thể về chuyển đổi số cho hợp tác xã nông nghiệp.",
            "Nên giảm bớt giấy tờ khi đăng ký thay đổi nội dung hợp tác xã.",
            "Tôi đồng ý với dự thảo, mong sớm được ban hành.",
        ])
    return pages


def _answer_as_citizens(survey: Survey, rng: random.Random) -> None:
    provinces = [row["code"] for row in load_provinces()]
    for index in range(DEMO_CITIZEN_RESPONSES):
        response, _code = responses.start_open_response(survey, f"demo-citizen-{index}")
        db.session.flush()
        _fill(survey, response, _citizen_answers(rng, provinces))
        if index % 6 != 5:  # a few stay unfinished, as in real life
            responses.submit(response)
        response.created_at = utcnow() - timedelta(days=rng.randint(0, 6), hours=rng.randint(0, 23))


def _organisation_answers(rng: random.Random, organisation: Organisation) -> dict[str, dict]:
    count = rng.randint(40, 900)
    scale = ["agree", "partly", "disagree", "no_view"]
    return {
        "general": {"q-contact_unit": f"Phòng Kinh tế tập thể, {organisation.short_name or organisation.name}",
                    "q-coop_count": str(count), "q-coop_effective": str(rng.randint(0, count)),
                    "q-coop_members_total": str(count * rng.randint(20, 60)),
                    "q-support_budget": f"{rng.randint(5, 300)},{rng.randint(0, 9)}"},
        "policies": {
            **{f"q-policy_matrix-{row}": rng.choices(scale, weights=[6, 3, 1, 1])[0]
               for row in ("support", "membership", "indivisible", "distribution")},
            "q-difficulties": rng.sample(["capital", "land", "staff", "market", "legal"], 2),
            "q-proposal": "Đề nghị bổ sung quy định về tiêu chí đánh giá hiệu quả chính sách hỗ trợ.",
        },
    }


def _answer_as_organisations(survey: Survey, rng: random.Random) -> None:
    chosen = rng.sample(list(survey.invitations), min(len(survey.invitations),
                                                      DEMO_ORGANISATION_RESPONSES + 6))
    for index, invitation in enumerate(chosen):
        invitations.advance(invitation, "opened")
        if index >= DEMO_ORGANISATION_RESPONSES + 3:
            continue  # opened the link, nothing more yet
        response = responses.start_invited_response(invitation)
        db.session.flush()
        _fill(survey, response, _organisation_answers(rng, invitation.organisation))
        if index < DEMO_ORGANISATION_RESPONSES:
            responses.submit(response)


@blueprint.cli.command("demo-links")
@click.option("--base-url", default="http://127.0.0.1:5000", help="Where the platform is served.")
def demo_links(base_url: str) -> None:
    """Print the demo invitation links (demo invitations only; real tokens are never stored)."""
    survey = db.session.scalar(select(Survey).where(Survey.slug == ORGANISATION_SLUG))
    if survey is None:
        raise click.ClickException("The demo surveys are not loaded.")
    secret = current_app.config["SECRET_KEY"]
    with current_app.test_request_context(base_url=base_url):
        for invitation in survey.invitations:
            token = invitations.demo_link_token(secret, invitation)
            if token:
                link = url_for("surveys.invitation", slug=survey.slug, token=token, _external=True)
                click.echo(f"{invitation.organisation.code}\t{invitation.status}\t{link}")
