"""The pure open-text pipeline on text written here: planted themes, planted campaigns.

Run with ``pytest -s`` to see the measured figures.
"""
import unicodedata

import pytest

from analysis.text import AnalysisParams, Opinion, SegmentCache, analyse
from analysis.text.campaigns import jaccard, shingles
from analysis.text.normalise import prepare
from analysis.text.quality import campaign_scores, purity, segmentation_scores
from analysis.text.segment import default_segmenter, split_sentences
from analysis.text.stance import stance_of
from analysis.text.synthetic import generate
from consult.textnorm import strip_marks

WIDE = AnalysisParams(max_ids=10**6, max_campaigns=10**4)

BASE = ("Đề nghị bỏ quy định buộc hợp tác xã nông nghiệp phải kiểm toán báo cáo tài chính hằng năm. "
        "Chi phí kiểm toán quá cao so với doanh thu của hợp tác xã nhỏ, nên chỉ kiểm toán khi "
        "đại hội thành viên yêu cầu hoặc khi nhận vốn hỗ trợ của Nhà nước.")


def campaign_of(result, opinion_id):
    return next((c for c in result.campaigns if opinion_id in c.member_ids), None)


@pytest.fixture(scope="module")
def planted():
    opinions, truth = generate(300, campaign_share=0.2, campaign_count=6, seed=11)
    return opinions, truth, analyse(opinions, WIDE)


def test_planted_campaigns_are_found_with_high_recall_and_precision(planted):
    opinions, truth, result = planted
    precision, recall = campaign_scores([c.member_ids for c in result.campaigns],
                                        {i: t.campaign for i, t in truth.items()})
    print(f"\n[text] campaigns on 300 opinions: precision {precision:.3f}, recall {recall:.3f}, "
          f"{len(result.campaigns)} found, 6 planted")
    assert recall >= 0.98
    assert precision >= 0.98


def test_planted_themes_give_pure_groups_at_the_planted_count(planted):
    opinions, truth, _ = planted
    result = analyse(opinions, AnalysisParams(max_ids=10**6, max_campaigns=10**4, topics=5))
    score = purity([g.member_ids for g in result.groups], {i: t.theme for i, t in truth.items()})
    grouped = sum(g.size for g in result.groups)
    print(f"\n[text] topic groups: purity {score:.3f}, {len(result.groups)} groups, "
          f"{grouped}/{len(opinions)} opinions grouped")
    assert score >= 0.85
    assert grouped >= 0.9 * len(opinions)


def _blobs(count: int, per: int = 60, seed: int = 3, noise: int = 0):
    """Unit points around ``count`` random directions of a 20-dimension space, and ``noise``
    points in random directions."""
    import numpy as np
    from sklearn.preprocessing import normalize

    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(count, 20))
    points = [centre + rng.normal(scale=0.35, size=(per, 20)) for centre in centres]
    return normalize(np.vstack(points + [rng.normal(size=(noise, 20))]))


@pytest.mark.parametrize("count", [3, 4, 6])
def test_topic_count_is_the_number_of_groups_the_data_has_not_a_bound(count):
    from analysis.text.topics import choose_topic_count

    assert choose_topic_count(_blobs(count), maximum=12) == count


def test_four_themes_among_scattered_voices_give_four_or_five_groups_not_the_bound():
    import numpy as np
    from sklearn.cluster import KMeans

    from analysis.text.topics import choose_topic_count

    points = _blobs(4, noise=120)  # 360 points: the bound is 12
    count = choose_topic_count(points, maximum=12)
    assert count in (4, 5)  # the four themes, and the scattered voices as a fifth group or not
    labels = KMeans(count, n_init=5, random_state=0).fit_predict(points)
    for theme in range(4):  # each theme falls in one group
        assert len(np.unique(labels[theme * 60:(theme + 1) * 60])) == 1


def test_voices_without_groups_of_their_own_get_the_elbow_count_not_the_bound():
    """The demo's opinions (one or two per article) have no reproducible grouping, and the
    most stable count was the largest (√66 = 8: groups of a few voices always look alike)."""
    import math

    from consult.data import load_demo_comments

    opinions = [Opinion(i + 1, row["body"]) for i, row in enumerate(load_demo_comments())]
    result = analyse(opinions, WIDE)
    assert result.voice_count >= 50
    assert 2 < len(result.groups) < int(math.sqrt(result.voice_count))
    assert sum(g.size for g in result.groups) >= 0.9 * result.voice_count
    assert result.groups_reading_aid  # the page says so instead of presenting them as topics


def test_planted_themes_are_a_finding_not_a_reading_aid(planted):
    opinions, _, _ = planted
    result = analyse(opinions, WIDE)  # the count chosen, not given
    assert len(result.groups) >= 2
    assert not result.groups_reading_aid


@pytest.mark.parametrize("count", [3, 4, 6])
def test_dispersion_elbow_of_separated_groups_is_their_number(count):
    from analysis.text.topics import elbow_count

    assert elbow_count(_blobs(count), 12) == count


