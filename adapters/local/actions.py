"""The web chat's form posts: answered first, worked after.

A post is answered at once with a 303 back to the page, with nothing on that path that
reads or writes the database (a burst of clicks must not queue answers behind each
other's work, as in Slack and Teams). What needs no database is checked before the
answer: an unknown action, and the form errors the configuration alone can find (no
reason, a note the reason needs, a value that is not a number, no reason for more time,
a due time already past); the redirected page shows those next to the field. The
decision itself runs after the answer on a small pool of its own (`AfterPost`); the
database keeps it exactly once (the decision's unique key), and the outcome is a notice
for the person: "Accepted by ..." or, for a late clicker, who decided first. The page
the 303 leads to waits a moment for that person's work, and polling shows whatever
comes later (the card updated in place by the outbox, the notice, a form error only the
database could find)."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi.responses import RedirectResponse

from adapters.local.chat import LocalChat
from adapters.local.render import Draft
from core.config import Person
from core.messages import ButtonAction
from workflows.decisions import (
    CheckedClick,
    Click,
    ClickAction,
    ClickJournal,
    Entry,
    Pending,
    check_click,
    click_of,
    entry,
    perform_click,
)
from workflows.errors import (
    AlreadyDecided,
    InvalidInput,
    NotFound,
    NotPermitted,
    RepeatedDelivery,
    Withdrawn,
    WorkflowError,
)
from workflows.service import Services

log = logging.getLogger(__name__)

CHANNEL = "local"
# The answer names its outcome in a header, for scripts and tests; so does the page that
# shows the outcome of work done after the answer.
OUTCOME_HEADER = "X-Sopbot-Outcome"
QUEUED = "queued"
REFUSALS: dict[type[WorkflowError], str] = {
    NotPermitted: "not-permitted",
    AlreadyDecided: "already-decided",
    Withdrawn: "withdrawn",
    NotFound: "not-found",
    InvalidInput: "invalid",
}
WORKERS = 2  # database work under one GIL: more threads slow the answers, not the work
PAGE_WAIT = 2.0  # seconds the page after a post waits for that person's work


@dataclass(frozen=True)
class Notice:
    kind: str  # good | info | error
    text: str
    outcome: str | None = None


def back(person: Person, view: str, anchor: str = "") -> RedirectResponse:
    url = f"/chat/{person.id}?" + urlencode({"view": view})
    return RedirectResponse(url + (f"#{anchor}" if anchor else ""), status_code=303)


class Outcomes:
    """Per person, what the next page (or poll) shows once: a notice, and a refused
    form to reopen with what was typed and the error next to its field. Memory is
    enough: the facts (decisions, refusals) are in the database and its audit trail."""

    def __init__(self) -> None:
        self._notices: dict[str, Notice] = {}
        self._drafts: dict[str, Draft] = {}
        self._lock = threading.Lock()

    def notify(self, person_id: str, notice: Notice, draft: Draft | None = None) -> None:
        with self._lock:
            self._notices[person_id] = notice
            if draft is not None:
                self._drafts[person_id] = draft

    def take(self, person_id: str, *, final: bool = False) -> tuple[Notice | None, Draft | None]:
        """The notice and draft waiting for the person, once. A poll takes only a final
        outcome (`final`): "Recording ..." is for the page the 303 leads to, and the
        page being left may still poll while the browser follows the redirect."""
        with self._lock:
            notice = self._notices.get(person_id)
            if notice is not None and not (final and notice.outcome == QUEUED):
                del self._notices[person_id]
            else:
                notice = None
            return notice, self._drafts.pop(person_id, None)


class AfterPost:
    """A bounded pool for the work of posts already answered; a failure is logged and
    told (the post was answered), and `wait` lets a page or a test wait for a person's
    work (or everyone's) without polling."""

    def __init__(self, *, workers: int = WORKERS, journal: ClickJournal | None = None) -> None:
        self.journal = journal
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="webchat-work")
        self._pending: Counter[str] = Counter()
        self._changed = threading.Condition()

    def run(self, person_id: str, work: Callable[[], None]) -> None:
        with self._changed:
            self._pending[person_id] += 1
        self._pool.submit(self._done_after, person_id, work)

    def run_durable(self, person_id: str, item: Entry, work: Callable[[], None]) -> None:
        """Journal `item`, then run `work`, then clear it (left, for a takeover after
        its lease, when the work fails); without a journal, just run it."""
        journal = self.journal
        if journal is None:
            self.run(person_id, work)
            return
        with self._changed:
            self._pending[person_id] += 1  # from now: `wait` covers the write as well

        def then_done() -> None:
            try:
                work()
            except BaseException:
                journal.release(item.key)
                raise
            journal.done(item.key)

        def start() -> None:  # the pool's `_done_after` counts it down when done
            self._pool.submit(self._done_after, person_id, then_done)

        journal.write_then(item, start)

    def _done_after(self, person_id: str, work: Callable[[], None]) -> None:
        try:
            work()
        except Exception:
            log.exception("web chat work after the answer failed")
        finally:
            with self._changed:
                self._pending[person_id] -= 1
                if not self._pending[person_id]:
                    del self._pending[person_id]
                self._changed.notify_all()

    def wait(self, person_id: str | None = None, timeout: float = 30.0) -> bool:
        """Until `person_id`'s work (everyone's when None) is done, or `timeout`."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._pending and (person_id is None or self._pending[person_id]):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
            return True

    def stop(self) -> None:
        """Finish what was answered before the process goes."""
        self._pool.shutdown(wait=True)


class Actions:
    def __init__(
        self, *, services: Services, chat: LocalChat, outcomes: Outcomes, after: AfterPost
    ) -> None:
        self.services = services
        self.chat = chat
        self.outcomes = outcomes
        self.after = after

    def act(
        self,
        person: Person,
        view: str,
        card_id: str,
        rec_id: int,
        action: str,
        values: dict[str, str],
    ) -> RedirectResponse:
        """Check what needs no database, answer, and queue the work."""
        try:
            chosen = ButtonAction(action)
        except ValueError:
            text = f"'{action}' is not something the web chat can do."
            return self._answer(person, view, card_id, Notice("error", text, "unavailable"))
        try:
            checked = self.prepare(person, rec_id, chosen, values)
        except InvalidInput as exc:
            return self._answer(
                person,
                view,
                card_id,
                refused_input(exc),
                draft=draft_for(card_id, action, values, exc),
            )
        label = chosen.value.replace("_", " ")
        self.outcomes.notify(
            person.id,
            Notice("info", f"Recording your {label} of recommendation #{rec_id}…", QUEUED),
        )
        reply = {"card_id": card_id, "values": values}
        self.after.run_durable(
            person.id,
            entry(checked.click.deliveries[0], checked.click, reply),
            lambda: self.work(person, card_id, action, values, self.performer(checked)),
        )
        return self._answer(person, view, card_id, None, outcome=QUEUED)

    def performer(self, checked: CheckedClick) -> Callable[[], str]:
        return lambda: perform_click(self.services, checked).summary

    def redo(self, pending: Pending) -> None:
        """A click answered by a process gone and never done: done now, its outcome a
        notice for the person's next page (what they were told is being recorded)."""
        click = click_of(pending)
        person = self.services.config.people_by_id.get(click.actor_id or "") if click else None
        if click is None or person is None:
            assert self.after.journal is not None
            self.after.journal.done(pending.key)
            return
        reply = pending.payload.get("reply") or {}
        card_id, values = str(reply.get("card_id", "")), dict(reply.get("values") or {})

        def work() -> None:
            try:
                checked = check_click(self.services, click)
            except InvalidInput as exc:  # e.g. a due time that has passed meanwhile
                self.outcomes.notify(person.id, refused_input(exc))
                return
            self.work(person, card_id, click.action.value, values, self.performer(checked))

        self.after.run_durable(person.id, Entry(pending.key, pending.kind, pending.payload), work)

    def _answer(
        self,
        person: Person,
        view: str,
        card_id: str,
        notice: Notice | None,
        draft: Draft | None = None,
        outcome: str | None = None,
    ) -> RedirectResponse:
        if notice is not None:
            self.outcomes.notify(person.id, notice, draft)
        response = back(person, view, card_id)
        if outcome or notice:
            response.headers[OUTCOME_HEADER] = outcome or (notice.outcome if notice else "")
        return response

    def prepare(
        self, person: Person, rec_id: int, action: ButtonAction, values: dict[str, str]
    ) -> CheckedClick:
        """The click a button stands for, checked as far as the configuration allows
        (InvalidInput, by field: workflows.decisions.check_click). A post has no
        delivery id of its own: one is made, and claimed with the decision, so a click
        taken over after a crash is recorded once."""
        click = Click(
            action=ClickAction(action.value),
            recommendation_id=rec_id,
            channel=CHANNEL,
            actor_id=person.id,
            account=person.id,
            values={name: text for name, text in values.items() if text},
            deliveries=(f"post:{person.id}:{uuid.uuid4().hex}",),
        )
        return check_click(self.services, click)

    def work(
        self,
        person: Person,
        card_id: str,
        action: str,
        values: dict[str, str],
        run: Callable[[], str],
    ) -> None:
        """After the answer: the database work, then the notice it leads to."""
        try:
            summary = run()
        except RepeatedDelivery:  # taken over, and recorded before the crash: told then
            pass
        except InvalidInput as exc:  # only the database could tell (e.g. the due time)
            self.outcomes.notify(
                person.id, refused_input(exc), draft_for(card_id, action, values, exc)
            )
        except WorkflowError as exc:  # not permitted, decided first by someone else, ...
            outcome = next((o for t, o in REFUSALS.items() if isinstance(exc, t)), "refused")
            self.outcomes.notify(person.id, Notice("error", str(exc), outcome))
        except Exception:
            self.outcomes.notify(
                person.id,
                Notice(
                    "error",
                    "Something went wrong; nothing may have been recorded. Try again.",
                    "failed",
                ),
            )
            raise
        else:
            self.services.kick()  # deliver the in-place update now, not at the next tick
            self.outcomes.notify(person.id, Notice("good", summary, "done"))
        finally:
            self.chat.touch()  # the polling page fetches the notice and the cards


def refused_input(exc: InvalidInput) -> Notice:
    return Notice("error", "Nothing was recorded: " + exc.message, "invalid")


def draft_for(card_id: str, action: str, values: dict[str, str], exc: InvalidInput) -> Draft:
    return Draft(card_id=card_id, action=action, values=values, errors={exc.field: exc.message})
