"""Campaigns that are right (issue 12): verified against the representative, masked
template slots, short edited copies, and never two polarities in one campaign."""
import random

from analysis.text import AnalysisParams, Opinion, analyse
from analysis.text.campaigns import compatible, masked_syllables, text_similarity
from analysis.text.diff import word_diff
from analysis.text.normalise import prepare
from analysis.text.perturb import PERTURBATIONS, old_tone_style, perturb, to_tcvn3, to_vni
from consult.textnorm import normalize_text, strip_marks

WIDE = AnalysisParams(max_ids=10**6, max_campaigns=10**4)
REASON = ("vì quy định này giúp hợp tác xã nhỏ ở vùng sâu vùng xa có thêm thời gian chuẩn bị "
          "hồ sơ và tìm nguồn vốn đối ứng")


def opinions_of(texts):
    return [Opinion(i + 1, text) for i, text in enumerate(texts)]


def campaign_of(result, opinion_id):
    return next((c for c in result.campaigns if opinion_id in c.member_ids), None)


def test_agreeing_and_disagreeing_copies_are_two_campaigns_with_their_own_counts():
    agree = f"Tôi đồng ý với Điều 12 {REASON}."
    disagree = f"Tôi không đồng ý với Điều 12 {REASON}."
    texts = [agree] * 3 + [disagree] * 5 + [strip_marks(disagree)] * 2
    result = analyse(opinions_of(texts), WIDE)
    yes, no = campaign_of(result, 1), campaign_of(result, 4)
    assert yes is not None and no is not None and yes is not no
    assert sorted(yes.member_ids) == [1, 2, 3]
    assert sorted(no.member_ids) == list(range(4, 11))
    assert yes.stance_counts == {"agree": 3}
    assert no.stance_counts == {"disagree": 7}
    assert result.stance_opinions["agree"] == 3 and result.stance_opinions["disagree"] == 7


def test_negation_words_of_every_kind_keep_copies_apart():
    pairs = [("Tôi ủng hộ", "Tôi phản đối"), ("Nhất trí với", "Chưa nhất trí với"),
             ("Quy định này hợp lý", "Quy định này chẳng hợp lý chút nào"),
             ("Nên giữ quy định này", "Không nên giữ quy định này"),
             ("Tôi tán thành", "Tôi không hề tán thành"), ("Em đồng ý", "Em ko đồng ý"),
             ("Em hoàn toàn đồng ý với điều 14, vì sao lại thế?", "Em ko đồng ý với điều 14, vì sao lại thế?"),
             ("Toi dong y", "Toi khong dong y")]
    for positive, negative in pairs:
        first, second = f"{positive} {REASON}.", f"{negative} {REASON}."
        result = analyse(opinions_of([first, first, second, second]), WIDE)
        assert campaign_of(result, 1) is not campaign_of(result, 3), (positive, negative)
        assert 3 not in campaign_of(result, 1).member_ids


def test_members_are_compared_with_the_representative_so_campaigns_do_not_chain():
    base = ("đề nghị ban soạn thảo giảm lệ phí đăng ký hợp tác xã cho các hộ nông dân "
            "nghèo ở miền núi phía bắc")
    step = base.replace("giảm", "bỏ").replace("nghèo", "người Mông").replace("bắc", "nam")
    far = step.replace("lệ phí", "thuế phí").replace("nông dân", "ngư dân").replace("miền núi", "ven biển")
    assert text_similarity(prepare(base).text, prepare(step).text) >= 0.75
    assert text_similarity(prepare(step).text, prepare(far).text) >= 0.75
    assert text_similarity(prepare(base).text, prepare(far).text) < 0.75
    result = analyse(opinions_of([base] * 3 + [step] * 2 + [far]), WIDE)
    campaign = campaign_of(result, 1)
    assert sorted(campaign.member_ids) == [1, 2, 3, 4, 5]
    assert 6 not in campaign.member_ids


