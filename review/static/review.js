// The review page: one document's text with its codings highlighted by concept colour.
// Confirm or reject a coding with one click, change its concept with a picker, or select
// text and pick a concept to add a coding. Plain JavaScript, no build step.
"use strict";

const $ = (sel) => document.querySelector(sel);
const STATUS_NB = { machine: "maskin", confirmed: "bekreftet", rejected: "avvist", edited: "endret" };
const CODED_BY_NB = { rules: "regler", model: "modell", reviewer: "gjennomgått" };
const state = { doc: null, data: null, active: null, selection: null };

function token() { return localStorage.getItem("helsegraf.token") || ""; }
function reviewer() { return localStorage.getItem("helsegraf.reviewer") || ""; }

function say(text, error = false) {
  const el = $("#status");
  el.textContent = text;
  el.className = error ? "feil" : "";
}

async function api(method, url, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") {
    headers.Authorization = "Bearer " + token();
    if (reviewer()) headers["X-Reviewer"] = reviewer();
  }
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.detail || res.statusText);
  return data;
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function conceptOptions(select, selected) {
  select.replaceChildren();
  const groups = { utfordring: el("optgroup", { label: "Utfordringer" }), tiltak: el("optgroup", { label: "Tiltak" }) };
  for (const c of state.data.concepts) {
    const o = el("option", { value: c.id }, c.label);
    if (c.id === selected) o.selected = true;
    groups[c.scheme].append(o);
  }
  select.append(groups.utfordring, groups.tiltak);
}

function visible(codings) {
  const f = $("#filter").value;
  const shown = codings.filter((c) => !f || c.status === f);
  if ($("#sortering").value === "confidence") {
    // the model's least sure codings first; codings without a confidence (rules alone) last
    const conf = (c) => (c.confidence === null || c.confidence === undefined ? 2 : c.confidence);
    return [...shown].sort((a, b) => conf(a) - conf(b) || (a.start ?? 0) - (b.start ?? 0));
  }
  return shown;
}

// Split the text at every coding boundary; each piece knows which codings cover it.
function renderText() {
  const pre = $("#tekst");
  pre.replaceChildren();
  const text = state.data.text;
  if (text === null || text === undefined) {
    pre.textContent = "Teksten til dette dokumentet er ikke lagret for gjennomgang (kjør «helsegraf review texts <fil>»).";
    return;
  }
  const codings = visible(state.data.codings).filter((c) => c.start !== null && c.end !== null);
  const cuts = new Set([0, text.length]);
  for (const c of codings) { cuts.add(c.start); cuts.add(c.end); }
  const points = [...cuts].filter((p) => p >= 0 && p <= text.length).sort((a, b) => a - b);
  for (let i = 0; i < points.length - 1; i++) {
    const a = points[i], b = points[i + 1];
    const piece = text.slice(a, b);
    const covering = codings.filter((c) => c.start <= a && c.end >= b);
    if (!covering.length) {
      pre.append(el("span", { "data-start": a }, piece));
      continue;
    }
    const top = covering.find((c) => c.status !== "rejected") || covering[0];
    const m = el("mark", {
      "data-start": a,
      "data-ids": covering.map((c) => c.id).join(" "),
      class: top.status,
      title: covering.map((c) => `${c.concept_label} (${STATUS_NB[c.status] || c.status})`).join("\n"),
      onclick: () => focusCoding(top.id, true),
    }, piece);
    m.style.background = top.colour;
    pre.append(m);
  }
}

function renderList() {
  const ol = $("#kodinger");
  ol.replaceChildren();
  for (const c of visible(state.data.codings)) {
    const picker = el("select", { "aria-label": "Endre begrep", class: "begrep", onchange: (e) => edit(c, e.target.value) });
    conceptOptions(picker, c.concept);
    const li = el("li", { id: "k-" + c.id, "data-id": c.id, class: c.status },
      el("div", {},
        el("strong", {}, c.concept_label), " ",
        el("span", { class: "merke " + c.status }, STATUS_NB[c.status] || c.status)),
      el("div", { class: "sitat" }, "«" + c.quote + "»"),
      el("div", { class: "meta" },
        `${c.kind === "challenge" ? "utfordring" : "tiltak"} · stemme ${c.voice || "?"} · linje ${c.line ?? "?"}` +
        (c.page ? ` · side ${c.page}` : "") + ` · ${c.assigned_by || ""}` +
        (c.coded_by ? ` (${CODED_BY_NB[c.coded_by] || c.coded_by})` : "") +
        (c.confidence !== null && c.confidence !== undefined ? ` · sikkerhet ${Math.round(c.confidence * 100)} %` : "") +
        (c.previous_concept ? ` · før: ${c.previous_concept}` : "")),
      el("div", { class: "knapper" },
        el("button", { class: "bekreft", title: "Bekreft kodingen", onclick: () => decide(c, "confirm") }, "✓ Bekreft"),
        el("button", { class: "avvis svak", title: "Avvis kodingen", onclick: () => decide(c, "reject") }, "✗ Avvis"),
        picker));
    li.style.borderLeftColor = c.colour;
    li.addEventListener("click", (e) => { if (e.target === li) focusCoding(c.id, false); });
    ol.append(li);
  }
  const n = state.data.codings.length;
  const todo = state.data.codings.filter((c) => c.status === "machine").length;
  $("#telling").textContent = `${n} kodinger, ${todo} ikke gjennomgått`;
}

