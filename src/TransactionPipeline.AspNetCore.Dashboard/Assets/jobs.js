// The jobs page: one page of jobs at a time from GET {api}, read again every refresh interval while the tab is visible.
"use strict";
(() => {
  const D = window.Dashboard;
  const c = D.config;
  const tbody = document.querySelector("#jobs tbody");
  const select = document.getElementById("status");
  const newer = document.getElementById("newer");
  const older = document.getElementById("older");
  const pageLabel = document.getElementById("page");
  const updated = document.getElementById("updated");
  const empty = document.getElementById("empty");
  const columns = [
    ["job", "Job", ""], ["status", "Status", ""], ["stage", "Stage", ""], ["rows", "Rows", "num"], ["mb", "MB", "num"],
    ["rate", "Rows/s", "num"], ["started", "Started", ""], ["duration", "Duration", "num"], ["error", "Error", ""],
  ];

  // The position is in the address (status and cursor, so a page can be shared); the way back (the cursors of the
  // pages before) is in the history entry, so Newer and the browser's back button both return.
  /** The rows and time of each running import at the last read, for its rate between reads. */
  const rates = new Map();
  let state = readState();
  let next = null;
  let timer = 0;
  let inflight = null;
  let failing = false;

  function readState() {
    const query = new URLSearchParams(location.search);
    const trail = history.state && Array.isArray(history.state.trail) ? history.state.trail : [];
    return { status: query.get("status") || "", cursor: query.get("cursor") || "", trail };
  }

  function writeState() {
    const query = new URLSearchParams();
    if (state.status) query.set("status", state.status);
    if (state.cursor) query.set("cursor", state.cursor);
    const search = query.toString();
    history.pushState({ trail: state.trail }, "", `${location.pathname}${search ? `?${search}` : ""}`);
  }

  async function load() {
    clearTimeout(timer);
    inflight?.abort();
    const controller = new AbortController();
    inflight = controller;
    const query = new URLSearchParams({ limit: String(c.pageSize) });
    if (state.status) query.set("status", state.status);
    if (state.cursor) query.set("cursor", state.cursor);
    try {
      const page = await D.fetchJson(`${c.api}?${query}`, { signal: controller.signal });
      render(page);
      D.setText(updated, `Updated ${new Date().toLocaleTimeString()}`);
      if (failing) {
        failing = false;
        D.notice(null);
      }
    } catch (error) {
      if (error.name === "AbortError") return;
      failing = true;
      D.notice(`Could not read the jobs: ${error.message}`, true);
    } finally {
      if (inflight === controller) {
        inflight = null;
        if (!document.hidden) timer = setTimeout(load, c.refreshMs);
      }
    }
  }

  function render(page) {
    next = page.next_cursor;
    const now = Date.now();
    const existing = new Map([...tbody.rows].map(row => [row.dataset.jobId, row]));
    page.jobs.forEach((job, index) => {
      let row = existing.get(job.job_id);
      if (row) existing.delete(job.job_id);
      else row = createRow(job.job_id);
      fill(row, job, now);
      if (tbody.rows[index] !== row) tbody.insertBefore(row, tbody.rows[index] || null);
    });
    existing.forEach(row => row.remove());
    tbody.setAttribute("aria-busy", "false");
    empty.hidden = page.jobs.length > 0;
    newer.disabled = !state.cursor;
    older.disabled = !next;
    D.setText(pageLabel, `Page ${state.trail.length + 1}`);
  }

  function createRow(id) {
    const row = D.el("tr", { "data-job-id": id });
    for (const [name, label, kind] of columns) {
      row.append(D.el(name === "job" ? "th" : "td", { class: `${name} ${kind}`.trim(), "data-label": label, scope: name === "job" ? "row" : null }));
    }

    row.cells[0].append(D.el("a", { href: D.jobPage(id), text: id }));
    row.cells[1].append(D.el("span", { class: "badge" }));
    row.cells[6].append(D.el("time"));
    return row;
  }

  function fill(row, job, now) {
    const cell = name => row.cells[columns.findIndex(column => column[0] === name)];
    const badge = cell("status").firstChild;
    badge.className = `badge ${job.status}`;
    D.setText(badge, D.statusLabel(job.status));
    D.setText(cell("stage"), D.stageLabel(job.current_stage));
    D.setText(cell("rows"), D.count(job.progress.transactions_imported));
    D.setText(cell("mb"), D.megabytes(job.progress.bytes_read));
    const life = D.elapsed(job, now);
    // A running import's rate is measured between two reads of the list (the rows it stored meanwhile), so time spent
    // waiting for an upload's bytes or before the import does not dilute it; a finished job shows its average.
    const rows = job.progress.transactions_imported;
    const seen = rates.get(job.job_id);
    const at = Date.parse(job.updated_at);
    if (job.status === "IN_PROGRESS" && job.current_stage === "import") {
      if (seen && at > seen.at && rows >= seen.rows) seen.rate = (rows - seen.rows) * 1000 / (at - seen.at);
      rates.set(job.job_id, { rows, at, rate: seen ? seen.rate : null });
      D.setText(cell("rate"), seen && seen.rate != null ? D.perSecond(seen.rate, 1000) : D.perSecond(rows, life));
    } else {
      rates.delete(job.job_id);
      D.setText(cell("rate"), D.perSecond(rows, life));
    }
    const started = cell("started").firstChild;
    started.dateTime = job.created_at;
    D.setText(started, D.dateTime(job.created_at));
    D.setText(cell("duration"), D.duration(life));
    D.setText(cell("error"), job.error ? job.error.kind : "");
    if (job.error) cell("error").title = job.error.message;
  }

  select.value = state.status;
  select.addEventListener("change", () => {
    state = { status: select.value, cursor: "", trail: [] };
    writeState();
    load();
  });
  older.addEventListener("click", () => {
    if (!next) return;
    state = { ...state, trail: [...state.trail, state.cursor], cursor: next };
    writeState();
    load();
  });
  newer.addEventListener("click", () => {
    const trail = [...state.trail];
    const cursor = trail.length > 0 ? trail.pop() : "";
    state = { ...state, trail, cursor };
    writeState();
    load();
  });
  window.addEventListener("popstate", () => {
    state = readState();
    select.value = state.status;
    load();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) clearTimeout(timer);
    else load();
  });

  const deleted = new URLSearchParams(location.search).get("deleted");
  if (deleted) {
    D.notice(`Job ${deleted} was deleted.`);
    history.replaceState(history.state, "", location.pathname);
  }

  load();
})();
