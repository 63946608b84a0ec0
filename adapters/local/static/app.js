// sopbot web chat: reveal forms, flag notes a reason code needs, and poll for new and
// changed messages so the page updates without a reload. No build step, no framework.
(() => {
  "use strict";

  const setOpen = (form, open) => {
    form.hidden = !open;
    document
      .querySelectorAll(`[data-opens="${form.id}"]`)
      .forEach((b) => b.setAttribute("aria-expanded", String(open)));
    if (open) {
      const first = form.querySelector("select, textarea, input:not([type=hidden])");
      if (first) first.focus();
    }
  };

  document.addEventListener("click", (event) => {
    const opener = event.target.closest("button[data-opens]");
    if (opener) {
      const form = document.getElementById(opener.dataset.opens);
      if (form) setOpen(form, form.hidden);
      return;
    }
    const closer = event.target.closest("button[data-closes]");
    if (closer) {
      const form = document.getElementById(closer.dataset.closes);
      if (form) setOpen(form, false);
    }
  });

  // "Known supplier pattern" and friends need a note: say so as soon as one is chosen.
  const flagNote = (select) => {
    const flag = select.form && select.form.querySelector("[data-note-flag]");
    if (!flag) return;
    const codes = select.dataset.noteCodes.split(" ");
    flag.hidden = !codes.includes(select.value);
  };
  document.addEventListener("change", (event) => {
    const select = event.target.closest("select[data-note-codes]");
    if (select) flagNote(select);
  });
  document.querySelectorAll("select[data-note-codes]").forEach(flagNote);

  const live = document.querySelector("[data-live]");
  const feed = document.querySelector("[data-feed]");
  if (!live || !feed) return;
  let revision = Number(live.dataset.revision);

  // Replace only cards whose version changed, and never a card whose form is open (the
  // person is typing; the server re-checks on submit); insert new cards in order; drop
  // the ones that went away.
  const editing = (card) => card.querySelector("form.dform:not([hidden])") !== null;
  const patch = (html) => {
    const template = document.createElement("template");
    template.innerHTML = html;
    const incoming = Array.from(template.content.children).filter((n) => n.id);
    const wanted = new Set(incoming.map((n) => n.id));
    Array.from(feed.children).forEach((n) => {
      if (!wanted.has(n.id)) n.remove();
    });
    incoming.forEach((node, index) => {
      let target = node;
      const current = document.getElementById(node.id);
      if (current && (current.dataset.version === node.dataset.version || editing(current))) {
        target = current;
      } else if (current) {
        current.replaceWith(node);
      }
      const here = feed.children[index];
      if (here !== target) feed.insertBefore(target, here || null);
    });
    feed.querySelectorAll("select[data-note-codes]").forEach(flagNote);
  };

  // The outcome of work done after a post ("Accepted by ...", who decided first, a
  // refusal): shown where the page shows its notice, replacing the one there.
  const showNotice = (notice) => {
    let node = document.querySelector("[data-notice]");
    if (!node) {
      node = document.createElement("p");
      feed.parentNode.insertBefore(node, feed);
    }
    node.className = `notice notice-${notice.kind}`;
    node.dataset.notice = notice.kind;
    node.setAttribute("role", notice.kind === "error" ? "alert" : "status");
    node.textContent = notice.text;
  };

  const apply = (data) => {
    document.querySelectorAll("[data-clock]").forEach((n) => {
      n.textContent = data.clock;
    });
    if (data.notice) showNotice(data.notice);
    if (data.html === undefined) return;
    revision = data.revision;
    patch(data.html);
    Object.entries(data.counts || {}).forEach(([key, count]) => {
      const node = document.querySelector(`[data-count="${key}"]`);
      if (node) node.textContent = String(count);
    });
    Object.entries(data.badges || {}).forEach(([person, count]) => {
      const node = document.querySelector(`[data-badge="${person}"]`);
      if (!node) return;
      node.textContent = String(count);
      node.hidden = count === 0;
    });
  };

  // A form being posted leads to a new page, which shows the post's outcome: this one
  // stops asking, so it does not take that outcome on its way out.
  let leaving = false;
  document.addEventListener("submit", () => {
    leaving = true;
  });

  const poll = async () => {
    if (leaving) return;
    try {
      const response = await fetch(`${live.dataset.updates}&since=${revision}`, {
        headers: { Accept: "application/json" },
        cache: "no-store",
      });
      if (response.ok) apply(await response.json());
    } catch (_error) {
      // The server is restarting or gone: keep the page, try again shortly.
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 1000);
})();
