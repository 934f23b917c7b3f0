"""Pages that show the stored results of the open-text analysis, and ``flask analysis``."""
from __future__ import annotations

import click
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import AnyOf, InputRequired

from analysis import jobs, results, stance_labels  # the models must be known when the app starts
from consult import drafts, scoping
from consult.auth import role_required
from consult.extensions import db
from consult.models import Comment, Consultation
from consult.navigation import add_admin_link

bp = Blueprint("textanalysis", __name__, url_prefix="/quan-tri/phan-tich", template_folder="templates",
               cli_group="analysis")

ROLES = ("admin", "drafter", "moderator")
#: Scope in the page's address -> stored scope.
SCOPE_SLUGS = {"dieu": "article", "du-thao": "consultation", "cau-hoi": "question"}
SLUG_OF_SCOPE = {scope: slug for slug, scope in SCOPE_SLUGS.items()}
STANCE_LABELS = {
    "agree": _l("Agrees"), "disagree": _l("Disagrees"), "proposes_change": _l("Proposes a change"),
    "question": _l("Asks a question"), "unclear": _l("Unclear"),
}
FLAG_LABELS = {
    "empty": _l("Empty"), "emoji_only": _l("Only emoji or symbols"), "all_caps": _l("All capitals"),
    "truncated": _l("Very long (cut for analysis)"), "not_vietnamese": _l("Probably not Vietnamese"),
    "no_diacritics": _l("Written without diacritics"), "teen_code": _l("Teen-code expanded"),
    "no_content": _l("Only stopwords"),
}
HINT_LABELS = {
    "insult": _l("Possible insult"), "hate": _l("Possible hate speech"), "spam": _l("Possible spam"),
    "personal_data": _l("Personal data in the text"), "off_topic": _l("Possibly off topic"),
}
add_admin_link("textanalysis.index", _l("Open-text analysis"), roles=ROLES)


@bp.app_template_global("moderation_hints")
def moderation_hints_of(comment) -> list[tuple[str, tuple[str, ...]]]:
    """(label, trigger words) of each hint for a comment on the moderation queue.

    Computed when the page is drawn: a few regular expressions and a dictionary walk per
    comment (well under a millisecond), so the lexicon can improve without a migration or
    a re-run over stored comments, and nothing is stored that a moderator might take for
    a decision."""
    from analysis.text.moderation_hints import hints

    provision = getattr(comment, "provision", None)
    context = f"{provision.title} {provision.text}" if provision is not None else None
    return [(HINT_LABELS[hint.kind], hint.words) for hint in hints(comment.body, context)]


class RunAnalysisForm(FlaskForm):
    scope = HiddenField(validators=[AnyOf(list(SCOPE_SLUGS), message=_l("Unknown analysis scope."))])
    scope_id = HiddenField(validators=[InputRequired(message=_l("Nothing to analyse was chosen."))])
    include_pending = BooleanField(_l("Include comments awaiting moderation"))


class StanceLabelForm(FlaskForm):
    #: The page draws the options itself; one of ``STANCE_LABELS``' keys is accepted.
    stance = StringField(_l("Stance"), validators=[
        InputRequired(message=_l("Choose a stance.")),
        AnyOf(list(STANCE_LABELS), message=_l("Choose one of the stances."))])
    page = HiddenField()


@bp.get("/")
@role_required(*ROLES)
def index():
    consultations = scoping.team_consultations()
    chosen = _chosen_consultation(consultations)
    articles, latest_articles, counts = [], {}, {}
    version = chosen.draft.current_version if chosen and chosen.draft else None
    if version is not None:
        articles = [p for p in version.provisions if p.kind == "article"]
        counts = drafts.published_comment_counts(version)
        latest_articles = results.latest_by_scope_id("article", [a.id for a in articles])
    # With no consultation of their own, an agency's member sees no question nor run of others.
    everything = chosen is None and scoping.sees_all()
    questions = jobs.open_questions(chosen.id if chosen else None) if chosen or everything else []
    return render_template(
        "analysis/text/index.html", consultations=consultations, consultation=chosen,
        articles=articles, counts=counts, latest_articles=latest_articles, questions=questions,
        latest_questions=results.latest_by_scope_id("question", [q.id for q in questions]),
        latest_consultation=results.latest("consultation", chosen.id) if chosen else None,
        runs=results.recent_runs(chosen.id if chosen else None) if chosen or everything else [],
        form=RunAnalysisForm(),
    )


