"""What the pipeline reads and what it returns: plain data, JSON-safe through ``to_dict``."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True, slots=True)
class Opinion:
    """One opinion to analyse.

    ``text`` is the text as written (or its stored normalised form: both work, the
    pipeline normalises again). ``source`` tells the pages what ``id`` points at:
    ``comment`` (a ``Comment``) or ``answer`` (a survey ``Answer``).
    """

    id: int
    text: str
    group_key: str = ""
    respondent_type: str | None = None
    source: str = "comment"


@dataclass
class Variant:
    """One wording of a campaign other than its representative's, and how it differs.

    ``diff`` is a list of ``[op, text]`` with op ``equal``, ``insert`` (words only in the
    variant) or ``delete`` (words of the representative the variant lacks), compared on
    words without case or marks, shown with the variant's own words.
    """

    opinion_id: int
    text: str
    copies: int
    stance: str
    diff: list[list[str]] = field(default_factory=list)


@dataclass
class Campaign:
    """Copies and near-copies of one text, counted as one voice of ``size`` opinions.

    Every member was compared with the representative (``canonical_*``) and has its stance
    polarity; ``stance_counts`` counts the members (opinions) per stance.
    """

    size: int
    canonical_text: str
    canonical_id: int
    member_ids: list[int]
    distinct_texts: int
    stance_counts: dict[str, int] = field(default_factory=dict)
    #: The cue words that gave the representative its stance.
    canonical_cues: list[str] = field(default_factory=list)
    variants: list[Variant] = field(default_factory=list)


@dataclass
class Representative:
    opinion_id: int
    text: str
    #: Opinions this voice stands for (more than 1 for a campaign or identical texts).
    weight: int = 1
    stance: str = "unclear"
    cues: list[str] = field(default_factory=list)


@dataclass
class TopicGroup:
    label_terms: list[str]
    #: Opinions in the group, a campaign counting with its size.
    size: int
    #: Distinct voices in the group, a campaign counting once.
    voices: int
    representatives: list[Representative] = field(default_factory=list)
    #: Opinion ids in the group (capped by ``AnalysisParams.max_ids``).
    member_ids: list[int] = field(default_factory=list)
    #: Label words mostly evaluation: shown as "general remarks", not as a topic.
    general: bool = False


@dataclass
class KeyPhrase:
    phrase: str
    #: Voices (campaigns collapsed) whose text contains the phrase.
    count: int


@dataclass
class SummarySentence:
    text: str
    opinion_id: int


@dataclass
class AnalysisResult:
    """Everything the pages show for one set of opinions."""

    input_count: int
    analysed_count: int
    voice_count: int
    flags: dict[str, int]
    key_words: list[KeyPhrase]
    key_collocations: list[KeyPhrase]
    campaigns: list[Campaign]
    groups: list[TopicGroup]
    #: Voices that fit no group (too short, only stopwords, or off every topic).
    ungrouped: int
    summary: list[SummarySentence]
    #: Opinions per stance (campaigns with their size) and distinct voices per stance.
    stance_opinions: dict[str, int]
    stance_voices: dict[str, int]
    #: Opinion ids flagged, by flag (capped), so a reader can look at them.
    flagged_ids: dict[str, list[int]]
    segmenter: str
    #: Seconds per stage, wall clock and CPU.
    timings: dict[str, float] = field(default_factory=dict)
    cpu_timings: dict[str, float] = field(default_factory=dict)
    #: True when the groups are a reading aid: no grouping of these voices came back alike
    #: from random subsamples (results stored before it was added read as False).
    groups_reading_aid: bool = False

    def to_dict(self) -> dict:
        return asdict(self)
