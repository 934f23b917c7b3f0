"""The Vietnamese open-text pipeline: pure Python, no Flask, no web layer.

``analyse(opinions, params, cache) -> AnalysisResult``; see ``pipeline`` for the stages
and docs/text-analysis.md for the choices and the measured figures.
"""
from analysis.text.opinion import AnalysisResult, Campaign, KeyPhrase, Opinion, TopicGroup
from analysis.text.pipeline import AnalysisParams, SegmentCache, analyse

__all__ = ["AnalysisParams", "AnalysisResult", "Campaign", "KeyPhrase", "Opinion",
           "SegmentCache", "TopicGroup", "analyse"]
