"""Which responses a tally counts: the filters a results page carries in its URL.

``ResponseFilters.from_args(request.args)`` reads them leniently (a bad value is dropped and
reported, never an error page); ``to_args()`` writes them back for links, so a view with its
filters can be shared by copying the address.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from typing import Mapping

from sqlalchemy import and_, select

from analysis.tallies.sql import vn_day_bounds
from consult.models import Organisation
from surveys.models import Invitation, Response

#: ``open``: answered through the open link; ``invited``: an invited organisation's response.
AUDIENCES = ("open", "invited")
SUBMITTED = "submitted"


#: Dates a filter accepts: room for the day after and the UTC shift.
FIRST_YEAR, LAST_YEAR = 1000, 9998


@dataclass(frozen=True)
class ResponseFilters:
    """Filters on submitted responses. Dates are Vietnam calendar days, both ends included."""

    date_from: date | None = None
    date_to: date | None = None
    audience: str | None = None
    province_code: str | None = None
    respondent_type: str | None = None
    organisation_kind: str | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> tuple["ResponseFilters", list[str]]:
        """Filters from URL arguments, and the names of the arguments that were not valid."""
        values, invalid = {}, []
        for name in ("date_from", "date_to"):
            raw = (args.get(name) or "").strip()
            if raw:
                try:
                    day = date.fromisoformat(raw)
                except ValueError:
                    invalid.append(name)
                    continue
                if FIRST_YEAR <= day.year <= LAST_YEAR:
                    values[name] = day
                else:  # 0001-01-01 or 9999-12-31 would overflow turned into Vietnam-day bounds
                    invalid.append(name)
        audience = (args.get("audience") or "").strip()
        if audience:
            if audience in AUDIENCES:
                values["audience"] = audience
            else:
                invalid.append("audience")
        for name in ("province_code", "respondent_type", "organisation_kind"):
            raw = (args.get(name) or "").strip()
            if raw:
                if len(raw) <= 32 and raw.replace("_", "").isalnum():
                    values[name] = raw
                else:
                    invalid.append(name)
        filters = cls(**values)
        if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
            filters = replace(filters, date_from=filters.date_to, date_to=filters.date_from)
        return filters, invalid

    def to_args(self) -> dict[str, str]:
        """The non-empty filters as URL arguments."""
        return {key: value.isoformat() if isinstance(value, date) else value
                for key, value in asdict(self).items() if value}

    @property
    def active(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def conditions(self) -> list:
        """SQL conditions on ``Response`` (and, for the organisation kind, its invitation)."""
        conditions = [Response.status == SUBMITTED]
        start, end = vn_day_bounds(self.date_from, self.date_to)
        if start is not None:
            conditions.append(Response.submitted_at >= start)
        if end is not None:
            conditions.append(Response.submitted_at < end)
        if self.audience == "open":
            conditions.append(Response.invitation_id.is_(None))
        elif self.audience == "invited":
            conditions.append(Response.invitation_id.is_not(None))
        if self.province_code:
            conditions.append(Response.province_code == self.province_code)
        if self.respondent_type:
            conditions.append(Response.respondent_type == self.respondent_type)
        if self.organisation_kind:
            conditions.append(Response.invitation_id.in_(
                select(Invitation.id).join(Organisation, Organisation.id == Invitation.organisation_id)
                .where(Organisation.kind == self.organisation_kind)))
        return conditions


def responses_where(survey_id: int, filters: ResponseFilters | None):
    """One boolean clause: the survey's submitted responses that pass ``filters``."""
    filters = filters or ResponseFilters()
    return and_(Response.survey_id == survey_id, *filters.conditions())
