"""The consultation overview: how many opinions came, when, from whom and where, on which
articles, and how far the drafting team has got with them.

Pure module: takes a SQLAlchemy ``Session`` and ids, counts in SQL ``GROUP BY`` and returns
pandas DataFrames or plain dicts. Labels (respondent types, provinces) are left as keys for
the caller to translate.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from analysis.tallies.sql import vn_day
from consult.data import province_successors
from consult.lazy import lazy_module
from consult.models import Comment, Consultation, Contribution, Organisation
from consult.submissions.models import Submission, SubmissionOpinion

pd = lazy_module("pandas")

#: Comments still in a citizen's unsent list are not opinions yet.
UNSENT = "draft"


@dataclass
class Overview:
    """Everything the overview page shows, as data."""

    consultation_id: int
    #: day ('YYYY-MM-DD', Vietnam time), opinions, responses
    per_day: pd.DataFrame
    #: respondent_type (None = not given; a body's kind for letters), opinions (comments
    #: and the opinions of letters in force), senders (citizens' lists and bodies), responses
    by_respondent_type: pd.DataFrame
    #: province_code (None = not given), opinions, senders, responses
    by_province: pd.DataFrame
    #: article_id, anchor, number, title, opinions, published — most commented first
    per_article: pd.DataFrame
    #: status → count (unsent comments left out)
    moderation: dict[str, int]
    #: outcome → opinions, then ``undecided`` (see ``decision_counts``)
    decisions: dict[str, int]
    totals: dict[str, int] = field(default_factory=dict)


def sent_comments(consultation_id: int):
    """The FROM/WHERE shared by every opinion count: sent comments of one consultation."""
    return (
        select()
        .select_from(Comment)
        .join(Contribution, Contribution.id == Comment.contribution_id)
        .where(Comment.consultation_id == consultation_id, Comment.status != UNSENT)
    )


def opinion_day():
    """When an opinion counts as given: the sending of its list, else its writing."""
    return vn_day(func.coalesce(Contribution.submitted_at, Comment.created_at))


def opinions_per_day(session: Session, consultation_id: int) -> pd.DataFrame:
    day = opinion_day().label("day")
    query = sent_comments(consultation_id).add_columns(day, func.count(Comment.id).label("opinions"))
    rows = session.execute(query.group_by(day).order_by(day)).all()
    return pd.DataFrame(rows, columns=["day", "opinions"])


def _counts_by(session: Session, base, column, opinion, sender) -> pd.DataFrame:
    """Opinions (``opinion`` counted) and distinct ``sender`` values per value of ``column``."""
    key = column.label("key")
    query = base.add_columns(key, func.count(opinion).label("opinions"),
                             func.count(distinct(sender)).label("senders"))
    rows = session.execute(query.group_by(key)).all()
    return pd.DataFrame(rows, columns=["key", "opinions", "senders"])


def opinions_by(session: Session, consultation_id: int, column) -> pd.DataFrame:
    """Opinions and distinct senders per value of a contribution column."""
    return _counts_by(session, sent_comments(consultation_id), column, Comment.id,
                      Comment.contribution_id)


def letters_in_force(consultation_id: int):
    """The FROM/WHERE of the letters in force of one consultation with their opinions (an
    outer join: a letter agreeing without comment is a sender with no opinion)."""
    return (
        select()
        .select_from(Submission)
        .join(Organisation, Organisation.id == Submission.organisation_id)
        .outerjoin(SubmissionOpinion, SubmissionOpinion.submission_id == Submission.id)
        .where(Submission.consultation_id == consultation_id, Submission.status == "submitted")
    )


def letter_opinions_by(session: Session, consultation_id: int, column) -> pd.DataFrame:
    """Letter opinions and distinct sending bodies per value of an organisation column; the
    organisation's kind keys it like a respondent type (invited bodies' survey responses store
    their kind there too)."""
    return _counts_by(session, letters_in_force(consultation_id), column, SubmissionOpinion.id,
                      Submission.organisation_id)


def letter_opinions_per_day(session: Session, consultation_id: int) -> pd.DataFrame:
    day = vn_day(Submission.submitted_at).label("day")
    query = letters_in_force(consultation_id).add_columns(
        day, func.count(SubmissionOpinion.id).label("opinions"))
    rows = session.execute(query.group_by(day).order_by(day)).all()
    return pd.DataFrame(rows, columns=["day", "opinions"])


def _add_counts(first: pd.DataFrame, second: pd.DataFrame, key: str) -> pd.DataFrame:
    """Sum two count frames on ``key`` (None is a key of its own: "not given")."""
    if second.empty:
        return first
    if first.empty:
        return second.reset_index(drop=True)
    both = pd.concat([first, second], ignore_index=True)
    summed = both.groupby(key, dropna=False, sort=True).sum().reset_index()
    summed[key] = summed[key].astype(object).where(summed[key].notna(), None)
    return summed.astype({column: "int64" for column in summed.columns if column != key})


def moderation_counts(session: Session, consultation_id: int) -> dict[str, int]:
    """Sent comments per moderation status (pending, published, rejected, hidden)."""
    query = sent_comments(consultation_id).add_columns(Comment.status, func.count(Comment.id))
    return {status: count for status, count in session.execute(query.group_by(Comment.status))}


def decision_counts(session: Session, consultation_id: int) -> dict[str, int]:
    """Opinions per decision outcome (tiếp thu, tiếp thu một phần, giải trình, không tiếp thu),
    in ``consult.domain.DECISION_OUTCOMES`` order, then ``undecided``.

    Counts what the synthesis report answers: published comments, the opinions of the letters
    in force and the submitted open-text survey answers pinned to an article, with one
    ``GROUP BY`` per table (``consult.decisions.outcome_counts``).
    """
    from consult.decisions import outcome_counts

    return outcome_counts(session, consultation_id)


def comments_per_article(session: Session, consultation_id: int) -> pd.DataFrame:
    """Sent opinions per article, most commented first, with the article's anchor for links.

    Comments on a clause or point count for the article that holds it; comments written on
    an older version count for the article their version matches lead to in the version
    shown. General comments (no provision) are left out.
    """
    published = func.sum(case((Comment.status == "published", 1), else_=0))
    query = (sent_comments(consultation_id)
             .where(Comment.provision_id.is_not(None))
             .add_columns(Comment.provision_id, func.count(Comment.id), published)
             .group_by(Comment.provision_id))
    counts = pd.DataFrame(session.execute(query).all(), columns=["provision_id", "opinions", "published"])
    columns = ["anchor", "number", "title", "opinions", "published"]
    if counts.empty:
        return pd.DataFrame(columns=columns)
    articles = article_of_provisions(session, consultation_id)
    merged = counts.merge(articles, on="provision_id", how="inner")
    grouped = (merged.groupby("anchor", as_index=False)
               .agg(number=("number", "last"), title=("title", "last"), order=("order", "last"),
                    opinions=("opinions", "sum"), published=("published", "sum")))
    grouped = grouped.sort_values(["opinions", "order"], ascending=[False, True], kind="stable")
    return grouped[columns].reset_index(drop=True)


def article_of_provisions(session: Session, consultation_id: int) -> pd.DataFrame:
    """provision_id → the anchor, number and title of the article it counts for, every version.

    The article is the one of the version shown that the provision's confirmed matches lead
    to (``consult.outline``): an opinion on old Điều 12 counts for new Điều 13 when an article
    was inserted before it. An article removed since keeps its own key ("v1-dieu-29").
    """
    from consult.models import Consultation
    from consult.outline import outline

    consultation = session.get(Consultation, consultation_id)
    shape = outline(consultation) if consultation is not None else None
    rows = [(provision_id, key, shape.articles[key].number, shape.articles[key].title,
             shape.position(shape.articles[key].id))
            for provision_id, key in (shape.article_anchor.items() if shape else [])]
    return pd.DataFrame(rows, columns=["provision_id", "anchor", "number", "title", "order"])


def on_province_map(frame: pd.DataFrame, from_map: str, to_map: str) -> pd.DataFrame:
    """Province counts read on another map: codes of the 63 units of 2008 are summed into the
    34 units of 1 July 2025 by the official mapping. Only that direction exists (a unit of 2025
    cannot be split back), so any other request returns the frame as it is."""
    if from_map == to_map or (from_map, to_map) != ("2008", "2025") or frame.empty:
        return frame
    successors = province_successors()
    keys = frame["key"].map(lambda code: successors.get(code, code) if code else None)
    regrouped = frame.assign(key=keys).groupby("key", dropna=False, sort=False).sum().reset_index()
    regrouped["key"] = regrouped["key"].astype(object).where(regrouped["key"].notna(), None)
    return regrouped


def consultation_overview(session: Session, consultation_id: int, survey_counts="default",
                          province_map: str | None = None) -> Overview:
    """The whole overview. ``survey_counts`` adds survey responses: a callable
    ``(session, consultation_id) -> dict`` with ``per_day``, ``by_respondent_type`` and
    ``by_province`` DataFrames keyed like the opinion frames, column ``responses``;
    by default ``survey_response_counts``; None leaves surveys out. ``province_map`` reads the
    provinces on another map than the consultation's (see ``on_province_map``)."""
    if survey_counts == "default":
        survey_counts = survey_response_counts
    per_day = _add_counts(opinions_per_day(session, consultation_id),
                          letter_opinions_per_day(session, consultation_id), "day")
    by_type = _add_counts(opinions_by(session, consultation_id, Contribution.respondent_type),
                          letter_opinions_by(session, consultation_id, Organisation.kind), "key")
    letters_by_province = letter_opinions_by(session, consultation_id, Organisation.province_code)
    by_province = _add_counts(  # a ministry's letter has no province: not "not given" either
        opinions_by(session, consultation_id, Contribution.province_code),
        letters_by_province[letters_by_province["key"].notna()], "key")
    responses = survey_counts(session, consultation_id) if survey_counts else {}
    per_day = _merge_counts(per_day, responses.get("per_day"), "day")
    by_type = _merge_counts(by_type, responses.get("by_respondent_type"), "key")
    by_province = _merge_counts(by_province, responses.get("by_province"), "key")
    own_map = session.get(Consultation, consultation_id).province_map
    by_province = on_province_map(by_province, own_map, province_map or own_map)
    moderation = moderation_counts(session, consultation_id)
    totals = {"opinions": int(per_day["opinions"].sum()), "responses": int(per_day["responses"].sum()),
              "senders": int(by_type["senders"].sum())}
    return Overview(consultation_id, _every_day(per_day),
                    _rank(by_type), _rank(by_province),
                    comments_per_article(session, consultation_id), moderation,
                    decision_counts(session, consultation_id), totals)


