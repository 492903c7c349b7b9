// NasGen dashboard: one page, no dependencies. Every string that comes from a store is put into the page as text
// (textContent, text nodes, setAttribute on data-* only) and never parsed as HTML.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const PAGE = 100;
const COLORS = ["#2f6fde", "#d9480f", "#2b8a3e", "#ae3ec9", "#f59f00", "#1098ad", "#e64980", "#5c940d", "#364fc7", "#868e96"];

// ---- DOM helpers -------------------------------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "onclick" || k === "oninput" || k === "onchange") node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

// Replaces a node's children (arrays flattened, null and false left out).
function fill(node, ...children) { node.replaceChildren(); return append(node, children); }
function add(node, ...children) { return append(node, children); }

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) node.setAttribute(k, String(v));
  append(node, children);
  return node;
}

function num(v) {
  if (typeof v !== "number" || !isFinite(v)) return "–";
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e6 || a < 1e-3) ? v.toExponential(3) : String(Number(v.toPrecision(6)));
}

function duration(seconds) {
  if (typeof seconds !== "number" || !isFinite(seconds)) return "–";
  const s = Math.round(seconds);
  if (s < 60) return s + " s";
  if (s < 3600) return Math.floor(s / 60) + " min " + (s % 60) + " s";
  return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
}

function time(iso) { return iso ? new Date(iso).toLocaleString() : "–"; }

const tooltip = () => document.getElementById("tooltip");
function hover(node, text) {
  node.addEventListener("mouseenter", () => { const t = tooltip(); t.textContent = text(); t.hidden = false; });
  node.addEventListener("mousemove", e => { const t = tooltip(); t.style.left = (e.clientX + 12) + "px"; t.style.top = (e.clientY + 12) + "px"; });
  node.addEventListener("mouseleave", () => { tooltip().hidden = true; });
}

async function getJson(url) {
  const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
  if (!response.ok) throw new Error(url + ": " + response.status + " " + (await response.text()));
  return response.json();
}

// ---- Charts (SVG drawn here) -------------------------------------------------------------------------------

function extent(values) {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) if (typeof v === "number" && isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
  if (lo === Infinity) return [0, 1];
  if (lo === hi) { const pad = lo === 0 ? 1 : Math.abs(lo) * 0.05; return [lo - pad, hi + pad]; }
  const pad = (hi - lo) * 0.04;
  return [lo - pad, hi + pad];
}

