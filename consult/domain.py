"""Domain facts shared by forms, services and templates: one place for each list."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from consult.data import province_names  # noqa: F401  (re-exported for the web layer)

#: Who a citizen-side respondent is (đối tượng). Keys are stored; labels are shown.
RESPONDENT_TYPES = {
    "citizen": _l("Citizen"),
    "coop_member": _l("Cooperative member"),
    "cooperative": _l("Cooperative"),
    "enterprise": _l("Enterprise"),
    "organisation": _l("Organisation"),
    "other": _l("Other"),
}

#: Kinds of organisation consulted on a draft.
ORGANISATION_KINDS = {
    "ministry": _l("Ministry"),
    "ministerial_agency": _l("Ministerial-level agency"),
    "government_agency": _l("Government agency"),
    "province": _l("Province or centrally-run city"),
    "association": _l("Association or organisation"),
}

#: Provision kinds, outermost first, with their Vietnamese names.
PROVISION_KINDS = {
    "part": _l("Part"),
    "chapter": _l("Chapter"),
    "section": _l("Section"),
    "article": _l("Article"),
    "clause": _l("Clause"),
    "point": _l("Point"),
}

#: Life of a citizen's comment. ``draft`` is in the citizen's unsent list;
#: ``pending`` waits for moderation; only ``published`` is shown to the public.
COMMENT_STATUSES = {
    "draft": _l("Not sent yet"),
    "pending": _l("Awaiting moderation"),
    "published": _l("Published"),
    "rejected": _l("Rejected"),
    "hidden": _l("Hidden"),
}

#: What a moderator may do, and the status each action leads to.
MODERATION_ACTIONS = {
    "publish": "published",
    "reject": "rejected",
    "hide": "hidden",
}
MODERATION_ACTION_LABELS = {
    "publish": _l("Publish"),
    "reject": _l("Reject"),
    "hide": _l("Hide"),
}

#: Kinds of legal document a consultation is held on (Luật Ban hành văn bản quy phạm pháp luật).
DOCUMENT_KINDS = {
    "law": _l("Law"),
    "ordinance": _l("Ordinance"),
    "resolution": _l("Resolution"),
    "decree": _l("Decree"),
    "decision": _l("Decision (legal document)"),
    "circular": _l("Circular"),
}

#: A consultation's life, in order (``Consultation.state``).
CONSULTATION_STATES = {
    "hidden": _l("Not yet visible"),
    "scheduled": _l("Scheduled"),
    "open": _l("Open"),
    "closed": _l("Closed"),
    "answered": _l("Answered"),
    "archived": _l("Archived"),
}

#: Who a consultation asks: the public comment forms, and the roster of bodies' formal letters.
AUDIENCES = {
    "citizens": _l("Citizens (public comments)"),
    "bodies": _l("Bodies on the roster (formal letters)"),
}

#: Public steps of a consultation's life (``ConsultationEvent.kind``).
CONSULTATION_EVENTS = {
    "published": _l("Published"),
    "extended": _l("Deadline extended"),
    "closed": _l("Closed early"),
    "reopened": _l("Reopened"),
    "archived": _l("Archived"),
}

#: Drafting-team roles. Officers belong to an organisation (formal submissions).
ROLES = {
    "admin": _l("Administrator"),
    "drafter": _l("Drafting team member"),
    "moderator": _l("Moderator"),
    "officer": _l("Organisation officer"),
}
#: Roles that may moderate comments.
MODERATOR_ROLES = frozenset({"admin", "drafter", "moderator"})
#: Roles that may import and publish draft versions.
DRAFTER_ROLES = frozenset({"admin", "drafter"})


#: The drafting team's answer to an opinion, in the order the synthesis report explains them.
#: ``accepted`` (tiếp thu): the draft is changed as asked; ``partly_accepted`` (tiếp thu một
#: phần); ``explained`` (giải trình): the draft stays and the report says why;
#: ``not_accepted`` (không tiếp thu).
DECISION_OUTCOMES = {
    "accepted": _l("Accepted"),
    "partly_accepted": _l("Partly accepted"),
    "explained": _l("Explained"),
    "not_accepted": _l("Not accepted"),
}
#: Outcomes whose reason may be left empty: an accepted opinion needs no justification,
#: though "Đã chỉnh sửa tại khoản 2 Điều 5" helps the reader.
REASON_OPTIONAL_OUTCOMES = frozenset({"accepted"})
#: Longest reason kept, in characters.
DECISION_REASON_MAX = 5000
#: Longest new wording a decision may quote, in characters (an article of a law runs to a few
#: thousand).
NEW_WORDING_MAX = 20000

#: What became of an article between two versions (``consult.matching.MATCH_KINDS``), as the
#: comparison table (bảng so sánh) names it.
MATCH_KINDS = {
    "same": _l("Unchanged"),
    "changed": _l("Amended"),
    "moved": _l("Moved or renumbered"),
    "merged": _l("Merged"),
    "split": _l("Split"),
    "removed": _l("Removed"),
    "added": _l("Added"),
}