def _chosen_consultation(consultations: list[Consultation]) -> Consultation | None:
    wanted = request.args.get("consultation", type=int)
    for consultation in consultations:
        if consultation.id == wanted:
            return consultation
    return consultations[-1] if consultations else None


@bp.get("/<any(dieu, 'du-thao', 'cau-hoi'):slug>/<int:scope_id>")
@role_required(*ROLES)
def result(slug: str, scope_id: int):
    scope = SCOPE_SLUGS[slug]
    try:
        title, consultation_id = jobs.describe_scope(scope, scope_id)
    except jobs.ScopeNotFound:
        abort(404)
    run = results.latest(scope, scope_id)
    respondent_type = request.args.get("respondent_type") or None
    view = run.view(respondent_type) if run else None
    return render_template(
        "analysis/text/result.html", scope=scope, slug=slug, scope_id=scope_id, title=title,
        consultation_id=consultation_id, run=run, view=view, respondent_type=respondent_type,
        respondent_types=sorted((run.result.get("by_respondent_type") or {}) if run else []),
        pending=results.latest(scope, scope_id, done=False), links=_source_links(scope, view),
        form=RunAnalysisForm(scope=slug, scope_id=scope_id), stance_labels=STANCE_LABELS,
        flag_labels=FLAG_LABELS,
    )


@bp.post("/chay")
@role_required(*ROLES)
def run():
    form = RunAnalysisForm()
    if not form.validate() or not _is_id(form.scope_id.data):
        flash(_("The analysis could not be started: the form was incomplete."), "error")
        return redirect(url_for(".index"))
    scope, scope_id = SCOPE_SLUGS[form.scope.data], int(form.scope_id.data)
    _check_scope(scope, scope_id)
    try:
        result_id, state = jobs.request_analysis(scope, scope_id,
                                                 {"include_pending": form.include_pending.data},
                                                 requested_by_id=current_user.id)
    except jobs.ScopeNotFound:
        abort(404)
    _flash_state(state)
    return redirect(url_for(".result", slug=form.scope.data, scope_id=scope_id))


def _is_id(text: str | None) -> bool:
    """An id as a form sends it: ASCII digits ("²" is a digit to ``str.isdigit`` but no number)
    within the database's integer."""
    return bool(text) and text.isascii() and text.isdigit() and 0 < int(text) < 2 ** 31


def _check_scope(scope: str, scope_id: int) -> None:
    """404 when the scope is missing or belongs to another agency's consultation."""
    try:
        _title, consultation_id = jobs.describe_scope(scope, scope_id)
    except jobs.ScopeNotFound:
        abort(404)
    scoping.check_consultation_id(consultation_id)


@scoping.resolves_endpoint("textanalysis.result")
def _result_consultation(view_args: dict):
    """The consultation of an analysis page's scope (article, consultation or question)."""
    try:
        return jobs.describe_scope(SCOPE_SLUGS[view_args["slug"]], view_args["scope_id"])[1]
    except (jobs.ScopeNotFound, KeyError):
        return scoping.MISSING


@scoping.resolves("answer_id")
def _answer_consultation(value: int):
    """A survey answer's consultation (through its response and survey)."""
    from surveys.models import Answer, Response, Survey

    found = db.session.execute(
        select(Survey.consultation_id).join(Response, Response.survey_id == Survey.id)
        .join(Answer, Answer.response_id == Response.id).where(Answer.id == value)).first()
    return scoping.MISSING if found is None else found[0]


