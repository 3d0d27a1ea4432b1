/* helsegraf web page: plain JavaScript over the JSON API (no build step). */
"use strict";

const $ = (sel) => document.querySelector(sel);
const TABS = ["utfordringer", "aktorer", "eksempler", "dokumenter", "sporringer"];
const TYPE_LABELS = {
  Kommune: "Kommune", Fylke: "Fylke", Helseforetak: "Helseforetak",
  RegionaltHelseforetak: "Regionalt helseforetak", Helsefellesskap: "Helsefellesskap",
  Samarbeidsorgan: "Samarbeidsorgan", Sykehus: "Sykehus", StatligEtat: "Statlig etat",
  Organisasjon: "Organisasjon", Utdanningsinstitusjon: "Utdanningsinstitusjon",
  Region: "Region", Selskap: "Selskap",
};
const STANCE_LABELS = { "good-practice": "godt eksempel", mentioned: "nevnt" };
const KIND_LABELS = { challenge: "utfordring", measure: "tiltak" };

/* ------------------------------------------------------------------ basics */

function setStatus(text, isError) {
  const el = $("#status");
  el.textContent = text || "";
  el.classList.toggle("error", !!isError);
}

async function api(path, options) {
  const resp = await fetch(path, options);
  const type = resp.headers.get("content-type") || "";
  const body = type.includes("json") ? await resp.json() : await resp.text();
  if (!resp.ok) {
    const msg = body && body.detail ? body.detail : `HTTP ${resp.status}`;
    throw new Error(msg);
  }
  return body;
}

