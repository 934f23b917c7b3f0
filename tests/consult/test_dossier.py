"""The dossier: the team uploads, replaces and withdraws documents; the public lists and
downloads them. Files are checked by content and size, names are tidied, nothing is lost."""
from __future__ import annotations

import hashlib
import io
import re
import zipfile
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from consult import uploads
from consult.dossier.demo import minimal_docx
from consult.dossier.models import DossierDocument
from consult.extensions import db
from consult.models import AuditEvent
from consult.submissions.demo import sample_letter_pdf
from tests.factories import login, make_consultation, make_user
from tests.races import cookie_of, race, statuses

PAGE = "/quan-tri/tham-van/luat-htx/ho-so"
PDF_BYTES = sample_letter_pdf("To trinh")
DOCX_BYTES = minimal_docx(["TỜ TRÌNH", "Dự án Luật Hợp tác xã (sửa đổi)"])


@pytest.fixture()
def drafter(client, app):
    make_consultation()
    user = make_user("drafter", "drafter@example.vn")
    login(client, user)
    return user


def post_upload(client, data: bytes, filename: str, *, kind="submission", title="Tờ trình số 12/TTr-BKHĐT",
                url=PAGE):
    return client.post(url, data={"kind": kind, "title": title,
                                  "document": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def documents() -> list[DossierDocument]:
    return db.session.scalars(select(DossierDocument).order_by(DossierDocument.id)).all()


def audit_actions() -> list[str]:
    return db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("dossier_%"))
                              .order_by(AuditEvent.id)).all()


def docx_with(extra: dict[str, bytes], *, content_types: str | None = None) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(DOCX_BYTES))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "[Content_Types].xml" and content_types is not None:
                body = content_types.encode()
            package.writestr(item.filename, body)
        for name, body in extra.items():
            package.writestr(name, body)
    return buffer.getvalue()


# --- upload, replace, withdraw ------------------------------------------------------------------

def test_a_drafter_uploads_a_pdf_and_the_public_downloads_it(client, app, drafter):
    answer = post_upload(client, PDF_BYTES, "to-trinh.pdf")
    assert answer.status_code == 302
    [document] = documents()
    assert (document.kind, document.content_type, document.size) == ("submission", "application/pdf", len(PDF_BYTES))
    assert document.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert document.uploaded_by_id == drafter.id
    stored = app.instance_path + "/uploads/dossier/" + document.stored_name
    assert open(stored, "rb").read() == PDF_BYTES  # under UPLOAD_FOLDER: `flask backup` keeps it
    assert audit_actions() == ["dossier_upload"]

    client.post("/dang-xuat")
    public = client.get("/du-thao/luat-htx").text
    assert "Tờ trình số 12/TTr-BKHĐT" in public and "PDF · 1 KB" in public
    download = client.get(f"/du-thao/luat-htx/ho-so/{document.id}")
    assert download.status_code == 200 and download.data == PDF_BYTES
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"] == "attachment; filename=to-trinh.pdf"
    assert download.headers["Cache-Control"] == "public, max-age=3600"


def test_a_vietnamese_name_downloads_with_an_rfc5987_filename(client, drafter):
    decomposed = "Tờ trình dự án.docx".encode().decode()  # typed NFC, sent NFD below
    import unicodedata
    post_upload(client, DOCX_BYTES, unicodedata.normalize("NFD", decomposed), kind="impact_assessment")
    [document] = documents()
    assert document.filename == "Tờ trình dự án.docx"  # NFC
    assert document.content_type == uploads.DOCX
    download = client.get(f"/du-thao/luat-htx/ho-so/{document.id}")
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert "filename*=UTF-8''" + quote("Tờ trình dự án.docx") in disposition
    assert download.headers["Content-Type"] == uploads.DOCX