def _flash_state(state: str) -> None:
    messages = {
        "queued": (_("The analysis was queued; this page shows it when it is done."), "info"),
        "done": (_("The analysis is done."), "success"),
        "failed": (_("The analysis failed; the error is shown below."), "error"),
        "too_large": (_("Too many opinions to analyse inside the page. Run \"flask analysis run\" "
                        "or configure a Redis queue (REDIS_URL)."), "error"),
    }
    message, category = messages[state]
    flash(message, category)


def _source_links(scope: str, view: dict | None) -> dict[int, str]:
    """Opinion id -> address of the opinion: the moderation list anchor of a comment, or
    the answer page of a survey answer."""
    if not view:
        return {}
    ids = {s["opinion_id"] for s in view["summary"]}
    ids |= {r["opinion_id"] for g in view["groups"] for r in g["representatives"]}
    for campaign in view["campaigns"]:
        ids |= {campaign["canonical_id"], *campaign["member_ids"][:20]}
    if scope == "question":
        return {i: url_for(".answer", answer_id=i) for i in ids}
    # ``comment=`` opens the moderation page that holds the comment, whatever its status and page.
    return {i: url_for("admin.moderation_queue", comment=i, _anchor=f"comment-{i}") for i in ids}


@bp.get("/lap-truong/<int:consultation_id>")
@role_required(*ROLES)
def stances(consultation_id: int):
    """Each published opinion with the rules' stance and cue words, the model's suggestion
    (once the team has labelled enough) and the team's own label, which can be set here."""
    consultation = scoping.team_consultation_or_404(consultation_id)
    comments, pages = stance_labels.opinions_page(consultation_id, request.args.get("page", 1, type=int))
    run = results.latest("consultation", consultation_id)
    suggestions = ((run.result or {}).get("stance_suggestions") or {}) if run else {}
    return render_template(
        "analysis/text/stances.html", consultation=consultation, comments=comments, pages=pages,
        page=min(max(request.args.get("page", 1, type=int), 1), pages),
        readings=stance_labels.rule_readings(comments),
        labels=stance_labels.labels_of(consultation_id, [c.id for c in comments]),
        label_count=stance_labels.label_count(consultation_id), minimum=stance_model_minimum(),
        suggestions=suggestions.get("by_id", {}), stance_labels=STANCE_LABELS, form=StanceLabelForm(),
    )


def stance_model_minimum() -> int:
    from analysis.text.stance_model import MIN_LABELS

    return MIN_LABELS


@bp.post("/lap-truong/<int:consultation_id>/<int:comment_id>")
@role_required(*ROLES)
def label_stance(consultation_id: int, comment_id: int):
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.consultation_id != consultation_id:
        abort(404)
    form = StanceLabelForm()
    page = form.page.data if (form.page.data or "").isdigit() else None
    if form.validate():
        stance_labels.set_label(comment, form.stance.data, current_user.id)
        db.session.commit()
        flash(_("The stance was saved."), "success")
    else:
        flash(_("The stance was not saved: choose one of the stances."), "error")
    return redirect(url_for(".stances", consultation_id=consultation_id, page=page,
                            _anchor=f"opinion-{comment_id}"))


@bp.get("/tra-loi/<int:answer_id>")
@role_required(*ROLES)
def answer(answer_id: int):
    from surveys.models import Answer

    row = db.session.get(Answer, answer_id) or abort(404)
    return render_template("analysis/text/answer.html", answer=row)


# --- command line ---------------------------------------------------------------------


@bp.cli.command("run")
@click.option("--scope", type=click.Choice(["consultation", "article", "question"]), default="consultation",
              show_default=True)