def test_group_labels_leave_out_stance_words():
    import numpy as np

    from analysis.text.topics import distinguishing_terms

    terms = ["không", "phòng", "máy_chiếu", "cần", "giảng_viên"]
    components = np.array([[9.0, 3.0, 2.0, 8.0, 0.1], [0.1, 0.0, 0.0, 0.0, 4.0]])
    labels = distinguishing_terms(components, terms, 3)
    assert labels[0][:2] == ["phòng", "máy chiếu"]
    assert "không" not in labels[0] and "cần" not in labels[0]
    assert labels[1][0] == "giảng viên"


def test_each_group_has_label_terms_and_representatives_from_its_members(planted):
    _, _, result = planted
    for group in result.groups:
        assert group.label_terms
        assert 1 <= len(group.representatives) <= 3
        assert {r.opinion_id for r in group.representatives} <= set(group.member_ids)
        assert len({r.text for r in group.representatives}) == len(group.representatives)


def test_campaigns_count_as_one_voice_in_the_stages_after(planted):
    opinions, truth, result = planted
    in_campaigns = sum(c.size for c in result.campaigns)
    collapsed = sum(c.size - 1 for c in result.campaigns)
    assert result.voice_count == result.analysed_count - collapsed
    assert sum(result.stance_opinions.values()) == result.analysed_count
    assert sum(result.stance_voices.values()) == result.voice_count
    assert in_campaigns == sum(1 for t in truth.values() if t.campaign is not None)


def test_copies_changed_reordered_reaccented_nfd_and_unaccented_join_one_campaign():
    copies = [
        BASE,
        BASE.replace("quá cao", "rất cao").replace("nhỏ", "quy mô nhỏ"),   # a few words changed
        " ".join(reversed(split_sentences(BASE))),                          # sentences reordered
        BASE.replace("hòa", "hoà").replace("thủy", "thuỷ").replace("hóa", "hoá"),  # other tone style
        unicodedata.normalize("NFD", BASE),                                  # decomposed Unicode
        strip_marks(BASE),                                                   # no diacritics
        BASE.upper(),                                                        # all capitals
        BASE.replace("hợp tác xã", "HTX").replace("không", "ko"),            # abbreviations
    ]
    others = ["Tôi đồng ý với việc cho phép hợp tác xã họp đại hội thành viên trực tuyến khi có dịch "
              "bệnh hoặc thiên tai, miễn là có biên bản và ghi âm đầy đủ.",
              "Đề nghị bỏ quy định về vốn góp tối thiểu vì nhiều nông dân nghèo không đủ tiền góp "
              "một lần, nên cho góp dần trong ba năm."]
    opinions = [Opinion(i + 1, text) for i, text in enumerate(copies + others)]
    result = analyse(opinions)
    campaign = campaign_of(result, 1)
    assert campaign is not None
    assert sorted(campaign.member_ids) == list(range(1, len(copies) + 1))
    assert campaign.size == len(copies)
    assert campaign_of(result, len(copies) + 1) is None
    assert campaign_of(result, len(copies) + 2) is None


def test_case_nfd_and_tone_style_make_exact_copies_with_one_key():
    keys = {prepare(text).key for text in (BASE, BASE.upper(), unicodedata.normalize("NFD", BASE),
                                           BASE.replace("hòa", "hoà"))}
    assert len(keys) == 1


def test_short_identical_opinions_are_one_voice_but_not_a_campaign():
    opinions = [Opinion(i, "Tôi hoàn toàn đồng ý.") for i in range(1, 6)]
    result = analyse(opinions)
    assert result.campaigns == []
    assert result.voice_count == 1
    assert result.stance_opinions["agree"] == 5


def test_unrelated_opinions_on_one_theme_are_not_near_copies():
    opinions, _ = generate(200, campaign_share=0.0, seed=5)
    sets = [shingles(prepare(o.text).text) for o in opinions]
    highest = max(jaccard(sets[i], sets[j]) for i in range(60) for j in range(i + 1, 200))
    assert highest < 0.5


@pytest.mark.parametrize("text, stance", [
    ("Tôi hoàn toàn nhất trí với khoản 2.", "agree"),
    ("Tôi không đồng ý với quy định này, quá khắt khe.", "disagree"),
    ("Quy định này không hợp lý với hợp tác xã nhỏ.", "disagree"),
    ("Đề nghị bổ sung quy định về thành viên liên kết.", "proposes_change"),
    ("Nhất trí, nhưng nên giảm tỷ lệ xuống còn 50%.", "proposes_change"),
    ("Tài sản không chia có được dùng để góp vốn không?", "question"),
    ("Hợp tác xã ở quê tôi có hơn ba trăm thành viên.", "unclear"),
    ("toi khong dong y voi quy dinh nay", "disagree"),
])
def test_stance_from_cue_phrases(text, stance):
    prepared = prepare(text)
    assert stance_of(prepared.text, without_marks="no_diacritics" in prepared.flags) == stance


