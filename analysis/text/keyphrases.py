"""Stage: key words and key collocations with NLTK (no NLTK data needed).

Counted over voices (a campaign counts once), on content words, each word at most once
per voice, so one long opinion cannot make its words "key".
"""
from __future__ import annotations

from analysis.text.opinion import KeyPhrase

#: Stance words are kept in the text but say little alone in a list of key words.
_WEAK_ALONE = frozenset({"không", "chưa", "chẳng", "cần", "phải", "nên", "quá", "rõ", "cao",
                         "thấp", "mới", "cũ", "khó", "dễ", "đủ", "thêm", "lâu", "ngắn"})


def key_words(documents: list[list[str]], top: int = 25) -> list[KeyPhrase]:
    """The words found in the most voices; a tie keeps the order of first appearance, so
    every process ranks alike (a ``set``'s order changes with each process's hash seed)."""
    from nltk import FreqDist  # NLTK is loaded by the job that needs it, not by web requests

    frequency = FreqDist(word for words in documents for word in dict.fromkeys(words)
                         if word not in _WEAK_ALONE and len(word) > 1)
    return [KeyPhrase(_display(word), count) for word, count in frequency.most_common(top)]


def key_collocations(documents: list[list[str]], top: int = 15, min_count: int = 2) -> list[KeyPhrase]:
    """Two-word phrases that occur together more than chance says (log-likelihood ratio),
    in at least ``min_count`` voices; bigrams never cross two voices."""
    from nltk.collocations import BigramAssocMeasures, BigramCollocationFinder

    finder = BigramCollocationFinder.from_documents(documents)
    finder.apply_freq_filter(min_count)
    finder.apply_ngram_filter(lambda first, second: first == second)
    best = finder.nbest(BigramAssocMeasures.likelihood_ratio, top * 3)
    counts = _voices_with(documents, set(best))
    ranked = sorted(best, key=lambda pair: -counts[pair])[:top]
    return [KeyPhrase(_display(first) + " " + _display(second), counts[(first, second)])
            for first, second in ranked if counts[(first, second)] >= min_count]


def _voices_with(documents: list[list[str]], pairs: set[tuple[str, str]]) -> dict:
    counts = dict.fromkeys(pairs, 0)
    for words in documents:
        seen = {pair for pair in zip(words, words[1:]) if pair in counts}
        for pair in seen:
            counts[pair] += 1
    return counts


def _display(word: str) -> str:
    return word.replace("_", " ")
