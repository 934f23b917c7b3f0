"""Measurements on real labelled comments (``bench/text --real FILE.csv``).

* ``load_labelled_csv``: any CSV with a text column and a label column, kept outside the
  repository (third-party corpora are never committed).
* ``campaign_evaluation``: campaigns planted in real comments, one group of copies per
  perturbation kind (``perturb.PERTURBATIONS``) plus agreeing/disagreeing pairs that must
  stay apart; precision and recall per kind.
* ``topic_evaluation``: NMI and purity of the pipeline's topic groups against the labels,
  with a syllable TF-IDF + KMeans and a segmented TF-IDF + KMeans baseline in the same run.
* ``stance_evaluation``: stance against sentiment labels (positive = agrees, negative =
  disagrees or proposes a change).
"""
from __future__ import annotations

import csv
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from analysis.text.opinion import Opinion
from analysis.text.perturb import PERTURBATIONS, opposite_pair, perturb
from analysis.text.stance import classify

_WORD_RE = re.compile(r"\w+", re.UNICODE)


def load_labelled_csv(path: str | Path, text_column: str = "text",
                      label_column: str = "label") -> list[tuple[str, str]]:
    """(text, label) rows of a UTF-8 CSV with a header; rows without text are skipped."""
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {text_column, label_column} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: no column {', '.join(sorted(missing))} "
                             f"(columns: {', '.join(reader.fieldnames or [])})")
        return [(row[text_column].strip(), row[label_column].strip()) for row in reader
                if (row.get(text_column) or "").strip()]


def syllable_count(text: str) -> int:
    return len(_WORD_RE.findall(text))


# --- campaigns ------------------------------------------------------------------------


@dataclass
class PlantedCorpus:
    opinions: list[Opinion]
    #: opinion id -> (planted campaign label, kind); absent for background opinions.
    truth: dict[int, tuple[int, str]]
    #: (agreeing campaign label, disagreeing campaign label) that must stay apart.
    opposite_pairs: list[tuple[int, int]] = field(default_factory=list)


def plant_campaigns(texts: list[str], per_kind: int = 20, copies: tuple[int, int] = (3, 8),
                    background: int = 3000, seed: int = 1, min_syllables: int = 12) -> PlantedCorpus:
    """Real ``texts`` as background, with ``per_kind`` planted campaigns of each kind whose
    bases are other real texts of at least ``min_syllables`` syllables."""
    rng = random.Random(seed)
    pool = list(dict.fromkeys(texts))
    rng.shuffle(pool)
    bases = [t for t in pool if syllable_count(t) >= min_syllables and classify(t).polarity == 0]
    needed = per_kind * (len(PERTURBATIONS) + 1)
    if len(bases) < needed:
        raise ValueError(f"only {len(bases)} texts of {min_syllables}+ syllables; {needed} needed")
    chosen, rest = bases[:needed], [t for t in pool if t not in set(bases[:needed])]
    vocabulary = [w for t in rest[:2000] for w in t.split() if w.isalpha()]
    corpus = PlantedCorpus([], {})
    label = 0
    for kind_index, kind in enumerate(PERTURBATIONS):
        for base in chosen[kind_index * per_kind:(kind_index + 1) * per_kind]:
            size = rng.randint(*copies)
            first = perturb(kind, rng, base, vocabulary) if kind == "template" else base
            _add(corpus, [first] + [perturb(kind, rng, base, vocabulary) for _ in range(size - 1)],
                 label, kind)
            label += 1
    for number, base in enumerate(chosen[len(PERTURBATIONS) * per_kind:], start=1):
        agree, disagree = opposite_pair(rng, base, number)
        _add(corpus, [agree] * rng.randint(*copies), label, "opposite_polarity")
        _add(corpus, [disagree] * rng.randint(*copies), label + 1, "opposite_polarity")
        corpus.opposite_pairs.append((label, label + 1))
        label += 2
    for text in rest[:background]:
        corpus.opinions.append(Opinion(len(corpus.opinions) + 1, text))
    rng.shuffle(corpus.opinions)
    return corpus


def _add(corpus: PlantedCorpus, texts: list[str], label: int, kind: str) -> None:
    for text in texts:
        corpus.opinions.append(Opinion(len(corpus.opinions) + 1, text))
        corpus.truth[len(corpus.opinions)] = (label, kind)


@dataclass
class KindScore:
    kind: str
    planted: int
    found_right: int
    detected: int
    precision: float
    recall: float