def test_templates_with_another_name_province_number_date_and_document_are_copies():
    template = ("Tôi là {name}, ở {province}, có {count} thành viên. Theo Nghị định {doc} ngày {date} "
                "đề nghị giảm lệ phí đăng ký cho hợp tác xã nhỏ.")
    filled = [template.format(name=name, province=province, count=count, doc=doc, date=date)
              for name, province, count, doc, date in [
                  ("Nguyễn Văn An", "Thái Bình", 30, "59/2020/NĐ-CP", "12/5/2021"),
                  ("Trần Thị Bình", "Nghệ An", 7, "45/2019/NĐ-CP", "3/1/2020"),
                  ("Phạm Minh Đức", "Cà Mau", 120, "01/2022/TT-BKHĐT", "30/6/2022")]]
    masks = {masked_syllables(prepare(text).text).key for text in filled}
    assert len(masks) == 1
    result = analyse(opinions_of(filled), WIDE)
    assert sorted(campaign_of(result, 1).member_ids) == [1, 2, 3]


def test_two_words_changed_in_a_short_text_still_copy_but_own_words_do_not():
    text = "giảng viên cần cung cấp thêm tài liệu tham khảo và bài tập cho sinh viên năm nhất"
    edited = text.replace("thêm", "nhiều").replace("năm nhất", "năm hai")
    own = "giảng viên nên cho sinh viên năm nhất thêm bài tập về nhà và tài liệu đọc trước"
    result = analyse(opinions_of([text, text, edited, own]), WIDE)
    assert sorted(campaign_of(result, 1).member_ids) == [1, 2, 3]
    assert 4 not in campaign_of(result, 1).member_ids


def test_every_perturbation_kind_joins_its_original():
    rng = random.Random(3)
    text = ("Tôi thấy quy định về hòa giải tranh chấp trong hợp tác xã thủy sản còn chung chung, "
            "đề nghị bổ sung thời hạn giải quyết là 30 ngày.")
    for kind in PERTURBATIONS:
        copy = perturb(kind, rng, text, ["mới", "cũ", "xã"])
        first = perturb(kind, rng, text, ["mới"]) if kind == "template" else text
        result = analyse(opinions_of([first, first, copy]), WIDE)
        assert sorted(campaign_of(result, 1).member_ids) == [1, 2, 3], kind


def test_legacy_encodings_and_tone_style_made_for_the_benchmark_decode_back():
    text = "Tôi thấy quy định về hòa giải và thủy lợi chưa hợp lý."
    assert normalize_text(to_vni(text)) == text
    assert normalize_text(to_tcvn3(text)) == text.lower()
    assert old_tone_style(text) != text and normalize_text(old_tone_style(text)) == text


def test_polarities_are_compatible_unless_opposite_without_marks_or_as_written():
    assert compatible((0, 1), (0, 0))
    assert compatible((1, 1), (0, 0))
    assert not compatible((1, 1), (-1, -1))
    assert not compatible((1, -1), (1, 1))  # "chả hợp lý" reads "cha hop ly" without marks


def test_a_campaign_without_stance_takes_the_first_stance_that_joins_it():
    neutral = f"Về Điều 12 {REASON}."
    agree = f"Về Điều 12 tôi đồng ý {REASON}."
    disagree = f"Về Điều 12 tôi không đồng ý {REASON}."
    result = analyse(opinions_of([neutral] * 3 + [agree] * 2 + [disagree]), WIDE)
    campaign = campaign_of(result, 1)
    assert sorted(campaign.member_ids) == [1, 2, 3, 4, 5]
    assert campaign_of(result, 6) is not campaign
    assert "disagree" not in campaign.stance_counts


def test_word_differences_compare_without_case_or_marks_and_keep_text_plain():
    assert word_diff("Tôi đồng ý với Điều 12.", "TOI DONG Y voi dieu 12.") == \
        [["equal", "TOI DONG Y voi dieu 12."]]
    assert word_diff("giảm lệ phí cho xã", "bỏ lệ phí cho xã <script>") == [
        ["delete", "giảm"], ["insert", "bỏ"], ["equal", "lệ phí cho xã"], ["insert", "<script>"]]