async function guarded(fn) {
  try {
    setStatus("Henter …");
    await fn();
    setStatus("");
  } catch (err) {
    setStatus(`Feil: ${err.message}`, true);
  }
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
    if (c === undefined || c === null) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function withCsv(url) {
  return url + (url.includes("?") ? "&" : "?") + "format=csv";
}

function downloadBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function typeLabel(t) { return TYPE_LABELS[t] || t || ""; }

function where(ev) {
  if (!ev) return "";
  const parts = [];
  if (ev.document_title || ev.document_name) parts.push(ev.document_title || ev.document_name);
  if (ev.line) parts.push(`linje ${ev.line}`);
  if (ev.page) parts.push(`side ${ev.page}`);
  return parts.join(", ");
}

/* ------------------------------------------------------------------ tables */

/**
 * Render a table with a "Last ned CSV" control.
 * spec: {columns: [{key, label, render(row) -> Node|string, cls}], rows, total,
 *        csv: url string or async function, onRow(row), empty}
 */
function renderTable(container, spec) {
  container.replaceChildren();
  const tools = el("div", { class: "table-tools" });
  const shown = spec.rows.length;
  const total = spec.total ?? shown;
  tools.append(el("span", { class: "count" }, total > shown ? `${shown} av ${total} rader` : `${shown} rader`));
  if (spec.csv) {
    if (typeof spec.csv === "string") {
      tools.append(el("a", { class: "csv", href: spec.csv, download: "" }, "Last ned CSV"));
    } else {
      tools.append(el("button", { class: "csv", type: "button", onclick: () => guarded(spec.csv) }, "Last ned CSV"));
    }
  }
  container.append(tools);
  if (!shown) {
    container.append(el("div", { class: "empty" }, spec.empty || "Ingen treff."));
    return;
  }
  const thead = el("thead", {}, el("tr", {}, spec.columns.map((c) => el("th", { scope: "col" }, c.label))));
  const tbody = el("tbody");
  for (const row of spec.rows) {
    const tr = el("tr", { class: spec.onRow ? "clickable" : null, tabindex: spec.onRow ? "0" : null });
    for (const c of spec.columns) {
      const value = c.render ? c.render(row) : row[c.key];
      tr.append(el("td", { class: c.cls }, value instanceof Node ? value : value ?? ""));
    }
    if (spec.onRow) {
      const go = () => {
        tbody.querySelectorAll("tr.selected").forEach((r) => r.classList.remove("selected"));
        tr.classList.add("selected");
        spec.onRow(row);
      };
      tr.addEventListener("click", go);
      tr.addEventListener("keydown", (e) => { if (e.key === "Enter") go(); });
    }
    tbody.append(tr);
  }
  container.append(el("div", { class: spec.tall ? "table-wrap tall" : "table-wrap" }, el("table", {}, thead, tbody)));
}

// A quote is one line of the source; where the sentence goes on past that line, say so.
function quoteText(ev) {
  return ev.quote_cut
    ? el("q", { title: "Setningen fortsetter etter sitatet" }, ev.quote, " …")
    : el("q", {}, ev.quote);
}

function quoteCell(ev) {
  return el("span", {}, quoteText(ev), el("br"), el("small", { class: "meta" }, where(ev)));
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
  const height = data.length * (barH + gap);
  svg.setAttribute("width", String(labelW + chartW + 40));
  svg.setAttribute("height", String(height));
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
  document: "dokument", theme: "tema", group: "pasientgruppe", place: "sted",
};
// Rings around the focus node, inner to outer.
const KIND_RING = { actor: 3, example: 3, challenge: 2, measure: 1, group: 1, place: 1, theme: 1 };

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
  const ids = new Set(hood.nodes.map((n) => n.id));
  const elements = [
    ...hood.nodes.map((n) => ({ data: { id: n.id, label: n.label, kind: n.kind, focus: n.id === focusId ? 1 : 0 } })),
    ...hood.edges
      .filter((e) => ids.has(e.source) && ids.has(e.target))
      .map((e, i) => ({ data: { id: `e${i}`, source: e.source, target: e.target, label: e.label } })),
  ];
  const kinds = [...new Set(hood.nodes.map((n) => n.kind))];
  const legend = el("div", { class: "legend" }, kinds.map((k) =>
    el("span", {}, el("i", { style: `background:${NODE_COLOURS[k] || "#999"}` }), KIND_NAMES[k] || k)));
  const canvas = el("div", { class: "graph-canvas" });
  container.append(legend, canvas);
  const cy = cytoscape({
    container: canvas,
    elements,
    layout: {
      name: "concentric",
      animate: false,
      minNodeSpacing: 18,
      concentric: (n) => (n.data("focus") ? 10 : KIND_RING[n.data("kind")] || 0),
      levelWidth: () => 1,
    },
    style: [
      {
        selector: "node",
        style: {
          label: "data(label)", "font-size": 9, "text-wrap": "ellipsis", "text-max-width": 110,
          "background-color": (n) => NODE_COLOURS[n.data("kind")] || "#999",
          width: 14, height: 14, color: "#1d2a30", "text-valign": "bottom", "text-margin-y": 2,
        },
      },
      { selector: "node[focus = 1]", style: { width: 26, height: 26, "font-size": 12, "font-weight": "bold" } },
      {
        selector: "edge",
        style: {
          width: 1, "line-color": "#c4cdd1", "target-arrow-color": "#c4cdd1",
          "target-arrow-shape": "triangle", "arrow-scale": 0.7, "curve-style": "straight",
        },
      },
      { selector: "edge:selected, edge.hover", style: { label: "data(label)", "font-size": 9, color: "#5b6b73", "line-color": "#e07a3f" } },
    ],
  });
  cy.on("mouseover", "edge", (evt) => evt.target.addClass("hover"));
  cy.on("mouseout", "edge", (evt) => evt.target.removeClass("hover"));
  cy.on("tap", "node", (evt) => {
    const n = evt.target.data();
    if (n.kind === "actor") location.hash = `aktorer/${n.id}`;
    else if (n.kind === "example") location.hash = `eksempler/${n.id}`;
    else if (n.kind === "challenge") location.hash = `utfordringer/${n.id}`;
  });
}

/* ------------------------------------------------------------------ Utfordringer */

let challenges = [];

/** The concept's own short name, from its id: "utfordring/rekruttering" -> "Rekruttering". */
function shortName(id) {
  const slug = id.split("/").pop().replace(/-/g, " ");
  return slug.charAt(0).toUpperCase() + slug.slice(1);
}

async function loadChallenges() {
  const page = await api("/api/challenges?limit=500");
  challenges = page.items;
  const select = $("#challenge-select");
  select.replaceChildren(el("option", { value: "" }, "– velg –"));
  for (const c of challenges) {
    select.append(el("option", { value: c.id }, `${shortName(c.id)} – ${c.label || c.id} (${c.actor_count})`));
  }
  renderTable($("#challenge-list"), {
    columns: [
      { label: "Utfordring", render: (r) => r.label || r.id },
      { label: "Aktører", key: "actor_count" },
      { label: "Utsagn", key: "statement_count" },
    ],
    rows: challenges,
    total: page.total,
    csv: withCsv("/api/challenges?limit=500"),
    tall: true,
    onRow: (r) => { location.hash = `utfordringer/${r.id}`; },
  });
}

