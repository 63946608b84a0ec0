"""The go-live dossier: per gate the verdict, the evidence and what is missing, with the
day each gate turned green, in the form a steering committee signs (HTML, printable),
an engineer diffs (Markdown) or a pipeline reads (JSON, documented in docs/readiness.md)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from jinja2 import Environment
from pydantic import BaseModel

from core.config import Config
from storage.models import ReadinessDay
from workflows.readiness.evidence import Gate, Readiness
from workflows.readiness.history import green_since


class DossierGate(Gate):
    verdict: str  # pass | fail (a hard gate) | open (the soft one)
    green_since: date | None = None  # first day of its current run of passing days


class DossierDay(BaseModel):
    day: date
    ready: bool
    gates: dict[str, bool]


class DossierPrivacy(BaseModel):
    """The privacy mode the committee signs off with (`privacy:` in sopbot.yml)."""

    people_in_reports: str
    people_in_events: str
    min_group_size: int

    def sentence(self) -> str:
        return (
            f"Privacy: people in reports {self.people_in_reports} (groups under "
            f"{self.min_group_size} merged); people in events, webhooks and exports "
            f"{self.people_in_events} (never names)."
        )


class Dossier(BaseModel):
    """GET /api/v1/readiness and `sopbot readiness --format json`."""

    ready: bool
    checked_at: datetime
    ready_since: date | None = None
    timezone: str
    privacy: DossierPrivacy
    gates: list[DossierGate]
    history: list[DossierDay]


class DossierFormat(StrEnum):
    TEXT = "text"
    MD = "md"
    HTML = "html"
    JSON = "json"


def dossier_data(
    readiness: Readiness, *, config: Config, days: list[ReadinessDay], checked_at: datetime
) -> Dossier:
    since = green_since(days)
    return Dossier(
        ready=readiness.ready,
        checked_at=checked_at,
        ready_since=since.get("ready"),
        timezone=config.timezone,
        privacy=DossierPrivacy(
            people_in_reports=config.privacy.people_in_reports,
            people_in_events=config.privacy.people_in_events,
            min_group_size=config.privacy.min_group_size,
        ),
        gates=[
            DossierGate(
                **gate.model_dump(),
                verdict="pass" if gate.passed else ("fail" if gate.hard else "open"),
                green_since=since.get(str(gate.id)),
            )
            for gate in readiness.gates
        ],
        history=[DossierDay(day=row.day, ready=row.ready, gates=row.gates) for row in days],
    )


def _markdown(data: dict[str, Any]) -> str:
    lines = [
        "# Go-live readiness",
        "",
        f"**{'READY' if data['ready'] else 'NOT READY'} to go live** "
        f"(checked {data['checked_at']}). Gates 1-4 are hard: every one must pass. "
        "Gate 5 is soft: reported, not required.",
        "",
        data["privacy_line"],
        "",
    ]
    for gate in data["gates"]:
        kind = "hard" if gate["hard"] else "soft"
        since = f", green since {gate['green_since']}" if gate["green_since"] else ""
        lines += [f"## {gate['id']}. {gate['name']} ({kind}): {gate['verdict']}{since}", ""]
        if gate["missing"]:
            lines += ["Missing:", ""] + [f"- {m}" for m in gate["missing"]] + [""]
        if gate["evidence"]:
            lines += ["Evidence:", ""] + [f"- {e}" for e in gate["evidence"]] + [""]
    if data["history"]:
        lines += ["## History", "", "| day | ready | gates passing |", "|---|---|---|"]
        for row in data["history"]:
            passing = ", ".join(k for k, v in sorted(row["gates"].items()) if v) or "none"
            lines.append(f"| {row['day']} | {'yes' if row['ready'] else 'no'} | {passing} |")
    return "\n".join(lines).rstrip() + "\n"


_HTML = Environment(autoescape=True).from_string(
    """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sopbot go-live readiness</title>
<style>
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1b1b1f;
background:#fff;max-width:60rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin:0 0 .3rem}h2{font-size:1.15rem;margin:1.6rem 0 .4rem}
.verdict{font-size:1.2rem;font-weight:700;padding:.6rem .8rem;border-radius:6px}
.ready{background:#e3f4e6;color:#0b5a1d}.notready{background:#fbe4e4;color:#8a1010}
.tag{font-size:.8rem;font-weight:600;padding:.1rem .45rem;border-radius:4px;margin-left:.4rem}
.pass{background:#e3f4e6;color:#0b5a1d}.fail{background:#fbe4e4;color:#8a1010}
.open{background:#fff1cc;color:#5c4300}
ul{margin:.2rem 0 .6rem;padding-left:1.3rem}li{margin:.15rem 0}
.missing li{color:#8a1010}.evidence li{color:#1b1b1f}
table{border-collapse:collapse;margin-top:.4rem}td,th{border:1px solid #c8c8d0;padding:.2rem .5rem;
text-align:left}.meta{color:#4a4a55}
@media print{body{margin:0;max-width:none}.verdict{border:1px solid #000}}
</style></head><body>
<h1>Go-live readiness</h1>
<p class="meta">Checked {{ d.checked_at }}. Gates 1-4 are hard: every one must pass before
go-live. Gate 5 is soft: reported, not required.</p>
<p class="meta privacy">{{ d.privacy_line }}</p>
<p class="verdict {{ 'ready' if d.ready else 'notready' }}">
{{ 'READY to go live' if d.ready else 'NOT READY to go live' }}
{% if d.ready_since %}(since {{ d.ready_since }}){% endif %}</p>
{% for g in d.gates %}
<section><h2>{{ g.id }}. {{ g.name }} ({{ 'hard' if g.hard else 'soft' }})
<span class="tag {{ g.verdict }}">{{ g.verdict }}</span></h2>
{% if g.green_since %}<p class="meta">Green since {{ g.green_since }}.</p>{% endif %}
{% if g.missing %}<p>Missing:</p><ul class="missing">{% for m in g.missing %}<li>{{ m }}</li>
{% endfor %}</ul>{% endif %}
{% if g.evidence %}<p>Evidence:</p><ul class="evidence">{% for e in g.evidence %}<li>{{ e }}</li>
{% endfor %}</ul>{% endif %}
</section>{% endfor %}
{% if d.history %}<h2>History</h2><table><tr><th>day</th><th>ready</th><th>gates passing</th></tr>
{% for row in d.history %}<tr><td>{{ row.day }}</td><td>{{ 'yes' if row.ready else 'no' }}</td>
<td>{{ row.passing }}</td></tr>{% endfor %}</table>{% endif %}
<p class="meta">Signed for the steering committee: ______________________ date: __________</p>
</body></html>
"""
)


def render_dossier(dossier: Dossier, fmt: DossierFormat) -> str:
    if fmt == DossierFormat.JSON:
        return dossier.model_dump_json(indent=2) + "\n"
    data = {**dossier.model_dump(mode="json"), "privacy_line": dossier.privacy.sentence()}
    if fmt == DossierFormat.MD:
        return _markdown(data)
    if fmt == DossierFormat.HTML:
        history = [
            {**row, "passing": ", ".join(k for k, v in sorted(row["gates"].items()) if v) or "none"}
            for row in data["history"]
        ]
        return _HTML.render(d={**data, "history": history})
    raise ValueError(f"no text rendering here: {fmt}")
