// The dashboard: reads the control plane's JSON (and the API, with a token the control plane mints),
// renders plain tables, and polls what is on screen once a second. Nothing here talks to another host.
"use strict";

const $ = (selector, root = document) => root.querySelector(selector);
const esc = (value) => String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const short = (id) => esc(String(id ?? "").slice(0, 8));
const when = (iso) => (iso ? esc(iso.replace("T", " ").replace(/\.\d+Z$/, "Z")) : "");
const POLL_MS = 1000;
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

const state = { tab: "syncs", syncId: null, tenants: [], pages: [], page: null, recordId: null, shown: {} };
let controlToken = sessionStorage.getItem("paragonControlToken");
let askedForToken = false;
const userTokens = new Map();

// -- talking to the emulator ---------------------------------------------------------------------
async function call(path, { method = "GET", body, headers = {} } = {}) {
  const sent = { ...headers };
  if (body !== undefined) sent["content-type"] = "application/json";
  if (controlToken && path.startsWith("/_emulator/") && !sent.authorization) sent.authorization = "Bearer " + controlToken;
  const response = await fetch(path, { method, headers: sent, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 401 && path.startsWith("/_emulator/") && controlToken && sent.authorization !== "Bearer " + controlToken) {
    return call(path, { method, body, headers }); // a token came while this request was out: try it
  }
  if (response.status === 401 && path.startsWith("/_emulator/") && !askedForToken) {
    askedForToken = true; // the control plane is guarded: ask once for its token
    controlToken = window.prompt("This emulator's control plane needs its control token:") || null;
    if (controlToken) {
      sessionStorage.setItem("paragonControlToken", controlToken);
      askedForToken = false;
      return call(path, { method, body, headers });
    }
  }
  const text = await response.text();
  let data = text;
  try { data = JSON.parse(text); } catch (e) { /* not JSON */ }
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${data && data.message ? data.message : text}`);
  return data;
}

async function asUser(sync, path, options = {}) {
  // The dashboard reads records and permissions through the API, as the sync's user.
  const key = sync.projectId + "\u001f" + sync.userId;
  if (!userTokens.has(key)) {
    const minted = await call("/_emulator/tokens", { method: "POST", body: { userId: sync.userId, projectId: sync.projectId } });
    userTokens.set(key, minted.token);
  }
  return call(path, { ...options, headers: { authorization: "Bearer " + userTokens.get(key) } });
}

function notice(message) {
  const box = $("#notice");
  box.hidden = !message;
  box.textContent = message || "";
}

function show(id, html) {
  // Re-render only what changed: a poll must not undo a selection or a scroll.
  if (state.shown[id] === html) return;
  state.shown[id] = html;
  $("#" + id).innerHTML = html;
}

async function act(work) {
  try {
    notice("");
    await work();
    await refresh();
  } catch (error) {
    notice(error.message);
  }
}

// -- the clock ---------------------------------------------------------------------------------------
async function renderClock() {
  const clock = await call("/_emulator/clock");
  show("clock-state", `clock <b>${esc(clock.mode)}</b> <span class="mono" id="clock-now">${when(clock.now)}</span>`);
}

// -- syncs ---------------------------------------------------------------------------------------------
function allSyncs() {
  return state.tenants.flatMap((t) => t.syncs.map((s) => ({ ...s, schedule: (t.schedule || {})[s.id] || {} })));
}

async function renderSyncs() {
  state.tenants = (await call("/_emulator/tenants")).data;
  const syncs = allSyncs();
  const rows = syncs.map((s) => `<tr class="pick${s.id === state.syncId ? " chosen" : ""}" data-sync-id="${esc(s.id)}">
    <td>${esc(s.userId)}</td><td>${esc(s.integration)}/${esc(s.pipeline)}</td>
    <td><span class="status status-${esc(s.status)}">${esc(s.status)}</span></td>
    <td>${s.schedule.records ?? ""}</td><td>${when(s.schedule.lastSyncedAt)}</td><td>${when(s.schedule.nextRunAt)}</td></tr>`);
  show("sync-list", syncs.length
    ? `<table class="grid" id="sync-table"><tr><th>user</th><th>sync</th><th>status</th><th>records</th><th>last run</th><th>next run</th></tr>${rows.join("")}</table>
       <p class="muted">${plural(syncs.length, "sync")} of ${plural(state.tenants.length, "user")}</p>`
    : `<p class="muted">No syncs yet. Enable one with <code>POST /api/syncs</code>, or load a scenario.</p>`);
  fillFaultSyncs(syncs);
  if (state.syncId) await renderSyncDetail();
}

async function renderSyncDetail() {
  const sync = allSyncs().find((s) => s.id === state.syncId);
  if (!sync) {
    show("sync-head", `<p class="muted">Sync ${short(state.syncId)} is gone.</p>`);
    return;
  }
  const timeline = (await call(`/_emulator/logs?syncId=${encodeURIComponent(sync.id)}&limit=20`)).data;
  const steps = timeline.map((e) => `<tr><td class="mono">${when(e.timestamp)}</td><td>${esc(e.syncEvent)}</td>
    <td><span class="status status-${esc(e.syncStatus)}">${esc(e.syncStatus)}</span></td>
    <td>${e.summary ? `${e.summary.records} records, +${e.summary.created} ~${e.summary.updated} -${e.summary.deleted}${e.summary.runs ? ` (${e.summary.runs} runs)` : ""}` : esc(e.error ? e.error.message : "")}</td></tr>`);
  show("sync-head", `<div class="card"><b>${esc(sync.integration)}/${esc(sync.pipeline)}</b> of ${esc(sync.userId)}
    <span class="status status-${esc(sync.status)}" id="detail-status">${esc(sync.status)}</span>
    <div class="mono muted">${esc(sync.id)}</div>
    ${sync.reason ? `<p>${esc(sync.reason)}</p>` : ""}
    <p>${sync.schedule.records ?? 0} records · last run ${when(sync.schedule.lastSyncedAt) || "none yet"} · next run ${when(sync.schedule.nextRunAt) || "none due"}</p>
    <button id="open-records">Records</button></div>
    <h3>Timeline</h3><table class="grid">${steps.join("") || "<tr><td class='muted'>nothing yet</td></tr>"}</table>`);
}

async function openRecords(cursor) {
  const sync = allSyncs().find((s) => s.id === state.syncId);
  const query = `pageSize=10${cursor ? "&cursor=" + encodeURIComponent(cursor) : ""}`;
  const page = await asUser(sync, `/api/syncs/${encodeURIComponent(sync.id)}/records?${query}`);
  state.page = page;
  const rows = page.data.map((r) => `<tr class="pick" data-record-id="${esc(r.id)}"><td class="mono">${short(r.id)}</td>
    <td>${esc(r.name || r.title || r.email || r.subject || (r.deleted ? "(deleted)" : ""))}</td><td class="mono">${esc(r.externalId)}</td></tr>`);
  $("#records").innerHTML = `<h3>Records <span class="muted" id="records-page">page ${state.pages.length + 1}, ${page.paging.remainingRecords} more after it</span></h3>
    <table class="grid" id="record-table"><tr><th>id</th><th>name</th><th>externalId</th></tr>${rows.join("")}</table>
    <button id="records-prev" ${state.pages.length ? "" : "disabled"}>Previous</button>
    <button id="records-next" ${page.paging.remainingRecords > 0 ? "" : "disabled"}>Next</button>`;
}

async function openRecord(recordId) {
  const sync = allSyncs().find((s) => s.id === state.syncId);
  const base = `/api/syncs/${encodeURIComponent(sync.id)}/records/${encodeURIComponent(recordId)}`;
  const record = await asUser(sync, base);
  const files = sync.pipeline === "files";
  $("#record").innerHTML = `<h3>Record ${short(recordId)}</h3><pre id="record-json">${esc(JSON.stringify(record, null, 2))}</pre>
    ${files ? `<button id="preview">Preview content</button> <button id="readers">Who can read this file?</button>` : ""}
    <div id="preview-box"></div><div id="reader-box"></div>`;
  state.recordId = recordId;
}

async function preview() {
  const sync = allSyncs().find((s) => s.id === state.syncId);
  const key = sync.projectId + "\u001f" + sync.userId;
  const response = await fetch(`/api/syncs/${encodeURIComponent(sync.id)}/records/${encodeURIComponent(state.recordId)}/content`,
    { headers: { authorization: "Bearer " + userTokens.get(key) } });
  const box = $("#preview-box");
  if (!response.ok) { box.innerHTML = `<p class="muted">${esc((await response.json()).message)}</p>`; return; }
  const type = response.headers.get("content-type") || "";
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  if (type.startsWith("image/")) box.innerHTML = `<img class="preview" src="${url}" alt="content">`;
  else if (type.startsWith("text/") || type.includes("json")) box.innerHTML = `<pre>${esc((await blob.text()).slice(0, 4000))}</pre>`;
  else box.innerHTML = `<p>${blob.size} bytes of ${esc(type)} · <a href="${url}" download>download</a></p>`;
}

async function readers() {
  const sync = allSyncs().find((s) => s.id === state.syncId);
  const answer = await asUser(sync, `/api/permissions/${encodeURIComponent(sync.id)}/list-users`,
    { method: "POST", body: { object: state.recordId, role: "can_read" } });
  $("#reader-box").innerHTML = `<h4>Can read it</h4><ul id="reader-list">${answer.users.map((u) => `<li>${esc(u)}</li>`).join("") || "<li class='muted'>nobody</li>"}</ul>`;
}

// -- webhooks, the event log, requests ------------------------------------------------------------------
async function renderWebhooks() {
  const [config, log] = await Promise.all([call("/_emulator/webhooks/config"), call("/_emulator/webhooks/events")]);
  const rows = log.data.slice().reverse().map((d) => {
    const last = d.attempts[d.attempts.length - 1];
    const outcome = last ? esc(last.error || last.statusCode) : "";
    const again = ["failed", "delivered", "no_url"].includes(d.status) ? `<button data-redeliver="${esc(d.id)}">Redeliver</button>` : "";
    return `<tr data-event-id="${esc(d.id)}"><td class="mono">${short(d.id)}</td><td>${esc(d.type)}</td><td class="mono">${short(d.syncId)}</td>
      <td class="delivery-status">${esc(d.status)}</td><td>${d.attempts.length} ${outcome}</td><td>${when(d.nextAttemptAt)}</td><td>${again}</td></tr>`;
  });
  show("webhook-list", `<p>Webhooks of the default project go to <code>${esc(config.url || "(no URL set)")}</code></p>
    <table class="grid"><tr><th>event</th><th>type</th><th>sync</th><th>status</th><th>attempts, last</th><th>next attempt</th><th></th></tr>${rows.join("")}</table>`);
}

async function renderLogs() {
  const filters = new URLSearchParams();
  for (const [name, value] of new FormData($("#log-filters"))) if (value) filters.set(name, value);
  filters.set("limit", "200");
  const events = (await call("/_emulator/logs?" + filters)).data;
  const rows = events.map((e) => `<tr><td class="mono">${when(e.timestamp)}</td><td>${esc(e.syncEvent)}</td><td>${esc(e.userId)}</td>
    <td>${esc(e.integration)}/${esc(e.pipeline)}</td><td class="mono">${short(e.syncId)}</td><td class="mono">${short(e.traceId)}</td>
    <td><span class="status status-${esc(e.syncStatus)}">${esc(e.syncStatus)}</span></td>
    <td class="mono">${e.summary || e.error ? esc(JSON.stringify(e.summary || e.error)) : ""}</td></tr>`);
  show("log-list", `<table class="grid"><tr><th>time</th><th>event</th><th>user</th><th>sync</th><th>sync id</th><th>trace</th><th>status</th><th>details</th></tr>${rows.join("")}</table>`);
}

async function renderRequests() {
  const entries = (await call("/_emulator/requests?limit=200")).data;
  const rows = entries.map((r) => `<tr><td class="mono">${when(r.receivedAt)}</td><td>${esc(r.method)}</td>
    <td class="mono">${esc(r.path)}${r.query ? "?" + esc(r.query) : ""}</td><td>${r.status}</td><td>${esc(r.userId || "")}</td><td>${r.durationMs} ms</td>
    <td><details><summary>bodies${r.violations.length ? ", " + r.violations.length + " violations" : ""}</summary>
    ${r.violations.map((v) => `<div>${esc(v.location)} ${esc(v.path)}: ${esc(v.message)}</div>`).join("")}
    <pre>${esc(r.requestBody || "")}</pre><pre>${esc(r.responseBody || "")}</pre></details></td></tr>`);
  show("request-list", `<table class="grid"><tr><th>received</th><th>method</th><th>path</th><th>status</th><th>user</th><th>took</th><th></th></tr>${rows.join("")}</table>`);
}

// -- faults and scenarios ---------------------------------------------------------------------------------
function fillFaultSyncs(syncs) {
  const options = syncs.map((s) => `<option value="${esc(s.id)}">${esc(s.userId)} ${esc(s.integration)}/${esc(s.pipeline)} ${short(s.id)}</option>`).join("");
  show("fault-sync", options);
}

async function renderFaults() {
  if (!state.tenants.length) state.tenants = (await call("/_emulator/tenants")).data;
  fillFaultSyncs(allSyncs());
  const faults = await call("/_emulator/faults");
  const rows = faults.sync.map((f) => `<tr><td>sync</td><td>${f.id}</td><td>${esc(f.kind)}</td><td class="mono">${short(f.syncId)}</td>
      <td>${f.once ? "once" : "until cleared"}</td><td><button data-clear-fault="sync/${f.id}">Clear</button></td></tr>`)
    .concat(faults.api.map((f) => `<tr><td>api</td><td>${f.id}</td><td>${esc(f.status || "")} ${f.delayMs ? f.delayMs + " ms" : ""}</td>
      <td>${esc((f.operations || []).join(", "))}</td><td></td><td><button data-clear-fault="api/${f.id}">Clear</button></td></tr>`));
  show("fault-list", `<table class="grid"><tr><th></th><th>id</th><th>kind</th><th>on</th><th></th><th></th></tr>${rows.join("") || "<tr><td colspan=6 class='muted'>no faults</td></tr>"}</table>
    <p class="muted">Latency added to every API call: ${faults.latencyMs} ms</p>`);
}

async function renderScenarios() {
  const list = (await call("/_emulator/scenarios")).data;
  show("scenario-list", `<table class="grid">${list.map((s) => `<tr><td><b>${esc(s.name)}</b></td><td>${esc(s.description)}</td>
    <td><button data-scenario="${esc(s.name)}">Load</button></td></tr>`).join("")}</table><pre id="scenario-result" hidden></pre>`);
}

// -- wiring -------------------------------------------------------------------------------------------------
const RENDER = { syncs: renderSyncs, webhooks: renderWebhooks, logs: renderLogs, requests: renderRequests, faults: renderFaults, scenarios: renderScenarios };

async function refresh() {
  await Promise.all([renderClock(), RENDER[state.tab]()]);
}

function on(selector, event, handler) {
  document.addEventListener(event, (e) => {
    const target = e.target.closest(selector);
    if (target) handler(target, e);
  });
}

on("#tabs button", "click", (button) => {
  state.tab = button.dataset.tab;
  document.querySelectorAll("#tabs button").forEach((b) => b.classList.toggle("on", b === button));
  document.querySelectorAll(".tab").forEach((t) => t.classList.toggle("on", t.id === state.tab));
  act(async () => {});
});
on("[data-advance]", "click", (button) => act(() => call("/_emulator/clock/advance", { method: "POST", body: { duration: button.dataset.advance } })));
on("tr[data-sync-id]", "click", (row) => act(async () => {
  state.syncId = row.dataset.syncId;
  state.pages = [];
  state.shown = { ...state.shown, "sync-head": null };
  $("#sync-detail").innerHTML = `<div id="sync-head"></div><div id="records"></div><div id="record"></div>`;
}));
on("#open-records", "click", () => act(() => { state.pages = []; return openRecords(null); }));
on("#records-next", "click", () => act(() => { state.pages.push(state.page); return openRecords(state.page.paging.cursor); }));
on("#records-prev", "click", () => act(() => {
  state.pages.pop();
  const before = state.pages[state.pages.length - 1];
  return openRecords(before ? before.paging.cursor : null);
}));
on("tr[data-record-id]", "click", (row) => act(() => openRecord(row.dataset.recordId)));
on("#preview", "click", () => act(preview));
on("#readers", "click", () => act(readers));
on("[data-redeliver]", "click", (button) => act(() => call(`/_emulator/webhooks/events/${encodeURIComponent(button.dataset.redeliver)}/redeliver`, { method: "POST" })));
on("[data-clear-fault]", "click", (button) => act(() => call(`/_emulator/faults/${button.dataset.clearFault}`, { method: "DELETE" })));
on("#clear-faults", "click", () => act(() => call("/_emulator/faults", { method: "DELETE" })));
on("#fault-form", "submit", (form, e) => {
  e.preventDefault();
  const data = new FormData(form);
  act(() => call("/_emulator/faults/sync", { method: "POST", body: { syncId: data.get("syncId"), kind: data.get("kind"), once: data.get("once") === "on" } }));
});
on("#log-filters", "submit", (form, e) => { e.preventDefault(); act(async () => {}); });
on("[data-scenario]", "click", (button) => act(async () => {
  const result = await call(`/_emulator/scenarios/${encodeURIComponent(button.dataset.scenario)}`, { method: "POST" });
  const box = $("#scenario-result");
  box.hidden = false;
  box.textContent = JSON.stringify(result, null, 2);
}));

async function poll() {
  try {
    await refresh();
  } catch (error) {
    notice(error.message);
  }
  setTimeout(poll, POLL_MS);
}
poll();