async function showChallenge(id) {
  $("#challenge-select").value = id;
  const base = `/api/challenges/${encodeURIComponent(id)}/actors?limit=500`;
  const [page, measures] = await Promise.all([
    api(base),
    api(`/api/measures?challenge=${encodeURIComponent(id)}&limit=500`),
  ]);
  const c = challenges.find((x) => x.id === id);
  $("#challenge-title").textContent = c ? c.label : id;
  $("#challenge-result").hidden = false;
  const byType = {};
  for (const a of page.items) byType[typeLabel(a.type)] = (byType[typeLabel(a.type)] || 0) + 1;
  barChart($("#challenge-chart"), Object.entries(byType)
    .map(([label, value]) => ({ label, value }))
    .sort((a, b) => b.value - a.value));
  renderTable($("#challenge-actors"), {
    columns: [
      { label: "Aktør", render: (r) => el("a", { href: `#aktorer/${r.id}` }, r.name) },
      { label: "Type", render: (r) => typeLabel(r.type) },
      {
        label: "Sitat og dokument", cls: "quote",
        render: (r) => el("div", {}, r.quotes.map((q) => el("div", {}, quoteCell(q)))),
      },
    ],
    rows: page.items,
    total: page.total,
    csv: withCsv(base),
    empty: "Ingen aktører tar opp denne utfordringen i dokumentene.",
  });
  renderTable($("#challenge-measures"), {
    columns: [
      { label: "Tiltak", render: (r) => r.label || r.id },
      { label: "Aktører", key: "actor_count" },
      { label: "Utsagn", key: "statement_count" },
    ],
    rows: measures.items,
    total: measures.total,
    csv: withCsv(`/api/measures?challenge=${encodeURIComponent(id)}&limit=500`),
  });
}

/* ------------------------------------------------------------------ Aktører */

async function searchActors() {
  const params = new URLSearchParams({ limit: "200" });
  if ($("#actor-q").value) params.set("q", $("#actor-q").value);
  if ($("#actor-type").value) params.set("type", $("#actor-type").value);
  if ($("#actor-fylke").value) params.set("fylke", $("#actor-fylke").value);
  const url = `/api/actors?${params}`;
  const page = await api(url);
  if (page.items.length) samples.actor = samples.actor || page.items[0].id;
  if (page.items.length > 1) samples.otherActor = samples.otherActor || page.items[1].id;
  renderTable($("#actor-list"), {
    columns: [
      { label: "Aktør", key: "name" },
      { label: "Type", render: (r) => typeLabel(r.type) },
      { label: "Fylke", key: "fylke" },
      { label: "Dokumenter", key: "document_count" },
      { label: "Utsagn", key: "statement_count" },
    ],
    rows: page.items,
    total: page.total,
    csv: withCsv(url),
    onRow: (r) => { location.hash = `aktorer/${r.id}`; },
    tall: true,
  });
}

async function showActor(id) {
  const enc = encodeURIComponent(id);
  const [a, similar, hood] = await Promise.all([
    api(`/api/actors/${enc}`),
    api(`/api/actors/${enc}/similar?limit=10`),
    api(`/api/actors/${enc}/graph?limit=60`),
  ]);
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
  const conceptCols = [
    { label: "Begrep", render: (r) => r.label || r.id },
    { label: "Antall utsagn", key: "count" },
  ];
  renderTable($("#actor-challenges"), {
    columns: conceptCols, rows: a.challenges,
    csv: async () => downloadRows(a.challenges, "utfordringer.csv"),
    onRow: (r) => { location.hash = `utfordringer/${r.id}`; },
  });
  renderTable($("#actor-measures"), {
    columns: conceptCols, rows: a.measures,
    csv: async () => downloadRows(a.measures, "tiltak.csv"),
  });
  renderTable($("#actor-examples"), {
    columns: [{ label: "Eksempel", key: "name" }], rows: a.examples,
    csv: async () => downloadRows(a.examples, "eksempler.csv"),
    onRow: (r) => { location.hash = `eksempler/${r.id}`; },
  });
  renderTable($("#actor-similar"), {
    columns: [
      { label: "Aktør", key: "name" },
      { label: "Type", render: (r) => typeLabel(r.type) },
      { label: "Likhet", render: (r) => r.score.toFixed(2) },
      { label: "Felles", render: (r) => String(r.shared.length) },
    ],
    rows: similar.items,
    total: similar.total,
    csv: withCsv(`/api/actors/${enc}/similar?limit=500`),
    onRow: (r) => { location.hash = `aktorer/${r.id}`; },
  });
  renderTable($("#actor-documents"), {
    columns: [{ label: "Dokument", render: (r) => r.title || r.name || r.id }, { label: "Fil", key: "name" }],
    rows: a.documents,
    csv: async () => downloadRows(a.documents, "dokumenter.csv"),
    onRow: (r) => { location.hash = `dokumenter/${r.id}`; },
  });
  drawGraph($("#actor-graph"), hood, a.id);
}