def test_replacing_keeps_the_earlier_version_downloadable(client, drafter):
    post_upload(client, PDF_BYTES, "v1.pdf")
    [first] = documents()
    answer = client.post(f"{PAGE}/{first.id}/thay-the", data={"title": "",
                         "document": (io.BytesIO(DOCX_BYTES), "v2.docx")}, content_type="multipart/form-data")
    assert answer.status_code == 302
    first, second = documents()
    assert first.replaced_by_id == second.id and first.superseded_at is not None
    assert second.title == first.title and second.kind == first.kind and second.replaced_by_id is None
    assert audit_actions() == ["dossier_upload", "dossier_replace"]
    client.post("/dang-xuat")
    public = client.get("/du-thao/luat-htx").text
    assert f"/du-thao/luat-htx/ho-so/{second.id}" in public
    assert "1 phiên bản trước" in public and "thay thế ngày" in public
    assert client.get(f"/du-thao/luat-htx/ho-so/{first.id}").data == PDF_BYTES
    assert client.get(f"/du-thao/luat-htx/ho-so/{second.id}").data == DOCX_BYTES


def test_a_stale_replace_is_refused_with_a_message(app, client, drafter):
    post_upload(client, PDF_BYTES, "v1.pdf")
    [first] = documents()
    for expected in (302, 409):
        answer = client.post(f"{PAGE}/{first.id}/thay-the", data={"document": (io.BytesIO(PDF_BYTES), "v.pdf")},
                             content_type="multipart/form-data")
        assert answer.status_code == expected
    assert "vừa được thay thế hoặc rút" in answer.text
    assert len(documents()) == 2 and documents()[1].replaced_by_id is None
    # the refused file is not left on disk: one stored file per row
    from consult.dossier import services

    assert sorted(p.name for p in services.upload_root(app).iterdir()) == sorted(d.stored_name for d in documents())


def test_withdrawing_needs_a_reason_and_hides_the_files(client, drafter):
    post_upload(client, PDF_BYTES, "v1.pdf")
    [first] = documents()
    client.post(f"{PAGE}/{first.id}/thay-the", data={"document": (io.BytesIO(DOCX_BYTES), "v2.docx")},
                content_type="multipart/form-data")
    second = documents()[1]
    empty = client.post(f"{PAGE}/{second.id}/rut", data={"reason": "   "})
    assert empty.status_code == 422 and "Hãy nêu lý do rút tài liệu." in empty.text
    answer = client.post(f"{PAGE}/{second.id}/rut", data={"reason": "Tải nhầm tệp của dự thảo khác"})
    assert answer.status_code == 302
    db.session.expire_all()
    assert documents()[1].withdrawal_reason == "Tải nhầm tệp của dự thảo khác"
    assert audit_actions()[-1] == "dossier_withdraw"
    assert client.get(f"{PAGE}/{second.id}/tep").status_code == 200  # the team keeps it
    client.post("/dang-xuat")
    public = client.get("/du-thao/luat-htx").text
    assert "Tải nhầm tệp của dự thảo khác" in public
    assert f"/ho-so/{second.id}" not in public and f"/ho-so/{first.id}" not in public
    assert client.get(f"/du-thao/luat-htx/ho-so/{second.id}").status_code == 404
    assert client.get(f"/du-thao/luat-htx/ho-so/{first.id}").status_code == 404


def test_a_hidden_consultations_documents_are_not_public(client, app, drafter):
    make_consultation("an-di", published=False)
    answer = post_upload(client, PDF_BYTES, "x.pdf", url="/quan-tri/tham-van/an-di/ho-so")
    assert answer.status_code == 302
    [document] = documents()
    assert client.get(f"/quan-tri/tham-van/an-di/ho-so/{document.id}/tep").status_code == 200
    client.post("/dang-xuat")
    assert client.get(f"/du-thao/an-di/ho-so/{document.id}").status_code == 404
    # nor through another consultation's address
    assert client.get(f"/du-thao/luat-htx/ho-so/{document.id}").status_code == 404


# --- bad input: a message, the input kept, never a 500 -----------------------------------------

HTML_AS_PDF = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
BAD_FILES = [
    (b"", "empty.pdf", "Tệp trống"),
    (HTML_AS_PDF, "to-trinh.pdf", "không phải là tài liệu PDF hay Word"),
    (b"%PDF-1.4\nnot really a pdf at all", "hong.pdf", "Tệp PDF này bị hỏng và không mở được"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "cu.doc", "tệp Word cũ (.doc)"),
    (b"PK\x03\x04 truncated zip", "hong.docx", "Tệp Word này bị hỏng"),
    (None, "macro.docm", "có macro"),
    (None, "goi.docx", "không phải là tài liệu PDF hay Word"),
]


