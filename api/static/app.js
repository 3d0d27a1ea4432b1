/* helsegraf web page: plain JavaScript over the JSON API (no build step). */
"use strict";

const $ = (sel) => document.querySelector(sel);
const TABS = ["utfordringer", "tiltak", "aktorer", "matrise", "eksempler", "dokumenter", "sporringer"];
const TYPE_LABELS = {
  Kommune: "Kommune", Fylke: "Fylke", Helseforetak: "Helseforetak",
  RegionaltHelseforetak: "Regionalt helseforetak", Helsefellesskap: "Helsefellesskap",
  Samarbeidsorgan: "Samarbeidsorgan", Sykehus: "Sykehus", StatligEtat: "Statlig etat",
  Organisasjon: "Organisasjon", Utdanningsinstitusjon: "Utdanningsinstitusjon",
  Region: "Region", Selskap: "Selskap",
};
const STANCE_LABELS = { "good-practice": "godt eksempel", mentioned: "nevnt" };
const KIND_LABELS = { challenge: "utfordring", measure: "tiltak" };
const PAGE_SIZE = 25;

/* ------------------------------------------------------------------ basics */

function setStatus(text, isError) {
  const el = $("#status");
  el.textContent = text || "";
  el.classList.toggle("error", !!isError);
}

/** An API error: the HTTP status and the server's (English) one-line detail. */
class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
    this.detail = detail;
  }
}

async function api(path, options) {
  const resp = await fetch(path, options);
  const type = resp.headers.get("content-type") || "";
  const body = type.includes("json") ? await resp.json() : await resp.text();
  if (!resp.ok) {
    const detail = body && body.detail ? (typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail)) : "";
    throw new ApiError(resp.status, detail);
  }
  return body;
}

/** A bokmål sentence for what went wrong; the server's own text stays for the details. */
function norwegianError(err) {
  if (!(err instanceof ApiError)) return err.message || "Noe gikk galt.";
  const d = err.detail || "";
  if (err.status === 404) return "Fant ikke det du ba om – det finnes ikke i grafen.";
  if (/read-only|refused|not accepted|update/i.test(d)) return "Spørringen prøver å endre grafen. Her kan du bare lese.";
  if (/time limit|timed out|timeout/i.test(d)) return "Spørringen brukte for lang tid og ble stoppet. Avgrens den, for eksempel med LIMIT.";
  if (/missing required parameter/i.test(d)) return `Fyll ut parameteren: ${d.split(":").pop().trim()}.`;
  if (/has no parameter|parameter \S+ must be/i.test(d)) return "En parameter har feil navn eller verdi.";
  if (err.status === 400 || err.status === 422) return "Spørringen kunne ikke tolkes. Sjekk skrivemåten (syntaksen).";
  if (err.status === 413) return "Forespørselen er for stor.";
  return `Noe gikk galt på tjeneren (HTTP ${err.status}).`;
}

/* Each navigation gets a number; an answer that arrives after a later navigation is dropped,
   so a slow earlier page never replaces the one asked for last. */
let routeToken = 0;
function stale(token) { return token !== undefined && token !== routeToken; }