function focusCoding(id, scrollList) {
  state.active = id;
  document.querySelectorAll(".aktiv").forEach((e) => e.classList.remove("aktiv"));
  const li = document.getElementById("k-" + id);
  if (li) { li.classList.add("aktiv"); if (scrollList) li.scrollIntoView({ block: "nearest" }); }
  document.querySelectorAll("mark").forEach((m) => {
    if ((m.dataset.ids || "").split(" ").includes(id)) m.classList.add("aktiv");
  });
  const mark = document.querySelector("mark.aktiv");
  if (scrollList && mark) mark.scrollIntoView({ block: "nearest" });
}

function render() { renderText(); renderList(); }

async function loadDocument(id) {
  if (!id) return;
  say("Henter dokumentet …");
  state.doc = id;
  state.data = await api("GET", "/api/review/documents/" + encodeURIComponent(id));
  $("#tittel").textContent = state.data.document.title || state.data.document.name;
  conceptOptions($("#ny-begrep"));
  render();
  say("");
  location.hash = encodeURIComponent(id);
}

function needLogin() {
  if (!token() || !reviewer()) { say("Skriv inn tilgangsnøkkel og navn først.", true); return true; }
  return false;
}

async function reload(message) {
  state.data = await api("GET", "/api/review/documents/" + encodeURIComponent(state.doc));
  render();
  if (state.active) focusCoding(state.active, false);
  say(message);
}

async function decide(c, action) {
  if (needLogin()) return;
  try {
    const out = await api("PATCH", "/api/statements/" + c.id, { action, reviewer: reviewer() });
    state.active = out.id;
    await reload(action === "confirm" ? "Kodingen er bekreftet." : "Kodingen er avvist.");
  } catch (e) { say("Feil: " + e.message, true); }
}

async function edit(c, concept) {
  if (needLogin() || concept === c.concept) return;
  try {
    const out = await api("PATCH", "/api/statements/" + c.id, { action: "edit", concepts: [concept], reviewer: reviewer() });
    state.active = out.id;
    await reload("Begrepet er endret.");
  } catch (e) { say("Feil: " + e.message, true); }
}

// Offset of a DOM position inside #tekst, from the data-start of the piece it is in.
function offsetOf(node, offset) {
  let piece = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  while (piece && !piece.dataset?.start && piece.id !== "tekst") piece = piece.parentElement;
  if (!piece || piece.id === "tekst") return null;
  return Number(piece.dataset.start) + offset;
}

function onSelect() {
  const sel = window.getSelection();
  const box = $("#ny");
  if (!sel || sel.isCollapsed || !state.data || !$("#tekst").contains(sel.anchorNode)) return;
  const a = offsetOf(sel.anchorNode, sel.anchorOffset);
  const b = offsetOf(sel.focusNode, sel.focusOffset);
  if (a === null || b === null) return;
  const start = Math.min(a, b), end = Math.max(a, b);
  const quote = state.data.text.slice(start, end);
  if (!quote.trim()) return;
  state.selection = { start, end, quote };
  box.hidden = false;
}

async function addCoding() {
  if (needLogin() || !state.selection) return;
  try {
    const out = await api("POST", "/api/statements", {
      document: state.data.document.id, concept: $("#ny-begrep").value,
      quote: state.selection.quote, start: state.selection.start, end: state.selection.end,
      reviewer: reviewer(),
    });
    state.active = out.id;
    $("#ny").hidden = true;
    state.selection = null;
    await reload("Kodingen er lagt til.");
  } catch (e) { say("Feil: " + e.message, true); }
}

async function init() {
  $("#token").value = token();
  $("#reviewer").value = reviewer();
  $("#innlogget").textContent = token() ? "Nøkkel lagret i denne nettleseren." : "";
  $("#lagre").addEventListener("click", () => {
    localStorage.setItem("helsegraf.token", $("#token").value.trim());
    localStorage.setItem("helsegraf.reviewer", $("#reviewer").value.trim());
    $("#innlogget").textContent = "Nøkkel lagret i denne nettleseren.";
    say("Lagret.");
  });
  $("#dokument").addEventListener("change", (e) => loadDocument(e.target.value).catch((x) => say("Feil: " + x.message, true)));
  $("#filter").addEventListener("change", () => state.data && render());
  $("#sortering").addEventListener("change", () => state.data && render());
  $("#ny-legg-til").addEventListener("click", addCoding);
  $("#ny-avbryt").addEventListener("click", () => { $("#ny").hidden = true; state.selection = null; });
  $("#tekst").addEventListener("mouseup", onSelect);
  $("#tekst").addEventListener("keyup", onSelect);
  try {
    const docs = await api("GET", "/api/documents?limit=500");
    for (const d of docs.items) $("#dokument").append(el("option", { value: d.id }, d.title ? `${d.title} (${d.name})` : d.name));
    // "#<document id>" or "#<document id>~<statement id>" (a link from the main page's reader)
    const [wanted, coding] = decodeURIComponent(location.hash.slice(1)).split("~");
    if (wanted) {
      $("#dokument").value = wanted;
      await loadDocument(wanted);
      if (coding) focusCoding(coding, true);
    }
  } catch (e) { say("Feil: " + e.message, true); }
}

init();