@pytest.mark.parametrize("data, filename, message", BAD_FILES)
def test_a_bad_file_gets_a_clear_message(client, drafter, data, filename, message):
    if filename == "macro.docm":
        data = docx_with({"word/vbaProject.bin": b"\x00" * 10})
    elif filename == "goi.docx":  # a zip, but not a Word document
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as package:
            package.writestr("readme.txt", "hello")
        data = buffer.getvalue()
    answer = post_upload(client, data, filename, title="Tiêu đề giữ lại")
    assert answer.status_code == 422
    assert message in answer.text
    assert 'value="Tiêu đề giữ lại"' in answer.text  # the title typed is kept
    assert documents() == [] and "dossier_upload" not in audit_actions()


def test_a_macro_enabled_content_type_is_refused(client, drafter):
    types = zipfile.ZipFile(io.BytesIO(DOCX_BYTES)).read("[Content_Types].xml").decode()
    data = docx_with({}, content_types=types.replace("document.main+xml", "document.macroEnabled.main+xml"))
    assert "có macro" in post_upload(client, data, "a.docx").text


def test_no_file_chosen(client, drafter):
    answer = client.post(PAGE, data={"kind": "submission", "title": "x"})
    assert answer.status_code == 422 and "Hãy chọn tệp cần tải lên" in answer.text


@pytest.mark.parametrize("app_config", [{"DOSSIER_MAX_BYTES": 1536 * 1024}])
def test_a_file_over_the_limit_is_refused_in_words(client, drafter):
    answer = post_upload(client, PDF_BYTES + b"%" * (2 * 1024 * 1024), "lon.pdf", title="Giữ lại")
    assert answer.status_code == 422
    assert "Tệp lớn hơn mức 1,5 MB cho phép" in answer.text  # the setting's figure, Vietnamese format
    assert 'value="Giữ lại"' in answer.text and documents() == []


@pytest.mark.parametrize("app_config", [{"DOSSIER_MAX_BYTES": 1000, "MAX_CONTENT_LENGTH": 1000}])
def test_a_body_over_even_the_dossier_limit_gets_the_team_page(client, app, drafter):
    from consult.dossier import services
    services_margin = services.BODY_MARGIN
    answer = post_upload(client, PDF_BYTES + b"%" * (services_margin + 5000), "rat-lon.pdf")
    assert answer.status_code == 413
    assert "lớn hơn mức" in answer.text and "Hồ sơ dự thảo" in answer.text
    assert documents() == []


def test_the_dossier_pages_take_bodies_above_the_app_limit(client, app, drafter):
    big = PDF_BYTES + b"%" * (11 * 1024 * 1024)  # over the 10 MB request limit, under 20 MB
    answer = post_upload(client, big, "bao-cao.pdf")
    assert answer.status_code == 302
    assert documents()[0].size == len(big)
    # other pages keep the app's 10 MB limit
    assert client.post("/du-thao/luat-htx/gop-y-chung", data={"body": "x" * (11 * 1024 * 1024)}).status_code == 413


@pytest.mark.parametrize("sent, kept", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:/Users/an/Tờ trình.pdf", "Tờ trình.pdf"),
    ("to\x00trinh.pdf", "totrinh.pdf"),
    (" ... ", "Tờ trình.pdf"),  # nothing left: the kind's name
    ("a" * 400 + ".pdf", "a" * 176 + ".pdf"),
    ("bao-cao.docx", "bao-cao.pdf"),  # named .docx, but a PDF: the name follows the content
])
def test_file_names_are_tidied_and_the_team_is_told(client, drafter, sent, kept):
    answer = client.post(PAGE, data={"kind": "submission", "title": "",
                                     "document": (io.BytesIO(PDF_BYTES), sent)},
                         content_type="multipart/form-data", follow_redirects=True)
    assert answer.status_code == 200
    [document] = documents()
    assert document.filename == kept
    assert document.stored_name.endswith(".pdf") and "/" not in document.stored_name
    if sent.replace("\x00", "") != kept:
        assert "Tên tệp đã được làm gọn" in answer.text


def test_a_title_of_invisible_characters_is_refused(client, drafter):
    answer = post_upload(client, PDF_BYTES, "a.pdf", title="\u200b\u200b")
    assert answer.status_code == 422 and documents() == []


