"""Bad input never crashes the pipeline or leaves a job stuck; odd opinions are flagged."""
import pytest

from analysis import jobs
from analysis.results import TextAnalysis
from analysis.text import Opinion, analyse
from analysis.text.normalise import prepare
from consult.extensions import db
from tests.analysis.text_factories import add_comment, provision
from tests.factories import make_consultation


@pytest.fixture()
def app_config():
    """Runs happen in-process here, whatever REDIS_URL the environment sets."""
    return {"REDIS_URL": None}


BAD = {
    "empty": "",
    "spaces": "   \n\t  ",
    "emoji": "😡😡👎👎 🙏",
    "caps": "TÔI KHÔNG ĐỒNG Ý VỚI VIỆC TĂNG VỐN GÓP TỐI THIỂU CHO HỢP TÁC XÃ NÔNG NGHIỆP",
    "teen": "ko dc tăng vốn góp đâu, ng dân hok có tiền, htx sẽ mất tv",
    "huge": ("Hợp tác xã cần được hỗ trợ vốn vay ưu đãi để mở rộng sản xuất. " * 800)[:50_000],
    "english": "I strongly disagree with this article because the minimum capital is far too high.",
    "chinese": "我不同意这个规定",
    "stopwords": "và của là những các thì mà",
    "control": "Đề nghị\x00 bỏ\u200b quy định\x07 này",
    "lone_surrogate": "Đề nghị bỏ \ud800 quy định này",
    "mojibake": "Äá» nghá»‹ bá» quy Ä‘á»‹nh nÃ y",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_one_bad_opinion_alone_is_handled(name):
    result = analyse([Opinion(1, BAD[name])])
    assert result.input_count == 1
    assert sum(result.stance_opinions.values()) == result.analysed_count


def test_flags_name_what_is_odd():
    flags = {name: prepare(text).flags for name, text in BAD.items()}
    assert flags["empty"] == {"empty"} and flags["spaces"] == {"empty"}
    assert flags["emoji"] == {"emoji_only"}
    assert "all_caps" in flags["caps"]
    assert "teen_code" in flags["teen"]
    assert "truncated" in flags["huge"]
    assert "not_vietnamese" in flags["english"] and "not_vietnamese" in flags["chinese"]
    assert prepare(BAD["teen"]).text.startswith("không được tăng vốn góp đâu, người dân không có tiền")
    assert len(prepare(BAD["huge"]).text) <= 5000


def test_all_bad_opinions_together_with_good_ones():
    opinions = [Opinion(i + 1, text) for i, text in enumerate(BAD.values())]
    opinions.append(Opinion(100, "Đề nghị giảm vốn góp tối thiểu để người nghèo vào được hợp tác xã."))
    result = analyse(opinions)
    assert result.flags["empty"] == 2
    assert result.flags["emoji_only"] == 1
    assert result.flags["no_content"] >= 1
    assert result.analysed_count == len(opinions) - 3


def test_a_job_over_bad_comments_finishes(app):
    consultation = make_consultation()
    for text in BAD.values():
        add_comment(consultation, "dieu-3", text)
    db.session.commit()
    result_id = jobs.run_analysis("article", provision(consultation, "dieu-3").id)
    row = db.session.get(TextAnalysis, result_id)
    assert row.status == "done", row.error
    assert row.input_count == len(BAD)
    assert row.view()["flags"]["truncated"] == 1


def test_no_opinion_at_all_gives_an_empty_result():
    result = analyse([])
    assert result.input_count == 0 and result.groups == [] and result.campaigns == []
    assert result.summary == []