async function guarded(fn, token) {
  try {
    setStatus("Henter …");
    await fn();
    if (!stale(token)) setStatus("");
  } catch (err) {
    if (!stale(token)) setStatus(`Feil: ${norwegianError(err)}`, true);
    return err;
  }
  return null;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function downloadBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function csvText(header, rows) {
  const esc = (v) => {
    if (v === null || v === undefined) return "";
    const s = typeof v === "object" ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header.map(esc).join(","), ...rows.map((r) => r.map(esc).join(","))].join("\n") + "\n";
}

function typeLabel(t) { return TYPE_LABELS[t] || t || ""; }
function plural(n, one, many) { return `${n} ${n === 1 ? one : many}`; }
function enc(id) { return encodeURIComponent(id); }

/** Link to a statement's place in the document reader. */
function readerHref(documentId, statement) {
  return `#dokumenter/${documentId}${statement ? `~${statement}` : ""}`;
}

function where(ev) {
  if (!ev) return "";
  const parts = [];
  if (ev.document_title || ev.document_name) parts.push(ev.document_title || ev.document_name);
  if (ev.document_date) parts.push(ev.document_date);
  if (ev.line) parts.push(`linje ${ev.line}`);
  if (ev.page) parts.push(`side ${ev.page}`);
  return parts.join(", ");
}

// A quote is one line of the source; where the sentence goes on past that line, say so.
function quoteText(ev) {
  return ev.quote_cut
    ? el("q", { title: "Setningen fortsetter etter sitatet" }, ev.quote, " …")
    : el("q", {}, ev.quote);
}

/** A quote that links to its place in the document, with where it is. */
function quoteLink(ev) {
  const q = quoteText(ev);
  const body = ev.document ? el("a", { href: readerHref(ev.document, ev.statement), class: "quote-link", title: "Les sitatet i dokumentet" }, q) : q;
  return el("span", {}, body, el("small", { class: "meta" }, where(ev)));
}

/* ------------------------------------------------------------------ tables */

function textOf(value) {
  if (value === null || value === undefined) return "";
  if (value instanceof Node) return value.textContent.replace(/\s+/g, " ").trim();
  return String(value);
}

/**
 * A table that sorts (click a heading), filters (words in any cell) and pages, with a
 * "Last ned CSV" button whose file holds what the table shows (filtered and sorted, every page).
 * spec: {columns: [{label, key, render(row) -> Node|string, sort(row) -> value, cls}], rows,
 *        onRow(row), empty, filename, pageSize, note}
 */
function renderTable(container, spec) {
  const state = { sort: null, dir: 1, filter: "", page: 0 };
  const pageSize = spec.pageSize || PAGE_SIZE;
  const cols = spec.columns;
  const cellValue = (c, row) => (c.render ? c.render(row) : row[c.key]);
  const sortValue = (c, row) => {
    const v = c.sort ? c.sort(row) : c.key ? row[c.key] : textOf(cellValue(c, row));
    return typeof v === "number" ? v : textOf(v).toLocaleLowerCase("nb");
  };

  function visibleRows() {
    let rows = spec.rows;
    const words = state.filter.toLocaleLowerCase("nb").split(/\s+/).filter(Boolean);
    if (words.length) {
      rows = rows.filter((r) => {
        const hay = cols.map((c) => textOf(cellValue(c, r))).join(" ").toLocaleLowerCase("nb");
        return words.every((w) => hay.includes(w));
      });
    }
    if (state.sort !== null) {
      const c = cols[state.sort];
      rows = [...rows].sort((a, b) => {
        const x = sortValue(c, a), y = sortValue(c, b);
        if (typeof x === "number" && typeof y === "number") return (x - y) * state.dir;
        return String(x).localeCompare(String(y), "nb") * state.dir;
      });
    }
    return rows;
  }

  function downloadCsv() {
    const rows = visibleRows();
    const body = rows.map((r) => cols.map((c) => textOf(cellValue(c, r))));
    downloadBlob(new Blob([csvText(cols.map((c) => c.label), body)], { type: "text/csv" }), spec.filename || "tabell.csv");
  }

  const count = el("span", { class: "count" });
  const filter = el("input", { type: "search", class: "table-filter", placeholder: "Filtrer tabellen", "aria-label": "Filtrer tabellen" });
  const csvButton = el("button", { class: "csv", type: "button", onclick: downloadCsv }, "Last ned CSV");
  const tools = el("div", { class: "table-tools" }, count, el("span", { class: "tools-right" }, filter, csvButton));
  const wrap = el("div", { class: "table-wrap" });
  const pager = el("div", { class: "pager" });
  container.replaceChildren(tools);
  if (spec.note) container.append(el("p", { class: "meta" }, spec.note));
  container.append(wrap, pager);

  function draw() {
    const rows = visibleRows();
    const pages = Math.max(1, Math.ceil(rows.length / pageSize));
    state.page = Math.min(state.page, pages - 1);
    const from = state.page * pageSize;
    const shown = rows.slice(from, from + pageSize);
    const all = spec.rows.length;
    const filtered = rows.length !== all ? ` (filtrert fra ${all})` : "";
    count.textContent = rows.length
      ? `Viser ${from + 1}–${from + shown.length} av ${rows.length} rader${filtered}`
      : `0 rader${filtered}`;
    wrap.replaceChildren();
    if (!rows.length) {
      wrap.append(el("div", { class: "empty" }, all ? "Ingen rader passer filteret." : spec.empty || "Ingen treff."));
    } else {
      const thead = el("thead", {}, el("tr", {}, cols.map((c, i) => {
        const sorted = state.sort === i ? (state.dir > 0 ? "ascending" : "descending") : "none";
        const arrow = state.sort === i ? (state.dir > 0 ? " ▲" : " ▼") : "";
        return el("th", { scope: "col", "aria-sort": sorted },
          el("button", {
            type: "button", class: "sort", title: "Sorter etter denne kolonnen",
            onclick: () => { state.dir = state.sort === i ? -state.dir : 1; state.sort = i; draw(); },
          }, c.label + arrow));
      })));
      const tbody = el("tbody");
      for (const row of shown) {
        const tr = el("tr", { class: spec.onRow ? "clickable" : null, tabindex: spec.onRow ? "0" : null });
        for (const c of cols) {
          const value = cellValue(c, row);
          tr.append(el("td", { class: c.cls }, value instanceof Node ? value : value ?? ""));
        }
        if (spec.onRow) {
          const go = (e) => {
            if (e.target.closest("a, button")) return; // a link in the row goes where it says
            tbody.querySelectorAll("tr.selected").forEach((r) => r.classList.remove("selected"));
            tr.classList.add("selected");
            spec.onRow(row);
          };
          tr.addEventListener("click", go);
          tr.addEventListener("keydown", (e) => { if (e.key === "Enter") go(e); });
        }
        tbody.append(tr);
      }
      wrap.append(el("table", {}, thead, tbody));
    }
    pager.replaceChildren();
    if (pages > 1) {
      pager.append(
        el("button", { type: "button", class: "page-prev", disabled: state.page === 0 ? "" : null, onclick: () => { state.page -= 1; draw(); } }, "← Forrige"),
        el("span", {}, ` Side ${state.page + 1} av ${pages} `),
        el("button", { type: "button", class: "page-next", disabled: state.page >= pages - 1 ? "" : null, onclick: () => { state.page += 1; draw(); } }, "Neste →"),
      );
    }
  }
  filter.addEventListener("input", () => { state.filter = filter.value; state.page = 0; draw(); });
  draw();
}

/* ------------------------------------------------------------------ charts */

function barChart(container, data) {
  container.replaceChildren();
  if (!data.length) {
    container.append(el("div", { class: "empty" }, "Ingen aktører."));
    return;
  }
  const NS = "http://www.w3.org/2000/svg";
  const barH = 24, gap = 6, labelW = 170, chartW = 260, max = Math.max(...data.map((d) => d.value));
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("width", String(labelW + chartW + 40));
  svg.setAttribute("height", String(data.length * (barH + gap)));
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "Antall aktører per type");
  data.forEach((d, i) => {
    const y = i * (barH + gap);
    const w = Math.max(2, (d.value / max) * chartW);
    const label = document.createElementNS(NS, "text");
    label.setAttribute("x", String(labelW - 6));
    label.setAttribute("y", String(y + barH * 0.7));
    label.setAttribute("text-anchor", "end");
    label.setAttribute("font-size", "13");
    label.textContent = d.label;
    const rect = document.createElementNS(NS, "rect");
    rect.setAttribute("x", String(labelW));
    rect.setAttribute("y", String(y));
    rect.setAttribute("width", String(w));
    rect.setAttribute("height", String(barH));
    rect.setAttribute("fill", "#1f4e5f");
    const title = document.createElementNS(NS, "title");
    title.textContent = `${d.label}: ${d.value}`;
    rect.append(title);
    const value = document.createElementNS(NS, "text");
    value.setAttribute("x", String(labelW + w + 5));
    value.setAttribute("y", String(y + barH * 0.7));
    value.setAttribute("font-size", "13");
    value.textContent = String(d.value);
    svg.append(label, rect, value);
  });
  container.append(svg);
}

/* ------------------------------------------------------------------ graph view */

const NODE_COLOURS = {
  actor: "#1f4e5f", challenge: "#e07a3f", measure: "#3f7fe0", example: "#3a9d5d",
  document: "#8a8a8a", voice: "#b0b0b0", theme: "#9b59b6", group: "#c0a030", place: "#7f8c8d",
};
const KIND_NAMES = {
  actor: "aktør", challenge: "utfordring", measure: "tiltak", example: "eksempel",
  document: "dokument", voice: "avsender", theme: "tema", group: "pasientgruppe", place: "sted",
};
const EDGE_NAMES = {
  RAISES: "tar opp", PROPOSES: "foreslår", MENTIONS: "nevner", INVOLVES: "involverer",
  IN_FYLKE: "i fylke", MEMBER_OF: "medlem av", SUCCEEDED_BY: "slått sammen til", PART_OF: "del av",
  FOR_GROUP: "for gruppe", LOCATED_IN: "ligger i",
};

/** Neighbours of a node, as {nodes, edges}, for expanding the graph on a click. */
async function neighbours(id, kind) {
  if (kind === "actor") return api(`/api/actors/${enc(id)}/graph?limit=40`);
  if (kind === "example") return api(`/api/examples/${enc(id)}/graph?limit=40`);
  if (kind === "challenge") {
    const page = await api(`/api/challenges/${enc(id)}/actors?limit=40`);
    return {
      nodes: page.items.map((a) => ({ id: a.id, label: a.name, kind: "actor" })),
      edges: page.items.map((a) => ({ source: a.id, target: id, label: "RAISES" })),
    };
  }
  if (kind === "measure") {
    const m = await api(`/api/measures/${enc(id)}`);
    const actors = new Map();
    for (const s of m.statements) for (const a of s.authors) actors.set(a.id, a);
    return {
      nodes: [...actors.values()].map((a) => ({ id: a.id, label: a.name, kind: "actor" })),
      edges: [...actors.keys()].map((a) => ({ source: a, target: id, label: "PROPOSES" })),
    };
  }
  return { nodes: [], edges: [] };
}

function pageOf(n) {
  if (n.kind === "actor") return `aktorer/${n.id}`;
  if (n.kind === "example") return `eksempler/${n.id}`;
  if (n.kind === "challenge") return `utfordringer/${n.id}`;
  if (n.kind === "measure") return `tiltak/${n.id}`;
  return null;
}