def test_an_unknown_kind_is_refused(client, drafter):
    answer = post_upload(client, PDF_BYTES, "a.pdf", kind="<script>")
    assert answer.status_code == 422 and "Hãy chọn loại tài liệu." in answer.text


# --- who may do it -------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["moderator", "officer"])
def test_other_roles_get_403(client, app, role):
    make_consultation()
    login(client, make_user(role, f"{role}@example.vn"))
    assert client.get(PAGE).status_code == 403
    assert post_upload(client, PDF_BYTES, "a.pdf").status_code == 403
    assert documents() == []


def test_anonymous_is_sent_to_login(client, app):
    make_consultation()
    answer = post_upload(client, PDF_BYTES, "a.pdf")
    assert answer.status_code == 302 and "/dang-nhap" in answer.headers["Location"]
    assert client.get(PAGE).status_code == 302


def test_unknown_consultation_or_document_is_404(client, drafter):
    assert client.get("/quan-tri/tham-van/khong-co/ho-so").status_code == 404
    assert client.post(f"{PAGE}/999/rut", data={"reason": "x"}).status_code == 404
    assert client.get("/du-thao/luat-htx/ho-so/999").status_code == 404
    assert client.get("/du-thao/luat-htx/ho-so/99999999999").status_code == 404


def login_with_csrf(client, user):
    form = client.get("/dang-nhap").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    client.post("/dang-nhap", data={"csrf_token": token, "email": user.email, "password": "mat-khau-dai-123"})


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_csrf_is_required(client, app):
    make_consultation()
    login_with_csrf(client, make_user("drafter", "drafter@example.vn"))
    answer = post_upload(client, PDF_BYTES, "a.pdf")
    assert answer.status_code == 400 and documents() == []
    page = client.get(PAGE).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    answer = client.post(PAGE, data={"csrf_token": token, "kind": "submission", "title": "",
                                     "document": (io.BytesIO(PDF_BYTES), "a.pdf")},
                         content_type="multipart/form-data")
    assert answer.status_code == 302 and len(documents()) == 1


def test_the_team_page_lists_documents_and_history(client, drafter):
    post_upload(client, PDF_BYTES, "v1.pdf")
    [first] = documents()
    client.post(f"{PAGE}/{first.id}/thay-the", data={"document": (io.BytesIO(DOCX_BYTES), "v2.docx")},
                content_type="multipart/form-data")
    page = client.get(PAGE).text
    assert "v1.pdf" in page and "v2.docx" in page and "1 phiên bản trước" in page


# --- a double click ------------------------------------------------------------------------------

def upload_form_key(client) -> str:
    """The one-time key of the upload form as the team page draws it."""
    return re.search(r'name="form_key" type="hidden" value="([^"]+)"', client.get(PAGE).text).group(1)


def stored_files(app) -> list[str]:
    import os

    folder = os.path.join(app.instance_path, "uploads", "dossier")
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def upload_data(form_key: str) -> dict:
    return {"kind": "submission", "title": "Tờ trình số 12/TTr-BKHĐT", "form_key": form_key,
            "document": (io.BytesIO(PDF_BYTES), "to-trinh.pdf")}


def test_the_same_upload_form_sent_twice_stores_one_document(app, client, drafter):
    key = upload_form_key(client)
    first = client.post(PAGE, data=upload_data(key), content_type="multipart/form-data")
    again = client.post(PAGE, data=upload_data(key), content_type="multipart/form-data",
                        follow_redirects=True)
    assert first.status_code == 302 and again.status_code == 200
    assert "Tài liệu đã được đăng vào hồ sơ dự thảo." in again.text
    [document] = documents()
    assert stored_files(app) == [document.stored_name]
    assert audit_actions() == ["dossier_upload"]


def test_six_identical_uploads_at_once_store_one_document_and_one_file(app, client, drafter):
    key = upload_form_key(client)
    results = race(app, lambda twin: twin.post(PAGE, data=upload_data(key),
                                               content_type="multipart/form-data"),
                   cookie=cookie_of(client))
    assert statuses(results) == [302] * 6, results
    assert {result.location for result in results} == {PAGE}
    db.session.expire_all()
    [document] = documents()
    assert stored_files(app) == [document.stored_name]
    assert audit_actions() == ["dossier_upload"]


