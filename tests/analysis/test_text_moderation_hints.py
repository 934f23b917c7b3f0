"""Moderation hints (issue 12): insults, hate, spam, personal data, off-topic, with the
words that triggered them; shown on the queue, hiding nothing."""
import pytest

from analysis.text.moderation_hints import hints
from consult.extensions import db
from tests.analysis.text_factories import add_comment
from tests.factories import login, make_consultation, make_user


def kinds(text, context=None):
    return {hint.kind: hint.words for hint in hints(text, context)}


@pytest.mark.parametrize("text, word", [
    ("đm thằng soạn luật này", "đm"),
    ("dm bọn này", "dm"),
    ("luật gì mà vcl thật", "vcl"),
    ("dmm ai viết cái này", "dmm"),
    ("đồ óc chó", "óc chó"),
    ("do oc cho", "oc cho"),            # without diacritics
    ("ngu như bò", "ngu như bò"),
    ("Đ.Ĩ", "đĩ"),                       # letters split by a dot
    ("nguuuu vậy", "ngu"),               # stretched letters
])
def test_insults_are_found_in_every_spelling(text, word):
    assert word in kinds(text).get("insult", ())


def test_hate_words_are_flagged_apart_from_insults():
    assert "bắc kỳ" in kinds("bọn bắc kỳ này").get("hate", ())
    assert "bac ky" in kinds("bon bac ky").get("hate", ())


def test_an_intensifier_alone_is_not_an_insult_but_with_another_word_it_is():
    assert "insult" not in kinds("hay vl")
    assert "insult" in kinds("ngu vl")


def test_innocent_words_spelled_like_insults_without_marks_are_left_alone():
    assert kinds("Đề nghị cho hợp tác xã được vay vốn ưu đãi, tôi thấy hợp lý") == {}
    assert kinds("de nghi cho hop tac xa duoc vay von uu dai") == {}


def test_personal_data_phone_email_and_id_numbers():
    found = kinds("Liên hệ 0912 345 678 hoặc an.nguyen@example.vn, CCCD 001203004567")
    assert set(found["personal_data"]) == {"0912 345 678", "an.nguyen@example.vn", "001203004567"}
    assert "+84912345678" in kinds("gọi +84912345678").get("personal_data", ())


def test_spam_links_and_repetition():
    assert "https://vay-nhanh.example.com" in kinds("Vay tiền nhanh https://vay-nhanh.example.com").get("spam", ())
    assert kinds("mua đi mua đi mua đi mua đi mua đi").get("spam")


def test_off_topic_needs_no_shared_word_with_the_provision_and_no_stance():
    context = "Điều 12. Thành viên hợp tác xã phải góp vốn theo điều lệ"
    assert kinds("Hôm nay trời đẹp quá, cả nhà mình đi chơi công viên và ăn kem", context).get("off_topic")
    assert "off_topic" not in kinds("Mức góp tối thiểu nên để đại hội quyết, khỏi ghi vào đây", context)


def test_the_queue_shows_hints_with_their_words_and_keeps_the_comment(app, client):
    consultation = make_consultation()
    rude = add_comment(consultation, "dieu-3", "Thằng nào viết luật này ngu vl <b>x</b>", status="pending")
    calm = add_comment(consultation, "dieu-3", "Đề nghị giảm lệ phí đăng ký.", status="pending")
    db.session.commit()
    login(client, make_user("moderator"))
    page = client.get("/quan-tri/kiem-duyet?lang=en").get_data(as_text=True)
    assert f'id="comment-{rude.id}"' in page and f'id="comment-{calm.id}"' in page
    rude_part = page.split(f'id="comment-{rude.id}"')[1].split("</article>")[0]
    calm_part = page.split(f'id="comment-{calm.id}"')[1].split("</article>")[0]
    assert "Possible insult" in rude_part and "ngu" in rude_part
    assert "&lt;b&gt;x&lt;/b&gt;" in rude_part
    assert "moderation-hints" not in calm_part
    assert db.session.get(type(rude), rude.id).status == "pending"


@pytest.mark.parametrize("text, word", [
    ("đồ lòn", "lòn"),
    ("cái lôn gì vậy", "lôn"),
    ("qq gì mà qq", "qq"),
    ("con đỉ", "đỉ"),
    ("giáo dục thối nát", "thối nát"),
    ("im mẹ mồm đi", "im mẹ"),
    ("không có não à", "không có não"),
    ("ko có não à", "ko có não"),
    ("lon gi vay", "lon"),                # without marks: in comments mostly not a can
])
def test_more_spellings_and_insults_of_comment_language(text, word):
    assert word in kinds(text).get("insult", ())


def test_a_weak_word_alone_is_a_hint_in_a_short_comment_or_aimed_at_someone():
    assert kinds("Tức vl") == {"insult": ("vl",)}
    assert "insult" not in kinds("đẹp vãi")          # an intensifier of praise
    aimed = "mấy hôm nay con này cứ lên mạng khoe khoang suốt, chẳng biết để não ở đâu"
    assert kinds(aimed).get("insult") == ("não",)
    neutral = "bác sĩ nói chấn thương ở não cần nghỉ ngơi vài tuần rồi mới đi làm lại được"
    assert "insult" not in kinds(neutral)


def test_familiar_address_alone_in_a_long_comment_is_no_insult():
    text = ("Thằng bé nhà tôi năm nay vào lớp một, đề nghị giảm học phí cho các cháu ở vùng sâu "
            "vùng xa")
    assert "insult" not in kinds(text)
    assert "insult" in kinds("thằng soạn luật này ngu thật")
