"use strict";
(function () {
  const D = JSON.parse(document.getElementById("data").textContent);
  const COLORS = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22"];
  const NONE = "#7f7f7f";
  const color = (r) => (r < 0 ? NONE : COLORS[r % COLORS.length]);
  const ruleName = (r) => (r < 0 ? "no known issue" : D.rules[r]);

  // Legend.
  const legend = document.getElementById("legend");
  D.rules.concat(["no known issue"]).forEach((name, i) => {
    const s = document.createElement("span");
    const sw = document.createElement("i");
    sw.style.background = i < D.rules.length ? color(i) : NONE;
    s.append(sw, name);
    legend.append(s);
  });

  // Timeline: row 0 is the servers, then the clients, a band of several per row in a fleet so
  // the whole fleet fits one screen. Marks: [time, row, rule, text].
  const MAX_ROWS = 300;
  const perRow = Math.ceil(D.clients.length / MAX_ROWS) || 1;
  const marks = [];
  D.server.forEach((s) => { if (s[0] !== null) marks.push([s[0], 0, s[1], "server  " + s[2]]); });
  D.faults.forEach((f) => {
    if (f[1] !== null) {
      const c = D.clients[f[0]];
      const amb = f[3] === "ambiguous" ? " · ambiguous" : "";
      marks.push([f[1], Math.floor(f[0] / perRow) + 1, f[2], c.name + "  " + f[4] + " · " + ruleName(f[2]) + amb + "\n" + f[5]]);
    }
  });
  marks.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const canvas = document.getElementById("tl");
  const tip = document.getElementById("tip");
  const rows = Math.ceil(D.clients.length / perRow) + 1;
  const rowH = Math.max(1, Math.min(18, Math.floor(600 / rows)));
  const left = 8, top = 22, right = 8;
  let t0 = Infinity, t1 = -Infinity;
  marks.forEach((m) => { t0 = Math.min(t0, m[0]); t1 = Math.max(t1, m[0]); });
  if (t1 <= t0) { t0 -= 60000; t1 += 60000; }
  const pad = (t1 - t0) * 0.02; t0 -= pad; t1 += pad;
  let width = 0, focusIdx = -1;
  const xOf = (t) => left + ((t - t0) / (t1 - t0)) * (width - left - right);
  // The servers' row is at least 12 px high, so its marks can be pointed at in a fleet.
  const serverH = Math.max(rowH, 12);
  const yOf = (row) => (row === 0 ? top : top + serverH + 4 + (row - 1) * rowH);
  const hOf = (row) => (row === 0 ? serverH : rowH);

  function draw() {
    width = canvas.clientWidth || 800;
    const height = yOf(rows) + 4;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * dpr); canvas.height = Math.round(height * dpr);
    canvas.style.height = height + "px";
    const g = canvas.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.fillStyle = "#fff"; g.fillRect(0, 0, width, height);
    g.fillStyle = "#f0f2f4"; g.fillRect(0, yOf(0), width, serverH);
    // Axis ticks: about eight, labelled in UTC.
    g.fillStyle = "#5a6370"; g.font = "11px system-ui,sans-serif"; g.strokeStyle = "#e3e6ea";
    let labelEnd = -Infinity; // a label that would overlap the one before is left out
    for (let i = 0; i <= 8; i++) {
      const t = t0 + ((t1 - t0) * i) / 8, x = xOf(t);
      g.beginPath(); g.moveTo(x, top); g.lineTo(x, height); g.stroke();
      // Within a day, the time to the second (the date is the first tick's); else date and time.
      const iso = new Date(t).toISOString().replace("T", " ");
      const label = t1 - t0 < 86400000 && i > 0 ? iso.slice(11, 19) : iso.slice(0, t1 - t0 < 86400000 ? 19 : 16);
      const lw = g.measureText(label).width, lx = Math.min(Math.max(0, x - 40), width - lw - 2);
      if (lx > labelEnd + 6) { g.fillText(label, lx, 12); labelEnd = lx + lw; }
    }
    const w = Math.max(2, rowH > 4 ? 4 : 2);
    marks.forEach((m) => {
      g.fillStyle = color(m[2]);
      const h = hOf(m[1]);
      g.fillRect(xOf(m[0]) - w / 2, yOf(m[1]), w, Math.max(1, h - (h > 3 ? 1 : 0)));
    });
    if (focusIdx >= 0) {
      const m = marks[focusIdx];
      g.strokeStyle = "#000"; g.lineWidth = 2;
      g.strokeRect(xOf(m[0]) - 5, yOf(m[1]) - 3, 10, Math.max(hOf(m[1]), 4) + 5);
      g.lineWidth = 1;
    }
  }

  function show(i) {
    focusIdx = i;
    tip.textContent = i < 0 ? "" : new Date(marks[i][0]).toISOString().replace("T", " ").replace("Z", " UTC") + "  " + marks[i][3];
    draw();
  }

  // The mark nearest the pointer, within a few pixels: a binary search on time, then a scan.
  function nearest(x, y) {
    const row = y < yOf(1) - 2 ? 0 : Math.floor((y - yOf(1)) / rowH) + 1;
    const t = t0 + ((x - left) / (width - left - right)) * (t1 - t0);
    const slack = (6 / (width - left - right)) * (t1 - t0);
    let lo = 0, hi = marks.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (marks[mid][0] < t - slack) lo = mid + 1; else hi = mid; }
    let best = -1, bestD = Infinity;
    for (let i = lo; i < marks.length && marks[i][0] <= t + slack; i++) {
      if (Math.abs(marks[i][1] - row) > (rowH < 4 ? 2 : 0)) continue;
      const d = Math.abs(marks[i][0] - t);
      if (d < bestD) { bestD = d; best = i; }
    }
    return best;
  }

  canvas.addEventListener("mousemove", (e) => {
    const r = canvas.getBoundingClientRect();
    const i = nearest(e.clientX - r.left, e.clientY - r.top);
    if (i !== focusIdx && i >= 0) show(i);
  });
  canvas.addEventListener("focus", () => { if (focusIdx < 0 && marks.length) show(0); });
  canvas.addEventListener("keydown", (e) => {
    if (!marks.length) return;
    let i = focusIdx;
    if (e.key === "ArrowRight") i = Math.min(marks.length - 1, i + 1);
    else if (e.key === "ArrowLeft") i = Math.max(0, i - 1);
    else if (e.key === "Home") i = 0;
    else if (e.key === "End") i = marks.length - 1;
    else return;
    e.preventDefault(); show(i);
  });
  window.addEventListener("resize", draw);
  draw();
  canvas.dataset.marks = String(marks.length);

  // Clients table: sortable and filterable, drawn in one pass.
  const tbody = document.querySelector("#ctable tbody");
  const count = document.getElementById("ccount");
  const more = document.getElementById("cmore");
  more.addEventListener("click", () => { all = true; render(); });
  const buttons = document.querySelectorAll("#ctable th button");
  const PAGE = 200;
  let key = "failures", dir = -1, filter = "", all = false;
  function cell(row, text) { const td = document.createElement("td"); td.textContent = text; row.append(td); }
  function render() {
    const f = filter.toLowerCase();
    const shown = D.clients.filter((c) => !f || (c.name + " " + c.log + " " + c.findings.join(" ") + " " + c.clock).toLowerCase().includes(f));
    shown.sort((a, b) => {
      const x = key === "findings" ? a.findings.join(",") : a[key], y = key === "findings" ? b.findings.join(",") : b[key];
      return (x === y ? 0 : x === null ? 1 : y === null ? -1 : x < y ? -1 : 1) * dir;
    });
    const frag = document.createDocumentFragment();
    // A fleet's table shows its first rows (the most failures first) until asked for all.
    shown.slice(0, all ? shown.length : PAGE).forEach((c) => {
      const tr = document.createElement("tr");
      cell(tr, c.name); tr.firstChild.title = c.log; cell(tr, c.failures); cell(tr, c.first || "-"); cell(tr, c.last || "-");
      cell(tr, c.findings.join(", ")); cell(tr, c.clock);
      frag.append(tr);
    });
    tbody.replaceChildren(frag);
    const listed = Math.min(shown.length, all ? shown.length : PAGE);
    count.textContent = shown.length + " of " + D.clients.length + " clients" + (listed < shown.length ? ", first " + listed + " shown" : "");
    more.hidden = listed >= shown.length;
    buttons.forEach((b) => b.setAttribute("aria-sort", b.dataset.k === key ? (dir > 0 ? "ascending" : "descending") : "none"));
  }
  buttons.forEach((b) => b.addEventListener("click", () => {
    if (key === b.dataset.k) dir = -dir; else { key = b.dataset.k; dir = key === "failures" ? -1 : 1; }
    render();
  }));
  document.getElementById("filter").addEventListener("input", (e) => { filter = e.target.value; render(); });
  render();
})();
