"""The web chat's HTTP side: `/chat/{person}` pages, the form posts that feed clicks
into the decision workflow (answered first, worked after: adapters.local.actions), the
demo clock control and the polling endpoint.

The acting person is the `{person}` in the URL of every post; the decision workflow,
not the page, decides whether that person may act (a hand-made post by someone who
does not own the recommendation is refused and audited like a click in Slack).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader

from adapters.local.actions import (
    OUTCOME_HEADER,
    PAGE_WAIT,
    Actions,
    AfterPost,
    Notice,
    Outcomes,
    back,
)
from adapters.local.chat import LocalChat, Post
from adapters.local.render import CardView, Draft, ThreadView, card, code_spans, threaded
from core.clock import local_time_label
from core.config import Person
from core.messages import Message, Section
from workflows.chat import QUEUE, answer_command, parse_command, queue_count, queue_messages
from workflows.service import Services

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
VIEWS = {"messages": "Messages", "queue": "Queue", "channel": "Channel"}
# A page has no block or card budget: the Queue tab lists every open item, each card with
# its own buttons (Slack and Teams page theirs: adapters/slack/queue.py, teams/redraw.py).
QUEUE_MAX = 1000
CHANNEL = "local"
ROLE_LABELS = {"sop_lead": "S&OP lead", "demand_planner": "demand planner"}
STEPS = {"hour": "+1 business hour", "day": "+1 day"}

ClockControl = Callable[[], Callable[[timedelta], datetime] | None]
# The names the chat answers to without configuration; more come from SOPBOT_CHAT_HOSTS.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
HOSTS_SETTING = "SOPBOT_CHAT_HOSTS"


def role_label(person: Person) -> str:
    return ", ".join(ROLE_LABELS.get(r, r.replace("_", " ")) for r in person.roles)


def same_origin(request: Request) -> None:
    """Refuse form posts another web site makes the browser send (a cheap CSRF guard:
    the local chat has no login, so the origin is all there is to check)."""
    origin = request.headers.get("origin")
    if origin and urlsplit(origin).netloc != request.headers.get("host"):
        raise HTTPException(status_code=403, detail="Cross-site form posts are refused.")


def host_name(host: str | None) -> str | None:
    """The name part of a Host header or a configured entry (`name`, `name:port`, `[v6]`,
    `[v6]:port`, bare `v6`), lower case without a trailing dot; None when malformed."""
    host = (host or "").strip().lower()
    if not host or any(c in host for c in "@/?#\\ "):
        return None
    if host.count(":") > 1 and not host.startswith("["):
        return host  # a bare IPv6 address (configured entries only; Host brackets it)
    try:
        name = urlsplit("//" + host).hostname
    except ValueError:
        return None
    return (name or "").rstrip(".") or None


def allowed_hosts(extra: Iterable[str] = ()) -> frozenset[str]:
    return LOOPBACK_HOSTS | {name for name in map(host_name, extra) if name}


def host_guard(allowed: frozenset[str]) -> Callable[[Request], None]:
    """Refuse requests for any Host but loopback and the configured names: after a DNS
    rebinding a page on the attacker's name reaches this server with Origin == Host (so
    `same_origin` passes) but the Host is theirs."""

    def check_host(request: Request) -> None:
        host = request.headers.get("host")
        if host_name(host) not in allowed:
            shown = f"'{host}'" if host else "(no Host header)"
            raise HTTPException(
                status_code=400,
                detail=(
                    f"The local web chat does not answer for host {shown}: it serves 127.0.0.1, "
                    f"localhost and [::1]; add other names to {HOSTS_SETTING} (comma-separated) "
                    "only to expose it on purpose."
                ),
            )

    return check_host


class WebChat:
    """Everything a request needs: the services, the chat store, the templates, and a
    one-shot notice per person shown after the redirect that follows a post."""

    def __init__(
        self, *, services: Services, chat: LocalChat, clock_control: ClockControl, after: AfterPost
    ) -> None:
        self.services = services
        self.config = services.config
        self.chat = chat
        self.clock_control = clock_control
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates.filters["code"] = code_spans
        self.note_codes = frozenset(r.code for r in self.config.reason_codes if r.note_required)
        self.outcomes = Outcomes()
        self.after = after
        self.actions = Actions(services=services, chat=chat, outcomes=self.outcomes, after=after)

    # --- lookups ------------------------------------------------------------------------

    def person(self, person_id: str) -> Person:
        person = self.config.people_by_id.get(person_id)
        if person is None:
            raise HTTPException(status_code=404, detail=f"No person '{person_id}' is configured.")
        return person

    def time_label(self, moment: datetime, person: Person) -> str:
        return local_time_label(moment, self.config.person_tz(person.id))

    def notify(self, person: Person, kind: str, text: str) -> None:
        self.outcomes.notify(person.id, Notice(kind, text))

    # --- what a view shows ----------------------------------------------------------------

    def _post_card(self, post: Post, person: Person, prefix: str, draft: Draft | None) -> CardView:
        when = self.time_label(post.sent_at, person)
        if post.is_channel:
            when = f"{post.to} · {when}"
        message = post.message
        follow_ups = self.chat.replies(post.ref.message_id)
        if follow_ups:  # shown under the card they belong to, not as posts of their own
            lines = [
                f"{self.time_label(f.sent_at, person)}: {f.message.header}" for f in follow_ups
            ]
            message = message.model_copy(
                update={"sections": [*message.sections, Section(title="Follow-ups", lines=lines)]}
            )
        return card(
            message,
            dom_id=f"{prefix}-{post.ref.message_id}",
            when=when,
            note_codes=self.note_codes,
            draft=draft,
        )

    def cards(
        self, person: Person, view: str, draft: Draft | None = None
    ) -> list[CardView | ThreadView]:
        if view == "queue":
            return [
                card(m, dom_id=f"q-{m.recommendation_id}", note_codes=self.note_codes, draft=draft)
                for m in queue_messages(self.services, person_id=person.id, limit=QUEUE_MAX)
            ]
        posts = (
            self.chat.channel_posts()
            if view == "channel"
            else (self.chat.direct_messages(person.id))
        )
        prefix = "c" if view == "channel" else "m"
        return threaded(
            [(p.message.thread, self._post_card(p, person, prefix, draft)) for p in posts]
        )

    def counts(self, person: Person) -> dict[str, int]:
        return {
            "messages": len(self.chat.direct_messages(person.id)),
            "queue": queue_count(self.services, person_id=person.id),
            "channel": len(self.chat.channel_posts()),
        }

    def badges(self) -> dict[str, int]:
        return {p.id: self.chat.needing_action(p.id) for p in self.config.people}

    def clock_label(self, person: Person) -> str:
        return self.time_label(self.services.clock.now(), person)

    # --- responses -------------------------------------------------------------------------

    def page(self, person: Person, view: str) -> HTMLResponse:
        """The person's page; right after a post it first waits a moment for the work
        that post queued, so the answer usually shows at once (polling shows it later
        otherwise). A refused form reopens with the error next to its field."""
        self.after.wait(person.id, timeout=PAGE_WAIT)
        revision = self.chat.revision
        notice, draft = self.outcomes.take(person.id)
        context: dict[str, Any] = {
            "person": person,
            "view": view,
            "views": VIEWS,
            "revision": revision,
            "people": [(p, role_label(p)) for p in self.config.people],
            "badges": self.badges(),
            "counts": self.counts(person),
            "cards": self.cards(person, view, draft),
            "clock": self.clock_label(person),
            "steps": STEPS if self.clock_control() else {},
            "channel": self.config.channel or "channel",
            "notice": (notice.kind, notice.text) if notice else None,
            "role_label": role_label(person),
            "updates_url": f"/chat/{person.id}/updates?" + urlencode({"view": view}),
        }
        html = self.templates.get_template("page.html").render(context)
        outcome = notice.outcome if notice else None
        headers = {OUTCOME_HEADER: outcome} if outcome else None
        return HTMLResponse(html, headers=headers)

    def updates(self, person: Person, view: str, since: int | None) -> dict[str, Any]:
        """What changed since `since`: the cards, and the outcome of work done after a
        post (a notice; a form only the database could refuse, reopened)."""
        revision = self.chat.revision
        body: dict[str, Any] = {"revision": revision, "clock": self.clock_label(person)}
        notice, draft = self.outcomes.take(person.id, final=True)
        if notice is not None:
            body["notice"] = {"kind": notice.kind, "text": notice.text, "outcome": notice.outcome}
        if since != revision or draft is not None:
            cards_html = self.templates.get_template("feed.html").render(
                cards=self.cards(person, view, draft), person=person, view=view
            )
            body.update(html=cards_html, counts=self.counts(person), badges=self.badges())
        return body

    # --- posts that are not decisions ---------------------------------------------------

    def command(self, person: Person, text: str) -> RedirectResponse:
        """The command box: the answer arrives as a direct message from sopbot, as it
        would in Slack or Teams; `queue` opens the Queue tab instead."""
        request = parse_command(self.config, person_id=person.id, text=text, platform=CHANNEL)
        if request.word == QUEUE:
            return back(person, "queue")
        reply = answer_command(self.services, request)
        message = reply if isinstance(reply, Message) else Message(header="sopbot", text=reply)
        message.context.insert(0, f"You typed: {text.strip() or 'help'}")
        ref = self.chat.send(person=person, message=message)
        # The answer is where the page opens (the browser scrolls to it), not below a
        # long feed while the page stays at the top.
        return back(person, "messages", anchor=f"m-{ref.message_id}")

    def advance(self, person: Person, view: str, step: str) -> RedirectResponse:
        advance_clock = self.clock_control()
        if advance_clock is None or step not in STEPS:
            raise HTTPException(status_code=404, detail="The clock can only be moved in the demo.")
        now = self.services.clock.now()
        if step == "hour":
            calendar = self.services.calendars.for_person(person.id)
            delta = calendar.add(now, timedelta(hours=1)) - now
        else:
            delta = timedelta(days=1)
        moment = advance_clock(delta)
        self.chat.touch()
        self.notify(person, "info", f"Demo time is now {self.time_label(moment, person)}.")
        return back(person, view)


def build_router(*, web: WebChat, extra_hosts: Iterable[str] = ()) -> APIRouter:
    services = web.services
    guard = host_guard(allowed_hosts(extra_hosts))
    router = APIRouter(include_in_schema=False, dependencies=[Depends(guard)])
    static_files = {p.name for p in STATIC_DIR.iterdir() if p.is_file()}

    def view_of(view: str) -> str:
        return view if view in VIEWS else "messages"

    @router.get("/chat")
    def chat_home() -> RedirectResponse:
        return RedirectResponse(f"/chat/{services.config.people[0].id}", status_code=303)

    @router.get("/chat/static/{name}")
    def static(name: str) -> FileResponse:
        if name not in static_files:
            raise HTTPException(status_code=404)
        return FileResponse(STATIC_DIR / name, headers={"Cache-Control": "no-cache"})

    @router.get("/chat/{person_id}", response_class=HTMLResponse)
    def person_page(person_id: str, view: str = "messages") -> HTMLResponse:
        return web.page(web.person(person_id), view_of(view))

    @router.get("/chat/{person_id}/updates")
    def updates(person_id: str, view: str = "messages", since: int | None = None) -> JSONResponse:
        return JSONResponse(web.updates(web.person(person_id), view_of(view), since))

    @router.post("/chat/{person_id}/act", dependencies=[Depends(same_origin)], response_model=None)
    def act(
        person_id: str,
        recommendation_id: Annotated[int, Form()],
        action: Annotated[str, Form()],
        card: Annotated[str, Form()] = "",
        view: Annotated[str, Form()] = "messages",
        reason_code: Annotated[str, Form()] = "",
        note: Annotated[str, Form()] = "",
        value: Annotated[str, Form()] = "",
        to: Annotated[str, Form()] = "",
        due_at: Annotated[str, Form()] = "",
        reason: Annotated[str, Form()] = "",
    ) -> RedirectResponse:
        """Answered at once (303), the work after: see adapters.local.actions."""
        values = {
            "reason_code": reason_code,
            "note": note,
            "value": value,
            "to": to,
            "due_at": due_at,
            "reason": reason,
        }
        return web.actions.act(
            web.person(person_id), view_of(view), card, recommendation_id, action, values
        )

    @router.post("/chat/{person_id}/command", dependencies=[Depends(same_origin)])
    def command(
        person_id: str, text: Annotated[str, Form(max_length=500)] = ""
    ) -> RedirectResponse:
        return web.command(web.person(person_id), text)

    @router.post("/chat/{person_id}/clock", dependencies=[Depends(same_origin)])
    def clock(
        person_id: str, step: Annotated[str, Form()], view: Annotated[str, Form()] = "messages"
    ) -> RedirectResponse:
        return web.advance(web.person(person_id), view_of(view), step)

    return router