function drawGraph(container, hood, focusId) {
  container.replaceChildren();
  if (typeof cytoscape === "undefined") {
    container.append(el("div", { class: "empty" }, "Grafvisningen er ikke tilgjengelig."));
    return;
  }
  if (!hood.nodes.length) {
    container.append(el("div", { class: "empty" }, "Ingen naboer."));
    return;
  }
  const hidden = new Set();
  const legend = el("div", { class: "legend" });
  const hint = el("p", { class: "meta graph-hint" }, "Klikk på en node for å hente naboene dens inn i grafen, dobbeltklikk for å åpne siden dens. Kryss av for hvilke slags noder som vises.");
  const canvas = el("div", { class: "graph-canvas" });
  container.append(legend, hint, canvas);

  const toElements = (g) => {
    const ids = new Set([...g.nodes.map((n) => n.id), ...(cy ? cy.nodes().map((n) => n.id()) : [])]);
    return [
      ...g.nodes.map((n) => ({ group: "nodes", data: { id: n.id, label: n.label, kind: n.kind, focus: n.id === focusId ? 1 : 0 } })),
      ...g.edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map((e) => ({
        group: "edges", data: { id: `${e.source}|${e.label}|${e.target}`, source: e.source, target: e.target, label: EDGE_NAMES[e.label] || e.label },
      })),
    ];
  };
  let cy = null;
  cy = cytoscape({
    container: canvas,
    elements: toElements(hood),
    style: [
      {
        selector: "node",
        style: {
          label: "data(label)", "font-size": 11, "text-wrap": "wrap", "text-max-width": 110,
          "background-color": (n) => NODE_COLOURS[n.data("kind")] || "#999",
          width: 16, height: 16, color: "#1d2a30", "text-valign": "bottom", "text-margin-y": 3,
          "text-background-color": "#fff", "text-background-opacity": 0.85, "text-background-padding": 1,
        },
      },
      { selector: "node[focus = 1]", style: { width: 28, height: 28, "font-size": 12, "font-weight": "bold" } },
      { selector: "node.expanded", style: { "border-width": 2, "border-color": "#1d2a30" } },
      {
        selector: "edge",
        style: {
          width: 1, "line-color": "#c4cdd1", "target-arrow-color": "#c4cdd1",
          "target-arrow-shape": "triangle", "arrow-scale": 0.7, "curve-style": "bezier",
        },
      },
      { selector: "edge:selected, edge.hover", style: { label: "data(label)", "font-size": 9, color: "#5b6b73", "line-color": "#e07a3f" } },
    ],
  });
  // A force layout that counts the labels as part of each node, so labels do not overlap.
  // Labels stay readable: the view does not zoom out below 0.75 to fit everything; it
  // centres on the node last opened and the rest is a drag (or scroll-zoom) away.
  const readable = (centre) => {
    if (cy.zoom() < 0.75) {
      cy.zoom(0.75);
      cy.center(centre);
    }
  };
  const layout = (fit) => cy.layout({
    name: "cose", animate: false, randomize: false, fit, padding: 20,
    nodeDimensionsIncludeLabels: true, nodeRepulsion: () => 2500, idealEdgeLength: () => 40,
    nodeOverlap: 10, componentSpacing: 40, gravity: 1.5, numIter: 1500,
  }).run();
  layout(true);
  cy.getElementById(focusId).addClass("expanded");
  readable(cy.getElementById(focusId));

  function drawLegend() {
    const kinds = [...new Set(cy.nodes().map((n) => n.data("kind")))];
    legend.replaceChildren(...kinds.map((k) => el("label", { class: "legend-item" },
      el("input", {
        type: "checkbox", checked: hidden.has(k) ? null : "", "data-kind": k,
        onchange: (e) => {
          if (e.target.checked) hidden.delete(k); else hidden.add(k);
          cy.nodes().forEach((n) => n.style("display", hidden.has(n.data("kind")) ? "none" : "element"));
        },
      }),
      el("i", { style: `background:${NODE_COLOURS[k] || "#999"}` }), KIND_NAMES[k] || k)));
  }
  drawLegend();

  cy.on("mouseover", "edge", (evt) => evt.target.addClass("hover"));
  cy.on("mouseout", "edge", (evt) => evt.target.removeClass("hover"));
  cy.on("tap", "node", async (evt) => {
    const node = evt.target;
    if (node.hasClass("expanded")) return;
    node.addClass("expanded");
    const err = await guarded(async () => {
      const more = await neighbours(node.id(), node.data("kind"));
      const fresh = toElements(more).filter((x) => !cy.getElementById(x.data.id).length);
      cy.add(fresh);
      cy.nodes().forEach((n) => n.style("display", hidden.has(n.data("kind")) ? "none" : "element"));
      layout(true);
      readable(node);
      drawLegend();
    });
    if (err) node.removeClass("expanded");
  });
  cy.on("dbltap", "node", (evt) => {
    const target = pageOf(evt.target.data());
    if (target) location.hash = target;
  });
  container.cy = cy;
}

/* ------------------------------------------------------------------ Utfordringer */

let challenges = [];

async function loadChallenges() {
  const page = await api("/api/challenges?limit=500");
  challenges = page.items;
  const select = $("#challenge-select");
  select.replaceChildren(el("option", { value: "" }, "– velg –"));
  const byLabel = [...challenges].sort((a, b) => (a.label || a.id).localeCompare(b.label || b.id, "nb"));
  for (const c of byLabel) {
    select.append(el("option", { value: c.id }, `${c.label || c.id} (${plural(c.actor_count, "aktør", "aktører")})`));
  }
  renderTable($("#challenge-list"), {
    columns: [
      { label: "Utfordring", render: (r) => el("a", { href: `#utfordringer/${r.id}` }, r.label || r.id), sort: (r) => r.label || r.id },
      { label: "Aktører", key: "actor_count" },
      { label: "Dokumenter", key: "document_count" },
      { label: "Utsagn", key: "statement_count" },
    ],
    rows: challenges,
    filename: "utfordringer.csv",
    note: "Aktører, dokumenter (brev) og utsagn telles hver for seg: åtte kommuner som skriver under på ett brev, er åtte aktører, men ett dokument og ett utsagn.",
    onRow: (r) => { location.hash = `utfordringer/${r.id}`; },
  });
}

function countsLine(actors, documents, statements) {
  return `${plural(actors, "aktør", "aktører")} · ${plural(documents, "dokument (brev)", "dokumenter (brev)")} · ${plural(statements, "utsagn", "utsagn")}`;
}

function measureColumns() {
  return [
    { label: "Tiltak", render: (r) => el("a", { href: `#tiltak/${r.id}` }, r.label || r.id), sort: (r) => r.label || r.id },
    { label: "Aktører", key: "actor_count" },
    { label: "Dokumenter", key: "document_count" },
    { label: "Utsagn", key: "statement_count" },
    { label: "Ansvarlig", render: (r) => r.responsible.join("; ") },
    { label: "Når", render: (r) => r.when.join("; ") },
  ];
}

