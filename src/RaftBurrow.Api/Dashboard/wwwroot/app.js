// RaftBurrow dashboard: polls this node's /admin/cluster, every peer's through /ui/api/nodes/{id}/cluster,
// and the Zaqar API for the chosen project. Plain DOM, no dependencies, no inline code (the page's CSP forbids it).
"use strict";

(function () {
  const REFRESH_MS = 2000;
  const MAX_QUEUE_PAGES = 10;      // 10 pages × 20 queues: the page stays cheap on projects with many queues
  const STATS_CONCURRENCY = 6;
  const SPARK_POINTS = 30;
  const SVG_NS = "http://www.w3.org/2000/svg";

  const state = {
    paused: false,
    timer: null,
    running: false,
    project: initialProject(),
    clientId: uuid4(),
    // queue name -> { total, atMs, history: [depth...] } for rates and sparklines; reset when the project changes
    queueHistory: new Map(),
  };

  const $ = (id) => document.getElementById(id);

  function initialProject() {
    const fromUrl = new URLSearchParams(location.search).get("project");
    if (fromUrl !== null) return fromUrl;
    try { return localStorage.getItem("raftburrow.project") || "default"; } catch { return "default"; }
  }

  // crypto.randomUUID needs a secure context; a node's plain-http address is not one.
  function uuid4() {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v; else e.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function svg(tag, attrs, ...children) {
    const e = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) e.setAttribute(k, String(v));
    for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }

  async function getJson(url, headers) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 3000);
    try {
      const response = await fetch(url, { headers: headers || {}, signal: controller.signal, cache: "no-store" });
      const text = await response.text();
      let body = null;
      try { body = text ? JSON.parse(text) : null; } catch { body = null; }
      if (!response.ok) {
        const why = body && (body.description || body.title) ? (body.description || body.title) : text.slice(0, 200);
        throw new Error(`${response.status} ${why}`.trim());
      }
      return body;
    } catch (e) {
      if (e.name === "AbortError") throw new Error("no answer within 3 s");
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  function showError(id, message) {
    const box = $(id);
    box.hidden = !message;
    box.textContent = message || "";
  }

  // ---- cluster ---------------------------------------------------------------------------------

  async function loadCluster() {
    const self = await getJson("/admin/cluster");
    const nodes = (self.nodes && self.nodes.length ? self.nodes : [{ id: self.nodeId, httpUrl: location.origin }])
      .slice().sort((a, b) => a.id - b.id);
    const views = await Promise.all(nodes.map(async (n) => {
      if (n.id === self.nodeId) return { node: n, view: self, error: null };
      try { return { node: n, view: await getJson(`/ui/api/nodes/${encodeURIComponent(n.id)}/cluster`), error: null }; }
      catch (e) { return { node: n, view: null, error: e.message }; }
    }));
    return { selfId: self.nodeId, partitionCount: self.partitionCount, views };
  }

  function partitionOf(view, p) {
    return view && view.partitions ? view.partitions.find((x) => x.partition === p) : undefined;
  }

  // The leader of a partition: a node that says it leads (highest term wins), else what most nodes believe.
  function leaderOf(cluster, p) {
    let best = null;
    for (const { node, view } of cluster.views) {
      const s = partitionOf(view, p);
      if (s && s.role === "leader" && (!best || s.term > best.term)) best = { id: node.id, term: s.term };
    }
    if (best) return best;
    const votes = new Map();
    for (const { view } of cluster.views) {
      const s = partitionOf(view, p);
      if (s && s.leaderNodeId !== null && s.leaderNodeId !== undefined) votes.set(s.leaderNodeId, (votes.get(s.leaderNodeId) || 0) + 1);
    }
    let id = null, count = 0;
    for (const [k, v] of votes) if (v > count) { id = k; count = v; }
    return id === null ? null : { id, term: null };
  }

  function renderMap(cluster) {
    const map = $("node-map");
    const P = cluster.partitionCount;
    const chip = 22, gap = 4, perRow = 8;
    const rows = Math.max(1, Math.ceil(P / perRow));
    const cardW = 16 * 2 + perRow * chip + (perRow - 1) * gap, cardH = 86 + rows * (chip + gap);
    const spacing = 24;
    const width = cluster.views.length * (cardW + spacing) - spacing + 2;
    map.setAttribute("viewBox", `0 0 ${width} ${cardH + 2}`);
    map.setAttribute("width", width);
    map.setAttribute("height", cardH + 2);
    map.replaceChildren();
    cluster.views.forEach(({ node, view, error }, i) => {
      const x = 1 + i * (cardW + spacing), y = 1;
      const up = !!view;
      const leads = up ? (view.partitions || []).filter((s) => s.role === "leader").length : 0;
      const g = svg("g", { class: `node${node.id === cluster.selfId ? " self" : ""}${up ? "" : " down"}`, "data-node": node.id, transform: `translate(${x},${y})` });
      g.append(svg("rect", { class: "box", width: cardW, height: cardH, rx: 10 }));
      g.append(svg("circle", { class: up ? "up" : "down", cx: 20, cy: 22, r: 6 }));
      g.append(svg("text", { class: "title", x: 34, y: 27 }, `node ${node.id}${node.id === cluster.selfId ? " (this)" : ""}`));
      g.append(svg("text", { class: "sub", x: 16, y: 48 }, truncate(node.httpUrl || "", 34)));
      // The card is narrow: the reason goes into the tooltip, the card says only that the node is down.
      const sub = svg("text", { class: "sub", x: 16, y: 66 },
        up ? `leads ${leads} of ${P}${node.zone ? " · zone " + node.zone : ""}` : "down (no answer)");
      if (!up) sub.append(svg("title", null, error || "no answer"));
      g.append(sub);
      for (let p = 0; p < P; p++) {
        const s = up ? partitionOf(view, p) : undefined;
        const role = s ? s.role : "unknown";
        const cx = 16 + (p % perRow) * (chip + gap), cy = 78 + Math.floor(p / perRow) * (chip + gap);
        const cls = role === "leader" ? "leader" : role === "candidate" ? "candidate" : role === "unknown" ? "unknown" : "follower";
        const c = svg("g", { class: "chip-g" },
          svg("title", null, s ? `partition ${p}: ${role}, term ${s.term}, applied ${s.appliedIndex}` : `partition ${p}: unknown`),
          svg("rect", { class: `chip ${cls}`, x: cx, y: cy, width: chip, height: chip, rx: 4 }),
          svg("text", { class: `chip-label${cls === "leader" ? " on" : ""}`, x: cx + chip / 2, y: cy + 15, "text-anchor": "middle" }, p));
        g.append(c);
      }
      map.append(g);
    });
  }

  function truncate(s, n) { return s.length > n ? s.slice(0, n - 1) + "…" : s; }

  function renderPartitions(cluster) {
    const head = $("partition-head");
    head.replaceChildren(el("th", null, "partition"), el("th", null, "leader"), el("th", { class: "num" }, "term"),
      ...cluster.views.map(({ node }) => el("th", null, `node ${node.id}: commit / applied (lag)`)), el("th", null, "state hash"));
    const body = $("partition-table").tBodies[0];
    body.replaceChildren();
    for (let p = 0; p < cluster.partitionCount; p++) {
      const leader = leaderOf(cluster, p);
      const states = cluster.views.map(({ view }) => partitionOf(view, p));
      const maxCommit = Math.max(0, ...states.filter(Boolean).map((s) => s.commitIndex));
      const maxTerm = Math.max(0, ...states.filter(Boolean).map((s) => s.term));
      const cells = states.map((s) => {
        if (!s) return el("td", { class: "down-cell" }, "—");
        const lag = maxCommit - s.appliedIndex;
        return el("td", null,
          el("span", { class: `role ${s.role}`, title: s.role }, s.role.charAt(0).toUpperCase()),
          `${s.commitIndex} / ${s.appliedIndex} `,
          el("span", { class: `lag${lag > 0 ? " behind" : ""}` }, `(${lag})`));
      });
      // Replicas at the same applied index must hold the same state: a different hash there is divergence.
      const byIndex = new Map();
      for (const s of states) if (s) { const set = byIndex.get(s.appliedIndex) || new Set(); set.add(s.stateHash); byIndex.set(s.appliedIndex, set); }
      const diverged = [...byIndex.values()].some((set) => set.size > 1);
      const hashes = [...new Set(states.filter(Boolean).map((s) => s.stateHash))];
      body.append(el("tr", { "data-partition": p },
        el("td", null, p),
        el("td", null, leader ? `node ${leader.id}` : el("span", { class: "down-cell" }, "none")),
        el("td", { class: "num" }, maxTerm),
        cells,
        el("td", { class: `hash${diverged ? " diverged" : ""}`, title: hashes.join(" ") },
          diverged ? `DIVERGED ${hashes.map((h) => h.slice(0, 8)).join(" ")}` : (hashes[0] || "").slice(0, 16))));
    }
  }

  // ---- queues ----------------------------------------------------------------------------------

  async function loadQueues(project) {
    const headers = { "X-Project-ID": project, "Client-ID": state.clientId };
    const names = [];
    let url = "/v2/queues?detailed=true&limit=20";
    for (let page = 0; page < MAX_QUEUE_PAGES && url; page++) {
      const body = await getJson(url, headers);
      const queues = (body && body.queues) || [];
      for (const q of queues) names.push(q.name);
      const next = queues.length ? ((body.links || []).find((l) => l.rel === "next") || {}).href : null;
      url = next && next.startsWith("/") ? next : null;
    }
    const stats = new Array(names.length);
    let cursor = 0;
    async function worker() {
      while (cursor < names.length) {
        const i = cursor++;
        try {
          const body = await getJson(`/v2/queues/${encodeURIComponent(names[i])}/stats`, headers);
          stats[i] = { name: names[i], messages: body.messages };
        } catch (e) {
          stats[i] = { name: names[i], error: e.message };
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(STATS_CONCURRENCY, names.length) }, worker));
    return stats;
  }

  function renderQueues(queues, nowMs) {
    const body = $("queue-table").tBodies[0];
    body.replaceChildren();
    $("queue-empty").hidden = queues.length > 0;
    const seen = new Set();
    for (const q of queues) {
      seen.add(q.name);
      if (q.error) {
        body.append(el("tr", { "data-queue": q.name }, el("td", null, q.name), el("td", { class: "down-cell", colspan: 6 }, q.error)));
        continue;
      }
      const m = q.messages;
      const h = state.queueHistory.get(q.name) || { total: m.total, atMs: nowMs, history: [], rate: null };
      let rate = h.rate;
      if (nowMs > h.atMs) rate = (m.total - h.total) / ((nowMs - h.atMs) / 1000);
      const history = h.history.concat([m.total]).slice(-SPARK_POINTS);
      state.queueHistory.set(q.name, { total: m.total, atMs: nowMs, history, rate });
      const rateText = rate === null ? "…" : rate === 0 ? "0/s" : `${rate > 0 ? "+" : "−"}${Math.abs(rate).toFixed(1)}/s`;
      body.append(el("tr", { "data-queue": q.name },
        el("td", null, q.name),
        el("td", { class: "num depth" }, m.total),
        el("td", { class: "num" }, m.free),
        el("td", { class: "num" }, m.claimed),
        el("td", { class: `num rate${rate > 0 ? " up" : rate < 0 ? " down" : ""}` }, rateText),
        el("td", { class: "num" }, m.oldest ? `${m.oldest.age} s` : "—"),
        el("td", null, sparkline(history))));
    }
    for (const name of [...state.queueHistory.keys()]) if (!seen.has(name)) state.queueHistory.delete(name);
  }

  function sparkline(values) {
    const w = 120, h = 22;
    const s = svg("svg", { class: "spark", viewBox: `0 0 ${w} ${h}`, "aria-hidden": "true" });
    s.append(svg("line", { x1: 0, y1: h - 1.5, x2: w, y2: h - 1.5 }));
    if (values.length < 2) return s;
    const max = Math.max(1, ...values);
    const step = w / (SPARK_POINTS - 1);
    const offset = (SPARK_POINTS - values.length) * step;
    const points = values.map((v, i) => `${(offset + i * step).toFixed(1)},${(h - 2 - (v / max) * (h - 4)).toFixed(1)}`).join(" ");
    s.append(svg("polyline", { points }));
    return s;
  }

  // ---- summary and the loop --------------------------------------------------------------------

  function renderTiles(cluster, queues) {
    const up = cluster ? cluster.views.filter((v) => v.view).length : 0;
    const total = cluster ? cluster.views.length : 0;
    let led = 0;
    if (cluster) for (let p = 0; p < cluster.partitionCount; p++) if (leaderOf(cluster, p)) led++;
    const depth = queues ? queues.reduce((a, q) => a + (q.messages ? q.messages.total : 0), 0) : null;
    const rate = queues ? queues.reduce((a, q) => a + ((state.queueHistory.get(q.name) || {}).rate || 0), 0) : null;
    const tile = (k, v, cls, id) => el("div", { class: "tile", id }, el("div", { class: "k" }, k), el("div", { class: `v ${cls || ""}` }, v));
    $("tiles").replaceChildren(
      tile("nodes up", cluster ? `${up} / ${total}` : "?", cluster ? (up === total ? "ok" : up * 2 > total ? "warn" : "bad") : "bad", "tile-nodes"),
      tile("partitions with a leader", cluster ? `${led} / ${cluster.partitionCount}` : "?", cluster ? (led === cluster.partitionCount ? "ok" : "bad") : "bad", "tile-leaders"),
      tile(`messages in ${truncate(state.project || "(none)", 18)}`, depth === null ? "?" : depth, "", "tile-depth"),
      tile("net rate", rate === null ? "?" : `${rate >= 0 ? "+" : "−"}${Math.abs(rate).toFixed(1)}/s`, "", "tile-rate"));
  }

  async function refresh() {
    if (state.running) return;
    state.running = true;
    const project = state.project;
    const nowMs = Date.now();
    let cluster = null, queues = null, failed = false;
    const [c, q] = await Promise.allSettled([loadCluster(), loadQueues(project)]);
    if (c.status === "fulfilled") {
      cluster = c.value;
      showError("error-cluster", null);
      $("self").textContent = `node ${cluster.selfId} · ${cluster.partitionCount} partitions`;
      renderMap(cluster);
      renderPartitions(cluster);
    } else {
      failed = true;
      showError("error-cluster", `This node's /admin/cluster: ${c.reason.message}`);
    }
    // The project may have changed while this refresh ran: drop answers for the old one.
    if (project === state.project) {
      if (q.status === "fulfilled") {
        queues = q.value;
        showError("error-queues", null);
        renderQueues(queues, nowMs);
      } else {
        failed = true;
        showError("error-queues", `Queues of "${project}": ${q.reason.message}`);
      }
    }
    renderTiles(cluster, queues);
    const status = $("status");
    if (!state.paused) {
      status.className = `status ${failed ? "bad" : "ok"}`;
      status.textContent = `${failed ? "partial data" : "live"} · ${new Date().toLocaleTimeString()}`;
    }
    document.body.dataset.refreshCount = String(Number(document.body.dataset.refreshCount || 0) + 1);
    document.body.dataset.project = project;
    state.running = false;
  }

  function schedule() {
    clearTimeout(state.timer);
    if (!state.paused) state.timer = setTimeout(async () => { await refresh(); schedule(); }, REFRESH_MS);
  }

  function setProject(project) {
    state.project = project;
    state.queueHistory.clear();
    try { localStorage.setItem("raftburrow.project", project); } catch { /* private mode */ }
    const url = new URL(location.href);
    url.searchParams.set("project", project);
    history.replaceState(null, "", url);
  }

  function init() {
    $("project").value = state.project;
    $("project-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      setProject($("project").value.trim());
      await refresh();
      schedule();
    });
    $("pause").addEventListener("click", () => {
      state.paused = !state.paused;
      const button = $("pause");
      button.setAttribute("aria-pressed", String(state.paused));
      button.textContent = state.paused ? "Resume" : "Pause";
      const status = $("status");
      if (state.paused) { status.className = "status paused"; status.textContent = "paused"; clearTimeout(state.timer); }
      else refresh().then(schedule);
    });
    refresh().then(schedule);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