def test_key_phrases_find_the_planted_subject():
    texts = [
        "Đề nghị giảm lệ phí đăng ký cho hợp tác xã ở miền núi.",
        "Lệ phí đăng ký hiện nay quá cao so với thu nhập của nông dân.",
        "Tôi thấy nên miễn lệ phí đăng ký trong năm đầu thành lập.",
        "Nhiều tổ hợp tác không dám lên hợp tác xã vì sợ tốn lệ phí đăng ký và công chứng.",
        "Cần công khai mức lệ phí đăng ký trên cổng thông tin của tỉnh.",
        "Ở huyện tôi mỗi xã thu lệ phí đăng ký một kiểu, rất tùy tiện.",
        "Cần quy định rõ nhiệm kỳ của hội đồng quản trị.",
        "Ban kiểm soát phải độc lập với giám đốc.",
    ]
    result = analyse([Opinion(i + 1, t) for i, t in enumerate(texts)])
    assert result.campaigns == []
    words = {p.phrase: p.count for p in result.key_words}
    phrases = {p.phrase: p.count for p in result.key_collocations}
    assert words.get("lệ phí") == 6 and words.get("đăng ký") == 6
    assert phrases.get("lệ phí đăng ký") == 6
    assert "không" not in words and "đề nghị" not in words


def test_summary_sentences_come_from_the_opinions_and_link_their_source(planted):
    opinions, _, result = planted
    by_id = {o.id: o for o in opinions}
    assert 1 <= len(result.summary) <= 5
    for sentence in result.summary:
        source = prepare(by_id[sentence.opinion_id].text).text
        assert sentence.text in source


def test_segmentation_cache_means_a_rerun_segments_only_new_texts():
    opinions, _ = generate(60, campaign_share=0.0, seed=3)
    cache = SegmentCache()
    analyse(opinions, cache=cache)
    assert len(cache.added) == 60
    rerun = SegmentCache(cache.known)
    new = Opinion(10_000, "Đề nghị cho phép hợp tác xã mở chi nhánh ở tỉnh khác mà không phải xin phép.")
    analyse(opinions + [new], cache=rerun)
    assert list(rerun.added) == [prepare(new.text).key]


def test_segmentation_accuracy_against_the_gold_sample():
    segmenter = default_segmenter()
    precision, recall, f1 = segmentation_scores(segmenter.segment)
    print(f"\n[text] segmentation ({segmenter.name}) on the gold sample: precision {precision:.3f}, "
          f"recall {recall:.3f}, F1 {f1:.3f}")
    assert f1 >= 0.9


def test_sentences_split_at_end_punctuation_but_not_after_abbreviations():
    text = "Tôi ở TP. Hồ Chí Minh. Hợp tác xã có 30 thành viên! Vì sao vậy?\nDòng mới"
    assert split_sentences(text) == ["Tôi ở TP. Hồ Chí Minh.", "Hợp tác xã có 30 thành viên!",
                                     "Vì sao vậy?", "Dòng mới"]


def test_params_from_a_form_or_the_database_ignore_bad_values():
    params = AnalysisParams.from_dict({"topics": "4", "campaign_threshold": "x", "other": 1})
    assert params.topics == 4
    assert params.campaign_threshold == AnalysisParams().campaign_threshold


def test_spelling_variants_count_as_one_word_and_comment_compounds_stay_whole():
    from analysis.text.stopwords import content_words

    assert content_words(["máy", "sài", "rất", "tốt"]) == content_words(["máy", "xài", "rất", "tốt"])
    assert "sài_gòn" in content_words(["sài_gòn", "nóng"])
    assert "mọi_thứ" in content_words(["mọi", "thứ", "đều", "ổn"])
    texts = ["Máy sài rất bền, pin trâu", "Máy xài rất bền, pin khỏe", "Sài được ba năm vẫn tốt",
             "Xài được hai năm rồi", "Máy xài mượt, pin trâu", "Máy sài rất ngon, pin khỏe"]
    result = analyse([Opinion(i + 1, t) for i, t in enumerate(texts)], AnalysisParams(topics=2))
    words = {key.phrase: key.count for key in result.key_words}
    assert "sài" not in words
    assert words.get("xài") == 6


def test_summary_of_many_voices_reads_a_fixed_sample_and_gives_the_same_result(planted, monkeypatch):
    """Beyond ``SUMMARY_SAMPLE`` voices the summary ranks the sentences of a fixed-seed
    sample: the same voices every time, in order, and a run of the same opinions (in any
    order) gives the same summary."""
    from analysis.text import pipeline

    assert list(pipeline.summary_sample(5, 10)) == [0, 1, 2, 3, 4]
    sample = pipeline.summary_sample(1000, 40)
    assert sample == pipeline.summary_sample(1000, 40)
    assert len(set(sample)) == 40 and sample == sorted(sample) and max(sample) < 1000
    opinions, _, whole = planted
    monkeypatch.setattr(pipeline, "SUMMARY_SAMPLE", 60)
    first, second = analyse(opinions, WIDE), analyse(list(reversed(opinions)), WIDE)
    assert first.voice_count > 60
    assert first.summary and first.summary == second.summary
    assert len(pipeline.summary_sample(first.voice_count)) == 60