function ticks([lo, hi], count) {
  const step0 = (hi - lo) / count, mag = Math.pow(10, Math.floor(Math.log10(step0)));
  const step = [1, 2, 5, 10].map(m => m * mag).find(s => s >= step0) || step0;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

// A plot area with axes; x and y map data to pixels.
function plot(xDomain, yDomain, xLabel, yLabel, width = 560, height = 300) {
  const m = { l: 58, r: 12, t: 10, b: 38 };
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img" });
  const x = v => m.l + (v - xDomain[0]) / (xDomain[1] - xDomain[0]) * (width - m.l - m.r);
  const y = v => height - m.b - (v - yDomain[0]) / (yDomain[1] - yDomain[0]) * (height - m.t - m.b);
  for (const t of ticks(yDomain, 5)) {
    root.appendChild(svg("line", { class: "grid", x1: m.l, x2: width - m.r, y1: y(t), y2: y(t) }));
    root.appendChild(svg("text", { x: m.l - 6, y: y(t) + 4, "text-anchor": "end" }, num(t)));
  }
  for (const t of ticks(xDomain, 6)) root.appendChild(svg("text", { x: x(t), y: height - m.b + 15, "text-anchor": "middle" }, num(t)));
  root.appendChild(svg("line", { class: "axis", x1: m.l, x2: width - m.r, y1: height - m.b, y2: height - m.b }));
  root.appendChild(svg("line", { class: "axis", x1: m.l, x2: m.l, y1: m.t, y2: height - m.b }));
  root.appendChild(svg("text", { x: (m.l + width - m.r) / 2, y: height - 4, "text-anchor": "middle" }, xLabel));
  root.appendChild(svg("text", { x: 12, y: (m.t + height - m.b) / 2, "text-anchor": "middle", transform: `rotate(-90 12 ${(m.t + height - m.b) / 2})` }, yLabel));
  return { root, x, y };
}

function pathOf(points) { return points.map((p, i) => (i ? "L" : "M") + p[0].toFixed(1) + " " + p[1].toFixed(1)).join(" "); }

// ---- Experiment data, kept up to date by polling for what changed -------------------------------------------

let info = { pollMilliseconds: 1000 };
let watch = null; // { id, version, trials: Map, summary, timer, listeners }

function stopWatching() { if (watch) { clearTimeout(watch.timer); watch = null; } document.getElementById("live").className = ""; }

async function startWatching(id, onChange) {
  if (!watch || watch.id !== id) {
    stopWatching();
    watch = { id, version: 0, trials: new Map(), summary: null, timer: 0 };
  }
  watch.onChange = onChange;
  await poll(watch, true);
}

async function poll(w, first) {
  try {
    const delta = await getJson(`/api/experiments/${w.id}/trials?since=${w.version}`);
    if (watch !== w) return;
    if (delta.reset) w.trials.clear();
    for (const t of delta.trials) w.trials.set(t.number, t);
    const changed = first || delta.version !== w.version || delta.trials.length > 0;
    w.version = delta.version;
    w.summary = delta.summary;
    document.getElementById("live").className = "on";
    document.getElementById("live").textContent = "live";
    if (changed || w.summary.running + w.summary.pending > 0) w.onChange(w, changed);
  } catch (e) {
    if (watch !== w) return;
    document.getElementById("live").className = "";
    document.getElementById("live").textContent = "disconnected, retrying";
  }
  if (watch === w) w.timer = setTimeout(() => poll(w, false), info.pollMilliseconds);
}

function sortedTrials(w) { return [...w.trials.values()].sort((a, b) => a.number - b.number); }
function evaluated(trials) { return trials.filter(t => t.status === "Completed" && t.reusedFrom === null && typeof t.fitness === "number"); }

// ---- Routes ------------------------------------------------------------------------------------------------

const main = () => document.getElementById("main");

async function route() {
  tooltip().hidden = true;
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  try {
    if (parts[0] === "e" && parts.length >= 4 && parts[2] === "t") return await trialPage(Number(parts[1]), Number(parts[3]));
    if (parts[0] === "e" && parts.length >= 2) return await experimentPage(Number(parts[1]));
    if (parts[0] === "compare" && parts.length >= 3) return await comparePage(Number(parts[1]), Number(parts[2]));
    return await listPage();
  } catch (e) {
    stopWatching();
    fill(main(), el("section", { class: "wide" }, el("p", { class: "error" }, String(e.message || e))));
  }
}

async function listPage() {
  stopWatching();
  const experiments = await getJson("/api/experiments");
  if (!location.hash && experiments.length === 1) { location.hash = `#/e/${experiments[0].id}`; return; }
  const rows = experiments.map(s => el("tr", {},
    el("td", {}, el("a", { href: `#/e/${s.id}`, class: "experiment-link" }, s.name)),
    el("td", {}, s.space), el("td", {}, s.strategy),
    el("td", { class: "num" }, s.trials), el("td", { class: "num" }, s.completed), el("td", { class: "num" }, s.failed),
    el("td", { class: "num" }, s.best ? num(s.best.fitness) : "–"), el("td", {}, time(s.createdAt))));
  const options = () => experiments.map(s => el("option", { value: s.id }, s.name));
  const a = el("select", { id: "compare-a" }, options()), b = el("select", { id: "compare-b" }, options());
  if (experiments.length > 1) b.selectedIndex = 1;
  fill(main(),
    el("h1", {}, "Experiments"),
    el("section", { class: "wide" }, el("table", { id: "experiments" },
      el("thead", {}, el("tr", {}, ["name", "space", "strategy", "trials", "completed", "failed", "best", "created"].map(h => el("th", {}, h)))),
      el("tbody", {}, rows))),
    experiments.length > 1 ? el("section", { class: "wide" }, el("h2", {}, "Compare two experiments"),
      el("div", { class: "controls" }, a, "with", b, el("button", { id: "compare-button", onclick: () => { location.hash = `#/compare/${a.value}/${b.value}`; } }, "Compare"))) : null);
}

// ---- Experiment page -----------------------------------------------------------------------------------------

const table = { id: null, sort: "number", desc: false, filter: "", status: "", page: 0, selected: new Set(), request: 0 };
let paretoAxes = null;

// The first screen comes from the store's aggregates and one page of the table (cheap for any size of experiment); the
// whole trial list, which the charts need, is loaded after it and kept up to date by polling.
async function experimentPage(id) {
  const sections = {
    overview: el("section", { id: "overview" }),
    best: el("section", { id: "best-so-far" }),
    curves: el("section", { id: "curves" }),
    pareto: el("section", { id: "pareto" }),
    importance: el("section", { id: "importance" }),
    parallel: el("section", { id: "parallel", class: "wide" }),
    trials: el("section", { id: "trials", class: "wide" }),
  };
  const title = el("h1", { id: "experiment-name" });
  fill(main(), title, ...Object.values(sections));
  const summary = await getJson(`/api/experiments/${id}/summary`);
  if (location.hash.replace(/^#\/?/, "") !== `e/${id}`) return; // navigated away meanwhile
  title.textContent = summary.name;
  renderOverview(sections.overview, summary);
  table.id = id;
  await renderTrialTable(sections.trials, id);
  let bestOverTime = false;
  let analysisVersion = -1;
  await startWatching(id, async (w, changed) => {
    title.textContent = w.summary.name;
    renderOverview(sections.overview, w.summary);
    if (!changed) return;
    const trials = sortedTrials(w);
    const toggle = v => { bestOverTime = v; renderBest(sections.best, sortedTrials(w), v, toggle, w.summary.minimize); };
    renderBest(sections.best, trials, bestOverTime, toggle, w.summary.minimize);
    renderTrialTable(sections.trials, id);
    renderCurves(sections.curves, w, trials);
    renderParallel(sections.parallel, trials);
    if (analysisVersion !== w.version) {
      analysisVersion = w.version;
      await Promise.all([renderImportance(sections.importance, id), renderPareto(sections.pareto, w, id)]);
    }
  });
}

function renderOverview(section, s) {
  const finished = s.completed + s.failed;
  const progress = s.maxTrials ? `${finished} / ${s.maxTrials}` : String(finished);
  let options = {};
  try { options = JSON.parse(s.optionsJson) || {}; } catch { options = {}; }
  const failures = Object.entries(s.failuresByReason);
  fill(section,
    el("h2", {}, "Overview"),
    el("div", { class: "stats" },
      el("div", {}, el("span", {}, "trials"), el("b", { id: "trial-count", class: "big" }, s.trials)),
      el("div", {}, el("span", {}, "finished"), el("b", { class: "big" }, progress)),
      el("div", {}, el("span", {}, "best so far"), el("b", { id: "best-value", class: "big", "data-value": s.best ? s.best.fitness : "" }, s.best ? num(s.best.fitness) : "–")),
      el("div", {}, el("span", {}, "elapsed"), el("b", { class: "big" }, duration(s.elapsedSeconds))),
      el("div", {}, el("span", {}, "remaining (estimate)"), el("b", { class: "big" }, s.etaSeconds === null ? "–" : duration(s.etaSeconds)))),
    el("dl", {},
      el("dt", {}, "best trial"), el("dd", { class: "arch" }, s.best ? el("a", { href: `#/e/${s.id}/t/${s.best.number}` }, `#${s.best.number} ${s.best.canonical}`) : "none yet"),
      el("dt", {}, "state"), el("dd", {}, `${s.completed} completed, ${s.failed} failed, ${s.running} running, ${s.pending} pending`),
      el("dt", {}, "failures by reason"), el("dd", { id: "failures" }, failures.length ? failures.map(([r, n]) => `${r}: ${n}`).join(", ") : "none"),
      el("dt", {}, "space"), el("dd", {}, s.space),
      el("dt", {}, "strategy"), el("dd", {}, `${s.strategy} (seed ${s.seed})`),
      el("dt", {}, "created"), el("dd", {}, time(s.createdAt)),
      Object.entries(options).filter(([, v]) => v !== null && !(Array.isArray(v) && v.length === 0))
        .map(([k, v]) => [el("dt", {}, k), el("dd", {}, typeof v === "object" ? JSON.stringify(v) : String(v))])));
}

function renderBest(section, trials, overTime, toggle, minimize) {
  const done = trials.filter(t => t.status === "Completed" && typeof t.fitness === "number" && t.reusedFrom === null);
  const ordered = overTime ? done.filter(t => t.endedAt).sort((a, b) => a.endedAt.localeCompare(b.endedAt)) : done;
  const start = trials.reduce((m, t) => t.startedAt && (!m || t.startedAt < m) ? t.startedAt : m, null);
  const xOf = t => overTime ? (Date.parse(t.endedAt) - Date.parse(start)) / 1000 : t.number;
  const button = el("button", { onclick: () => toggle(!overTime) }, overTime ? "over trials" : "over time");
  fill(section, el("div", { class: "controls" }, el("h2", {}, minimize ? "Best so far (lowest)" : "Best so far"), button));
  if (!ordered.length) { section.appendChild(el("p", { class: "muted" }, "No completed trial yet.")); return; }
  let best = minimize ? Infinity : -Infinity;
  const steps = ordered.map(t => { best = minimize ? Math.min(best, t.fitness) : Math.max(best, t.fitness); return [xOf(t), best]; });
  const p = plot(extent(ordered.map(xOf)), extent(ordered.map(t => t.fitness)), overTime ? "seconds since the first trial started" : "trial", "fitness");
  for (const t of ordered) {
    const dot = svg("circle", { class: "dot", cx: p.x(xOf(t)), cy: p.y(t.fitness), r: 3 });
    hover(dot, () => `trial ${t.number}: ${num(t.fitness)} — ${t.canonical}`);
    p.root.appendChild(dot);
  }
  const stair = [];
  steps.forEach(([x, y], i) => { if (i) stair.push([p.x(x), p.y(steps[i - 1][1])]); stair.push([p.x(x), p.y(y)]); });
  p.root.appendChild(svg("path", { class: "series", id: "best-line", d: pathOf(stair) }));
  section.appendChild(p.root);
}

// The sortable columns are the ones the store sorts (TrialSortKey); metric columns are shown, not sorted.
const columns = [
  { key: "number", label: "#", num: true, value: t => t.number },
  { key: "status", label: "state", value: t => t.status },
  { key: "fitness", label: "fitness", num: true, value: t => t.fitness },
  { key: "canonical", label: "architecture", value: t => t.canonical },
  { key: "duration", label: "time", num: true, value: t => t.durationSeconds },
  { key: "worker", label: "worker", value: t => t.worker },
];

// One page of the trial table, filtered and sorted by the server; a newer request wins over one still under way.
async function renderTrialTable(section, id) {
  const request = table.request = (table.request || 0) + 1;
  const query = new URLSearchParams({ sort: table.sort, desc: table.desc, offset: table.page * PAGE, limit: PAGE });
  if (table.status) query.set("status", table.status);
  if (table.filter) query.set("q", table.filter);
  const page = await getJson(`/api/experiments/${id}/table?${query}`);
  if (request !== table.request || table.id !== id || !section.isConnected) return;
  const pages = Math.max(1, Math.ceil(page.matching / PAGE));
  if (table.page > pages - 1) { table.page = pages - 1; return renderTrialTable(section, id); }
  const metricNames = [...new Set(page.trials.flatMap(t => Object.keys(t.metrics)))].sort().slice(0, 6);
  const all = columns.concat(metricNames.map(m => ({ key: "m:" + m, label: m, num: true, shown: true, value: t => t.metrics[m] })));
  const rerender = () => renderTrialTable(section, id);
  const focused = document.activeElement && document.activeElement.id === "trial-filter";
  const filter = el("input", { id: "trial-filter", type: "search", placeholder: "filter: architecture, #, worker, error", value: table.filter });
  filter.addEventListener("input", () => { table.filter = filter.value; table.page = 0; rerender(); });
  const status = el("select", { id: "status-filter", onchange: e => { table.status = e.target.value; table.page = 0; rerender(); } },
    ["", "Completed", "Failed", "Running", "Pending"].map(s => el("option", { value: s, selected: s === table.status }, s || "any state")));
  const head = el("tr", {}, el("th", {}, "curve"), all.map(c => c.shown ? el("th", { class: "num" }, c.label) : el("th", {
    class: "sortable" + (c.num ? " num" : "") + (c.key === table.sort ? (table.desc ? " sorted-desc" : " sorted-asc") : ""),
    "data-key": c.key,
    onclick: () => { if (table.sort === c.key) table.desc = !table.desc; else { table.sort = c.key; table.desc = c.key === "fitness"; } table.page = 0; rerender(); },
  }, c.label)));
  const body = el("tbody", {}, page.trials.map(t => el("tr", { "data-number": t.number },
    el("td", {}, el("input", { type: "checkbox", checked: table.selected.has(t.number), onchange: e => {
      if (e.target.checked) table.selected.add(t.number); else table.selected.delete(t.number);
      if (watch && watch.id === id) renderCurves(document.getElementById("curves"), watch, sortedTrials(watch));
    } })),
    all.map(c => {
      const v = c.value(t);
      if (c.key === "canonical") return el("td", { class: "arch" }, el("a", { href: `#/e/${id}/t/${t.number}` }, v));
      if (c.key === "status") return el("td", { class: v }, v + (t.failure ? ` (${t.failure})` : ""));
      if (c.key === "duration") return el("td", { class: "num" }, duration(v));
      return el("td", { class: c.num ? "num" : "" }, c.num && c.key !== "number" ? num(v) : (v ?? "–"));
    }))));
  fill(section, el("h2", {}, "Trials"),
    el("div", { class: "controls" }, filter, status,
      el("span", { id: "trial-rows", class: "muted" }, `${page.matching} trials`),
      pages > 1 ? [el("button", { onclick: () => { table.page = Math.max(0, table.page - 1); rerender(); } }, "‹"),
        `page ${table.page + 1} of ${pages}`, el("button", { onclick: () => { table.page = Math.min(pages - 1, table.page + 1); rerender(); } }, "›")] : null),
    el("table", { id: "trial-table" }, el("thead", {}, head), body));
  if (focused) { filter.focus(); filter.setSelectionRange(filter.value.length, filter.value.length); }
}

// Learning curves: the selected trials, or else the five best with intermediate results.
function renderCurves(section, w, trials, chosen) {
  const withCurves = trials.filter(t => t.intermediate.length > 0);
  let shown = chosen || withCurves.filter(t => table.selected.has(t.number));
  if (!chosen && !shown.length) shown = evaluated(withCurves).sort((a, b) => b.fitness - a.fitness).slice(0, 5);
  fill(section, el("h2", {}, "Learning curves"));
  if (!shown.length) { section.appendChild(el("p", { class: "muted" }, "No intermediate results yet.")); return; }
  const points = shown.flatMap(t => t.intermediate);
  const p = plot(extent(points.map(q => q[0])), extent(points.map(q => q[1])), "step", "intermediate value");
  const legend = el("div", { class: "legend" });
  shown.forEach((t, i) => {
    const color = COLORS[i % COLORS.length];
    const g = svg("g", { class: "curve-group", "data-number": t.number });
    g.appendChild(svg("path", { class: "curve", stroke: color, d: pathOf(t.intermediate.map(q => [p.x(q[0]), p.y(q[1])])) }));
    for (const [step, value] of t.intermediate) {
      const c = svg("circle", { class: "curve-point", cx: p.x(step), cy: p.y(value), r: 2.5, fill: color, "data-step": step, "data-value": value });
      hover(c, () => `trial ${t.number}, step ${step}: ${num(value)}`);
      g.appendChild(c);
    }
    p.root.appendChild(g);
    legend.appendChild(el("span", {}, el("i", { style: null }), `#${t.number}`));
    legend.lastChild.firstChild.style.background = color;
  });
  add(section, p.root, legend, chosen ? null : el("p", { class: "muted" }, "Tick trials in the table to overlay their curves."));
}

async function renderPareto(section, w, id) {
  const metrics = [...new Set(sortedTrials(w).flatMap(t => Object.keys(t.metrics)))].sort();
  const choices = ["fitness:max", ...metrics.flatMap(m => [m + ":min", m + ":max"])];
  const stored = w.summary.objectives.map(o => { const [d, ...m] = o.split(" "); return m.join(" ") + (d.toLowerCase().startsWith("max") ? ":max" : ":min"); });
  if (!paretoAxes || paretoAxes.id !== id) paretoAxes = { id, x: stored[0] || "fitness:max", y: stored[1] || (metrics.length ? metrics[0] + ":min" : null) };
  fill(section, el("h2", {}, "Pareto front"));
  if (!paretoAxes.y) { section.appendChild(el("p", { class: "muted" }, "The trials report no metric to trade off against fitness.")); return; }
  const pick = (axis) => {
    const s = el("select", { id: "pareto-" + axis, onchange: e => { paretoAxes[axis] = e.target.value; renderPareto(section, w, id); } },
      [...new Set([...choices, paretoAxes[axis]])].map(c => el("option", { value: c, selected: c === paretoAxes[axis] }, c)));
    return s;
  };
  section.appendChild(el("div", { class: "controls" }, "x", pick("x"), "y", pick("y")));
  const chart = await getJson(`/api/experiments/${id}/pareto?x=${encodeURIComponent(paretoAxes.x)}&y=${encodeURIComponent(paretoAxes.y)}`);
  if (!chart.points.length) { section.appendChild(el("p", { class: "muted" }, "No completed trial has both values.")); return; }
  const p = plot(extent(chart.points.map(q => q.x)), extent(chart.points.map(q => q.y)), chart.objectives[0], chart.objectives[1]);
  const front = chart.points.filter(q => q.front).sort((a, b) => a.x - b.x || a.y - b.y);
  p.root.appendChild(svg("path", { class: "frontline", d: pathOf(front.map(q => [p.x(q.x), p.y(q.y)])) }));
  // Front marks last, so that they are drawn on top.
  for (const q of [...chart.points].sort((a, b) => a.front - b.front)) {
    const mark = svg("circle", { class: "mark" + (q.front ? " front" : ""), cx: p.x(q.x), cy: p.y(q.y), r: q.front ? 5 : 4, "data-number": q.number });
    hover(mark, () => `trial ${q.number}: ${num(q.x)}, ${num(q.y)} — ${q.canonical}`);
    mark.addEventListener("click", () => { location.hash = `#/e/${id}/t/${q.number}`; });
    p.root.appendChild(mark);
  }
  add(section, p.root, el("p", { class: "muted" }, `${front.length} of ${chart.points.length} trials on the front (orange).`));
}

async function renderImportance(section, id) {
  const list = await getJson(`/api/experiments/${id}/importance`);
  fill(section, el("h2", {}, "Choice importance"));
  if (!list.length) { section.appendChild(el("p", { class: "muted" }, "No completed trial yet.")); return; }
  const width = 560, row = 24, left = 150, height = list.length * row + 10;
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img" });
  list.forEach((c, i) => {
    const y = 5 + i * row;
    root.appendChild(svg("text", { x: left - 8, y: y + 15, "text-anchor": "end" }, c.choice));
    const bar = svg("rect", { class: "bar", x: left, y: y + 3, height: row - 8, width: Math.max(1, c.importance * (width - left - 60)) });
    hover(bar, () => c.values.map(v => `${v.value}: mean ${num(v.mean)} (${v.count})`).join("; "));
    root.appendChild(bar);
    root.appendChild(svg("text", { x: left + Math.max(1, c.importance * (width - left - 60)) + 6, y: y + 15 }, (c.importance * 100).toFixed(1) + " %"));
  });
  add(section, root, el("p", { class: "muted" }, "Share of the fitness variance explained by each choice's mean fitness per value (fANOVA-style main effects, from the completed trials)."));
}

function renderParallel(section, trials) {
  const done = evaluated(trials);
  fill(section, el("h2", {}, "Parallel coordinates"));
  const names = [...new Set(done.flatMap(t => Object.keys(t.choices)))];
  if (!done.length || !names.length) { section.appendChild(el("p", { class: "muted" }, "No completed trial with choices yet.")); return; }
  const width = 1100, height = 300, top = 24, bottom = 20, left = 40, right = 60;
  const axes = names.map(n => ({ name: n, values: [...new Set(done.map(t => t.choices[n] ?? ""))].sort((a, b) => (Number(a) - Number(b)) || a.localeCompare(b)) }));
  const fit = extent(done.map(t => t.fitness));
  const step = (width - left - right) / names.length;
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img" });
  const yOfValue = (axis, v) => { const i = axis.values.indexOf(v); return axis.values.length === 1 ? (top + height - bottom) / 2 : top + i / (axis.values.length - 1) * (height - top - bottom); };
  const yOfFit = f => height - bottom - (f - fit[0]) / (fit[1] - fit[0]) * (height - top - bottom);
  const color = f => { const u = (f - fit[0]) / (fit[1] - fit[0]); return `hsl(${Math.round(220 - 200 * u)}, 70%, 45%)`; };
  for (const t of [...done].sort((a, b) => a.fitness - b.fitness)) {
    const pts = axes.map((a, i) => [left + i * step, yOfValue(a, t.choices[a.name] ?? "")]).concat([[left + names.length * step, yOfFit(t.fitness)]]);
    const line = svg("path", { class: "pcline", stroke: color(t.fitness), d: pathOf(pts) });
    hover(line, () => `trial ${t.number}: ${num(t.fitness)} — ${t.canonical}`);
    root.appendChild(line);
  }
  axes.forEach((a, i) => {
    const x = left + i * step;
    root.appendChild(svg("line", { class: "axis", x1: x, x2: x, y1: top, y2: height - bottom }));
    root.appendChild(svg("text", { x, y: 14, "text-anchor": "middle" }, a.name));
    for (const v of a.values) root.appendChild(svg("text", { x: x + 4, y: yOfValue(a, v) + 4 }, v.length > 24 ? v.slice(0, 23) + "…" : v));
  });
  const fx = left + names.length * step;
  root.appendChild(svg("line", { class: "axis", x1: fx, x2: fx, y1: top, y2: height - bottom }));
  root.appendChild(svg("text", { x: fx, y: 14, "text-anchor": "middle" }, "fitness"));
  for (const t of ticks(fit, 5)) root.appendChild(svg("text", { x: fx + 4, y: yOfFit(t) + 4 }, num(t)));
  section.appendChild(root);
}

// ---- Trial page ----------------------------------------------------------------------------------------------

async function trialPage(id, number) {
  const body = el("section", { id: "trial", class: "wide" });
  const curves = el("section", { id: "curves", class: "wide" });
  fill(main(), el("h1", { id: "trial-title" }, `Trial ${number}`), body, curves);
  let architectureJson = null; // not in the trial list: asked once, it never changes
  await startWatching(id, async (w, changed) => {
    if (!changed) return;
    const t = w.trials.get(number);
    if (!t) { fill(body, el("p", { class: "error" }, `Experiment ${w.summary.name} has no trial ${number}.`)); return; }
    if (architectureJson === null) architectureJson = (await getJson(`/api/experiments/${id}/trials/${number}`)).architectureJson;
    if (watch !== w) return;
    let pretty = architectureJson;
    try { pretty = JSON.stringify(JSON.parse(architectureJson), null, 2); } catch { /* shown as stored */ }
    const copy = el("button", { id: "copy-json", onclick: async () => {
      try { await navigator.clipboard.writeText(architectureJson); copy.textContent = "Copied"; }
      catch { copy.textContent = "Select the text and copy it (clipboard unavailable)"; }
    } }, "Copy JSON");
    fill(body,
      el("p", {}, el("a", { href: `#/e/${id}` }, "← " + w.summary.name)),
      el("dl", {},
        el("dt", {}, "state"), el("dd", { id: "trial-status", class: t.status }, t.status + (t.failure ? ` (${t.failure})` : "") + (t.stoppedEarly ? ", stopped early" : "")),
        el("dt", {}, "fitness"), el("dd", { id: "trial-fitness" }, num(t.fitness)),
        el("dt", {}, "architecture"), el("dd", { id: "trial-canonical", class: "arch" }, t.canonical),
        el("dt", {}, "worker"), el("dd", {}, t.worker ?? "–"),
        el("dt", {}, "started"), el("dd", {}, time(t.startedAt)),
        el("dt", {}, "ended"), el("dd", {}, time(t.endedAt)),
        el("dt", {}, "duration"), el("dd", {}, duration(t.durationSeconds)),
        el("dt", {}, "fidelity"), el("dd", {}, num(t.fidelity)),
        el("dt", {}, "seed"), el("dd", {}, t.seed),
        t.reusedFrom !== null ? [el("dt", {}, "reused from"), el("dd", {}, el("a", { href: `#/e/${id}/t/${t.reusedFrom}` }, `trial ${t.reusedFrom}`))] : null,
        Object.entries(t.metrics).sort().map(([k, v]) => [el("dt", {}, k), el("dd", { class: "metric" }, num(v))])),
      t.error ? [el("h2", {}, "Error"), el("pre", { id: "trial-error", class: "error" }, t.error)] : null,
      el("div", { class: "controls" }, el("h2", {}, "Architecture JSON"), copy),
      el("pre", { id: "trial-json" }, pretty));
    renderCurves(curves, w, [t], t.intermediate.length ? [t] : []);
  });
}

// ---- Compare -------------------------------------------------------------------------------------------------

async function comparePage(a, b) {
  stopWatching();
  const [da, db] = await Promise.all([a, b].map(id => getJson(`/api/experiments/${id}/trials?since=0`)));
  const sides = [da, db];
  const rows = [
    ["experiment", s => s.name], ["space", s => s.space], ["strategy", s => s.strategy], ["trials", s => s.trials],
    ["completed", s => s.completed], ["failed", s => s.failed], ["best fitness", s => s.best ? num(s.best.fitness) : "–"],
    ["best architecture", s => s.best ? s.best.canonical : "–"], ["elapsed", s => duration(s.elapsedSeconds)],
  ];
  const all = sides.map(d => evaluated(d.trials).sort((x, y) => x.number - y.number));
  const xs = all.flatMap(list => list.map(t => t.number)), ys = all.flatMap(list => list.map(t => t.fitness));
  const p = plot(extent(xs), extent(ys), "trial", "best fitness so far");
  const legend = el("div", { class: "legend" });
  all.forEach((list, i) => {
    let best = -Infinity;
    const pts = [];
    list.forEach((t, j) => { if (j) pts.push([p.x(t.number), p.y(best)]); best = Math.max(best, t.fitness); pts.push([p.x(t.number), p.y(best)]); });
    p.root.appendChild(svg("path", { class: "series", stroke: COLORS[i], style: null, d: pathOf(pts) }));
    p.root.lastChild.style.stroke = COLORS[i];
    legend.appendChild(el("span", {}, el("i", {}), sides[i].summary.name));
    legend.lastChild.firstChild.style.background = COLORS[i];
  });
  fill(main(), el("h1", {}, "Compare"),
    el("section", { class: "wide" }, el("table", { id: "compare" },
      el("thead", {}, el("tr", {}, el("th", {}), sides.map(d => el("th", {}, el("a", { href: `#/e/${d.summary.id}` }, d.summary.name))))),
      el("tbody", {}, rows.map(([label, f]) => el("tr", {}, el("th", {}, label), sides.map(d => el("td", { class: label.includes("architecture") ? "arch" : "" }, f(d.summary)))))))),
    el("section", { class: "wide" }, el("h2", {}, "Best so far"), p.root, legend));
}

// ---- Start ---------------------------------------------------------------------------------------------------

(async () => {
  try {
    info = await getJson("/api/info");
    document.getElementById("store").textContent = info.store;
    if (!location.hash && info.experiment !== null) location.hash = `#/e/${info.experiment}`;
  } catch (e) { /* route() shows the error */ }
  window.addEventListener("hashchange", route);
  route();
})();