def campaign_evaluation(corpus: PlantedCorpus, detected: list[list[int]]) -> tuple[list[KindScore], dict]:
    """Precision and recall per kind, counted per opinion; plus overall figures.

    A detected campaign stands for the planted campaign most of its members belong to;
    only the largest detected campaign for a planted one counts (a split loses recall).
    Precision of a kind = right members / members of the detected campaigns standing for
    its planted campaigns. ``overall["background_campaigns"]`` counts detected campaigns
    made of unplanted real comments (real near-duplicates, or false joins).
    """
    best: dict[int, tuple[int, int]] = {}
    standing: dict[int, int] = {}
    for index, members in enumerate(detected):
        labels = Counter(corpus.truth.get(i, (None,))[0] for i in members)
        label, right = labels.most_common(1)[0]
        if label is None:
            continue
        standing[index] = label
        if right > best.get(label, (0, -1))[0]:
            best[label] = (right, index)
    kind_of = {label: kind for label, kind in corpus.truth.values()}
    planted = Counter(kind for _, kind in corpus.truth.values())
    right_by_kind: Counter = Counter()
    detected_by_kind: Counter = Counter()
    for label, (right, _) in best.items():
        right_by_kind[kind_of[label]] += right
    for index, label in standing.items():
        detected_by_kind[kind_of[label]] += len(detected[index])
    scores = [KindScore(kind, planted[kind], right_by_kind[kind], detected_by_kind[kind],
                        right_by_kind[kind] / detected_by_kind[kind] if detected_by_kind[kind] else 1.0,
                        right_by_kind[kind] / planted[kind] if planted[kind] else 1.0)
              for kind in (*PERTURBATIONS, "opposite_polarity")]
    mixed = sum(1 for members in detected if _mixes(corpus, members))
    background = [m for i, m in enumerate(detected) if i not in standing]
    overall = {"mixed_polarity_campaigns": mixed, "background_campaigns": len(background),
               "background_members": sum(len(m) for m in background),
               "precision_all": sum(r for r, _ in best.values()) / max(1, sum(map(len, detected)))}
    return scores, overall


def _mixes(corpus: PlantedCorpus, members: list[int]) -> bool:
    labels = {corpus.truth[i][0] for i in members if i in corpus.truth}
    return any(a in labels and b in labels for a, b in corpus.opposite_pairs)


# --- stance -----------------------------------------------------------------------------

#: Sentiment labels read as agreement / disagreement (UIT-VSFC uses 2 / 0, others words).
POSITIVE = frozenset({"2", "positive", "pos", "agree"})
NEGATIVE = frozenset({"0", "negative", "neg", "disagree"})


def stance_evaluation(rows: list[tuple[str, str]]) -> dict:
    """On rows labelled positive or negative (texts that carry an opinion): the share left
    unclear (or a bare question), and the accuracy of the committed stances."""
    from analysis.text.normalise import prepare

    counts: Counter = Counter()
    right = committed = opinionated = 0
    for text, label in rows:
        label = label.lower()
        if label not in POSITIVE and label not in NEGATIVE:
            continue
        opinionated += 1
        stance = classify(prepare(text).text).stance
        counts[stance] += 1
        if stance in ("unclear", "question"):
            continue
        committed += 1
        right += (stance == "agree") == (label in POSITIVE)
    return {"opinionated": opinionated, "by_stance": dict(counts),
            "unclear_share": (counts["unclear"] + counts["question"]) / max(1, opinionated),
            "accuracy": right / max(1, committed), "committed": committed}


# --- topics -------------------------------------------------------------------------------


def topic_evaluation(rows: list[tuple[str, str]], params=None, seed: int = 0) -> dict:
    """NMI and purity of the pipeline's groups and of two KMeans baselines, same texts."""
    from analysis.text import AnalysisParams, analyse
    from analysis.text.segment import default_segmenter, segment_text

    opinions = [Opinion(i + 1, text) for i, (text, _) in enumerate(rows)]
    labels = [label for _, label in rows]
    result = analyse(opinions, params or AnalysisParams(max_ids=10**7, max_campaigns=10**6))
    assigned = {opinion_id: index for index, group in enumerate(result.groups)
                for opinion_id in group.member_ids}
    ours = [assigned.get(o.id, -1) for o in opinions]
    segmenter = default_segmenter()
    syllables = [" ".join(_WORD_RE.findall(text.lower())) for text, _ in rows]
    segmented = [" ".join(w for s in segment_text(text, segmenter) for w in s) for text, _ in rows]
    k = len(set(labels))
    report = {"groups": len(result.groups), "labels": k,
              "general_groups": sum(1 for g in result.groups if getattr(g, "general", False)),
              "ours": _scores(labels, ours)}
    for name, documents in (("syllable_kmeans", syllables), ("segmented_kmeans", segmented)):
        report[name] = max((_scores(labels, _kmeans(documents, count, seed))
                            for count in {k, max(2, len(result.groups))}),
                           key=lambda s: s["nmi"])
    return report


def _kmeans(documents: list[str], count: int, seed: int) -> list[int]:
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer(token_pattern=r"\S+", min_df=2, sublinear_tf=True).fit_transform(documents)
    return KMeans(n_clusters=count, n_init=5, random_state=seed).fit_predict(matrix).tolist()


def _scores(labels: list[str], groups: list[int]) -> dict:
    from sklearn.metrics import normalized_mutual_info_score

    members: dict[int, list[str]] = defaultdict(list)
    for label, group in zip(labels, groups):
        members[group].append(label)
    right = sum(Counter(m).most_common(1)[0][1] for g, m in members.items() if g != -1)
    grouped = sum(len(m) for g, m in members.items() if g != -1)
    return {"nmi": normalized_mutual_info_score(labels, groups),
            "purity": right / grouped if grouped else 0.0, "grouped": grouped}