@click.option("--id", "scope_id", type=int, help="Consultation, article (provision) or question id.")
@click.option("--consultation", "slug", help="Consultation slug (for --scope consultation); default: the demo.")
@click.option("--include-pending", is_flag=True, help="Also analyse comments awaiting moderation.")
@click.option("--topics", type=int, help="Number of topic groups (default: chosen from the size).")
@click.option("--queue", is_flag=True, help="Enqueue on Redis (REDIS_URL) instead of running here.")
def run_command(scope, scope_id, slug, include_pending, topics, queue):
    """Analyse the open text of a consultation, an article or a survey question."""
    if scope_id is None:
        scope_id = _scope_id_from_slug(scope, slug)
    params = {"include_pending": include_pending, "topics": topics}
    try:
        if queue:
            result_id = jobs.queue_analysis(scope, scope_id, params)
            row = db.session.get(results.TextAnalysis, result_id)
            if row.status == "failed":
                raise click.ClickException(f"Analysis {result_id} could not be queued: {row.error}")
            click.echo(f"Queued analysis {result_id}.")
            return
        result_id = jobs.run_analysis(scope, scope_id, params)
    except jobs.ScopeNotFound:
        raise click.ClickException(f"No {scope} with id {scope_id}.")
    _echo_run(db.session.get(results.TextAnalysis, result_id))


def _scope_id_from_slug(scope: str, slug: str | None) -> int:
    from consult.demo import DEMO_SLUG

    if scope != "consultation":
        raise click.UsageError("--id is required for this scope.")
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == (slug or DEMO_SLUG)))
    if consultation is None:
        raise click.ClickException(f"No consultation called {slug or DEMO_SLUG!r}.")
    return consultation.id


def _echo_run(row) -> None:
    click.echo(f"Analysis {row.id}: {row.scope} {row.scope_id} — {row.status}, {row.input_count} opinions.")
    if row.status != "done":
        click.echo(row.error)
        raise SystemExit(1)
    view = row.view()
    click.echo(f"  voices {view['voice_count']}, groups {len(view['groups'])}, "
               f"campaigns {len(view['campaigns'])}, segmenter {view['segmenter']}")
    for campaign in view["campaigns"][:5]:
        click.echo(f"  campaign of {campaign['size']}: {campaign['canonical_text'][:90]}")
    click.echo("  seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in view["timings"].items()))


@bp.cli.command("prune-cache")
@click.option("--keep-days", type=click.FloatRange(min=0), default=0, show_default=True,
              help="Keep rows stored in the last N days even when no opinion refers to them.")
def prune_cache_command(keep_days):
    """Delete the per-text cache rows (normalisation and stance, segmentation) that no
    comment or survey answer refers to any more, and those of an older version."""
    from analysis.cache_pruning import prune_caches

    pruned = prune_caches(keep_days)
    click.echo(f"Normalisation and stance cache: {pruned.stance_deleted} deleted, "
               f"{pruned.stance_kept} kept.")
    click.echo(f"Segmentation cache: {pruned.segment_deleted} deleted, {pruned.segment_kept} kept.")


@bp.cli.command("worker")
@click.option("--queue", "queue_names", multiple=True,
              help="Queue name, repeatable (default: MAIL_QUEUE or 'mail', EXPORT_QUEUE or 'exports', "
                   "then ANALYSIS_QUEUE or 'analysis').")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
def worker_command(queue_names, burst):
    """Run an RQ worker for export and analysis jobs inside this app (needs REDIS_URL).

    Exports come first: they take seconds to minutes, an analysis may take much longer."""
    from flask import current_app
    from redis import Redis
    from rq import Queue

    from consult import answer_mail
    from consult.worker import PlatformWorker

    from analysis import export_jobs

    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException("REDIS_URL is not set.")
    connection = Redis.from_url(url)
    names = queue_names or (answer_mail.queue_name_of(current_app.config),
                            export_jobs.queue_name_of(current_app.config),
                            current_app.config.get("ANALYSIS_QUEUE", jobs.DEFAULT_QUEUE))
    PlatformWorker([Queue(name, connection=connection) for name in names],
                   connection=connection).work(burst=burst)