async function showChallenge(id, token) {
  $("#challenge-select").value = id;
  const base = `/api/challenges/${enc(id)}/actors?limit=500`;
  const [page, measures] = await Promise.all([
    api(base),
    api(`/api/measures?challenge=${enc(id)}&limit=500`),
  ]);
  if (stale(token)) return;
  const c = challenges.find((x) => x.id === id);
  $("#challenge-title").textContent = c ? c.label : id;
  $("#challenge-result").hidden = false;
  const docs = new Set(), statements = new Set();
  for (const a of page.items) for (const q of a.quotes) { docs.add(q.document); statements.add(q.statement); }
  $("#challenge-counts").textContent = countsLine(page.total, docs.size, statements.size);
  const byType = {};
  for (const a of page.items) byType[typeLabel(a.type)] = (byType[typeLabel(a.type)] || 0) + 1;
  barChart($("#challenge-chart"), Object.entries(byType)
    .map(([label, value]) => ({ label, value }))
    .sort((a, b) => b.value - a.value));
  renderTable($("#challenge-actors"), {
    columns: [
      { label: "Aktør", render: (r) => el("a", { href: `#aktorer/${r.id}` }, r.name), sort: (r) => r.name },
      { label: "Type", render: (r) => typeLabel(r.type) },
      { label: "Sitat og dokument", cls: "quote", render: (r) => el("div", {}, r.quotes.map((q) => el("div", {}, quoteLink(q)))) },
    ],
    rows: page.items,
    filename: `${id.replace("/", "-")}-aktorer.csv`,
    empty: "Ingen aktører tar opp denne utfordringen i dokumentene.",
  });
  const isOther = (m) => m.id.endsWith("/annet");
  renderTable($("#challenge-measures"), {
    columns: measureColumns(),
    rows: measures.items.filter((m) => m.in_codebook && !isOther(m)),
    filename: `${id.replace("/", "-")}-tiltak.csv`,
    empty: "Kodeboken knytter ingen tiltak til denne utfordringen.",
  });
  renderTable($("#challenge-measures-other"), {
    columns: measureColumns(),
    rows: measures.items.filter((m) => !m.in_codebook && !isOther(m)),
    filename: `${id.replace("/", "-")}-andre-tiltak.csv`,
    empty: "Ingen andre tiltak i de samme brevene.",
  });
  renderTable($("#challenge-measures-annet"), {
    columns: measureColumns(),
    rows: measures.items.filter(isOther),
    filename: `${id.replace("/", "-")}-annet.csv`,
    empty: "Ingen.",
  });
}

/* ------------------------------------------------------------------ Tiltak */

async function loadMeasures() {
  const page = await api("/api/measures?limit=500");
  const columns = [
    { label: "Tiltak", render: (r) => el("a", { href: `#tiltak/${r.id}` }, r.label || r.id), sort: (r) => r.label || r.id },
    { label: "Aktører", key: "actor_count" },
    { label: "Dokumenter", key: "document_count" },
    { label: "Utsagn", key: "statement_count" },
    { label: "Svarer på", render: (r) => r.addresses.map(challengeLabel).join("; ") },
  ];
  renderTable($("#measure-list"), {
    columns,
    rows: page.items.filter((m) => !m.id.endsWith("/annet")),
    filename: "tiltak.csv",
    onRow: (r) => { location.hash = `tiltak/${r.id}`; },
  });
  renderTable($("#measure-list-annet"), {
    columns: columns.slice(0, 4),
    rows: page.items.filter((m) => m.id.endsWith("/annet")),
    filename: "tiltak-annet.csv",
    onRow: (r) => { location.hash = `tiltak/${r.id}`; },
  });
}

function challengeLabel(id) {
  const c = challenges.find((x) => x.id === id);
  return c ? c.label : id;
}

async function showMeasure(id, token) {
  let m;
  try {
    m = await api(`/api/measures/${enc(id)}`);
  } catch (err) {
    if (stale(token)) return;
    $("#measure-detail").hidden = true;
    if (err instanceof ApiError && err.status === 404) throw new Error(`Fant ikke tiltaket «${id}».`);
    throw err;
  }
  if (stale(token)) return;
  $("#measure-detail").hidden = false;
  $("#measure-title").textContent = m.label || m.id;
  $("#measure-meta").textContent = [
    m.is_other ? "Annet: forslag som ikke passer noe tiltak i kodeboken" : m.in_codebook ? "Tiltak i kodeboken" : "Bare nevnt i dokumentene, ikke i kodeboken",
    m.themes.length && `Tema: ${m.themes.map((t) => t.label || t.id).join(", ")}`,
  ].filter(Boolean).join(" · ");
  $("#measure-counts").textContent = countsLine(m.actor_count, m.document_count, m.statement_count);
  const links = (box, list, empty) => {
    box.replaceChildren(...(list.length ? list.map((c) => el("li", {}, el("a", { href: `#utfordringer/${c.id}` }, c.label || c.id))) : [el("li", { class: "empty" }, empty)]));
  };
  links($("#measure-addresses"), m.addresses, m.is_other ? "«Annet» svarer ikke på noen bestemt utfordring." : "Kodeboken knytter ikke tiltaket til noen utfordring.");
  links($("#measure-same-letter"), m.same_letter, "Ingen andre.");
  $("#measure-same-letter-summary").textContent = `Vis ${plural(m.same_letter.length, "utfordring", "utfordringer")}`;
  const columns = [
    {
      label: "Foreslått av",
      render: (r) => el("span", {}, r.authors.flatMap((a, i) => [i ? ", " : "", el("a", { href: `#aktorer/${a.id}` }, a.name)])),
      sort: (r) => r.authors.map((a) => a.name).join(", "),
    },
    { label: "Sitat", cls: "quote", render: (r) => quoteLink(r), sort: (r) => r.quote },
    { label: "Ansvarlig", render: (r) => r.responsible.join("; ") },
    { label: "Når", render: (r) => r.when || "" },
  ];
  if (m.is_other) columns.splice(2, 0, { label: "Hva det gjelder", render: (r) => r.label || "" });
  renderTable($("#measure-statements"), {
    columns,
    rows: m.statements,
    filename: `${m.id.replace("/", "-")}-utsagn.csv`,
    empty: "Ingen dokumenter foreslår dette tiltaket.",
  });
  $("#measure-detail").scrollIntoView({ block: "start" });
}

/* ------------------------------------------------------------------ Aktører */

async function searchActors() {
  const params = new URLSearchParams({ limit: "500" });
  if ($("#actor-q").value) params.set("q", $("#actor-q").value);
  if ($("#actor-type").value) params.set("type", $("#actor-type").value);
  if ($("#actor-fylke").value) params.set("fylke", $("#actor-fylke").value);
  const page = await api(`/api/actors?${params}`);
  if (page.items.length) samples.actor = samples.actor || page.items[0].id;
  if (page.items.length > 1) samples.otherActor = samples.otherActor || page.items[1].id;
  renderTable($("#actor-list"), {
    columns: [
      { label: "Aktør", render: (r) => el("a", { href: `#aktorer/${r.id}` }, r.name), sort: (r) => r.name },
      { label: "Type", render: (r) => typeLabel(r.type) },
      { label: "Fylke", key: "fylke" },
      { label: "Dokumenter", key: "document_count" },
      { label: "Utsagn", key: "statement_count" },
    ],
    rows: page.items,
    filename: "aktorer.csv",
    onRow: (r) => { location.hash = `aktorer/${r.id}`; },
  });
}

let currentActor = null;

async function showSimilar(id) {
  const without = $("#similar-without-cosigners").checked;
  const similar = await api(`/api/actors/${enc(id)}/similar?limit=500&without_cosigners=${without}`);
  renderTable($("#actor-similar"), {
    columns: [
      { label: "Aktør", render: (r) => el("a", { href: `#aktorer/${r.id}` }, r.name), sort: (r) => r.name },
      { label: "Type", render: (r) => typeLabel(r.type) },
      { label: "Likhet (0–1)", render: (r) => r.score.toFixed(2), sort: (r) => r.score },
      { label: "Felles utfordringer", render: (r) => String(r.shared.length), sort: (r) => r.shared.length },
    ],
    rows: similar.items,
    pageSize: 10,
    filename: "like-aktorer.csv",
    empty: without ? "Ingen andre aktører tar opp de samme utfordringene i egne brev." : "Ingen andre aktører tar opp de samme utfordringene.",
  });
}

