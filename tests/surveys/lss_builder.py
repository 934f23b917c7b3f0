"""Write small LimeSurvey structure files (``.lss``) for the tests, in either layout:
LimeSurvey 4+ (texts in ``*_l10ns`` tables) or LimeSurvey 2/3 (texts and ``language`` in each row).

    survey = LssSurvey(languages=["vi", "en"], title={"vi": "Khảo sát", "en": "Survey"})
    group = survey.group({"vi": "Trang 1", "en": "Page 1"}, relevance="1")
    survey.question(group, "L", "Q1", {"vi": "Bạn là ai?"}, answers=[("A1", {"vi": "Dân"})])
    data = survey.xml(modern=True)
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class LssSurvey:
    languages: list[str]
    title: dict
    description: dict = field(default_factory=dict)
    groups: list[dict] = field(default_factory=list)
    questions: list[dict] = field(default_factory=list)
    answers: list[dict] = field(default_factory=list)
    attributes: list[dict] = field(default_factory=list)
    conditions: list[dict] = field(default_factory=list)
    _next_id: int = 100

    def _id(self) -> str:
        self._next_id += 1
        return str(self._next_id)

    def group(self, name: dict, relevance: str = "1") -> str:
        gid = self._id()
        self.groups.append({"gid": gid, "group_order": str(len(self.groups)), "grelevance": relevance,
                            "texts": {"group_name": name, "description": {}}})
        return gid

    def question(self, gid: str, type_: str, code: str, text: dict, *, help: dict | None = None,
                 mandatory: str = "N", other: str = "N", relevance: str = "1", preg: str = "",
                 answers: list | None = None, subquestions: list | None = None,
                 attributes: dict | None = None, parent: str = "0", scale: str = "0") -> str:
        qid = self._id()
        self.questions.append({"qid": qid, "parent_qid": parent, "gid": gid, "type": type_, "title": code,
                               "other": other, "mandatory": mandatory, "relevance": relevance,
                               "preg": preg, "scale_id": scale,
                               "question_order": str(len(self.questions)),
                               "texts": {"question": text, "help": help or {}}})
        for order, (answer_code, answer_text, *answer_scale) in enumerate(answers or []):
            self.answers.append({"aid": self._id(), "qid": qid, "code": answer_code, "sortorder": str(order),
                                 "scale_id": answer_scale[0] if answer_scale else "0",
                                 "texts": {"answer": answer_text}})
        for sub_code, sub_text, *sub_scale in subquestions or []:
            self.question(gid, "T", sub_code, sub_text, parent=qid, scale=sub_scale[0] if sub_scale else "0")
        for name, value in (attributes or {}).items():
            self.attributes.append({"qid": qid, "attribute": name, "value": value, "language": ""})
        return qid

    def condition(self, qid: str, cqid: str, fieldname: str, value: str, method: str = "==",
                  scenario: str = "1") -> None:
        self.conditions.append({"cid": self._id(), "qid": qid, "cqid": cqid, "cfieldname": fieldname,
                                "method": method, "value": value, "scenario": scenario})

    # --- writing -------------------------------------------------------------------------
    def xml(self, modern: bool = True) -> bytes:
        top = [q for q in self.questions if q["parent_qid"] == "0"]
        subs = [q for q in self.questions if q["parent_qid"] != "0"]
        parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<document>',
                 "<LimeSurveyDocType>Survey</LimeSurveyDocType>",
                 f"<DBVersion>{'640' if modern else '366'}</DBVersion>",
                 "<languages>" + "".join(f"<language>{lang}</language>" for lang in self.languages) + "</languages>"]
        tables = (("groups", self.groups, "gid", "group_l10ns"), ("questions", top, "qid", None),
                  ("subquestions", subs, "qid", "question_l10ns"), ("answers", self.answers, "aid", "answer_l10ns"))
        for name, rows, key, l10n in tables:
            if modern:
                parts.append(_table(name, [_plain(row) for row in rows]))
                texted = self.questions if l10n == "question_l10ns" else rows
                if l10n:
                    parts.append(_table(l10n, [_texts(row, key, lang) for row in texted for lang in self.languages]))
            else:
                parts.append(_table(name, [{**_plain(row), **_texts(row, key, lang)}
                                           for row in rows for lang in self.languages]))
        parts.append(_table("question_attributes", self.attributes))
        parts.append(_table("conditions", self.conditions))
        parts.append(_table("surveys_languagesettings", [
            {"surveyls_survey_id": "123456", "surveyls_language": lang,
             "surveyls_title": self.title.get(lang, ""), "surveyls_description": self.description.get(lang, "")}
            for lang in self.languages]))
        parts.append("</document>")
        return "\n".join(parts).encode("utf-8")


def _texts(row: dict, key: str, language: str) -> dict:
    return {key: row[key], **{column: value.get(language, "") for column, value in row["texts"].items()},
            "language": language}


def _plain(row: dict) -> dict:
    return {key: value for key, value in row.items() if key != "texts"}


def _table(name: str, rows: list[dict]) -> str:
    if not rows:
        return f"<{name}/>"
    columns = list(dict.fromkeys(key for row in rows for key in row))
    fields = "".join(f"<fieldname>{column}</fieldname>" for column in columns)
    body = "".join("<row>" + "".join(f"<{c}><![CDATA[{row.get(c, '')}]]></{c}>" if row.get(c, "") != "" else f"<{c}/>"
                                     for c in columns) + "</row>" for row in rows)
    return f"<{name}><fields>{fields}</fields><rows>{body}</rows></{name}>"