def _every_day(per_day: pd.DataFrame) -> pd.DataFrame:
    """One row for every day from the first to the last, zeros where nothing came."""
    if per_day.empty:
        return per_day
    days = pd.date_range(per_day["day"].min(), per_day["day"].max(), freq="D").strftime("%Y-%m-%d")
    filled = per_day.set_index("day").reindex(days, fill_value=0).rename_axis("day").reset_index()
    return filled.astype({column: "int64" for column in filled.columns if column != "day"})


def _merge_counts(opinions: pd.DataFrame, responses: pd.DataFrame | None, key: str) -> pd.DataFrame:
    """Outer-join opinion counts and survey-response counts on ``key``, zeros for gaps."""
    if responses is None or responses.empty:
        responses = pd.DataFrame({key: pd.Series(dtype=object), "responses": pd.Series(dtype="int64")})
    merged = opinions.merge(responses[[key, "responses"]], on=key, how="outer")
    for column in merged.columns:
        if column != key:
            merged[column] = merged[column].fillna(0).astype("int64")
    return merged


def _rank(frame: pd.DataFrame) -> pd.DataFrame:
    """Largest first; the unknown (None) key last."""
    keys = frame["key"].astype(object)
    frame = frame.assign(key=keys.where(keys.notna(), None), _unknown=keys.isna(),
                         _total=frame["opinions"] + frame["responses"])
    frame = frame.sort_values(["_unknown", "_total"], ascending=[True, False], kind="stable")
    return frame.drop(columns=["_unknown", "_total"]).reset_index(drop=True)


def survey_response_counts(session: Session, consultation_id: int) -> dict[str, pd.DataFrame]:
    """Submitted survey responses of the consultation's surveys: per day, type and province."""
    from surveys.models import Response, Survey

    base = (select().select_from(Response).join(Survey, Survey.id == Response.survey_id)
            .where(Survey.consultation_id == consultation_id, Response.status == "submitted"))

    def count_by(expression, key: str) -> pd.DataFrame:
        labelled = expression.label(key)
        rows = session.execute(base.add_columns(labelled, func.count(Response.id).label("responses"))
                               .group_by(labelled)).all()
        return pd.DataFrame(rows, columns=[key, "responses"])

    return {"per_day": count_by(vn_day(Response.submitted_at), "day"),
            "by_respondent_type": count_by(Response.respondent_type, "key"),
            "by_province": count_by(Response.province_code, "key")}
