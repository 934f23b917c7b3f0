"""Vietnamese first: every message has a vi translation; locale choice; vi formats."""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime

from babel.messages.pofile import read_po

from consult.i18n import POT_FILE, TRANSLATIONS, untranslated
from tests.factories import make_consultation


def test_every_message_in_the_code_has_a_vietnamese_translation(tmp_path):
    """Extract afresh from the code so a new string without a vi entry fails here."""
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract",
                    "-F", str(TRANSLATIONS / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
                    "-o", str(pot), str(TRANSLATIONS.parent)], check=True)
    with pot.open("rb") as handle:
        wanted = {message.id if isinstance(message.id, str) else message.id[0]
                  for message in read_po(handle) if message.id}
    with (TRANSLATIONS / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {message.id if isinstance(message.id, str) else message.id[0]
                  for message in catalog
                  if message.id and not message.fuzzy and all(
                      message.string if isinstance(message.string, tuple) else [message.string])}
    missing = sorted(wanted - translated)
    assert not missing, f"{len(missing)} messages lack a vi translation: {missing[:20]}"
    assert untranslated("vi") == []


def test_pot_file_is_kept_beside_the_catalogs():
    assert POT_FILE.parent == TRANSLATIONS


def test_default_locale_is_vietnamese(client):
    make_consultation()
    page = client.get("/", headers={"Accept-Language": "fr"})
    assert 'lang="vi"' in page.text and "Góp ý dự thảo" in page.text


def test_lang_parameter_switches_and_is_remembered(client):
    make_consultation()
    english = client.get("/?lang=en")
    assert 'lang="en"' in english.text and "Public consultation on draft legal documents" in english.text
    assert 'lang="en"' in client.get("/").text
    assert 'lang="vi"' in client.get("/?lang=vi").text


def test_an_english_browser_still_gets_vietnamese_until_the_person_chooses(client):
    make_consultation()
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert 'lang="vi"' in page.text and "Góp ý dự thảo" in page.text
    chosen = client.get("/?lang=en", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert 'lang="en"' in chosen.text


def test_every_page_has_a_language_switch(client):
    make_consultation()
    for url in ("/", "/du-thao/luat-htx", "/du-thao/luat-htx/dieu-1", "/dang-nhap", "/bien-nhan"):
        text = client.get(url).text
        assert 'hreflang="en"' in text, url


def test_vietnamese_dates_and_numbers(app):
    with app.test_request_context("/"):
        env = app.jinja_env
        assert env.from_string("{{ d|vn_date }}").render(d=datetime(2026, 11, 28, 3, 0)) == "28/11/2026"
        assert env.from_string("{{ n|vn_number }}").render(n=1234) == "1.234"
        # 20:30 UTC is 03:30 the next day in Hà Nội
        assert env.from_string("{{ d|vn_datetime }}").render(d=datetime(2026, 11, 28, 20, 30)) == "03:30 29/11/2026"