async function showActor(id, token) {
  let a;
  try {
    a = await api(`/api/actors/${enc(id)}`);
  } catch (err) {
    if (stale(token)) return;
    $("#actor-detail").hidden = true;
    currentActor = null;
    if (err instanceof ApiError && err.status === 404) throw new Error(`Fant ingen aktør med id «${id}».`);
    throw err;
  }
  const hood = await api(`/api/actors/${enc(id)}/graph?limit=60`);
  if (stale(token)) return;
  currentActor = a.id;
  $("#actor-detail").hidden = false;
  $("#actor-detail").scrollIntoView({ block: "start" });
  $("#actor-title").textContent = a.name;
  const names = (list) => list.map((x) => x.name).join(", ");
  $("#actor-meta").textContent = [
    typeLabel(a.type), a.fylke,
    a.kommunenummer && `kommunenr. ${a.kommunenummer}`,
    a.orgnr && `org.nr. ${a.orgnr}`,
    a.part_of.length && `del av ${names(a.part_of)}`,
    a.member_of.length && `medlem av ${names(a.member_of)}`,
    a.predecessors.length && `omfatter tidligere ${names(a.predecessors)}`,
    a.successors.length && `slått sammen til ${names(a.successors)}`,
  ].filter(Boolean).join(" · ");
  renderTable($("#actor-challenges"), {
    columns: [
      { label: "Utfordring", render: (r) => el("a", { href: `#utfordringer/${r.id}` }, r.label || r.id), sort: (r) => r.label || r.id },
      { label: "Utsagn", key: "count" },
    ],
    rows: a.challenges, pageSize: 10, filename: "utfordringer.csv",
  });
  renderTable($("#actor-measures"), {
    columns: [
      { label: "Tiltak", render: (r) => el("a", { href: `#tiltak/${r.id}` }, r.label || r.id), sort: (r) => r.label || r.id },
      { label: "Utsagn", key: "count" },
    ],
    rows: a.measures, pageSize: 10, filename: "tiltak.csv",
  });
  renderTable($("#actor-examples"), {
    columns: [{ label: "Eksempel", render: (r) => el("a", { href: `#eksempler/${r.id}` }, r.name), sort: (r) => r.name }],
    rows: a.examples, pageSize: 10, filename: "eksempler.csv",
  });
  await showSimilar(a.id);
  if (stale(token)) return;
  renderTable($("#actor-documents"), {
    columns: [
      { label: "Dokument", render: (r) => el("a", { href: `#dokumenter/${r.id}` }, r.title || r.name || r.id), sort: (r) => r.title || r.name },
      { label: "Fil", key: "name" },
    ],
    rows: a.documents, filename: "dokumenter.csv",
  });
  drawGraph($("#actor-graph"), hood, a.id);
}

/* ------------------------------------------------------------------ Matrise */

function matrixParams() {
  const p = new URLSearchParams({ by: $("#matrix-by").value, limit: "500" });
  if ($("#matrix-fylke").value) p.set("fylke", $("#matrix-fylke").value);
  if ($("#matrix-hf").value) p.set("helsefellesskap", $("#matrix-hf").value);
  if ($("#matrix-type").value) p.set("actor_type", $("#matrix-type").value);
  if ($("#matrix-kind").value) p.set("document_kind", $("#matrix-kind").value);
  return p;
}

async function loadMatrix() {
  const params = matrixParams();
  // More cells than one page holds: fetch the pages (a cell is small).
  let cells = [], offset = 0, total = 1;
  while (offset < total) {
    params.set("offset", String(offset));
    const page = await api(`/api/matrix?${params}`);
    cells = cells.concat(page.items);
    total = page.total;
    offset += page.items.length;
    if (!page.items.length) break;
  }
  const what = $("#matrix-measure").value;
  const byType = $("#matrix-by").value === "type";
  const rowsMap = new Map(), colsMap = new Map(), value = new Map();
  for (const c of cells) {
    rowsMap.set(c.row, byType ? typeLabel(c.row) : c.row_label);
    colsMap.set(c.challenge, c.challenge_label || c.challenge);
    value.set(`${c.row}\u0000${c.challenge}`, c[what]);
  }
  const rowIds = [...rowsMap.keys()].sort((a, b) => rowsMap.get(a).localeCompare(rowsMap.get(b), "nb"));
  const colIds = [...colsMap.keys()].sort((a, b) => colsMap.get(a).localeCompare(colsMap.get(b), "nb"));
  const max = Math.max(1, ...cells.map((c) => c[what]));
  const box = $("#matrix");
  box.replaceChildren();
  $("#matrix-cell").hidden = true;
  const unit = { statements: "utsagn", documents: "dokumenter", actors: "aktører" }[what];
  const csv = () => {
    const header = [byType ? "Aktørtype" : "Aktør", ...colIds.map((c) => colsMap.get(c))];
    const body = rowIds.map((r) => [rowsMap.get(r), ...colIds.map((c) => value.get(`${r}\u0000${c}`) || 0)]);
    downloadBlob(new Blob([csvText(header, body)], { type: "text/csv" }), `matrise-${unit}.csv`);
  };
  box.append(el("div", { class: "table-tools" },
    el("span", { class: "count" }, `${plural(rowIds.length, "rad", "rader")} × ${plural(colIds.length, "utfordring", "utfordringer")}, tallene er ${unit}`),
    el("button", { type: "button", class: "csv", onclick: csv }, "Last ned CSV")));
  if (!cells.length) {
    box.append(el("div", { class: "empty" }, "Ingen utsagn passer filtrene."));
    return;
  }
  const thead = el("thead", {}, el("tr", {},
    el("th", { scope: "col", class: "corner" }, byType ? "Aktørtype" : "Aktør"),
    colIds.map((c) => el("th", { scope: "col", class: "vertical", title: colsMap.get(c) }, el("span", {}, colsMap.get(c))))));
  const tbody = el("tbody");
  for (const r of rowIds) {
    const tr = el("tr", {}, el("th", { scope: "row" }, rowsMap.get(r)));
    for (const c of colIds) {
      const v = value.get(`${r}\u0000${c}`) || 0;
      if (!v) { tr.append(el("td", { class: "heat zero" }, "")); continue; }
      const alpha = 0.15 + 0.85 * (v / max);
      const cell = el("td", { class: "heat", style: `background: rgba(224, 122, 63, ${alpha.toFixed(2)})` },
        el("button", {
          type: "button", class: "cell", "data-row": r, "data-challenge": c,
          title: `${rowsMap.get(r)} – ${colsMap.get(c)}: ${v} ${unit}. Klikk for sitatene.`,
          onclick: () => guarded(() => showCell(r, rowsMap.get(r), c, colsMap.get(c))),
        }, String(v)));
      tr.append(cell);
    }
    tbody.append(tr);
  }
  box.append(el("div", { class: "table-wrap matrix-wrap" }, el("table", { class: "matrix" }, thead, tbody)));
}