/* ------------------------------------------------------------------ Eksempler */

function examplesUrl(limit) {
  const params = new URLSearchParams({ limit: String(limit) });
  if ($("#example-q").value) params.set("q", $("#example-q").value);
  if ($("#example-theme").value) params.set("theme", $("#example-theme").value);
  if ($("#example-group").value) params.set("patient_group", $("#example-group").value);
  if ($("#example-stance").value) params.set("stance", $("#example-stance").value);
  return `/api/examples?${params}`;
}

async function searchExamples() {
  const page = await api(examplesUrl(200));
  if (page.items.length) samples.example = samples.example || page.items[0].id;
  renderTable($("#example-list"), {
    columns: [
      { label: "Eksempel", key: "name" },
      { label: "Hva det er", render: (r) => r.description || "" },
      { label: "Drives av", render: (r) => r.run_by.map((a) => a.name).join(", ") },
      { label: "Pekt på av", render: (r) => r.mentioned_by.map((a) => a.name).join(", ") },
      { label: "Sted", key: "place" },
      { label: "Holdning", render: (r) => STANCE_LABELS[r.stance] || r.stance || "" },
      { label: "Omtaler", key: "mention_count" },
    ],
    rows: page.items,
    total: page.total,
    csv: withCsv(examplesUrl(500)),
    tall: true,
    onRow: (r) => { location.hash = `eksempler/${r.id}`; },
  });
}

async function showExample(id) {
  const enc = encodeURIComponent(id);
  const [x, hood] = await Promise.all([
    api(`/api/examples/${enc}`),
    api(`/api/examples/${enc}/graph?limit=60`),
  ]);
  $("#example-detail").hidden = false;
  $("#example-detail").scrollIntoView({ block: "start" });
  $("#example-title").textContent = x.name;
  const aliases = x.aliases.length ? ` (også kalt ${x.aliases.join(", ")})` : "";
  $("#example-description").textContent =
    [x.description || "Ingen beskrivelse.", x.place && `Sted: ${x.place}`].filter(Boolean).join(" · ") + aliases;
  renderTable($("#example-runby"), {
    columns: [{ label: "Aktør", key: "name" }, { label: "Type", render: (r) => typeLabel(r.type) }],
    rows: x.run_by,
    csv: async () => downloadRows(x.run_by, "drives-av.csv"),
    onRow: (r) => { location.hash = `aktorer/${r.id}`; },
    empty: "Dokumentene sier ikke hvem som driver det.",
  });
  renderTable($("#example-mentions"), {
    columns: [
      { label: "Stemme (forfattere)", render: (r) => r.authors.map((a) => a.name).join(", ") },
      { label: "Holdning", render: (r) => el("span", { class: r.stance === "good-practice" ? "pill good" : "pill" }, STANCE_LABELS[r.stance] || r.stance || "") },
      { label: "Sitat og dokument", cls: "quote", render: (r) => quoteCell(r.evidence) },
    ],
    rows: x.mentions,
    csv: async () => downloadRows(x.mentions.map((m) => ({
      authors: m.authors.map((a) => a.name).join("; "), stance: m.stance, ...m.evidence,
    })), "omtaler.csv"),
  });
  drawGraph($("#example-graph"), hood, x.id);
}

/* ------------------------------------------------------------------ Dokumenter */

