"""Stance by transparent rules (issue 12): negation scope, no diacritics, teen-code, and
the cue words behind every decision."""
import pytest

from analysis.text.normalise import prepare
from analysis.text.stance import classify


def decide(text):
    return classify(prepare(text).text)


@pytest.mark.parametrize("text, stance, cue", [
    ("giáo trình chưa có hợp lý", "disagree", "chưa có hợp lý"),
    ("Tôi không đồng ý với Điều 12.", "disagree", "không đồng ý"),
    ("toi khong dong y voi dieu 12", "disagree", "khong dong y"),
    ("ko đồng ý với quy định này", "disagree", "không đồng ý"),
    ("k dc hợp lý lắm", "disagree", "không được hợp lý"),
    ("Quy định này chẳng phù hợp với hợp tác xã nhỏ.", "disagree", "chẳng phù hợp"),
    ("Không nên bỏ quy định này.", "disagree", "không nên"),
    ("Tôi phản đối việc tăng lệ phí.", "disagree", "phản đối"),
    ("Tôi không hề tán thành điều này", "disagree", "không hề tán thành"),
    ("Tôi hoàn toàn nhất trí với khoản 2.", "agree", "nhất trí"),
    ("ok, quy định này hợp lý", "agree", "hợp lý"),
    ("thầy dạy không tệ", "agree", "không tệ"),
    ("Nhất trí, không có ý kiến gì thêm.", "agree", "không có ý kiến"),
    ("Đề nghị bổ sung quy định về thành viên liên kết.", "proposes_change", "đề nghị"),
    ("de nghi bo sung thoi han 30 ngay", "proposes_change", "de nghi"),
    ("Nhất trí, nhưng nên giảm tỷ lệ xuống còn 50%.", "proposes_change", "nên"),
    ("Tài sản không chia có được dùng để góp vốn không?", "question", None),
    ("Quy định này có hợp lý không?", "question", None),
    ("Hợp tác xã ở quê tôi có hơn ba trăm thành viên.", "unclear", None),
])
def test_stance_and_the_cue_words_that_decided_it(text, stance, cue):
    decision = decide(text)
    assert decision.stance == stance
    if cue is None:
        assert decision.cues == ()
    else:
        assert cue in decision.cues


def test_an_explicit_stance_verb_outweighs_the_descriptive_words_after_it():
    decision = decide("Tôi không đồng ý vì giảng viên dạy dễ hiểu, tận tình, đầy đủ.")
    assert decision.stance == "disagree" and decision.cues == ("không đồng ý",)


def test_the_clause_after_a_contrast_word_weighs_more():
    assert decide("thầy dạy hay nhưng hơi khó hiểu").stance == "disagree"
    assert decide("bài tập hơi khó nhưng thầy rất nhiệt tình, dễ hiểu").stance == "agree"


def test_negation_does_not_reach_past_its_clause_or_scope():
    assert decide("Không có gì phải bàn, quy định này hợp lý.").stance == "agree"
    assert decide("không chỉ hợp lý mà còn cần thiết").stance == "agree"


def test_plain_words_that_are_usually_other_words_are_not_cues_without_marks():
    # "toi" is tôi, not tồi; "thay" is thấy, not thay
    assert decide("toi thay quy dinh nay hop ly").stance == "agree"
    assert decide("toi thay quy dinh nay hop ly").cues == ("hop ly",)


def test_polarity_says_approval_or_disapproval_only():
    assert decide("Tôi đồng ý, đề nghị giữ nguyên.").polarity == 1
    assert decide("Tôi không đồng ý, đề nghị sửa.").polarity == -1
    assert decide("Đề nghị sửa khoản 2.").polarity == 0