def test_two_upload_forms_store_two_documents(app, client, drafter):
    for _ in range(2):
        client.post(PAGE, data=upload_data(upload_form_key(client)), content_type="multipart/form-data")
    assert len(documents()) == 2 and len(stored_files(app)) == 2


def test_a_key_of_another_consultations_document_does_not_hide_an_upload(app, client, drafter):
    make_consultation(slug="luat-khac", title="Luật khác")
    key = upload_form_key(client)
    client.post("/quan-tri/tham-van/luat-khac/ho-so", data=upload_data(key),
                content_type="multipart/form-data")
    client.post(PAGE, data=upload_data(key), content_type="multipart/form-data")
    assert sorted(document.consultation.slug for document in documents()) == ["luat-htx", "luat-khac"]


# --- pure checks -------------------------------------------------------------------------------

@pytest.mark.parametrize("sent, kept", [
    ("C:\\Users\\an\\Tờ trình.docx", "Tờ trình.docx"),
    ("..\\..\\x.pdf", "x.docx"),
    ("a<b>c|d?.docx", "a b c d.docx"),
    ("\u202etxt.exe", "txt.exe.docx"),
])
def test_clean_filename(sent, kept):
    assert uploads.clean_filename(sent, ".docx", "Tài liệu") == kept


def test_check_document_decides_by_content():
    assert uploads.check_document(PDF_BYTES, 10**6).content_type == uploads.PDF
    assert uploads.check_document(DOCX_BYTES, 10**6).content_type == uploads.DOCX
    with pytest.raises(uploads.InvalidUpload) as error:
        uploads.check_document(b"GIF89a....", 10**6)
    assert error.value.code == "wrong_type"


def test_the_demo_has_a_dossier(app):
    from consult import demo

    demo.load_demo("mat-khau-dai-123")
    rows = db.session.scalars(select(DossierDocument)).all()
    assert {row.kind for row in rows} == {"submission", "impact_assessment"}
    assert db.session.scalar(select(func.count()).select_from(DossierDocument)
                             .where(DossierDocument.replaced_by_id.is_not(None))) == 1
    from consult.dossier import services

    for row in rows:  # the files made in memory pass the checks an upload goes through
        data = open(services.upload_root(app) / row.stored_name, "rb").read()
        assert uploads.check_document(data, 10**6).content_type == row.content_type


