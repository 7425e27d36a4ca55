// Helpers shared by the dashboard's pages: the page's configuration, formatting, and calls to the pipeline's HTTP API.
"use strict";
(() => {
  const data = document.body.dataset;
  const api = data.api.endsWith("/") ? data.api : `${data.api}/`;
  const config = Object.freeze({
    base: data.base,
    api,
    jobId: data.jobId || "",
    pageSize: Number(data.pageSize) || 25,
    refreshMs: Number(data.refreshMs) || 2000,
  });

  const whole = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
  const oneDecimal = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const twoDecimals = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const money = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const percent = new Intl.NumberFormat(undefined, { style: "percent", minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const dash = "\u2013";

  const statusLabels = { OPEN: "Open", IN_PROGRESS: "In progress", JOB_COMPLETE: "Complete", FAILED: "Failed" };
  const stageLabels = { import: "Import", aggregate: "Aggregate", credit_model: "Credit model", offers: "Offers", completed: "Completed" };

  /** Creates an element with attributes (a "text" attribute sets its text) and children. */
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value === true ? "" : value);
    }
    node.append(...children);
    return node;
  }

  /** Sets a node's text only when it changes, so that assistive technology is not told of updates that change nothing. */
  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  function count(n) { return n === null || n === undefined ? dash : whole.format(n); }
  function megabytes(bytes) {
    if (bytes === null || bytes === undefined) return dash;
    return (bytes < 10e6 ? twoDecimals : oneDecimal).format(bytes / 1e6);
  }
  function amount(n) { return money.format(n); }
  function rate(n) { return percent.format(n); }
  function perSecond(rows, milliseconds) { return milliseconds > 0 && rows > 0 ? whole.format(rows * 1000 / milliseconds) : dash; }

  function duration(milliseconds) {
    if (!(milliseconds >= 0)) return dash;
    if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`;
    const seconds = milliseconds / 1000;
    if (seconds < 60) return `${oneDecimal.format(seconds)} s`;
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return `${minutes} min ${String(Math.floor(seconds % 60)).padStart(2, "0")} s`;
    return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
  }

  function dateTime(iso) { return new Date(iso).toLocaleString(undefined, { dateStyle: "short", timeStyle: "medium" }); }
  function time(iso) { return new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" }); }
  function statusLabel(status) { return statusLabels[status] || status; }
  function stageLabel(stage) { return stageLabels[stage] || stage; }
  function isTerminal(job) { return job.status === "JOB_COMPLETE" || job.status === "FAILED"; }

  /** The job's life so far, or until it ended, in milliseconds. */
  function elapsed(job, now) {
    const end = job.completed_at ? Date.parse(job.completed_at) : (isTerminal(job) ? Date.parse(job.updated_at) : now);
    return Math.max(0, end - Date.parse(job.created_at));
  }

  function jobPage(id) { return `${config.base}/jobs/${encodeURIComponent(id)}`; }
  function jobApi(id, rest) { return `${config.api}${encodeURIComponent(id)}/${rest}`; }

  /** Calls the API; a problem answer becomes an Error with the problem's detail, its status and the problem itself. */
  async function fetchJson(url, init) {
    const response = await fetch(url, { credentials: "same-origin", ...init, headers: { Accept: "application/json" } });
    if (!response.ok) {
      let problem = null;
      try { problem = await response.json(); } catch { problem = null; }
      const error = new Error((problem && (problem.detail || problem.title)) || `${response.status} ${response.statusText}`);
      error.status = response.status;
      error.problem = problem;
      throw error;
    }

    const text = await response.text();
    return text ? JSON.parse(text) : null;
  }

  /** Shows a sentence in the page's live region (or hides it with null); bad ones are marked as errors. */
  function notice(text, bad) {
    const node = document.getElementById("notice");
    node.hidden = !text;
    node.classList.toggle("bad", Boolean(bad));
    setText(node, text || "");
  }

  window.Dashboard = Object.freeze({
    config, el, setText, count, megabytes, amount, rate, perSecond, duration, dateTime, time,
    statusLabel, stageLabel, isTerminal, elapsed, jobPage, jobApi, fetchJson, notice, dash,
  });
})();