def test_a_campaign_lists_its_wordings_with_their_differences_and_stance():
    base = f"Đề nghị giảm lệ phí đăng ký {REASON}."
    result = analyse(opinions_of([base, base, base.replace("giảm", "miễn")]), WIDE)
    campaign = campaign_of(result, 1)
    assert campaign.canonical_id == 1
    assert len(campaign.variants) == 1
    variant = campaign.variants[0]
    assert variant.opinion_id == 3 and variant.copies == 1 and variant.stance == "proposes_change"
    assert ["delete", "giảm"] in variant.diff and ["insert", "miễn"] in variant.diff
    assert "giảm" in campaign.canonical_cues


def test_a_copy_far_from_an_edited_representative_joins_through_the_central_wording():
    """Copies each edited in a few words: the most copied one (the representative) can be
    twice as far from another copy as the original both were made from. The lone copy is
    compared with the campaign's central wording (the original here)."""
    original = ("đề nghị ban soạn thảo giảm lệ phí đăng ký hợp tác xã cho các hộ nông dân nghèo "
                "ở miền núi")
    edited = original.replace("giảm", "bỏ").replace("nghèo", "khó")
    one = original.replace(" hộ ", " nhà ")
    two = original.replace(" các ", " những ")
    lone = original.replace("đề nghị", "kiến nghị").replace("lệ phí", "các phí").replace(
        "miền núi", "miền cao")
    assert text_similarity(prepare(edited).text, prepare(lone).text) < 0.75
    assert text_similarity(prepare(original).text, prepare(lone).text) >= 0.75
    result = analyse(opinions_of([edited] * 3 + [original, one, two, lone]), WIDE)
    campaign = campaign_of(result, 1)
    assert campaign.canonical_id == 1
    assert sorted(campaign.member_ids) == [1, 2, 3, 4, 5, 6, 7]


def test_copies_with_three_words_replaced_are_proposed_to_verification():
    """MinHash proposes a representative from a syllable-set Jaccard of about 0.4, so a
    short copy with three syllables replaced (set Jaccard about 0.6) is never left out by
    the candidate search."""
    rng = random.Random(5)
    words = ("giảng viên cần cung cấp thêm tài liệu tham khảo và bài tập cho sinh viên năm "
             "nhất trong học kỳ").split()
    others = ["mới", "cũ", "nhiều", "rõ", "sớm", "hay", "tốt", "đủ"]
    missed = 0
    for trial in range(40):
        copy = list(words)
        for position in rng.sample(range(len(words)), 3):
            copy[position] = rng.choice(others)
        base, edited = " ".join(words) + f" số {trial}", " ".join(copy) + f" số {trial}"
        if text_similarity(prepare(base).text, prepare(edited).text) < 0.75:
            continue
        result = analyse(opinions_of([base, base, edited]), WIDE)
        missed += sorted(campaign_of(result, 1).member_ids) != [1, 2, 3]
    assert missed == 0


def _on_one_theme(count, rng):
    """``count`` distinct texts of 20 syllables drawn from one small vocabulary: every pair
    shares enough syllables for LSH to propose it, none is a copy of another."""
    vocabulary = ("hợp tác xã nông dân vốn vay lệ phí đăng ký hồ sơ thời gian chuẩn bị miền núi "
                  "vùng sâu thuế phí quy trình thủ tục cán bộ xã huyện tỉnh hỗ trợ").split()
    return [" ".join(rng.choice(vocabulary) for _ in range(20)) for _ in range(count)]


def test_verifications_per_text_stay_bounded_as_similar_texts_grow(monkeypatch):
    """Opinions on one theme share so much vocabulary that LSH proposes a number of
    representatives growing with the texts seen; only the nearest ``max_verified`` are
    verified, so the comparisons per text do not grow, and a planted copy is still found."""
    from collections import Counter

    from analysis.text import campaigns

    calls = Counter()
    real = campaigns.similarity

    def counted(first, second, cutoff=0.0):
        calls["similarity"] += 1
        return real(first, second, cutoff)

    monkeypatch.setattr(campaigns, "similarity", counted)
    params = campaigns.CampaignParams()
    per_text = []
    for count in (100, 400):
        texts = _on_one_theme(count, random.Random(count))
        copy = texts[0].split()
        copy[5], copy[12] = "khác", "mới"
        texts = [prepare(t).text for t in texts + [" ".join(copy)]]
        calls.clear()
        stats = Counter()
        groups = campaigns.near_duplicate_groups(texts, [True] * len(texts), params=params,
                                                 stats=stats)
        assert groups[-1] == 0
        assert stats["candidates_dropped"] > 0
        assert calls["similarity"] <= 2 * params.max_verified * len(texts)
        per_text.append(calls["similarity"] / len(texts))
    assert per_text[1] <= per_text[0] * 1.25


