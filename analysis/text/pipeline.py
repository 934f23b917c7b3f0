"""The open-text pipeline: ``analyse(opinions) -> AnalysisResult``.

Stages, each a function in its own module, run in this order and timed:

1. normalise (``normalise.prepare``): repaired text, flags, exact-copy key;
2. segment (``segment.segment_text``): sentences and words, once per distinct text,
   through a ``SegmentCache`` so a re-run only segments new texts (the same cache keeps
   each raw text's normalised form and stance, ``TextEntry``, so a re-run or another view
   of the same run does not normalise or classify a text again);
3. campaigns (``campaigns.near_duplicate_groups``): exact and near copies become one
   voice with its size; every stage below sees voices, not opinions;
4. key phrases (``keyphrases``), 5. topics and representatives (``topics``),
6. summary (``summary``), 7. stance (``stance``).
"""
from __future__ import annotations

import hashlib
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from functools import lru_cache

from analysis.text.campaigns import CampaignParams, near_duplicate_groups
from analysis.text.diff import word_diff
from analysis.text.keyphrases import key_collocations, key_words
from analysis.text.normalise import MAX_ANALYSIS_CHARS, NORMALISER_VERSION, PreparedText, prepare
from analysis.text.opinion import (AnalysisResult, Campaign, Opinion, Representative,
                                   SummarySentence, TopicGroup, Variant)
from analysis.text.segment import Segmenter, default_segmenter, segment_text, split_sentences
from analysis.text.stance import CLASSIFIER_VERSION, STANCES, StanceDecision, classify
from analysis.text.stopwords import content_words
from analysis.text.summary import Sentence, central_sentences
from analysis.text.topics import group_voices, representatives
from consult.textnorm import strip_marks

#: Characters of an opinion's text kept in the stored result for display.
DISPLAY_CHARS = 700


@dataclass(frozen=True)
class AnalysisParams:
    """What a run may change; stored with each result."""

    topics: int | None = None
    max_topics: int = 12
    max_chars: int = MAX_ANALYSIS_CHARS
    campaign_threshold: float = 0.75
    campaign_min_size: int = 2
    campaign_min_syllables: int = 10
    key_words: int = 25
    key_collocations: int = 15
    summary_sentences: int = 5
    representatives: int = 3
    max_campaigns: int = 50
    #: Wordings shown with their differences per campaign.
    max_variants: int = 10
    #: Ids kept per campaign and per flag in the stored result.
    max_ids: int = 500

    @classmethod
    def from_dict(cls, data: dict | None) -> "AnalysisParams":
        """Known keys only, each coerced to its field's type; bad values keep the default."""
        values = {}
        for item in fields(cls):
            if data and data.get(item.name) is not None:
                kind = float if item.name == "campaign_threshold" else int
                try:
                    values[item.name] = kind(data[item.name])
                except (TypeError, ValueError):
                    continue
        return cls(**values)

    def to_dict(self) -> dict:
        return asdict(self)

    def campaign_params(self) -> CampaignParams:
        return CampaignParams(threshold=self.campaign_threshold, min_size=self.campaign_min_size,
                              min_syllables=self.campaign_min_syllables)


#: What a stored ``TextEntry`` was made by: another version is computed again.
TEXT_CACHE_VERSION = f"{NORMALISER_VERSION}; {CLASSIFIER_VERSION}"


