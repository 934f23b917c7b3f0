"""The Vietnamese open-text pipeline: pure Python, no Flask, no web layer.

``analyse(opinions, params, cache) -> AnalysisResult``; see ``pipeline`` for the stages
and docs/text-analysis.md for the choices and the measured figures.

The pipeline's names are loaded on first use (PEP 562): importing ``analysis.text.normalise``
or ``analysis.text.opinion`` must not pull scikit-learn, NLTK and datasketch into a web worker.
"""
from analysis.text.opinion import AnalysisResult, Campaign, KeyPhrase, Opinion, TopicGroup

_PIPELINE_NAMES = ("AnalysisParams", "SegmentCache", "analyse")

__all__ = ["AnalysisParams", "AnalysisResult", "Campaign", "KeyPhrase", "Opinion",
           "SegmentCache", "TopicGroup", "analyse"]


def __getattr__(name: str):
    if name in _PIPELINE_NAMES:
        from analysis.text import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
