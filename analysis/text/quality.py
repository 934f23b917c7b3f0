"""Quality figures against planted truth: campaign precision and recall, group purity,
segmentation accuracy against a gold sample."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

GOLD_SEGMENTATION = Path(__file__).parent / "data" / "segmentation_gold.txt"


def campaign_scores(detected: list[list[int]], planted: dict[int, int | None]) -> tuple[float, float]:
    """(precision, recall) of detected campaigns, counted per opinion.

    A detected campaign stands for the planted campaign most of its members belong to;
    only the largest detected campaign standing for a planted one counts (a split
    campaign loses recall). A member is right when it belongs to the campaign its
    detected campaign stands for. Precision = right members / members detected;
    recall = right members / members planted.
    """
    best: dict[int, tuple[int, int]] = {}
    for index, members in enumerate(detected):
        labels = Counter(planted.get(i) for i in members)
        label, right = labels.most_common(1)[0]
        if label is not None and right > best.get(label, (0, -1))[0]:
            best[label] = (right, index)
    right_total = sum(right for right, _ in best.values())
    detected_total = sum(len(members) for members in detected)
    planted_total = sum(1 for label in planted.values() if label is not None)
    precision = right_total / detected_total if detected_total else 1.0
    recall = right_total / planted_total if planted_total else 1.0
    return precision, recall


def purity(groups: list[list[int]], truth: dict[int, str]) -> float:
    """Share of grouped items whose group's majority label is their own label."""
    total = sum(len(members) for members in groups)
    if not total:
        return 0.0
    right = sum(Counter(truth[i] for i in members).most_common(1)[0][1] for members in groups)
    return right / total


def read_gold(path: Path = GOLD_SEGMENTATION) -> list[list[str]]:
    """Gold sentences as lists of words (syllables joined by ``_``), punctuation left out."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [[w for w in line.split() if any(c.isalnum() for c in w)]
            for line in lines if line.strip() and not line.startswith("#")]


def segmentation_scores(segment, gold: list[list[str]] | None = None) -> tuple[float, float, float]:
    """(precision, recall, F1) of word spans: ``segment(sentence) -> words`` vs the gold."""
    gold = gold if gold is not None else read_gold()
    found = expected = right = 0
    for words in gold:
        sentence = " ".join(w.replace("_", " ") for w in words)
        gold_spans = _spans(w.lower() for w in words)
        spans = _spans(w for w in segment(sentence) if any(c.isalnum() for c in w))
        found, expected, right = found + len(spans), expected + len(gold_spans), \
            right + len(spans & gold_spans)
    precision, recall = right / found, right / expected
    return precision, recall, 2 * precision * recall / (precision + recall)


def _spans(words) -> set[tuple[int, int]]:
    spans, start = set(), 0
    for word in words:
        size = len(word.split("_"))
        spans.add((start, start + size))
        start += size
    return spans