async function showCell(row, rowLabel, challenge, challengeLabel) {
  const params = matrixParams();
  params.delete("limit");
  params.set("challenge", challenge);
  params.set("row", row);
  params.set("limit", "500");
  const page = await api(`/api/matrix/quotes?${params}`);
  // Co-signers of one letter share a statement: one row per statement, with all its signers.
  const byStatement = new Map();
  for (const q of page.items) {
    const s = byStatement.get(q.statement) || { ...q, actors: [] };
    s.actors.push({ id: q.actor_id, name: q.name });
    byStatement.set(q.statement, s);
  }
  $("#matrix-cell").hidden = false;
  $("#matrix-cell-title").textContent = `${rowLabel} – ${challengeLabel}`;
  renderTable($("#matrix-quotes"), {
    columns: [
      { label: "Sitat og dokument", cls: "quote", render: (r) => quoteLink(r), sort: (r) => r.quote },
      {
        label: "Aktører",
        render: (r) => el("span", {}, r.actors.flatMap((a, i) => [i ? ", " : "", el("a", { href: `#aktorer/${a.id}` }, a.name)])),
        sort: (r) => r.actors.map((a) => a.name).join(", "),
      },
    ],
    rows: [...byStatement.values()],
    filename: "sitater.csv",
  });
  $("#matrix-cell").scrollIntoView({ block: "start" });
}

async function loadMatrixFilters() {
  const page = await api("/api/matrix/filters");
  for (const f of page.items) {
    const target = f.kind === "fylke" ? $("#matrix-fylke") : $("#matrix-hf");
    target.append(el("option", { value: f.id }, f.name));
  }
}

/* ------------------------------------------------------------------ Eksempler */

function examplesUrl() {
  const params = new URLSearchParams({ limit: "500" });
  if ($("#example-q").value) params.set("q", $("#example-q").value);
  if ($("#example-theme").value) params.set("theme", $("#example-theme").value);
  if ($("#example-group").value) params.set("patient_group", $("#example-group").value);
  if ($("#example-stance").value) params.set("stance", $("#example-stance").value);
  return `/api/examples?${params}`;
}

async function searchExamples() {
  const page = await api(examplesUrl());
  if (page.items.length) samples.example = samples.example || page.items[0].id;
  renderTable($("#example-list"), {
    columns: [
      { label: "Eksempel", render: (r) => el("a", { href: `#eksempler/${r.id}` }, r.name), sort: (r) => r.name },
      { label: "Hva det er", render: (r) => r.description || "" },
      { label: "Drives av", render: (r) => r.run_by.map((a) => a.name).join(", ") },
      { label: "Pekt på av", render: (r) => r.mentioned_by.map((a) => a.name).join(", ") },
      { label: "Sted", key: "place" },
      { label: "Holdning", render: (r) => STANCE_LABELS[r.stance] || r.stance || "" },
      { label: "Omtaler", key: "mention_count" },
    ],
    rows: page.items,
    filename: "eksempler.csv",
    onRow: (r) => { location.hash = `eksempler/${r.id}`; },
  });
}

async function showExample(id, token) {
  let x;
  try {
    x = await api(`/api/examples/${enc(id)}`);
  } catch (err) {
    if (stale(token)) return;
    $("#example-detail").hidden = true;
    if (err instanceof ApiError && err.status === 404) throw new Error(`Fant ikke eksemplet «${id}».`);
    throw err;
  }
  const hood = await api(`/api/examples/${enc(id)}/graph?limit=60`);
  if (stale(token)) return;
  $("#example-detail").hidden = false;
  $("#example-detail").scrollIntoView({ block: "start" });
  $("#example-title").textContent = x.name;
  const aliases = x.aliases.length ? ` (også kalt ${x.aliases.join(", ")})` : "";
  $("#example-description").textContent =
    [x.description || "Ingen beskrivelse.", x.place && `Sted: ${x.place}`].filter(Boolean).join(" · ") + aliases;
  renderTable($("#example-runby"), {
    columns: [
      { label: "Aktør", render: (r) => el("a", { href: `#aktorer/${r.id}` }, r.name), sort: (r) => r.name },
      { label: "Type", render: (r) => typeLabel(r.type) },
    ],
    rows: x.run_by,
    filename: "drives-av.csv",
    empty: "Dokumentene sier ikke hvem som driver det.",
  });
  renderTable($("#example-mentions"), {
    columns: [
      { label: "Avsendere", render: (r) => r.authors.map((a) => a.name).join(", ") },
      { label: "Holdning", render: (r) => el("span", { class: r.stance === "good-practice" ? "pill good" : "pill" }, STANCE_LABELS[r.stance] || r.stance || "") },
      { label: "Sitat og dokument", cls: "quote", render: (r) => quoteLink(r.evidence), sort: (r) => r.evidence.quote },
    ],
    rows: x.mentions,
    filename: "omtaler.csv",
  });
  drawGraph($("#example-graph"), hood, x.id);
}

/* ------------------------------------------------------------------ Dokumenter: the reader */

async function loadDocuments() {
  const page = await api("/api/documents?limit=500");
  if (page.items.length) samples.document = page.items[0].id;
  renderTable($("#document-list"), {
    columns: [
      { label: "Tittel", render: (r) => el("a", { href: `#dokumenter/${r.id}` }, r.title || r.name), sort: (r) => r.title || r.name },
      { label: "Avsendere", render: (r) => r.authors.join(", ") },
      { label: "Dato", key: "date" },
      { label: "Type", key: "kind" },
      { label: "Fil", key: "name" },
      { label: "Utsagn", key: "statement_count" },
    ],
    rows: page.items,
    filename: "dokumenter.csv",
    note: "Mange dokumenter har samme tittel; avsendere, dato og fil skiller dem.",
    onRow: (r) => { location.hash = `dokumenter/${r.id}`; },
  });
}

/** The text as lines, each coding a <mark> in its concept's colour; voices in the margin. */
function renderReader(box, data, authorsByVoice) {
  box.replaceChildren();
  const text = data.text;
  if (text === null || text === undefined) {
    box.append(el("p", { class: "empty" }, "Teksten til dette dokumentet er ikke lagret; kodingene står i tabellen under."));
    return;
  }
  const codings = data.codings.filter((c) => c.start !== null && c.end !== null && c.status !== "rejected");
  const voiceAt = new Map(data.voices.map((v) => [v.line_from, v]));
  let offset = 0;
  const lines = text.split("\n");
  const table = el("div", { class: "lines" });
  lines.forEach((line, i) => {
    const number = i + 1;
    const a = offset, b = offset + line.length;
    offset = b + 1;
    const inLine = codings.filter((c) => c.start < b && c.end > a);
    const cuts = new Set([a, b]);
    for (const c of inLine) { cuts.add(Math.max(a, c.start)); cuts.add(Math.min(b, c.end)); }
    const points = [...cuts].sort((x, y) => x - y);
    const content = el("span", { class: "line-text" });
    for (let k = 0; k < points.length - 1; k++) {
      const p = points[k], q = points[k + 1];
      const piece = text.slice(p, q);
      const covering = inLine.filter((c) => c.start <= p && c.end >= q);
      if (!covering.length) { content.append(piece); continue; }
      const top = covering[0];
      const m = el("mark", {
        "data-ids": covering.map((c) => c.id).join(" "),
        title: covering.map((c) => `${KIND_LABELS[c.kind] || c.kind}: ${c.concept_label}`).join("\n"),
        tabindex: "0",
        onclick: () => focusStatement(data, top.id, false),
      }, piece);
      m.style.background = top.colour;
      content.append(m);
    }
    const voice = voiceAt.get(number);
    const margin = el("span", { class: "margin" });
    if (voice) {
      const authors = authorsByVoice.get(voice.voice) || voice.authors.map((n) => ({ name: n }));
      margin.append(el("span", { class: "voice-note" },
        el("strong", {}, data.voices.length > 1 ? `Avsender ${data.voices.indexOf(voice) + 1}` : "Avsender"),
        el("br"),
        authors.flatMap((au, j) => [j ? ", " : "", au.id ? el("a", { href: `#aktorer/${au.id}` }, au.name) : au.name]),
        el("br"), el("small", {}, `linje ${voice.line_from}–${voice.line_to}`)));
    }
    table.append(el("div", { class: "line", id: `linje-${number}` }, margin, el("span", { class: "line-no" }, String(number)), content));
  });
  box.append(table);
}

