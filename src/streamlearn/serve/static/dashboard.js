// streamlearn's live dashboard: polls the JSON API and redraws, without reloading the page.
"use strict";

(function () {
  const POLL_MS = 2000;
  const TOKEN_KEY = "streamlearn.token";
  const PALETTE = ["#2563eb", "#dc6803", "#16a34a", "#9333ea", "#0891b2", "#c11574"];
  const CHALLENGER_PALETTE = ["#93c5fd", "#fdba74", "#86efac", "#d8b4fe", "#67e8f9", "#f9a8d4"];
  const PLOT_CONFIG = { displaylogo: false, responsive: true,
                        modeBarButtonsToRemove: ["lasso2d", "select2d"] };
  const BASE_LAYOUT = {
    margin: { l: 48, r: 16, t: 28, b: 44 },
    paper_bgcolor: "#ffffff", plot_bgcolor: "#ffffff",
    font: { family: "system-ui, sans-serif", size: 12, color: "#1d2330" },
    legend: { orientation: "h", x: 0, y: 1.02, xanchor: "left", yanchor: "bottom" },
    xaxis: { gridcolor: "#eef0f4", zeroline: false },
    yaxis: { gridcolor: "#eef0f4", zeroline: false },
  };

  const modelName = document.body.dataset.model;
  const hasPlotly = typeof window.Plotly !== "undefined";
  const byId = (id) => document.getElementById(id);
  let versionsShown = null;  // what the table shows, so it is only rebuilt on change
  let pollTimer = null;

  // ------------------------------------------------------------------ the API
  class ApiError extends Error {}

  function token() {
    return byId("token").value.trim();
  }

  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && token()) headers.Authorization = "Bearer " + token();
    let response;
    try {
      response = await fetch(path, { method, headers, cache: "no-store",
                                     body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      throw new ApiError("the server does not answer (" + err.message + ")");
    }
    let payload = null;
    try {
      payload = await response.json();
    } catch (err) {
      payload = null;
    }
    if (!response.ok) {
      throw new ApiError(method + " " + path + ": " + response.status + " " + detail(payload)
                         + (response.status === 401 ? " (type the server's token in the token field)" : ""));
    }
    return payload;
  }

  function detail(payload) {
    if (!payload || payload.detail === undefined) return "";
    if (typeof payload.detail === "string") return payload.detail;
    return JSON.stringify(payload.detail);
  }

  function showStatus(text, isError) {
    const line = byId("status");
    line.textContent = text;
    line.classList.toggle("error", Boolean(isError));
  }

  // ------------------------------------------------------------------ formatting
  function count(value) {
    return typeof value === "number" ? value.toLocaleString("en-US") : "—";
  }

  function seconds(value) {
    if (typeof value !== "number") return "—";
    if (value < 60) return value.toFixed(1) + " s";
    if (value < 3600) return (value / 60).toFixed(1) + " min";
    return (value / 3600).toFixed(1) + " h";
  }

  function metricValue(value) {
    return typeof value === "number" ? value.toFixed(4) : String(value);
  }

  function when(epochSeconds) {
    return new Date(epochSeconds * 1000).toLocaleString();
  }

  // ------------------------------------------------------------------ charts
  function historyTraces(history, who, palette) {
    const traces = [];
    if (!history || !Array.isArray(history.events)) return traces;
    const names = Object.keys(history).filter((k) => k !== "events");
    // a rolling metric and its whole-stream twin share a colour
    const base = (name) => name.replace(/^Rolling /, "").replace(/\(\d+\)$/, "");
    const bases = [...new Set(names.map(base))];
    for (const name of names) {
      const rolling = name.startsWith("Rolling");
      traces.push({
        type: "scatter", mode: "lines+markers", x: history.events.slice(), y: history[name].slice(),
        name: who ? who + " · " + name : name,
        line: { color: palette[bases.indexOf(base(name)) % palette.length],
                dash: rolling ? "solid" : "dash", width: rolling ? 2.5 : 1.5 },
        marker: { size: rolling ? 5 : 3 },
      });
    }
    return traces;
  }

  function emptyNote(text) {
    return [{ text, showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5,
              font: { color: "#667085", size: 13 } }];
  }

  function drawMetrics(status) {
    const challenger = status.challenger;
    const champion = historyTraces(status.history, challenger ? "champion" : "", PALETTE);
    const traces = challenger
      ? champion.concat(historyTraces(challenger.history || challenger, "challenger",
                                      CHALLENGER_PALETTE))
      : champion;
    const hasPoints = traces.some((t) => t.x.length > 0);
    const layout = Object.assign({}, BASE_LAYOUT, {
      xaxis: Object.assign({}, BASE_LAYOUT.xaxis, { title: { text: "labelled events" } }),
      annotations: hasPoints ? [] : emptyNote("no labelled events yet"),
    });
    Plotly.react("metrics-chart", traces, layout, PLOT_CONFIG);
  }

  function drawThroughput(status) {
    const points = status.throughput || [];
    const trace = {
      type: "scatter", mode: "lines", fill: "tozeroy", name: "events/s",
      x: points.map((p) => new Date(p.time * 1000)), y: points.map((p) => p.events_per_second),
      // each rate is over the interval that ends at its time
      line: { color: PALETTE[0], width: 2, shape: "vh" }, fillcolor: "rgba(37, 99, 235, 0.12)",
    };
    const layout = Object.assign({}, BASE_LAYOUT, {
      showlegend: false,
      xaxis: Object.assign({}, BASE_LAYOUT.xaxis, { type: "date" }),
      yaxis: Object.assign({}, BASE_LAYOUT.yaxis, { rangemode: "tozero" }),
      annotations: points.length ? [] : emptyNote("no events yet"),
    });
    Plotly.react("throughput-chart", [trace], layout, PLOT_CONFIG);
  }

  function chartsMissing() {
    for (const id of ["metrics-chart", "throughput-chart"]) {
      const box = byId(id);
      if (!box.firstChild) {
        const note = document.createElement("p");
        note.className = "chart-missing";
        note.textContent = "no chart: plotly.js is not installed on the server";
        box.appendChild(note);
      }
    }
  }

  // ------------------------------------------------------------------ counters, drift
  function drawCounters(status) {
    const counters = status.counters || {};
    byId("c-events-in").textContent = count(counters.events_in);
    byId("c-predicted").textContent = count(counters.predicted);
    byId("c-learnt").textContent = count(counters.learnt);
    byId("c-dead-letters").textContent = count(counters.dead_lettered);
    byId("c-pending").textContent = count(status.pending);
    byId("c-expired").textContent = count(status.expired);
    byId("c-lag").textContent = seconds(status.lag_seconds);
    byId("uptime").textContent = seconds(status.uptime_seconds);
    const recent = (status.throughput || []).slice(-1)[0];
    byId("throughput-now").textContent =
      (recent ? Math.round(recent.events_per_second) : 0).toLocaleString("en-US") + " events/s now";
  }

  function drawDrift(events) {
    const list = byId("drift-events");
    list.replaceChildren();
    if (!events || events.length === 0) {
      const item = document.createElement("li");
      item.className = "empty";
      item.textContent = "none yet";
      list.appendChild(item);
      return;
    }
    for (const event of events.slice().reverse()) {
      const item = document.createElement("li");
      item.textContent = typeof event === "string" ? event :
        `label ${event.label.toLocaleString("en-US")}: ${event.detector}, ` +
        (event.direction === "worse" ? "errors up" : "errors down") +
        (event.action === "reset" ? ", model reset" : "") +
        ` (${new Date(event.time * 1000).toLocaleTimeString()})`;
      list.appendChild(item);
    }
  }

  // ------------------------------------------------------------------ workers
  function drawWorkers(workers) {
    // a Ray run's workers, from the store; the panel stays hidden for a single process
    const panel = byId("workers-panel");
    panel.hidden = !workers || workers.length === 0;
    if (panel.hidden) return;
    const body = byId("workers").tBodies[0];
    body.replaceChildren();
    const now = Date.now() / 1000;
    for (const worker of workers) {
      const row = body.insertRow();
      row.dataset.worker = worker.worker;
      cell(row, String(worker.worker));
      cell(row, Array.isArray(worker.partitions) ? worker.partitions.join(", ") : "shared");
      cell(row, typeof worker.events_per_second === "number"
        ? Math.round(worker.events_per_second).toLocaleString("en-US") : "—", "events-per-second");
      cell(row, seconds(worker.lag_seconds), "lag");
      cell(row, count(worker.consumer_lag), "consumer-lag");
      cell(row, count(worker.events_in), "events-in");
      cell(row, count(worker.predicted));
      cell(row, count(worker.learnt));
      cell(row, count(worker.syncs));
      cell(row, seconds(Math.max(0, now - worker.updated_at)) + " ago");
    }
  }

  // ------------------------------------------------------------------ versions
  function cell(row, text, className) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function drawVersions(answer) {
    byId("live-version").textContent = answer.live_version == null ? "none saved" : answer.live_version;
    const shown = JSON.stringify(answer);
    if (shown === versionsShown) return;
    versionsShown = shown;
    const body = byId("versions").tBodies[0];
    body.replaceChildren();
    if (answer.versions.length === 0) {
      const row = body.insertRow();
      row.className = "empty";
      cell(row, "no saved versions yet").colSpan = 7;
      return;
    }
    for (const version of answer.versions.slice().reverse()) {
      const meta = version.metadata || {};
      const live = version.version === answer.live_version;
      const row = body.insertRow();
      row.dataset.version = version.version;
      if (live) row.className = "live";
      cell(row, live ? "● live" : "", "live-marker");
      cell(row, String(version.version));
      cell(row, when(version.created_at));
      cell(row, count(meta.events_seen));
      cell(row, Object.entries(meta.metrics || {})
        .map(([name, value]) => name + " " + metricValue(value)).join(" · "));
      cell(row, meta.note == null ? "" : String(meta.note));
      const button = document.createElement("button");
      button.type = "button";
      button.className = "secondary rollback";
      button.textContent = "roll back";
      button.title = "serve version " + version.version + " again";
      button.addEventListener("click", () => rollBack(version.version, button));
      cell(row, "").appendChild(button);
    }
  }

  async function rollBack(version, button) {
    button.disabled = true;
    try {
      await api("POST", "/v1/models/" + encodeURIComponent(modelName) + "/rollback", { version });
      showStatus("rolled back to version " + version, false);
      await refresh(true);
    } catch (err) {
      showStatus(err.message, true);
    } finally {
      button.disabled = false;
    }
  }

  async function saveVersion() {
    const button = byId("save-version");
    button.disabled = true;
    try {
      const note = byId("note").value.trim();
      const answer = await api("POST", "/v1/models/" + encodeURIComponent(modelName) + "/versions",
                               { note: note || null });
      byId("note").value = "";
      showStatus("saved version " + answer.version, false);
      await refresh(true);
    } catch (err) {
      showStatus(err.message, true);
    } finally {
      button.disabled = false;
    }
  }

  // ------------------------------------------------------------------ the loop
  async function refresh(quiet) {
    const [status, versions] = await Promise.all([
      api("GET", "/v1/metrics"),
      api("GET", "/v1/models/" + encodeURIComponent(modelName) + "/versions"),
    ]);
    drawCounters(status);
    drawDrift(status.drift_events);
    drawWorkers(status.workers);
    drawVersions(versions);
    if (hasPlotly) {
      drawMetrics(status);
      drawThroughput(status);
    } else {
      chartsMissing();
    }
    if (!quiet) showStatus("updated " + new Date().toLocaleTimeString(), false);
  }

  async function poll() {
    try {
      await refresh(false);
    } catch (err) {
      showStatus(err.message, true);
    }
    pollTimer = window.setTimeout(poll, POLL_MS);
  }

  function start() {
    const field = byId("token");
    field.value = window.sessionStorage.getItem(TOKEN_KEY) || "";
    field.addEventListener("input", () => window.sessionStorage.setItem(TOKEN_KEY, token()));
    byId("save-version").addEventListener("click", saveVersion);
    window.addEventListener("unhandledrejection", (event) => {
      showStatus("error: " + (event.reason && event.reason.message || event.reason), true);
      event.preventDefault();
    });
    document.addEventListener("visibilitychange", () => {
      // catch up at once when the tab comes back
      if (!document.hidden && pollTimer !== null) {
        window.clearTimeout(pollTimer);
        poll();
      }
    });
    poll();
  }

  start();
})();