def test_dossier_files_live_where_the_backup_looks(app):
    from consult.backup import file_roots
    from consult.dossier import services

    assert services.upload_root(app).parent == file_roots(app)["uploads"]


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(PDF_BYTES)))
    writer.encrypt(user_password="bi-mat", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_password_protected_pdf_is_refused(client, drafter):
    answer = post_upload(client, encrypted_pdf(), "mat-khau.pdf")
    assert answer.status_code == 422 and "Tệp PDF này có mật khẩu" in answer.text
    assert documents() == []


def test_a_title_with_markup_is_shown_as_text(client, app, drafter):
    post_upload(client, PDF_BYTES, "a.pdf", title="<script>alert(1)</script> Tờ trình")
    page = app.test_client().get("/du-thao/luat-htx").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Tờ trình" in page and "<script>alert(1)" not in page


def test_a_bad_replacement_keeps_the_current_version_and_says_why(client, drafter):
    post_upload(client, PDF_BYTES, "v1.pdf")
    [first] = documents()
    answer = client.post(f"{PAGE}/{first.id}/thay-the", data={"title": "T" * 501,
                         "document": (io.BytesIO(HTML_AS_PDF), "v2.pdf")}, content_type="multipart/form-data")
    assert answer.status_code == 422
    assert "không phải là tài liệu PDF hay Word" in answer.text
    assert "Tiêu đề dài tối đa 500 ký tự." in answer.text
    assert len(documents()) == 1 and documents()[0].replaced_by_id is None


@pytest.mark.parametrize("app_config", [{"DOSSIER_MAX_BYTES": 1000, "MAX_CONTENT_LENGTH": 1000,
                                         "WTF_CSRF_ENABLED": True}])
def test_a_large_body_from_another_role_gets_the_plain_413_page(client, app):
    """The CSRF check reads the body before the view checks the role: the 413 comes first,
    and must not show the team page to someone who may not see it."""
    from consult.dossier import services

    make_consultation()
    login_with_csrf(client, make_user("moderator", "mod@example.vn"))
    answer = post_upload(client, PDF_BYTES + b"%" * (services.BODY_MARGIN + 5000), "x.pdf")
    assert answer.status_code == 413 and "Hồ sơ dự thảo" not in answer.text
    assert documents() == []


# --- a double click on "replace" ------------------------------------------------------------------

def replace_form_key(client, document_id: int, page: str | None = None) -> str:
    """The one-time key of a document's replace form as the team page draws it."""
    page = page or client.get(PAGE).text
    start = page.index(f'action="{PAGE}/{document_id}/thay-the"')
    form = page[start:page.index("</form>", start)]
    return re.search(r'name="form_key" type="hidden" value="([^"]+)"', form).group(1)


def replace_data(form_key: str) -> dict:
    return {"title": "", "form_key": form_key, "document": (io.BytesIO(DOCX_BYTES), "v2.docx")}


def test_the_same_replace_form_sent_twice_publishes_one_version(app, client, drafter):
    post_upload(client, PDF_BYTES, "v1.pdf")
    [first] = documents()
    key = replace_form_key(client, first.id)
    answer = client.post(f"{PAGE}/{first.id}/thay-the", data=replace_data(key),
                         content_type="multipart/form-data")
    again = client.post(f"{PAGE}/{first.id}/thay-the", data=replace_data(key),
                        content_type="multipart/form-data")
    assert (answer.status_code, again.status_code) == (302, 302)
    assert again.location == answer.location
    assert "Phiên bản mới đã được đăng" in client.get(PAGE).text
    first, second = documents()
    assert first.replaced_by_id == second.id and second.replaced_by_id is None
    assert stored_files(app) == sorted([first.stored_name, second.stored_name])
    assert audit_actions() == ["dossier_upload", "dossier_replace"]


def test_each_document_gets_its_own_replace_key(client, drafter):
    post_upload(client, PDF_BYTES, "a.pdf")
    post_upload(client, DOCX_BYTES, "b.docx", kind="impact_assessment")
    one, two = documents()
    page = client.get(PAGE).text
    assert replace_form_key(client, one.id, page) != replace_form_key(client, two.id, page)


def test_six_identical_replaces_at_once_publish_one_version_and_one_file(app, client, drafter):
    post_upload(client, PDF_BYTES, "v1.pdf")
    [first] = documents()
    key = replace_form_key(client, first.id)
    results = race(app, lambda twin: twin.post(f"{PAGE}/{first.id}/thay-the", data=replace_data(key),
                                               content_type="multipart/form-data"),
                   cookie=cookie_of(client))
    assert statuses(results) == [302] * 6, results
    assert {result.location for result in results} == {PAGE}
    db.session.expire_all()
    first, second = documents()
    assert first.replaced_by_id == second.id and second.replaced_by_id is None
    assert stored_files(app) == sorted([first.stored_name, second.stored_name])
    assert audit_actions() == ["dossier_upload", "dossier_replace"]


def test_a_replace_key_used_elsewhere_neither_fails_nor_hides_a_replacement(app, client, drafter):
    post_upload(client, PDF_BYTES, "a.pdf")
    post_upload(client, DOCX_BYTES, "b.docx", kind="impact_assessment")
    one, two = documents()
    key = replace_form_key(client, one.id)
    client.post(f"{PAGE}/{one.id}/thay-the", data=replace_data(key), content_type="multipart/form-data")
    answer = client.post(f"{PAGE}/{two.id}/thay-the", data=replace_data(key),
                         content_type="multipart/form-data")
    assert answer.status_code == 302
    db.session.expire_all()
    assert len([document for document in documents() if document.replaced_by_id]) == 2
    assert len(stored_files(app)) == 4
    upload_key = upload_form_key(client)  # an upload form's key sent with a replace
    client.post(PAGE, data=upload_data(upload_key), content_type="multipart/form-data")
    current = [document for document in documents() if document.replaced_by_id is None][0]
    answer = client.post(f"{PAGE}/{current.id}/thay-the", data=replace_data(upload_key),
                         content_type="multipart/form-data")
    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.get(DossierDocument, current.id).replaced_by_id is not None