function focusStatement(data, sid, scroll) {
  const c = data.codings.find((x) => x.id === sid);
  const box = $("#document-focus");
  document.querySelectorAll("#document-text mark.aktiv").forEach((m) => m.classList.remove("aktiv"));
  if (!c) { box.hidden = true; return; }
  document.querySelectorAll("#document-text mark").forEach((m) => {
    if ((m.dataset.ids || "").split(" ").includes(sid)) m.classList.add("aktiv");
  });
  box.hidden = false;
  box.replaceChildren(
    el("div", {}, el("span", { class: `pill ${c.kind}` }, KIND_LABELS[c.kind] || c.kind), " ",
      el("strong", {}, c.concept_label), ` · linje ${c.line}`),
    el("q", {}, c.quote),
    el("div", { class: "focus-actions" },
      el("a", { href: `/review#${enc(data.document.id)}~${enc(c.id)}`, class: "button-link review-link" }, "Åpne kodingen i gjennomgang"),
      el("a", { href: c.kind === "measure" ? `#tiltak/${c.concept}` : `#utfordringer/${c.concept}` }, c.kind === "measure" ? "Se tiltaket" : "Se utfordringen")));
  if (scroll) {
    // The page shows the document's head; the text box scrolls to the line.
    $("#document-detail").scrollIntoView({ block: "start" });
    const line = document.getElementById(`linje-${c.line}`);
    const reader = $(".reader");
    if (line) reader.scrollTop = Math.max(0, line.offsetTop - reader.clientHeight / 3);
  }
}

async function showDocument(key, token) {
  const [id, sid] = key.split("~");
  let d, data;
  try {
    [d, data] = await Promise.all([
      api(`/api/documents/${enc(id)}`),
      api(`/api/review/documents/${enc(id)}`),
    ]);
  } catch (err) {
    if (stale(token)) return;
    $("#document-detail").hidden = true;
    if (err instanceof ApiError && err.status === 404) throw new Error(`Fant ikke dokumentet «${id}».`);
    throw err;
  }
  if (stale(token)) return;
  $("#document-detail").hidden = false;
  $("#document-title").textContent = d.title || d.name;
  $("#document-meta").textContent = [
    d.date ? `Dato: ${d.date}` : "Udatert", d.kind, d.name, d.pages && `${d.pages} sider`,
    plural(d.statement_count, "koding", "kodinger"),
  ].filter(Boolean).join(" · ");
  const source = $("#document-source");
  source.replaceChildren();
  if (d.source && /^https?:\/\//i.test(d.source)) {
    source.append("Kilde: ", el("a", { href: d.source, rel: "noopener noreferrer", target: "_blank" }, d.source));
  } else if (d.source) source.append(`Kilde: ${d.source}`);
  else source.append("Kilde: ikke oppgitt");
  source.append(" · ", el("a", { href: `/review#${enc(d.id)}` }, "Åpne dokumentet i gjennomgang"));
  const authorsByVoice = new Map(d.voices.map((v) => [v.id, v.authors]));
  renderReader($("#document-text"), data, authorsByVoice);
  renderTable($("#document-codings"), {
    columns: [
      { label: "Linje", key: "line" },
      { label: "Type", render: (r) => el("span", { class: `pill ${r.kind}` }, KIND_LABELS[r.kind] || r.kind), sort: (r) => r.kind },
      { label: "Begrep", render: (r) => el("span", {}, el("i", { class: "swatch", style: `background:${r.colour}` }), r.concept_label) , sort: (r) => r.concept_label },
      { label: "Sitat", cls: "quote", render: (r) => el("a", { href: readerHref(data.document.id, r.id) }, el("q", {}, r.quote)), sort: (r) => r.quote },
    ],
    rows: data.codings,
    filename: `${d.name || "dokument"}-kodinger.csv`,
  });
  if (sid) focusStatement(data, sid, true);
  else {
    $("#document-focus").hidden = true;
    $("#document-detail").scrollIntoView({ block: "start" });
  }
}

/* ------------------------------------------------------------------ Spørringer */

function clearResult(message) {
  $("#query-result").replaceChildren(el("p", { class: "meta" }, message));
}

function showQueryResult(columns, rows, filename, note) {
  renderTable($("#query-result"), {
    columns: columns.map((c) => ({
      label: c,
      render: (r) => {
        const v = r[c];
        return v !== null && typeof v === "object" ? JSON.stringify(v) : v ?? "";
      },
      sort: (r) => (typeof r[c] === "number" ? r[c] : textOf(r[c])),
    })),
    rows,
    filename,
    note,
    empty: "Spørringen ga ingen rader.",
  });
}

function showQueryError(which, err) {
  const box = $(`#${which}-error`);
  box.hidden = false;
  box.replaceChildren(el("strong", {}, norwegianError(err)));
  if (err instanceof ApiError && err.detail) {
    box.append(el("details", {}, el("summary", {}, "Melding fra databasen"), el("code", {}, err.detail)));
  }
  clearResult("Spørringen feilet, så det er ikke noe resultat å vise.");
}

/* Example values for a catalog query's parameters: what the page shows or has loaded. */
const samples = {};

