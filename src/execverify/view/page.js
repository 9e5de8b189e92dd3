// execverify view: renders the JSON in #view-data. Every string from the data is put into
// the page with textContent (never innerHTML), so a completion holding markup stays text.
// Only the selected problem and one page of the list are in the DOM at any time.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("view-data").textContent);
  const items = data.items;
  const PAGE = 100;
  const state = { shown: [], sel: 0 };
  const $ = (id) => document.getElementById(id);

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  // A long answer (a whole completion, for prompts with one answer) is cut in the question
  // box; the full text is in its tooltip and in the completion below.
  function clip(text, max) {
    return text.length > max ? text.slice(0, max) + "…" : text;
  }

  function fmt(value, unit) {
    if (value === null || value === undefined) return "n/a";
    if (unit === "fraction") return (100 * value).toFixed(1) + "%";
    if (unit === "count") return String(Math.round(value));
    return Number(value).toFixed(3);
  }

  function renderSummary() {
    $("title").textContent = "execverify view: " + data.kind + " " + data.source;
    for (const note of data.notes) $("notes").appendChild(el("div", "", note));
    for (const chart of data.charts) {
      const box = el("div", "chart");
      box.dataset.chart = chart.title;
      box.appendChild(el("h3", "", chart.title));
      const top = Math.max(1e-12, ...chart.bars.map((b) => Math.abs(b.value)));
      for (const bar of chart.bars) {
        const row = el("div", "bar-row");
        row.dataset.label = bar.label;
        row.dataset.value = String(bar.value);
        row.appendChild(el("span", "bar-label", bar.label)).title = bar.label;
        const track = row.appendChild(el("span", "bar-track"));
        const share = chart.unit === "fraction" ? bar.value : Math.abs(bar.value) / top;
        track.appendChild(el("span", "bar-fill")).style.width =
          Math.max(0, Math.min(1, share)) * 100 + "%";
        const n = bar.n === null || bar.n === undefined || chart.unit === "count" ? "" : " (n=" + bar.n + ")";
        row.appendChild(el("span", "bar-num", fmt(bar.value, chart.unit) + n));
        box.appendChild(row);
      }
      $("summary").appendChild(box);
    }
  }

  function options(id, values) {
    const select = $(id);
    for (const v of [...new Set(values)].sort((a, b) => String(a).localeCompare(String(b), undefined, { numeric: true }))) {
      const o = el("option", "", v);
      o.value = String(v);
      select.appendChild(o);
    }
  }

  function verdictOf(item) {
    const oks = item.entries.map((e) => e.ok).filter((ok) => ok !== null);
    if (!oks.length) return "";
    if (oks.every((ok) => ok)) return "right";
    return oks.some((ok) => ok) ? "mixed" : "wrong";
  }

  const haystacks = new Map();
  function haystack(item) {
    if (!haystacks.has(item)) {
      const parts = [item.id, item.bench, item.tag, item.program || "", item.prompt || ""];
      for (const e of item.entries) parts.push(e.completion || "", e.answer || "", e.status);
      for (const q of item.questions) parts.push(q.text, q.kind, ...q.accepted);
      haystacks.set(item, parts.join("\n").toLowerCase());
    }
    return haystacks.get(item);
  }

  function matches(item, f) {
    if (f.bench && item.bench !== f.bench) return false;
    if (f.level && String(item.level) !== f.level) return false;
    const qs = f.kind ? item.questions.filter((q) => q.kind === f.kind) : item.questions;
    if (f.kind && !qs.length) return false;
    if (f.verdict) {
      const want = f.verdict === "right";
      const hit = f.kind ? qs.some((q) => q.given.some((g) => g[2] === want))
        : item.entries.some((e) => e.ok === want);
      if (!hit) return false;
    }
    if (f.min !== null || f.max !== null) {
      const inRange = item.entries.some((e) => e.score !== null &&
        (f.min === null || e.score >= f.min) && (f.max === null || e.score <= f.max));
      if (!inRange) return false;
    }
    return !f.text || haystack(item).includes(f.text);
  }

  function number(id) {
    const v = $(id).value.trim();
    return v === "" || isNaN(Number(v)) ? null : Number(v);
  }

  function applyFilters() {
    const f = { bench: $("f-bench").value, level: $("f-level").value, kind: $("f-kind").value,
      verdict: $("f-verdict").value, min: number("f-min"), max: number("f-max"),
      text: $("f-text").value.trim().toLowerCase() };
    state.shown = items.filter((item) => matches(item, f));
    state.sel = 0;
    $("count").textContent = state.shown.length + " of " + items.length + " problems";
    renderList();
    renderDetail();
  }

  function renderList() {
    const list = $("list");
    list.replaceChildren();
    const page = Math.floor(state.sel / PAGE);
    const pages = Math.max(1, Math.ceil(state.shown.length / PAGE));
    $("page-no").textContent = "page " + (page + 1) + " of " + pages;
    state.shown.slice(page * PAGE, (page + 1) * PAGE).forEach((item, i) => {
      const index = page * PAGE + i;
      const verdict = verdictOf(item);
      const li = el("li", verdict + (index === state.sel ? " selected" : ""));
      li.dataset.index = String(index);
      li.dataset.id = item.id;
      li.appendChild(el("span", "mark", { right: "✓", wrong: "✗", mixed: "±" }[verdict] || "·"));
      li.appendChild(el("span", "rid", item.id)).title = item.id;
      if (item.level !== null) li.appendChild(el("span", "lvl", "L" + item.level));
      li.addEventListener("click", () => select(index));
      list.appendChild(li);
    });
  }

  function select(index) {
    if (!state.shown.length) return;
    const before = Math.floor(state.sel / PAGE);
    state.sel = Math.max(0, Math.min(state.shown.length - 1, index));
    if (Math.floor(state.sel / PAGE) !== before) renderList();
    for (const li of $("list").children) {
      li.classList.toggle("selected", Number(li.dataset.index) === state.sel);
      if (Number(li.dataset.index) === state.sel) li.scrollIntoView({ block: "nearest" });
    }
    renderDetail();
  }

  function questionBox(q, entries) {
    const judged = q.given.map((g) => g[2]).filter((c) => c !== null);
    const verdict = !judged.length ? "" : judged.every((c) => c) ? "right" : "wrong";
    const box = el("div", "question " + verdict);
    box.dataset.kind = q.kind;
    if (q.line !== null) box.dataset.line = String(q.line);
    box.appendChild(el("span", "kind", q.kind));
    box.appendChild(el("span", "qtext", q.text));
    if (q.accepted.length) {
      const acc = box.appendChild(el("div", "accepted", "accepted: "));
      q.accepted.forEach((a, i) => {
        if (i) acc.appendChild(document.createTextNode(" | "));
        acc.appendChild(el("code", "", a));
      });
    }
    if (q.given.length) {
      const given = box.appendChild(el("div", "given"));
      for (const [k, answer, correct] of q.given) {
        const cls = correct === null ? "unjudged" : correct ? "right" : "wrong";
        const span = given.appendChild(el("span", "answer " + cls));
        span.dataset.entry = String(k);
        span.appendChild(el("span", "mark " + cls, correct === null ? "?" : correct ? "✓" : "✗"));
        span.appendChild(document.createTextNode(" " + (entries[k] ? entries[k].label : k) + ": "));
        const text = answer === null ? "(no answer)" : clip(answer, 300);
        span.appendChild(el("code", "", text)).title = answer === null ? "" : answer;
      }
    }
    return box;
  }

  function sourceTable(item) {
    const lines = item.program.replace(/\n$/, "").split("\n");
    const table = el("table", "source");
    const byLine = new Map();
    for (const q of item.questions) {
      if (q.line !== null && q.line >= 1 && q.line <= lines.length) {
        if (!byLine.has(q.line)) byLine.set(q.line, []);
        byLine.get(q.line).push(q);
      }
    }
    lines.forEach((text, i) => {
      const n = i + 1;
      const count = item.hits ? item.hits[String(n)] || 0 : null;
      const tr = el("tr", "src-line" + (count === null ? "" : count ? " ran" : " notrun"));
      tr.dataset.line = String(n);
      tr.appendChild(el("td", "ln", n));
      tr.appendChild(el("td", "hits", count ? "×" + count : ""));
      tr.appendChild(el("td", "code", text));
      table.appendChild(tr);
      for (const q of byLine.get(n) || []) {
        const qr = el("tr", "q-row");
        qr.dataset.line = String(n);
        qr.appendChild(el("td"));
        qr.appendChild(el("td"));
        qr.appendChild(el("td")).appendChild(questionBox(q, item.entries));
        table.appendChild(qr);
      }
    });
    return table;
  }

  function renderDetail() {
    const detail = $("detail");
    detail.replaceChildren();
    const item = state.shown[state.sel];
    if (!item) {
      detail.appendChild(el("p", "", "No problem matches the filters."));
      return;
    }
    detail.dataset.id = item.id;
    detail.appendChild(el("h2", "", item.id));
    const meta = [item.bench, item.level !== null ? "level " + item.level : "", item.tag,
      (state.sel + 1) + " / " + state.shown.length].filter(Boolean);
    detail.appendChild(el("div", "meta", meta.join(" · ")));
    const nLines = item.program ? item.program.replace(/\n$/, "").split("\n").length : 0;
    const loose = item.questions.filter((q) => q.line === null || q.line < 1 || q.line > nLines);
    for (const q of loose) detail.appendChild(questionBox(q, item.entries));
    if (item.program) {
      if (!item.hits) detail.appendChild(el("div", "trace-note", item.trace_note || "no trace"));
      else if (item.trace_note) detail.appendChild(el("div", "trace-note", item.trace_note));
      detail.appendChild(sourceTable(item));
    } else if (item.prompt) {
      detail.appendChild(el("h4", "", "prompt"));
      detail.appendChild(el("pre", "prompt", item.prompt));
    } else {
      detail.appendChild(el("div", "trace-note", "no program: " + (item.trace_note || "not available")));
    }
    if (item.entries.length) detail.appendChild(el("h4", "", "completions"));
    item.entries.forEach((e, k) => {
      const box = el("div", "entry" + (e.ok === null ? "" : e.ok ? " right" : " wrong"));
      box.dataset.entry = String(k);
      const head = box.appendChild(el("div", "entry-head"));
      head.appendChild(el("b", "", e.label));
      if (e.ok !== null) head.appendChild(el("span", "mark", e.ok ? "✓ right" : "✗ wrong"));
      if (e.score !== null) head.appendChild(el("span", "score", "score " + Number(e.score).toFixed(3)));
      if (e.status) head.appendChild(el("span", "status", e.status));
      const parts = Object.entries(e.breakdown || {});
      if (parts.length) head.appendChild(el("span", "breakdown", parts.map(([k2, v]) => k2 + " " + Number(v).toFixed(3)).join(", ")));
      if (e.answer !== null && e.answer !== e.completion) {
        head.appendChild(el("span", "ans", "answer: " + clip(e.answer, 120))).title = e.answer;
      }
      box.appendChild(el("pre", "completion", e.completion === null ? "(no completion recorded)" : e.completion));
      detail.appendChild(box);
    });
  }

  function onKey(ev) {
    const tag = (ev.target.tagName || "").toLowerCase();
    if (ev.key === "Escape" && tag !== "body") { ev.target.blur(); return; }  // back to j/k
    if (tag === "input" || tag === "select" || tag === "textarea" || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    if (ev.key === "j" || ev.key === "ArrowDown" || ev.key === "ArrowRight") select(state.sel + 1);
    else if (ev.key === "k" || ev.key === "ArrowUp" || ev.key === "ArrowLeft") select(state.sel - 1);
    else return;
    ev.preventDefault();
  }

  renderSummary();
  options("f-bench", items.map((i) => i.bench).filter(Boolean));
  options("f-level", items.map((i) => i.level).filter((l) => l !== null));
  options("f-kind", items.flatMap((i) => i.questions.map((q) => q.kind)));
  // A filter with nothing to choose (no verdicts in a dataset, no kinds in rollouts) is hidden.
  const any = (test) => items.some((i) => i.entries.some(test));
  for (const id of ["f-bench", "f-level", "f-kind"]) $(id).parentElement.hidden = $(id).options.length < 2;
  $("f-verdict").parentElement.hidden = !any((e) => e.ok !== null);
  $("f-min").parentElement.hidden = !any((e) => e.score !== null);
  for (const id of ["f-bench", "f-level", "f-kind", "f-verdict"]) $(id).addEventListener("change", applyFilters);
  for (const id of ["f-min", "f-max", "f-text"]) $(id).addEventListener("input", applyFilters);
  $("prev-page").addEventListener("click", () => select((Math.floor(state.sel / PAGE) - 1) * PAGE));
  $("next-page").addEventListener("click", () => select((Math.floor(state.sel / PAGE) + 1) * PAGE));
  document.addEventListener("keydown", onKey);
  applyFilters();
})();