def raw_key(text: str | None, max_chars: int = MAX_ANALYSIS_CHARS) -> str:
    """The key of an opinion's text as written (and the cut applied): ``TextEntry``'s key."""
    return hashlib.blake2b(f"{max_chars}\x00{text or ''}".encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


@dataclass(slots=True)
class TextEntry:
    """One raw text normalised, and the stance of its normalised text (None when empty)."""

    prepared: PreparedText
    stance: StanceDecision | None = None
    plain_polarity: int = 0

    def to_dict(self) -> dict:
        """A JSON-ready form for the database cache (``from_dict`` reads it back)."""
        p, st = self.prepared, self.stance
        return {"text": p.text, "key": p.key, "flags": sorted(p.flags), "syllables": p.syllables,
                "stance": None if st is None else {
                    "stance": st.stance, "cues": list(st.cues), "polarity": st.polarity,
                    "affirmed": sorted(st.affirmed), "negated": sorted(st.negated)},
                "plain_polarity": self.plain_polarity}

    @classmethod
    def from_dict(cls, data: dict) -> TextEntry:
        """Equal flags and stances read back are one shared (immutable) object each: a view
        of a million opinions reads that many entries, and most stances repeat."""
        st = data.get("stance")
        return cls(PreparedText(data["text"], data["key"], _flags(tuple(data["flags"])),
                                data["syllables"]),
                   None if st is None else _stance_decision(
                       st["stance"], tuple(st["cues"]), st["polarity"],
                       tuple(st["affirmed"]), tuple(st["negated"])),
                   data.get("plain_polarity", 0))


@lru_cache(maxsize=1024)
def _flags(flags: tuple[str, ...]) -> frozenset[str]:
    return frozenset(flags)


@lru_cache(maxsize=65536)
def _stance_decision(stance: str, cues: tuple[str, ...], polarity: int, affirmed: tuple[str, ...],
                     negated: tuple[str, ...]) -> StanceDecision:
    return StanceDecision(stance, cues, polarity, frozenset(affirmed), frozenset(negated))


class SegmentCache:
    """Segmented texts by text key; ``added`` holds what this run segmented, to store.

    ``texts`` holds ``TextEntry`` by ``raw_key`` (normalised text and stance);
    ``texts_added`` what this run computed, to store."""

    def __init__(self, known: dict[str, list[list[str]]] | None = None,
                 texts: dict[str, TextEntry] | None = None) -> None:
        self.known = dict(known or {})
        self.added: dict[str, list[list[str]]] = {}
        self.texts = dict(texts or {})
        self.texts_added: dict[str, TextEntry] = {}

    def entry(self, text: str | None, max_chars: int = MAX_ANALYSIS_CHARS) -> TextEntry:
        """The normalised ``text``, from the cache or normalised now (stance filled later)."""
        key = raw_key(text, max_chars)
        found = self.texts.get(key)
        if found is None:
            found = self.texts[key] = self.texts_added[key] = TextEntry(prepare(text, max_chars))
        return found

    def get(self, key: str) -> list[list[str]] | None:
        return self.known.get(key)

    def put(self, key: str, sentences: list[list[str]]) -> None:
        self.known[key] = sentences
        self.added[key] = sentences


@dataclass(slots=True)
class _Distinct:
    """One distinct text (after normalisation) and the opinions that wrote it."""

    prepared: PreparedText
    opinions: list[Opinion]
    stance: StanceDecision = StanceDecision("unclear")
    #: Stance polarity of the text without marks (see ``campaigns.compatible``).
    plain_polarity: int = 0


@dataclass(slots=True)
class _Voice:
    """Distinct texts counted as one voice: one text, or a campaign of copies."""

    #: The representative first (the text every other one was compared with).
    texts: list[_Distinct]

    @property
    def weight(self) -> int:
        return sum(len(t.opinions) for t in self.texts)

    @property
    def canonical(self) -> _Distinct:
        """The representative: the text most copied, the earliest on a tie."""
        return self.texts[0]


class _Timer:
    """Wall-clock and CPU seconds per stage (CPU time is what a busy machine cannot inflate)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu_seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str):
        start, cpu = time.perf_counter(), time.process_time()
        yield
        self.seconds[stage] = round(self.seconds.get(stage, 0) + time.perf_counter() - start, 4)
        self.cpu_seconds[stage] = round(self.cpu_seconds.get(stage, 0) + time.process_time() - cpu, 4)


def analyse(opinions: list[Opinion], params: AnalysisParams | None = None,
            cache: SegmentCache | None = None, segmenter: Segmenter | None = None) -> AnalysisResult:
    """Run every stage on ``opinions``; never raises on odd text."""
    params = params or AnalysisParams()
    cache = cache if cache is not None else SegmentCache()
    segmenter = segmenter or default_segmenter()
    timer = _Timer()
    opinions = sorted(opinions, key=lambda o: o.id)
    with timer("normalise"):
        entries = [cache.entry(o.text, params.max_chars) for o in opinions]
        prepared = [entry.prepared for entry in entries]
        distinct = distinct_texts(opinions, prepared)
    with timer("stance"):
        classify_distinct(distinct, entries)
    with timer("segment"):
        segmented = segment_distinct(distinct, cache, segmenter)
    with timer("campaigns"):
        voices = collapse_campaigns(distinct, params.campaign_params())
        campaigns = campaign_list(voices, params)
    with timer("keyphrases"):
        documents = [content_words(_words(segmented[v.canonical.prepared.key])) for v in voices]
        words = key_words(documents, params.key_words)
        collocations = key_collocations(documents, params.key_collocations)
    with timer("topics"):
        grouping = group_voices(documents, params.topics, params.max_topics)
        groups = topic_groups(grouping, voices, params.representatives, params.max_ids)
    with timer("summary"):
        summary = summarise(voices, segmented, grouping.vectorizer, params.summary_sentences)
    stance_opinions, stance_voices = stance_counts(voices)
    flags, flagged_ids = flag_counts(opinions, prepared, documents, voices, params.max_ids)
    return AnalysisResult(
        input_count=len(opinions), analysed_count=sum(len(d.opinions) for d in distinct),
        voice_count=len(voices), flags=flags, key_words=words, key_collocations=collocations,
        campaigns=campaigns, groups=groups,
        ungrouped=sum(1 for label in grouping.labels if label < 0),
        summary=summary, stance_opinions=stance_opinions, stance_voices=stance_voices,
        flagged_ids=flagged_ids, segmenter=segmenter.name, timings=timer.seconds,
        cpu_timings=timer.cpu_seconds,
        groups_reading_aid=bool(groups) and not grouping.reproducible,
    )


def distinct_texts(opinions: list[Opinion], prepared: list[PreparedText]) -> list[_Distinct]:
    """Opinions grouped by exact-copy key, in order of first appearance; empty texts left out."""
    by_key: dict[str, _Distinct] = {}
    for opinion, text in zip(opinions, prepared):
        if not text.key:
            continue
        if text.key in by_key:
            by_key[text.key].opinions.append(opinion)
        else:
            by_key[text.key] = _Distinct(text, [opinion])
    return list(by_key.values())


def classify_distinct(distinct: list[_Distinct], entries: list[TextEntry]) -> None:
    """Stance of each distinct text: stored with one of its entries, or classified now (and
    then kept on every entry of that text, so the cache stores it)."""
    known = {}
    for entry in entries:
        if entry.stance is not None and entry.prepared.key:
            known.setdefault(entry.prepared.key, entry)
    for item in distinct:
        found = known.get(item.prepared.key)
        if found is not None:
            item.stance, item.plain_polarity = found.stance, found.plain_polarity
        else:
            item.stance = classify(item.prepared.text)
            item.plain_polarity = classify(strip_marks(item.prepared.text)).polarity
    by_key = {item.prepared.key: item for item in distinct}
    for entry in entries:
        if entry.stance is None and entry.prepared.key in by_key:
            item = by_key[entry.prepared.key]
            entry.stance, entry.plain_polarity = item.stance, item.plain_polarity


def classify_entries(entries: list[TextEntry]) -> None:
    """Stance of each entry still without one, classified once per normalised text (what a
    chunk job stores ahead of the views)."""
    done: dict[str, tuple[StanceDecision, int]] = {}
    for entry in entries:
        key = entry.prepared.key
        if entry.stance is None and key:
            if key not in done:
                done[key] = (classify(entry.prepared.text),
                             classify(strip_marks(entry.prepared.text)).polarity)
            entry.stance, entry.plain_polarity = done[key]


def segment_distinct(distinct: list[_Distinct], cache: SegmentCache,
                     segmenter: Segmenter) -> dict[str, list[list[str]]]:
    """Sentences of words for each distinct text, from the cache or segmented now."""
    result = {}
    for item in distinct:
        key = item.prepared.key
        sentences = cache.get(key)
        if sentences is None:
            sentences = segment_text(item.prepared.text, segmenter)
            cache.put(key, sentences)
        result[key] = sentences
    return result


def collapse_campaigns(distinct: list[_Distinct], params: CampaignParams) -> list[_Voice]:
    """Join distinct texts that are near copies of a representative into one voice each.

    Texts are taken most copied first, so a representative is its campaign's most copied
    wording; members keep that order after it."""
    order = sorted(range(len(distinct)),
                   key=lambda i: (-len(distinct[i].opinions), distinct[i].opinions[0].id))
    roots = near_duplicate_groups([d.prepared.text for d in distinct],
                                  [d.prepared.syllables >= params.min_syllables for d in distinct],
                                  [(d.plain_polarity, d.stance.polarity) for d in distinct], params,
                                  order=order)
    members: dict[int, list[_Distinct]] = defaultdict(list)
    for index in order:
        members[roots[index]].append(distinct[index])
    return [_Voice(texts) for texts in members.values()]


def campaign_list(voices: list[_Voice], params: AnalysisParams) -> list[Campaign]:
    """Voices of several opinions with a long enough text, largest first."""
    kept = [voice for voice in voices if voice.weight >= params.campaign_min_size and
            voice.canonical.prepared.syllables >= params.campaign_min_syllables]
    kept.sort(key=lambda v: (-v.weight, v.canonical.opinions[0].id))
    return [_campaign(voice, params) for voice in kept[:params.max_campaigns]]


def _campaign(voice: _Voice, params: AnalysisParams) -> Campaign:
    """A campaign with its members' stances and its wordings compared with the representative."""
    canonical = voice.canonical
    ids = sorted(o.id for t in voice.texts for o in t.opinions)
    counts: Counter = Counter()
    for item in voice.texts:
        counts[item.stance.stance] += len(item.opinions)
    shown = _display(canonical.opinions[0])
    variants = [Variant(item.opinions[0].id, _display(item.opinions[0]), len(item.opinions),
                        item.stance.stance, word_diff(shown, _display(item.opinions[0])))
                for item in voice.texts[1:params.max_variants + 1]]
    return Campaign(size=voice.weight, canonical_text=shown, canonical_id=canonical.opinions[0].id,
                    member_ids=ids[:params.max_ids], distinct_texts=len(voice.texts),
                    stance_counts=dict(counts), canonical_cues=list(canonical.stance.cues),
                    variants=variants)


def topic_groups(grouping, voices: list[_Voice], count: int, max_ids: int) -> list[TopicGroup]:
    groups = []
    for index, terms in enumerate(grouping.label_terms):
        members = [v for v, label in zip(voices, grouping.labels) if label == index]
        if not members:
            continue
        chosen = [voices[i] for i in representatives(grouping, index, count)]
        groups.append(TopicGroup(
            label_terms=terms, size=sum(v.weight for v in members), voices=len(members),
            representatives=[Representative(v.canonical.opinions[0].id,
                                            _display(v.canonical.opinions[0]), v.weight,
                                            v.canonical.stance.stance, list(v.canonical.stance.cues))
                             for v in chosen],
            member_ids=sorted(o.id for v in members for t in v.texts for o in t.opinions)[:max_ids],
            general=bool(grouping.general and grouping.general[index]),
        ))
    groups.sort(key=lambda g: -g.size)
    return groups


#: Voices whose sentences the summary ranks at most: beyond, a random sample of this many
#: (fixed seed, so every process and every run of the same opinions chooses the same).
#: Centrality is a mean over the voices: a sample of 20,000 ranks the central sentences as
#: all of them would, and keeps the sentence matrix of a million opinions small.
SUMMARY_SAMPLE = 20_000


def summary_sample(count: int, size: int | None = None) -> range | list[int]:
    """The indexes of the voices the summary reads: all, or ``size`` (``SUMMARY_SAMPLE``)
    of them drawn with a fixed seed, in order."""
    size = SUMMARY_SAMPLE if size is None else size
    if count <= size:
        return range(count)
    import numpy as np

    return np.sort(np.random.default_rng(0).choice(count, size=size, replace=False)).tolist()


def summarise(voices: list[_Voice], segmented: dict, vectorizer, count: int) -> list[SummarySentence]:
    sentences = []
    for index in summary_sample(len(voices)):
        voice = voices[index]
        text = voice.canonical.prepared
        words = segmented[text.key]
        surfaces = split_sentences(text.text)
        if len(surfaces) != len(words):
            continue
        sentences.extend(Sentence(surface, content_words(sentence_words), index)
                         for surface, sentence_words in zip(surfaces, words))
    chosen = central_sentences(sentences, count, vectorizer)
    return [SummarySentence(s.text, voices[s.voice].canonical.opinions[0].id) for s in chosen]


def stance_counts(voices: list[_Voice]) -> tuple[dict[str, int], dict[str, int]]:
    """Opinions per stance, each member read on its own text; voices per their
    representative's stance."""
    by_opinions: Counter = Counter({stance: 0 for stance in STANCES})
    by_voices: Counter = Counter({stance: 0 for stance in STANCES})
    for voice in voices:
        for item in voice.texts:
            by_opinions[item.stance.stance] += len(item.opinions)
        by_voices[voice.canonical.stance.stance] += 1
    return dict(by_opinions), dict(by_voices)


def flag_counts(opinions, prepared, documents, voices, max_ids: int):
    """Opinions per flag and (some of) their ids; ``no_content`` = only stopwords."""
    counts: Counter = Counter()
    ids: dict[str, list[int]] = defaultdict(list)
    for opinion, text in zip(opinions, prepared):
        for flag in text.flags:
            counts[flag] += 1
            if len(ids[flag]) < max_ids:
                ids[flag].append(opinion.id)
    for voice, words in zip(voices, documents):
        if not words:
            for item in voice.texts:
                for opinion in item.opinions:
                    counts["no_content"] += 1
                    if len(ids["no_content"]) < max_ids:
                        ids["no_content"].append(opinion.id)
    return dict(sorted(counts.items())), {flag: sorted(v) for flag, v in sorted(ids.items())}


def _words(sentences: list[list[str]]) -> list[str]:
    return [word for sentence in sentences for word in sentence]


def _display(opinion: Opinion) -> str:
    text = (opinion.text or "").strip()
    return text if len(text) <= DISPLAY_CHARS else text[:DISPLAY_CHARS].rstrip() + "…"
