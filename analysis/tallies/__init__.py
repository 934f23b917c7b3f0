"""Tallies of survey answers: per-question summaries, filters, and the SQL they share.

Pure package (no Flask): functions take a SQLAlchemy ``Session`` and ids, push the counting
into SQL ``GROUP BY`` and return plain data and pandas DataFrames.
"""
from analysis.tallies.filters import AUDIENCES, ResponseFilters, responses_where
from analysis.tallies.structure import KIND_FAMILIES, QuestionInfo, SurveyInfo, family_of, load_survey
from analysis.tallies.summaries import (QuestionSummary, count_respondents, plain_number, summarise_question,
                                        summarise_survey)

__all__ = [
    "AUDIENCES", "KIND_FAMILIES", "QuestionInfo", "QuestionSummary", "ResponseFilters", "SurveyInfo",
    "count_respondents", "family_of", "load_survey", "plain_number", "responses_where",
    "summarise_question", "summarise_survey",
]