function sampleParam(name) {
  const fromHash = (tab) => {
    const h = decodeURIComponent(location.hash.replace(/^#/, ""));
    return h.startsWith(`${tab}/`) ? h.slice(tab.length + 1).split("~")[0] : "";
  };
  switch (name) {
    case "challenge": return fromHash("utfordringer") || "utfordring/rekruttering";
    case "measure": return fromHash("tiltak") || "tiltak/bedre-utskrivning";
    case "actor": case "source": return fromHash("aktorer") || samples.actor || "";
    case "target": return samples.otherActor || "";
    case "example": return fromHash("eksempler") || samples.example || "";
    case "document": return fromHash("dokumenter") || samples.document || "";
    case "id": return fromHash("aktorer") || fromHash("eksempler") || samples.actor || "";
    default: return "";
  }
}

const catalog = { byKey: {}, chosen: { cypher: null, sparql: null } };

function paramFields(which, q) {
  const box = $(`#${which}-param-fields`);
  box.replaceChildren(el("legend", {}, "Parametre"));
  if (!q || !q.params.length) { box.hidden = true; return; }
  box.hidden = false;
  for (const p of q.params) {
    const required = q.required.includes(p);
    const input = el("input", {
      type: "text", name: p, "data-param": p, required: required ? "" : null,
      placeholder: required ? "må fylles ut" : `valgfri${q.defaults[p] !== undefined ? `, standard ${q.defaults[p]}` : ""}`,
    });
    input.value = required ? sampleParam(p) : "";
    box.append(el("label", { class: "param" }, el("span", {}, p, required ? el("abbr", { title: "må fylles ut" }, " *") : ""), input));
  }
}

function paramValues(which) {
  const out = {};
  document.querySelectorAll(`#${which}-param-fields input[data-param]`).forEach((i) => {
    if (i.value.trim() !== "") out[i.dataset.param] = i.value.trim();
  });
  return out;
}

async function loadCatalog() {
  const page = await api("/api/queries?limit=500");
  for (const q of page.items) {
    const target = q.language === "sparql" ? $("#sparql-example") : $("#cypher-example");
    const key = `${q.language}:${q.name}`;
    catalog.byKey[key] = q;
    target.append(el("option", { value: key }, q.description_nb ? `${q.description_nb} (${q.name})` : q.name));
  }
  for (const which of ["cypher", "sparql"]) {
    $(`#${which}-example`).addEventListener("change", (e) => {
      const q = catalog.byKey[e.target.value] || null;
      catalog.chosen[which] = q;
      $(`#${which}-error`).hidden = true;
      $(`#${which}-about`).textContent = q ? (q.description_nb || "") : "";
      if (q) $(`#${which}-text`).value = q.text;
      paramFields(which, q);
      if (which === "cypher") {
        $("#cypher-params").hidden = !!q;
        $("#cypher-params-label").hidden = !!q;
      }
    });
  }
}

/** Run a catalog query by name when its text is unchanged, so its parameters are checked. */
async function runNamed(which, q) {
  const body = JSON.stringify({ language: which, params: paramValues(which) });
  const res = await api(`/api/queries/${enc(q.name)}/run`, { method: "POST", headers: { "Content-Type": "application/json" }, body });
  showQueryResult(res.columns, res.rows, `${q.name}.csv`, res.truncated ? "Svaret ble kuttet ved radtaket." : "");
}

async function runCypher() {
  const q = catalog.chosen.cypher;
  if (q && $("#cypher-text").value === q.text) return runNamed("cypher", q);
  let params;
  if (q) {
    params = paramValues("cypher");
    for (const [k, v] of Object.entries(params)) { try { params[k] = JSON.parse(v); } catch { /* a string */ } }
  } else {
    try {
      params = JSON.parse($("#cypher-params").value || "{}");
    } catch {
      throw new Error("Parametrene er ikke gyldig JSON.");
    }
  }
  const body = JSON.stringify({ query: $("#cypher-text").value, params });
  const res = await api("/api/cypher", { method: "POST", headers: { "Content-Type": "application/json" }, body });
  showQueryResult(res.columns, res.rows, "cypher.csv", res.truncated ? "Svaret ble kuttet ved radtaket." : "");
}

async function runSparql() {
  const q = catalog.chosen.sparql;
  if (q && $("#sparql-text").value === q.text) return runNamed("sparql", q);
  const form = new URLSearchParams({ query: $("#sparql-text").value });
  const resp = await fetch("/sparql", {
    method: "POST",
    headers: { Accept: "application/sparql-results+json, text/turtle;q=0.9", "Content-Type": "application/x-www-form-urlencoded" },
    body: form,
  });
  if (!resp.ok) {
    const body = await resp.json().catch(() => ({}));
    throw new ApiError(resp.status, body.detail || "");
  }
  const type = resp.headers.get("content-type") || "";
  if (!type.includes("json")) {
    const text = await resp.text();
    showQueryResult(["tripel"], text.split("\n").filter(Boolean).map((t) => ({ tripel: t })), "sparql.csv");
    return;
  }
  const data = await resp.json();
  if ("boolean" in data) {
    showQueryResult(["svar"], [{ svar: data.boolean ? "ja" : "nei" }], "sparql.csv");
    return;
  }
  const vars = data.head.vars;
  const rows = data.results.bindings.map((b) => Object.fromEntries(vars.map((v) => [v, b[v] ? b[v].value : ""])));
  showQueryResult(vars, rows, "sparql.csv");
}

async function runEditor(which, fn) {
  $(`#${which}-error`).hidden = true;
  setStatus("Kjører spørringen …");
  try {
    await fn();
    setStatus("");
  } catch (err) {
    setStatus("");
    showQueryError(which, err);
  }
}

/* ------------------------------------------------------------------ routing */

async function route() {
  const token = ++routeToken;
  const hash = decodeURIComponent(location.hash.replace(/^#/, ""));
  const slash = hash.indexOf("/");
  const head = slash < 0 ? hash : hash.slice(0, slash);
  const tab = TABS.includes(head) ? head : "utfordringer";
  const id = slash < 0 ? "" : hash.slice(slash + 1);
  for (const t of TABS) {
    $(`#tab-${t}`).hidden = t !== tab;
    document.querySelector(`nav a[data-tab="${t}"]`).classList.toggle("active", t === tab);
  }
  if (tab === "matrise" && !$("#matrix table") && !$("#matrix .empty")) await guarded(loadMatrix);
  if (!id) return;
  await guarded(async () => {
    if (tab === "utfordringer") await showChallenge(id, token);
    else if (tab === "tiltak") await showMeasure(id, token);
    else if (tab === "aktorer") await showActor(id, token);
    else if (tab === "eksempler") await showExample(id, token);
    else if (tab === "dokumenter") await showDocument(id, token);
  }, token);
}

async function fillSelect(select, url, labelOf) {
  const page = await api(url);
  for (const item of page.items) {
    const value = typeof item === "string" ? item : item.id;
    select.append(el("option", { value }, labelOf(item)));
  }
}

async function init() {
  $("#challenge-select").addEventListener("change", (e) => {
    if (e.target.value) location.hash = `utfordringer/${e.target.value}`;
  });
  $("#actor-search").addEventListener("submit", (e) => { e.preventDefault(); guarded(searchActors); });
  $("#example-search").addEventListener("submit", (e) => { e.preventDefault(); guarded(searchExamples); });
  $("#matrix-form").addEventListener("change", () => guarded(loadMatrix));
  $("#matrix-form").addEventListener("submit", (e) => { e.preventDefault(); guarded(loadMatrix); });
  $("#similar-without-cosigners").addEventListener("change", () => { if (currentActor) guarded(() => showSimilar(currentActor)); });
  $("#cypher-form").addEventListener("submit", (e) => { e.preventDefault(); runEditor("cypher", runCypher); });
  $("#sparql-form").addEventListener("submit", (e) => { e.preventDefault(); runEditor("sparql", runSparql); });
  window.addEventListener("hashchange", route);
  await guarded(async () => {
    await Promise.all([
      loadChallenges().then(loadMeasures), // measures name the challenges they answer
      searchActors(),
      searchExamples(),
      loadDocuments(),
      loadCatalog(),
      loadMatrixFilters(),
      fillSelect($("#actor-type"), "/api/actor-types", (t) => typeLabel(t.id)),
      fillSelect($("#matrix-type"), "/api/actor-types", (t) => typeLabel(t.id)),
      fillSelect($("#example-theme"), "/api/concepts?scheme=tema&limit=500", (c) => c.label || c.id),
      fillSelect($("#example-group"), "/api/concepts?scheme=pasientgruppe&limit=500", (c) => c.label || c.id),
    ]);
  });
  await route();
  document.body.dataset.ready = "true";
}

init();
