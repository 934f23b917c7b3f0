"""A stance model learnt from the drafting team's own labels, per consultation.

Once the team has labelled ``MIN_LABELS`` opinions of a consultation (with at least two
stances among them), the analysis job trains a character n-gram TF-IDF + logistic
regression model on them and suggests a stance, with its probability, for every opinion
the team has not labelled. A suggestion is shown as such, never as a fact; the rules
(``stance.classify``) still give their reading and cue words beside it.

Character n-grams on the text folded without marks work the same on text with and
without diacritics and need no segmentation, so training takes a second on thousands.
"""
from __future__ import annotations

from dataclasses import dataclass

from consult.textnorm import fold, strip_marks

#: Labels needed in a consultation before a model is trained.
MIN_LABELS = 50


@dataclass(frozen=True)
class Suggestion:
    stance: str
    #: The model's probability for ``stance`` (0–1).
    confidence: float


def _plain(text: str) -> str:
    return strip_marks(fold(text or ""))


def can_train(labels: list[str], minimum: int = MIN_LABELS) -> bool:
    return len(labels) >= minimum and len(set(labels)) >= 2


def train(texts: list[str], labels: list[str]):
    """A fitted scikit-learn pipeline (imported here: web requests never load sklearn)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, min_df=1),
        LogisticRegression(max_iter=2000, class_weight="balanced"),
    )
    model.fit([_plain(t) for t in texts], labels)
    return model


def suggest(model, texts: list[str]) -> list[Suggestion]:
    if not texts:
        return []
    probabilities = model.predict_proba([_plain(t) for t in texts])
    classes = list(model.classes_)
    return [Suggestion(classes[row.argmax()], round(float(row.max()), 3)) for row in probabilities]