def test_a_flooded_bucket_still_finds_a_planted_copy():
    """Hundreds of on-theme texts fill the LSH buckets of the theme's vocabulary before the
    original arrives (``bucket_cap`` keeps only the first few of each): the original still
    meets its copy, with two words changed, in the buckets of the words they share with
    few others, and the candidates per text stay bounded by bands x cap."""
    from collections import Counter

    from analysis.text import campaigns

    rng = random.Random(3)
    flood = _on_one_theme(600, rng)
    original = ("hợp tác xã nông dân miền núi cần thêm thời gian chuẩn bị hồ sơ vay vốn vì "
                "đường sá xa xôi mùa mưa lũ kéo dài nhiều tháng liền")
    copy = original.replace("đường sá", "cầu cống").replace("nhiều tháng", "mấy tháng")
    texts = [prepare(t).text for t in flood + [original, copy]]
    params = campaigns.CampaignParams(bucket_cap=4)
    stats = Counter()
    groups = campaigns.near_duplicate_groups(texts, [True] * len(texts), params=params,
                                             stats=stats)
    assert groups[-1] == len(flood)  # the copy joins the original, not a flood text
    assert stats["bucket_full"] > 0  # the cap was reached: the buckets were flooded
    index = campaigns.BucketIndex(params.short_candidate_threshold, params.num_perm, 4)
    assert stats["candidates"] <= 2 * index.bands * params.bucket_cap * len(texts)


def test_bucket_index_keeps_the_first_keys_and_queries_in_a_fixed_order():
    from analysis.text.campaigns import BucketIndex, sketch_of

    index = BucketIndex(0.4, 128, cap=3)
    same = sketch_of("hợp tác xã nông dân".split(), 128)
    for key in range(5):
        index.insert(key, same)
    assert index.query(same) == [0, 1, 2]
    other = sketch_of("thuế phí quy trình".split(), 128)
    assert index.query(other) == []
    index.insert("x", other)
    assert index.query(other) == ["x"]


def test_bucket_index_answers_as_a_dict_of_buckets_through_its_growth():
    """The array tables (grown several times here, with shared, full and single buckets)
    answer every query as the plain dict-of-lists index they replace."""
    import numpy as np

    from analysis.text.campaigns import BucketIndex

    rng = np.random.default_rng(5)
    index = BucketIndex(0.4, 128, cap=3)
    reference: list[dict] = [{} for _ in range(index.bands)]

    def band_keys(sketch):
        return index._keys_of(sketch)

    # few values per position, so bands collide often and buckets fill up
    sketches = [rng.integers(0, 6, size=128, dtype=np.uint32) for _ in range(300)]
    sketches += [rng.integers(0, 2**32, size=128, dtype=np.uint32) for _ in range(2700)]
    for key, sketch in enumerate(sketches):
        expected = list(dict.fromkeys(k for table, band in zip(reference, band_keys(sketch))
                                      for k in table.get(band, [])))
        assert index.query(sketch) == expected
        index.insert(key, sketch)
        for table, band in zip(reference, band_keys(sketch)):
            bucket = table.setdefault(band, [])
            if len(bucket) < 3:
                bucket.append(key)
    assert max(len(slots) for slots in index._slots) >= 4096  # grown from 256 slots
    for sketch in sketches[::7]:
        assert index.query(sketch) == list(dict.fromkeys(
            k for table, band in zip(reference, band_keys(sketch)) for k in table.get(band, [])))
