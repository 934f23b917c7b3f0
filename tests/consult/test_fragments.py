"""A published version's article text and its pristine comment fields are rendered once per
process and language and kept (consult/fragments.py); input and errors are never kept."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from consult.extensions import db
from consult.models import Provision
from tests.factories import make_consultation

ARTICLE = "/du-thao/luat-htx/dieu-3"


@pytest.fixture()
def consultation(app):
    return make_consultation()


def _renders(app, monkeypatch) -> list[str]:
    """The names of the macros ``kept`` had to run (a kept fragment runs none)."""
    from consult import fragments

    ran: list[str] = []
    original = fragments.kept

    def counting(key, render, *args, **kwargs):
        def traced(*a, **k):
            ran.append(key[0] if key else "unkept")
            return render(*a, **k)
        return original(key, traced, *args, **kwargs)

    monkeypatch.setitem(app.jinja_env.globals, "kept", counting)
    return ran


def test_an_article_is_rendered_once_then_kept(app, client, consultation, monkeypatch):
    ran = _renders(app, monkeypatch)
    first = client.get(ARTICLE).text
    again = client.get(ARTICLE).text
    assert sorted(ran) == ["article-body", "comment-fields"]  # the second view rendered neither
    text = db.session.scalar(select(Provision.text).where(Provision.anchor == "dieu-3-khoan-1"))
    for page in (first, again):
        assert text.split()[0] in page and 'name="body"' in page and 'id="body-hint"' in page
        assert 'aria-describedby="body-hint"' in page


def test_a_version_published_again_is_rendered_anew(app, client, consultation, monkeypatch):
    client.get(ARTICLE)
    version = consultation.draft.current_version
    clause = db.session.scalar(select(Provision).where(Provision.version_id == version.id,
                                                       Provision.anchor == "dieu-3-khoan-1"))
    clause.text = "Văn bản đã sửa khi công bố lại."
    version.published_at = version.published_at + timedelta(seconds=1)
    db.session.commit()
    assert "Văn bản đã sửa khi công bố lại." in client.get(ARTICLE).text


def test_typed_text_and_errors_are_shown_but_never_kept(app, client, consultation, monkeypatch):
    ran = _renders(app, monkeypatch)
    client.get(ARTICLE)
    refused = client.post(ARTICLE, data={"body": "x" * 20_000, "provision": "", "form_key": "k-1"})
    assert refused.status_code in (200, 400, 422) and "x" * 20_000 in refused.text
    assert 'aria-invalid="true"' in refused.text
    after = client.get(ARTICLE).text
    assert "x" * 100 not in after and 'aria-invalid="true"' not in after
    assert ran.count("unkept") == 1 and ran.count("comment-fields") == 1


def test_the_page_in_english_is_kept_apart_from_the_vietnamese(app, client, consultation):
    vietnamese = client.get(ARTICLE).text
    english = client.get(ARTICLE + "?lang=en").text
    assert "Your opinion is published after moderation." in english
    assert "Your opinion is published after moderation." not in vietnamese
    assert "Your opinion is published after moderation." not in client.get(ARTICLE + "?lang=vi").text


def test_comment_cards_are_kept_until_the_author_erases_their_name(app, client, consultation, monkeypatch):
    from consult import comments as comment_service
    from tests.consult.decision_factories import comment

    made = comment(consultation, "dieu-3-khoan-1", "Đề nghị bổ sung quyền của thành viên.")
    made.contribution.name = "Nguyễn Văn Hiển"
    db.session.commit()
    ran = _renders(app, monkeypatch)
    assert "Nguyễn Văn Hiển" in client.get(ARTICLE).text
    assert "Nguyễn Văn Hiển" in client.get(ARTICLE).text
    assert ran.count("comment-card") == 1  # the second view used the kept card
    assert comment_service.erase_personal_data(made.contribution)
    db.session.commit()
    page = client.get(ARTICLE).text
    assert "Nguyễn Văn Hiển" not in page and "Đề nghị bổ sung quyền của thành viên." in page
    assert ran.count("comment-card") == 2


def test_the_plain_hidden_fields_are_what_wtforms_writes(app):
    """consult/templates/_antibot.html writes the honeypot and the hidden fields as plain HTML
    (WTForms' widgets were a third of the comment form's cost): the same markup, escaped."""
    from consult.forms import CommentForm

    with app.test_request_context("/", method="POST", data={"website": '"><script>x</script>',
                                                            "form_key": "k<&>"}):
        form = CommentForm()
        module = app.jinja_env.get_template("_antibot.html").module
        expected = (f'<div class="trap" aria-hidden="true">{form.website.label}'
                    f'{form.website(tabindex="-1", autocomplete="off")}</div>{form.form_started}')
        assert str(module.human_check(form)) == expected
        assert str(module.hidden_input(form.form_key)) == str(form.form_key)
        assert "&lt;script&gt;" in expected