async function loadDocuments() {
  const url = "/api/documents?limit=500";
  const page = await api(url);
  if (page.items.length) samples.document = page.items[0].id;
  renderTable($("#document-list"), {
    columns: [
      { label: "Tittel", render: (r) => r.title || r.name },
      { label: "Fil", key: "name" },
      { label: "Dato", key: "date" },
      { label: "Type", key: "kind" },
      { label: "Stemmer", key: "voice_count" },
      { label: "Utsagn", key: "statement_count" },
    ],
    rows: page.items,
    total: page.total,
    csv: withCsv(url),
    onRow: (r) => { location.hash = `dokumenter/${r.id}`; },
    tall: true,
  });
}

async function showDocument(id) {
  const d = await api(`/api/documents/${encodeURIComponent(id)}`);
  $("#document-detail").hidden = false;
  $("#document-detail").scrollIntoView({ block: "start" });
  $("#document-title").textContent = d.title || d.name;
  $("#document-meta").textContent = [d.name, d.date, d.kind, d.pages && `${d.pages} sider`].filter(Boolean).join(" · ");
  if (d.source && /^https?:\/\//i.test(d.source)) {
    $("#document-meta").append(" · ", el("a", { href: d.source, rel: "noopener noreferrer", target: "_blank" }, "kilde"));
  }
  const box = $("#document-voices");
  box.replaceChildren();
  for (const v of d.voices) {
    const div = el("div", { class: "voice" },
      el("h4", {}, `Stemme ${v.id}: ${v.authors.map((a) => a.name).join(", ") || "ukjent avsender"}`),
      v.note ? el("p", { class: "meta" }, v.note) : null);
    const tableBox = el("div");
    div.append(tableBox);
    renderTable(tableBox, {
      columns: [
        { label: "Linje", key: "line" },
        { label: "Slag", render: (r) => el("span", { class: `pill ${r.kind}` }, KIND_LABELS[r.kind] || r.kind) },
        { label: "Begrep", render: (r) => r.concept_label || r.label || r.concept },
        { label: "Sitat", cls: "quote", render: (r) => quoteText(r) },
      ],
      rows: v.statements,
      csv: async () => downloadRows(v.statements, `${d.name || "dokument"}-${v.id}.csv`),
    });
    box.append(div);
  }
}

/* ------------------------------------------------------------------ Spørringer */

function csvText(columns, rows) {
  const esc = (v) => {
    if (v === null || v === undefined) return "";
    const s = typeof v === "object" ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns.join(","), ...rows.map((r) => columns.map((c) => esc(r[c])).join(","))].join("\n") + "\n";
}

function downloadRows(rows, filename) {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  downloadBlob(new Blob([csvText(columns, rows)], { type: "text/csv" }), filename);
}

function showQueryResult(columns, rows, csv, note) {
  const box = $("#query-result");
  renderTable(box, {
    columns: columns.map((c) => ({
      label: c,
      render: (r) => {
        const v = r[c];
        return v !== null && typeof v === "object" ? JSON.stringify(v) : v ?? "";
      },
    })),
    rows,
    csv,
    empty: "Spørringen ga ingen rader.",
  });
  if (note) box.append(el("p", { class: "meta" }, note));
}

/* Example values for a catalog query's parameters: what the page shows or has loaded. */
const samples = {};

