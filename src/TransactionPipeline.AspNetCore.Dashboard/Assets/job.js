// A job's page: its status once, then its event stream (Server-Sent Events) for live progress until the terminal event.
"use strict";
(() => {
  const D = window.Dashboard;
  const c = D.config;
  const id = c.jobId;
  const $ = name => document.getElementById(name);
  const stages = ["import", "aggregate", "credit_model", "offers", "completed"];
  const eventTypes = ["JOB_CREATED", "IMPORT_STARTED", "IMPORT_PROGRESS", "IMPORT_COMPLETED", "AGGREGATION_COMPLETED",
    "CREDIT_MODEL_COMPLETED", "OFFERS_GENERATED", "JOB_COMPLETE", "FAILED"];
  // Which stage an event starts or ends, for the timeline's times.
  const stageEvents = {
    IMPORT_STARTED: ["import", "started"], IMPORT_COMPLETED: ["import", "ended"], AGGREGATION_COMPLETED: ["aggregate", "ended"],
    CREDIT_MODEL_COMPLETED: ["credit_model", "ended"], OFFERS_GENERATED: ["offers", "ended"], JOB_COMPLETE: ["completed", "ended"],
  };
  const maxLogRows = 500;

  let job = null;
  let lastSequence = 0;
  let source = null;
  let previous = null;
  let currentRate = null;
  let polling = 0;
  let resultsShown = false;
  let hiddenEvents = 0;
  const times = {};

  async function start() {
    try {
      job = await D.fetchJson(D.jobApi(id, "status/"));
    } catch (error) {
      if (error.status === 404) {
        D.setText($("status"), "Not found");
        D.notice(`There is no job ${id}. It may have been deleted.`, true);
        return;
      }

      D.notice(`Could not read the job: ${error.message}`, true);
      poll();
      return;
    }

    render();
    // A finished job's results are shown at once: the event stream's replay is for the log and the timeline only.
    if (job.status === "JOB_COMPLETE") showResults();
    follow();
  }

  function follow() {
    source = new EventSource(D.jobApi(id, "events/"));
    for (const type of eventTypes) source.addEventListener(type, onEvent);
    source.addEventListener("message", onEvent);
    source.addEventListener("error", () => {
      // The browser reconnects by itself (sending Last-Event-ID) unless the answer was not a stream at all.
      if (source && source.readyState === EventSource.CLOSED) {
        source = null;
        if (!D.isTerminal(job)) poll();
      }
    });
  }

  function onEvent(message) {
    const event = JSON.parse(message.data);
    if (event.sequence <= lastSequence) return;
    lastSequence = event.sequence;
    const stage = stageEvents[event.event_type];
    if (stage) times[stage[0]] = { ...times[stage[0]], [stage[1]]: event.timestamp };
    if (event.event_type === "FAILED") times[event.current_stage] = { ...times[event.current_stage], failed: event.timestamp };
    appendEvent(event);
    const terminal = event.event_type === "JOB_COMPLETE" || event.event_type === "FAILED";
    // The stream replays the job's history from its first event: an event older than the status the page already
    // shows goes into the log and the timeline, but must not take the page back to that older state.
    if (!terminal && (D.isTerminal(job) || Date.parse(event.timestamp) < Date.parse(job.updated_at))) {
      renderTimeline(D.isTerminal(job));
      return;
    }

    measureRate(event);
    job = {
      ...job,
      status: event.status,
      current_stage: event.current_stage,
      progress: event.progress,
      updated_at: event.timestamp,
      completed_at: terminal ? event.timestamp : job.completed_at,
      error: event.error || job.error,
    };
    render();
    if (terminal) {
      source?.close();
      source = null;
      refresh();
    }
  }

  function measureRate(event) {
    const at = Date.parse(event.timestamp);
    const rows = event.progress.transactions_imported;
    if (event.current_stage !== "import" || event.status !== "IN_PROGRESS") currentRate = null;
    else if (previous && at > previous.at && rows >= previous.rows) currentRate = (rows - previous.rows) * 1000 / (at - previous.at);
    previous = { at, rows };
  }

  /** Reads the status again; false when asking again cannot help (the job is gone, or the caller may not see it). */
  async function refresh() {
    try {
      job = await D.fetchJson(D.jobApi(id, "status/"));
      render();
      if (job.status === "JOB_COMPLETE") await showResults();
      return true;
    } catch (error) {
      if (error.status === 404) D.notice(`Job ${id} no longer exists.`, true);
      else D.notice(`Could not read the job: ${error.message}`, true);
      return !(error.status >= 400 && error.status < 500);
    }
  }

  // Without an event stream (a proxy that buffers it, a browser without EventSource), the status route every interval,
  // until the job ends or the answer says asking again cannot help; once the status reads again, back to the stream.
  function poll() {
    clearTimeout(polling);
    polling = setTimeout(async () => {
      const again = await refresh();
      if (!again || (job && D.isTerminal(job))) {
        source?.close();
        source = null;
        return;
      }

      if (job && !source && typeof EventSource !== "undefined") follow();
      else poll();
    }, c.refreshMs);
  }

  function render() {
    const badge = $("status");
    badge.className = `badge ${job.status}`;
    D.setText(badge, D.statusLabel(job.status));
    document.title = `${id} (${D.statusLabel(job.status)}) · Transaction pipeline`;
    const terminal = D.isTerminal(job);
    $("cancel").hidden = terminal;
    $("delete").hidden = !terminal;
    renderTimeline(terminal);
    renderProgress();
    renderError();
    renderClock();
  }

  function renderTimeline(terminal) {
    const current = stages.indexOf(job.current_stage);
    for (const item of $("timeline").children) {
      const index = stages.indexOf(item.dataset.stage);
      let state = "waiting";
      if (job.status === "JOB_COMPLETE" || index < current) state = "done";
      else if (index === current) state = job.status === "FAILED" ? "failed" : "active";
      item.className = state;
      if (state === "active") item.setAttribute("aria-current", "step");
      else item.removeAttribute("aria-current");
      D.setText(item.querySelector(".state"), { waiting: "waiting", done: "done", failed: "failed", active: job.status === "OPEN" ? "waiting for the upload" : "running" }[state]);
      const at = times[item.dataset.stage] || {};
      const when = at.failed ? `failed at ${D.time(at.failed)}` : at.ended ? `at ${D.time(at.ended)}` : at.started ? `since ${D.time(at.started)}` : "";
      D.setText(item.querySelector(".when"), when);
    }

    if (terminal && job.status === "FAILED") {
      const failedItem = $("timeline").querySelector(".failed .when");
      if (failedItem && !failedItem.textContent && job.completed_at) D.setText(failedItem, `failed at ${D.time(job.completed_at)}`);
    }
  }

  function renderProgress() {
    const p = job.progress;
    D.setText($("rows"), D.count(p.transactions_imported));
    D.setText($("mb"), p.bytes_total ? `${D.megabytes(p.bytes_read)} of ${D.megabytes(p.bytes_total)}` : D.megabytes(p.bytes_read));
    D.setText($("aggregates"), D.count(p.aggregates_created));
    D.setText($("offer-count"), D.count(p.offers_generated));
    D.setText($("rate-now"), currentRate === null ? D.dash : D.count(Math.round(currentRate)));
    const meter = $("meter");
    meter.hidden = !p.bytes_total;
    if (p.bytes_total) {
      const share = Math.min(100, Math.round(p.bytes_read * 100 / p.bytes_total));
      meter.setAttribute("aria-valuenow", String(share));
      meter.setAttribute("aria-valuetext", `${share} % of ${D.megabytes(p.bytes_total)} MB`);
      meter.firstElementChild.style.width = `${share}%`;
    }
  }

  function renderClock() {
    const now = Date.now();
    D.setText($("started"), D.dateTime(job.created_at));
    D.setText($("duration"), D.duration(D.elapsed(job, now)));
    // The import's own rate: from its start to its end (or to now while it runs), not over the later stages.
    const importTimes = times.import || {};
    const from = Date.parse(importTimes.started || job.created_at);
    const to = importTimes.ended ? Date.parse(importTimes.ended) : (D.isTerminal(job) ? Date.parse(job.completed_at || job.updated_at) : now);
    D.setText($("rate-avg"), D.perSecond(job.progress.transactions_imported, to - from));
  }

  function renderError() {
    const error = job.error;
    $("error-section").hidden = !error;
    if (!error) return;
    const none = "not in an item";
    D.setText($("error-kind"), error.kind);
    D.setText($("error-item"), error.item_index === null || error.item_index === undefined ? none : D.count(error.item_index));
    D.setText($("error-offset"), error.byte_offset === null || error.byte_offset === undefined ? none : D.count(error.byte_offset));
    D.setText($("error-path"), error.path || D.dash);
    D.setText($("error-message"), error.message);
  }

  function appendEvent(event) {
    const tbody = $("events").tBodies[0];
    tbody.append(D.el("tr", { "data-sequence": event.sequence },
      D.el("td", { class: "num", "data-label": "#", text: String(event.sequence) }),
      D.el("td", { "data-label": "Time" }, D.el("time", { datetime: event.timestamp, text: D.time(event.timestamp) })),
      D.el("td", { "data-label": "Event", text: event.event_type }),
      D.el("td", { "data-label": "Stage", text: D.stageLabel(event.current_stage) }),
      D.el("td", { class: "num", "data-label": "Rows", text: D.count(event.progress.transactions_imported) }),
      D.el("td", { class: "num", "data-label": "MB", text: D.megabytes(event.progress.bytes_read) })));
    // A long import sends many progress events; the page keeps the newest ones.
    while (tbody.rows.length > maxLogRows) {
      tbody.rows[0].remove();
      hiddenEvents++;
    }

    const note = $("events-note");
    note.hidden = hiddenEvents === 0;
    D.setText(note, `${D.count(hiddenEvents)} earlier events are not shown.`);
  }

  async function showResults() {
    if (resultsShown) return;
    resultsShown = true;
    try {
      const [offers, daily] = await Promise.all([
        D.fetchJson(D.jobApi(id, "offers/")),
        D.fetchJson(`${c.base}/data/jobs/${encodeURIComponent(id)}/daily`),
      ]);
      const tbody = $("offers").tBodies[0];
      tbody.replaceChildren(...offers.offers.map(offer => D.el("tr", { "data-date": offer.date },
        D.el("th", { scope: "row", "data-label": "Date", text: offer.date }),
        D.el("td", { "data-label": "Offer", text: offer.offer_type }),
        D.el("td", { class: "num", "data-label": "Amount", text: D.amount(offer.amount) }),
        D.el("td", { class: "num", "data-label": "Interest rate", text: D.rate(offer.interest_rate) }),
        D.el("td", { class: "num", "data-label": "Credit score", text: String(offer.credit_score) }),
        D.el("td", { "data-label": "Risk", text: offer.risk_level }),
        D.el("td", { class: "num", "data-label": "Transactions", text: D.count(offer.transaction_count) }))));
      window.DashboardChart.render($("chart"), $("chart-legend"), daily.days);
      $("results-section").hidden = false;
    } catch (error) {
      resultsShown = false;
      D.notice(`Could not read the job's results: ${error.message}`, true);
    }
  }

  /** Asks in a modal dialog; resolves true for the action, false for Escape or "Keep the job". */
  function confirmAction(title, text, action) {
    const dialog = $("confirm");
    D.setText($("confirm-title"), title);
    D.setText($("confirm-text"), text);
    D.setText($("confirm-yes"), action);
    return new Promise(resolve => {
      const finish = answer => {
        $("confirm-yes").removeEventListener("click", yes);
        $("confirm-no").removeEventListener("click", no);
        dialog.removeEventListener("close", no);
        if (dialog.open) dialog.close();
        resolve(answer);
      };
      const yes = () => finish(true);
      const no = () => finish(false);
      $("confirm-yes").addEventListener("click", yes);
      $("confirm-no").addEventListener("click", no);
      dialog.addEventListener("close", no);
      dialog.showModal();
    });
  }

  $("cancel").addEventListener("click", async () => {
    const ok = await confirmAction("Cancel this job?",
      "The job stops where it is, its partial rows are removed, and it ends FAILED with kind cancelled. This cannot be undone.",
      "Cancel job");
    if (!ok) return;
    $("cancel").disabled = true;
    try {
      // cancel_only: a job that finished while the dialog was open answers 409 instead of being deleted.
      await D.fetchJson(`${D.jobApi(id, "")}?cancel_only=true`, { method: "DELETE" });
      D.notice("Cancellation requested: the job stops in a moment.");
      if (!source) poll();
    } catch (error) {
      $("cancel").disabled = false;
      D.notice(`Could not cancel the job: ${error.message}`, true);
    }
  });

  $("delete").addEventListener("click", async () => {
    const ok = await confirmAction("Delete this job?",
      "The job goes with its rows, results, events and webhooks. This cannot be undone.", "Delete job");
    if (!ok) return;
    $("delete").disabled = true;
    try {
      await D.fetchJson(D.jobApi(id, ""), { method: "DELETE" });
      location.assign(`${c.base}/?deleted=${encodeURIComponent(id)}`);
    } catch (error) {
      $("delete").disabled = false;
      D.notice(`Could not delete the job: ${error.message}`, true);
    }
  });

  setInterval(() => { if (job && !D.isTerminal(job)) renderClock(); }, 1000);
  start();
})();
