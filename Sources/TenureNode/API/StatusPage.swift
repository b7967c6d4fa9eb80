import TenureHTTP

/// `GET /ui`: the live status page, one self-contained document embedded in the binary.
///
/// Why it is built this way:
/// - No external assets and a Content-Security-Policy that forbids them: the page must work on an
///   air-gapped host and cannot be turned into a loader for someone else's script.
/// - It follows every node's `/v1/status/stream` directly (the streams allow any origin), not one
///   node's second-hand view, so each row is that node's own word, and the page keeps working when
///   the node that served it dies: the other streams go on, and the dead node's row turns
///   `unreachable` once its stream has been silent for 1.5 s (six missed 250 ms events).
/// - It marks as leader only a node that itself reports `is_leader` (a lease in force) on a fresh
///   stream, the highest term winning: the page never shows a leader the cluster would not vouch for.
/// - Everything a node reports is set with `textContent`, never parsed as HTML: a health reason
///   pushed by an application cannot inject markup.
/// - Machine-readable marks for scripts and tests: `[data-leader="ID"]` on the leader badge,
///   `data-node` and `data-role` on each node's row.
enum StatusPage {
    static let response: HTTPResponse = {
        var response = HTTPResponse(status: 200, body: Array(html.utf8), contentType: "text/html; charset=utf-8")
        response.headers.append(("Content-Security-Policy",
                                 "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src http: https:; img-src data:; base-uri 'none'; form-action 'none'"))
        response.headers.append(("Cache-Control", "no-cache"))
        response.headers.append(("X-Content-Type-Options", "nosniff"))
        return response
    }()

    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tenure status</title>
<style>
:root { --bg:#0f1419; --panel:#171d24; --line:#2a323c; --text:#d8dee6; --dim:#8a96a3; --lead:#3fb950; --warn:#d29922; --bad:#f85149; --cand:#58a6ff; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background:var(--bg); color:var(--text); }
header { display:flex; flex-wrap:wrap; gap:18px; align-items:baseline; padding:14px 22px; border-bottom:1px solid var(--line); background:var(--panel); }
h1 { font-size:18px; margin:0; letter-spacing:.5px; }
h2 { font-size:13px; text-transform:uppercase; letter-spacing:1px; color:var(--dim); margin:22px 0 8px; }
main { padding:0 22px 22px; }
.badge { font-weight:600; padding:2px 10px; border-radius:12px; background:#222b35; }
.badge[data-leader] { background:var(--lead); color:#06110a; }
.dim { color:var(--dim); }
table { border-collapse:collapse; width:100%; background:var(--panel); border:1px solid var(--line); }
th, td { text-align:left; padding:7px 10px; border-bottom:1px solid var(--line); vertical-align:top; white-space:nowrap; }
th { font-weight:500; color:var(--dim); font-size:12px; }
tr[data-role="leader"] td:first-child { border-left:3px solid var(--lead); }
tr[data-role="unreachable"] { color:var(--dim); }
tr[data-role="unreachable"] td:first-child { border-left:3px solid var(--bad); }
.role { font-weight:600; }
.role.leader { color:var(--lead); } .role.candidate, .role.precandidate { color:var(--cand); } .role.unreachable { color:var(--bad); }
.ok { color:var(--lead); } .sick { color:var(--bad); }
.bar { width:150px; height:10px; background:#222b35; border-radius:5px; overflow:hidden; display:inline-block; vertical-align:middle; }
.bar > i { display:block; height:100%; background:var(--lead); }
.bar.low > i { background:var(--warn); }
.link { display:block; font-variant-numeric:tabular-nums; }
.phi-warn { color:var(--warn); } .phi-bad { color:var(--bad); }
svg { width:100%; background:var(--panel); border:1px solid var(--line); }
svg text { fill:var(--dim); font-size:11px; }
svg text.on-bar { fill:#06110a; font-weight:600; }
ol { margin:0; padding:0 0 0 18px; font-variant-numeric:tabular-nums; }
li { padding:1px 0; }
footer { padding:10px 22px; color:var(--dim); font-size:12px; }
</style>
</head>
<body>
<header>
  <h1>Tenure</h1>
  <span>leader <span id="leader" class="badge">none</span></span>
  <span id="term" class="dim"></span>
  <span id="fence" class="dim"></span>
  <span id="cluster" class="dim"></span>
</header>
<main>
  <h2>Nodes</h2>
  <table>
    <thead><tr><th>node</th><th>role</th><th>term</th><th>health</th><th>lease</th><th>tenure run</th><th>fencing token</th><th>links: last contact, &phi;</th><th>uptime</th><th>version</th></tr></thead>
    <tbody id="nodes"></tbody>
  </table>
  <h2>Leadership timeline</h2>
  <svg id="timeline" height="40" role="img" aria-label="leadership timeline"></svg>
  <h2>Recent changes</h2>
  <ol id="changes"></ol>
</main>
<footer id="footer">connecting...</footer>
<script>
"use strict";
const STALE_MS = 1500;          // six missed status events (one every 250 ms)
const WINDOW_S = 600;           // the timeline shows the last ten minutes at most
const nodes = new Map();        // id -> {id, api, status, at, history}
const streams = new Map();      // api address -> EventSource

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) node.setAttribute(k, v);
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}
function svg(tag, attrs, text) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}
const fresh = n => n.status && performance.now() - n.at < STALE_MS;
function known(id) {
  if (!nodes.has(id)) nodes.set(id, { id });
  return nodes.get(id);
}

// Follows one node's stream; learns the other nodes (and their API addresses) from its status.
function follow(api) {
  if (!api || streams.has(api)) return;
  const source = new EventSource("http://" + api + "/v1/status/stream");
  streams.set(api, source);
  let id = null;
  source.addEventListener("status", event => {
    const status = JSON.parse(event.data);
    id = status.id;
    const node = known(id);
    Object.assign(node, { api, status, at: performance.now() });
    for (const member of status.voters.concat(status.non_voters)) known(member);
    for (const [peer, link] of Object.entries(status.peers || {})) {
      known(peer).api = known(peer).api || link.api;
      follow(link.api);
    }
  });
  source.addEventListener("history", event => { if (id) known(id).history = JSON.parse(event.data).changes; });
}

// The leader the page vouches for: a node on a fresh stream that holds its lease, highest term first.
function currentLeader() {
  let best = null;
  for (const n of nodes.values()) {
    if (fresh(n) && n.status.is_leader && (!best || n.status.term > best.status.term)) best = n;
  }
  return best;
}

// Members by the freshest view that names them; a node removed from the cluster drops out.
function members() {
  let newest = null;
  for (const n of nodes.values()) if (fresh(n) && (!newest || n.status.config_index > newest.status.config_index)) newest = n;
  if (!newest) return [...nodes.keys()].sort();
  return newest.status.voters.concat(newest.status.non_voters).sort();
}

function leaseLeft(n) { return Math.max(0, n.status.lease_remaining_ms - (performance.now() - n.at)); }

function linksCell(n) {
  const cell = el("td");
  if (!fresh(n)) return cell;
  for (const [peer, link] of Object.entries(n.status.peers).sort()) {
    const phi = link.phi;
    const phiText = phi === null ? "\u03c6 -" : "\u03c6 " + phi.toFixed(2);
    const phiClass = phi === null ? "" : phi >= 8 ? "phi-bad" : phi >= 3 ? "phi-warn" : "";
    // Followers exchange nothing with each other: "never" there is normal, not a fault.
    const contact = link.last_contact_ms === null ? "no traffic" : link.last_contact_ms + " ms";
    cell.append(el("span", { class: "link", "data-peer": peer, "data-phi": phi === null ? "" : phi },
      "\u2192 " + peer + "  " + contact + "  ", el("span", { class: phiClass }, phiText),
      link.connected ? "" : "  (not connected)"));
  }
  return cell;
}

function healthCell(n) {
  if (fresh(n)) {
    const h = n.status.health;
    return el("td", { class: h.healthy ? "ok" : "sick" }, h.healthy ? "healthy" : "unhealthy: " + (h.reason || ""));
  }
  // Unreachable: what the others last heard of it on their heartbeats.
  for (const other of nodes.values()) {
    const report = fresh(other) && other.status.nodes && other.status.nodes[n.id];
    if (report && report.report_age_ms < 5000) {
      return el("td", { class: "dim" }, "last reported " + (report.healthy ? "healthy" : "unhealthy") + " (" + report.source + ", " +
        (report.report_age_ms / 1000).toFixed(1) + " s ago)");
    }
  }
  return el("td", { class: "dim" }, "unknown");
}

function leaseCell(n) {
  if (!fresh(n) || !n.status.is_leader) return el("td", { class: "dim" }, "-");
  const left = leaseLeft(n), total = n.status.config.lease_ms;
  const share = Math.min(1, left / total);
  const bar = el("span", { class: "bar" + (share < 0.3 ? " low" : ""), "data-lease-ms": Math.round(left) });
  bar.append(el("i", { style: "width:" + (share * 100).toFixed(1) + "%" }));
  return el("td", {}, bar, " " + Math.round(left) + " ms");
}

// The tenure run beside the node: its command's state, marked when the node leads and the work is down.
function runnerCell(n) {
  const r = fresh(n) && n.status.runner;
  if (!r || !r.attached) return el("td", { class: "dim", "data-runner": "none" }, "-");
  let text = r.state + (r.token !== null && r.state !== "idle" ? " t" + r.token : "");
  if (r.state !== "running" && r.last_change === "stopped" && r.last_cause) text += " (" + r.last_cause + ")";
  const restarts = Object.values(r.restarts || {}).reduce((a, b) => a + b, 0);
  if (restarts > 0) text += ", " + restarts + " restart" + (restarts === 1 ? "" : "s");
  return el("td", { class: r.work_down ? "sick" : r.state === "running" ? "ok" : "dim", "data-runner": r.state }, text);
}

function row(id, leader) {
  const n = known(id);
  const role = fresh(n) ? n.status.role : "unreachable";
  const s = fresh(n) ? n.status : null;
  const up = s ? Math.round(s.uptime_ms / 1000) + " s" : "";
  return el("tr", { "data-node": id, "data-role": role, "data-term": s ? s.term : null },
    el("td", {}, id + (leader && leader.id === id ? " \u2605" : "")),
    el("td", { class: "role " + role }, role + (s && !s.voter ? " (non-voter)" : "")),
    el("td", {}, s ? s.term : ""),
    healthCell(n), leaseCell(n), runnerCell(n),
    el("td", {}, s && s.is_leader ? s.fencing_token : "-"),
    linksCell(n), el("td", {}, up), el("td", { class: "dim" }, s ? s.version : ""));
}

// Leadership intervals from every node's own history: from becoming leader to leaving it.
function drawTimeline(ids) {
  const box = document.getElementById("timeline");
  const width = box.clientWidth || 900, laneHeight = 22, left = 50;
  box.setAttribute("height", ids.length * laneHeight + 24);
  box.replaceChildren();
  const nowS = Date.now() / 1000;
  let startS = nowS - 60;
  for (const n of nodes.values()) for (const c of n.history || []) startS = Math.min(startS, c.unix_time);
  startS = Math.max(startS, nowS - WINDOW_S);
  const x = t => left + (width - left - 10) * (t - startS) / Math.max(1, nowS - startS);
  ids.forEach((id, lane) => {
    const y = lane * laneHeight + 4;
    box.append(svg("text", { x: 4, y: y + 14 }, id));
    box.append(svg("line", { x1: left, x2: width - 10, y1: y + 10, y2: y + 10, stroke: "#2a323c" }));
    const n = known(id);
    const changes = (n.history || []).filter(c => c.event === "role_changed").sort((a, b) => a.unix_time - b.unix_time);
    let since = null, term = null;
    const endOf = fresh(n) ? nowS : nowS - (performance.now() - (n.at || 0)) / 1000;
    const bar = (from, to, t) => {
      if (to < startS) return;
      const x0 = x(Math.max(from, startS)), x1 = Math.max(x0 + 2, x(to));
      box.append(svg("rect", { x: x0, y: y + 3, width: x1 - x0, height: 14, rx: 3, fill: "#3fb950", "data-term": t }));
      if (x1 - x0 > 40) box.append(svg("text", { x: x0 + 4, y: y + 14, class: "on-bar" }, "term " + t));
    };
    for (const c of changes) {
      if (c.to === "leader") { since = c.unix_time; term = c.term; }
      else if (c.from === "leader" && since !== null) { bar(since, c.unix_time, term); since = null; }
    }
    if (since !== null) bar(since, endOf, term);
  });
  const axis = ids.length * laneHeight + 18;
  for (let i = 0; i <= 4; i++) {
    const t = startS + (nowS - startS) * i / 4;
    box.append(svg("text", { x: Math.min(x(t), width - 60), y: axis }, new Date(t * 1000).toLocaleTimeString()));
  }
}

function drawChanges() {
  const seen = new Set(), all = [];
  for (const n of nodes.values()) for (const c of n.history || []) {
    const key = n.id + c.unix_time + c.event;
    if (!seen.has(key)) { seen.add(key); all.push(Object.assign({ node: n.id }, c)); }
  }
  all.sort((a, b) => b.unix_time - a.unix_time);
  const list = document.getElementById("changes");
  list.replaceChildren(...all.slice(0, 15).map(c => {
    const when = new Date(c.unix_time * 1000);
    const what = c.event === "role_changed" ? c.from + " \u2192 " + c.to
      : c.event === "leader_changed" ? "follows " + (c.leader || "nobody") : c.event.replace("_", " ");
    return el("li", {}, when.toLocaleTimeString() + "." + String(when.getMilliseconds()).padStart(3, "0") + "  ",
      el("b", {}, c.node), "  " + what + "  term " + c.term + "  ", el("span", { class: "dim" }, "(" + c.cause + ")"));
  }));
}

function render() {
  const leader = currentLeader();
  const badge = document.getElementById("leader");
  if (leader) {
    badge.setAttribute("data-leader", leader.id);
    badge.textContent = leader.id;
    document.getElementById("term").textContent = "term " + leader.status.term;
    document.getElementById("fence").textContent = "fencing token " + leader.status.fencing_token + ", lease " + Math.round(leaseLeft(leader)) + " ms left";
  } else {
    badge.removeAttribute("data-leader");
    badge.textContent = "none (election in progress)";
    document.getElementById("term").textContent = "";
    document.getElementById("fence").textContent = "";
  }
  const any = [...nodes.values()].find(fresh);
  document.getElementById("cluster").textContent = any ? "cluster " + any.status.cluster_id + ", peer auth " + any.status.peer_auth : "";
  const ids = members();
  document.getElementById("nodes").replaceChildren(...ids.map(id => row(id, leader)));
  drawTimeline(ids);
  drawChanges();
  const live = [...nodes.values()].filter(fresh).map(n => n.id).sort();
  document.getElementById("footer").textContent = "live streams from " + (live.join(", ") || "no node") +
    "; this page came from " + location.host + "; updated " + new Date().toLocaleTimeString();
}

follow(location.host);
setInterval(render, 100);
</script>
</body>
</html>
"""#
}