function sampleParam(name) {
  const fromHash = (tab) => {
    const h = decodeURIComponent(location.hash.replace(/^#/, ""));
    return h.startsWith(`${tab}/`) ? h.slice(tab.length + 1) : "";
  };
  switch (name) {
    case "challenge": return fromHash("utfordringer") || "utfordring/rekruttering";
    case "actor": case "from": return fromHash("aktorer") || samples.actor || "";
    case "to": return samples.otherActor || "";
    case "example": return fromHash("eksempler") || samples.example || "";
    case "document": return fromHash("dokumenter") || samples.document || "";
    case "id": return fromHash("aktorer") || fromHash("eksempler") || samples.actor || "";
    case "limit": return 20;
    default: return "";
  }
}

async function loadCatalog() {
  const page = await api("/api/queries?limit=500");
  for (const q of page.items) {
    const target = q.language === "sparql" ? $("#sparql-example") : $("#cypher-example");
    target.append(el("option", { value: `${q.language}:${q.name}` }, `${q.name} – ${q.description || ""}`));
  }
  // A name can have both a Cypher and a SPARQL form.
  const byName = Object.fromEntries(page.items.map((q) => [`${q.language}:${q.name}`, q]));
  $("#cypher-example").addEventListener("change", (e) => {
    const q = byName[e.target.value];
    if (!q) return;
    $("#cypher-text").value = q.text;
    const params = Object.fromEntries(q.params.map((p) => [p, q.defaults[p] ?? sampleParam(p)]));
    $("#cypher-params").value = JSON.stringify(params);
  });
  $("#sparql-example").addEventListener("change", (e) => {
    const q = byName[e.target.value];
    if (q) $("#sparql-text").value = q.text;
  });
}

async function runCypher() {
  let params;
  try {
    params = JSON.parse($("#cypher-params").value || "{}");
  } catch {
    throw new Error("Parametrene er ikke gyldig JSON.");
  }
  const body = JSON.stringify({ query: $("#cypher-text").value, params });
  const res = await api("/api/cypher", { method: "POST", headers: { "Content-Type": "application/json" }, body });
  showQueryResult(res.columns, res.rows, async () => {
    const resp = await fetch("/api/cypher?format=csv", { method: "POST", headers: { "Content-Type": "application/json" }, body });
    if (!resp.ok) throw new Error((await resp.json()).detail);
    downloadBlob(await resp.blob(), "cypher.csv");
  }, res.truncated ? "Svaret ble kuttet ved radtaket." : "");
}

async function runSparql() {
  const form = new URLSearchParams({ query: $("#sparql-text").value });
  const resp = await fetch("/sparql", {
    method: "POST",
    headers: { Accept: "application/sparql-results+json, text/turtle;q=0.9", "Content-Type": "application/x-www-form-urlencoded" },
    body: form,
  });
  if (!resp.ok) throw new Error((await resp.json()).detail);
  const type = resp.headers.get("content-type") || "";
  const csv = async () => {
    const r = await fetch("/sparql", {
      method: "POST",
      headers: { Accept: "text/csv, text/turtle;q=0.5", "Content-Type": "application/x-www-form-urlencoded" },
      body: form,
    });
    if (!r.ok) throw new Error((await r.json()).detail);
    downloadBlob(await r.blob(), (r.headers.get("content-type") || "").includes("csv") ? "sparql.csv" : "sparql.ttl");
  };
  if (!type.includes("json")) {
    const text = await resp.text();
    showQueryResult(["triple"], text.split("\n").filter(Boolean).map((t) => ({ triple: t })), csv);
    return;
  }
  const data = await resp.json();
  if ("boolean" in data) {
    showQueryResult(["svar"], [{ svar: data.boolean ? "ja" : "nei" }], csv);
    return;
  }
  const vars = data.head.vars;
  const rows = data.results.bindings.map((b) => Object.fromEntries(vars.map((v) => [v, b[v] ? b[v].value : ""])));
  showQueryResult(vars, rows, csv);
}

/* ------------------------------------------------------------------ routing */

async function route() {
  const hash = decodeURIComponent(location.hash.replace(/^#/, ""));
  const slash = hash.indexOf("/");
  const tab = TABS.includes(slash < 0 ? hash : hash.slice(0, slash)) ? (slash < 0 ? hash : hash.slice(0, slash)) : "utfordringer";
  const id = slash < 0 ? "" : hash.slice(slash + 1);
  for (const t of TABS) {
    $(`#tab-${t}`).hidden = t !== tab;
    document.querySelector(`nav a[data-tab="${t}"]`).classList.toggle("active", t === tab);
  }
  if (!id) return;
  await guarded(async () => {
    if (tab === "utfordringer") await showChallenge(id);
    else if (tab === "aktorer") await showActor(id);
    else if (tab === "eksempler") await showExample(id);
    else if (tab === "dokumenter") await showDocument(id);
  });
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
  $("#cypher-form").addEventListener("submit", (e) => { e.preventDefault(); guarded(runCypher); });
  $("#sparql-form").addEventListener("submit", (e) => { e.preventDefault(); guarded(runSparql); });
  window.addEventListener("hashchange", route);
  await guarded(async () => {
    await Promise.all([
      loadChallenges(),
      searchActors(),
      searchExamples(),
      loadDocuments(),
      loadCatalog(),
      fillSelect($("#actor-type"), "/api/actor-types", (t) => typeLabel(t.id)),
      fillSelect($("#example-theme"), "/api/concepts?scheme=tema&limit=500", (c) => c.label || c.id),
      fillSelect($("#example-group"), "/api/concepts?scheme=pasientgruppe&limit=500", (c) => c.label || c.id),
    ]);
  });
  await route();
  document.body.dataset.ready = "true";
}

init();
