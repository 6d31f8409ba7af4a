import { createHash } from "node:crypto";

/**
 * The on-call status page: one self-contained HTML document (its style and script are
 * inline; it loads nothing from anywhere but this app's own JSON endpoints). It reads
 * /api/status, /api/points, /api/drills, /api/restores, /api/endpoint and /api/audit with
 * the function key it was opened with (?code=…), and refreshes itself every minute.
 */

const STYLE = `
:root{--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--mute:#57606a;--line:#d0d7de}
*{box-sizing:border-box}body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:.8rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:baseline}
header h1{font-size:1.15rem;margin:0}header small{color:#d0d7de}
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,26rem),1fr));gap:1rem;padding:1rem;max-width:90rem;margin:auto}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:.8rem 1rem;min-width:0}
section h2{font-size:1rem;margin:0 0 .6rem}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .4rem;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
th{font-weight:600;font-size:.85rem;color:var(--mute)}.pill{display:inline-block;white-space:nowrap;border-radius:1em;padding:0 .6em;color:#fff;font-size:.85rem;font-weight:600}
.ok{background:var(--ok)}.warn{background:var(--warn)}.bad{background:var(--bad)}.mute{background:var(--mute)}
.big{font-size:1.6rem;font-weight:700}.err{color:var(--bad)}svg{width:100%;height:auto}
`;

const SCRIPT = `
(function () {
  "use strict";
  var code = new URLSearchParams(location.search).get("code");
  function api(path) {
    var url = "/api/" + path + (code ? (path.indexOf("?") >= 0 ? "&" : "?") + "code=" + encodeURIComponent(code) : "");
    return fetch(url, { headers: { accept: "application/json" } }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, status: r.status, body: body }; }, function () { return { ok: r.ok, status: r.status, body: null }; });
    }, function (e) { return { ok: false, status: 0, body: { detail: String(e) } }; });
  }
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    (children || []).forEach(function (c) { e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }
  function pill(text, cls) { return el("span", { "class": "pill " + cls }, [text]); }
  function table(head, rows) {
    return el("table", null, [el("tr", null, head.map(function (h) { return el("th", null, [h]); }))].concat(rows.map(function (r) {
      return el("tr", null, r.map(function (c) { return el("td", null, [c === null || c === undefined ? "" : c]); }));
    })));
  }
  function fill(id, nodes) { var s = document.getElementById(id); s.replaceChildren.apply(s, [s.firstElementChild].concat(nodes)); }
  function failed(id, what, r) { fill(id, [el("p", { "class": "err" }, [what + " could not be read (" + r.status + (r.body && r.body.detail ? ": " + r.body.detail : "") + ")"])]); }
  function minutes(x) { return x === null || x === undefined ? "—" : x < 1 ? Math.max(1, Math.round(x * 60)) + " s" : (Math.round(x * 10) / 10) + " min"; }
  var outcomeClass = { passed: "ok", "at risk": "warn", failed: "bad", "not available": "mute", succeeded: "ok", refused: "warn" };

  function rpo(r) {
    if (!r.ok) return failed("rpo", "Status", r);
    var s = r.body;
    var rows = s.tables.map(function (t) {
      return [t.table, t.lastPointId || "never backed up", t.ageMinutes === null ? "—" : t.ageMinutes + " min", pill(t.withinRpo ? "within RPO" : "OUTSIDE RPO", t.withinRpo ? "ok" : "bad")];
    });
    (s.containers || []).forEach(function (c) {
      rows.push(["container " + c.container, c.lastPointId || "never backed up", c.ageMinutes === null ? "—" : c.ageMinutes + " min", pill(c.withinRpo ? "within RPO" : "OUTSIDE RPO", c.withinRpo ? "ok" : "bad")]);
    });
    var nodes = [el("p", null, [pill(s.healthy ? "HEALTHY" : "RPO AT RISK", s.healthy ? "ok" : "bad"), " RPO objective " + s.rpoMinutes + " min; " + s.points + " restore point(s)"])];
    if (s.degraded) nodes.push(el("p", null, [pill("DEGRADED", "bad"), " " + s.degraded]));
    nodes.push(table(["table", "newest point", "age", ""], rows));
    fill("rpo", nodes);
    document.getElementById("objectives").textContent = "RPO " + s.rpoMinutes + " min · RTO " + s.rtoMinutes + " min";
    return s;
  }

  function tierOf(points) {
    var days = {}, weeks = {};
    return points.map(function (p) {
      var t = new Date(p.time), day = p.time.slice(0, 10);
      var d = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate())); var wd = (d.getUTCDay() + 6) % 7; d.setUTCDate(d.getUTCDate() - wd + 3);
      var week = d.getUTCFullYear() + "-" + Math.ceil(((d - new Date(Date.UTC(d.getUTCFullYear(), 0, 1))) / 86400000 + 1) / 7);
      var tier = "incremental";
      if (p.kind === "full" && !days[day]) { days[day] = 1; tier = "daily"; if (!weeks[week]) { weeks[week] = 1; tier = "weekly"; } }
      return { id: p.id, time: t, tier: tier };
    });
  }
  function timeline(r) {
    if (!r.ok) return failed("timeline", "Restore points", r);
    var pts = tierOf(r.body), now = Date.now(), span = 183 * 86400000, w = 800, h = 90;
    var colours = { weekly: "#8250df", daily: "#0969da", incremental: "#8c959f" }, rows = { weekly: 20, daily: 45, incremental: 70 };
    var ns = "http://www.w3.org/2000/svg", svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + w + " " + h); svg.setAttribute("role", "img"); svg.setAttribute("aria-label", pts.length + " restore points over the last 6 months");
    ["weekly", "daily", "incremental"].forEach(function (tier) {
      var label = document.createElementNS(ns, "text"); label.setAttribute("x", "0"); label.setAttribute("y", String(rows[tier] + 4)); label.setAttribute("font-size", "11"); label.textContent = tier; svg.appendChild(label);
    });
    pts.forEach(function (p) {
      var x = 90 + (w - 100) * (1 - Math.min(1, (now - p.time.getTime()) / span));
      var c = document.createElementNS(ns, "circle"); c.setAttribute("cx", x.toFixed(1)); c.setAttribute("cy", String(rows[p.tier])); c.setAttribute("r", "3.5"); c.setAttribute("fill", colours[p.tier]);
      var t = document.createElementNS(ns, "title"); t.textContent = p.id + " (" + p.tier + ")"; c.appendChild(t); svg.appendChild(c);
    });
    var counts = { weekly: 0, daily: 0, incremental: 0 }; pts.forEach(function (p) { counts[p.tier]++; });
    fill("timeline", [svg, el("p", null, [counts.weekly + " weekly, " + counts.daily + " daily, " + counts.incremental + " incremental; newest " + (pts.length ? pts[pts.length - 1].id : "none") + " (6 months shown, now at the right)"])]);
  }

  function drills(r, status) {
    if (!r.ok) return failed("drills", "Drills", r);
    var d = r.body, rto = status ? status.rtoMinutes : null;
    var rtoNode = d.projectedRtoMinutes === null ? el("p", null, ["Projected RTO: not measured yet (run lifeboat drill restore-test)"])
      : el("p", null, [el("span", { "class": "big" }, [minutes(d.projectedRtoMinutes)]), " projected full restore, objective " + (rto === null ? "?" : rto + " min") + " ", pill(rto !== null && d.projectedRtoMinutes > rto ? "AT RISK" : "within RTO", rto !== null && d.projectedRtoMinutes > rto ? "warn" : "ok")]);
    var rows = d.kinds.map(function (k) {
      return [k.kind, k.last ? pill(k.last.outcome, outcomeClass[k.last.outcome] || "mute") : "never run", k.last ? k.last.startedAt : "", k.nextDue || "—", k.overdue ? pill("OVERDUE", "bad") : ""];
    });
    fill("drills", [rtoNode, table(["drill", "last outcome", "last run", "next due", ""], rows)]);
  }

  function jobs(r) {
    if (!r.ok) return fill("jobs", [el("p", { "class": "err" }, ["Restore jobs could not be read (" + r.status + ")"])]);
    var running = r.body.filter(function (j) { return j.state !== "succeeded" && j.state !== "failed"; });
    var recent = r.body.slice(0, 5);
    fill("jobs", [el("p", null, [running.length + " running"]), table(["job", "state", "point", "by"], recent.map(function (j) { return [j.id, pill(j.state, j.state === "succeeded" ? "ok" : j.state === "failed" ? "bad" : "warn"), j.pointId, j.operator]; }))]);
  }

  function endpoint(r) {
    if (!r.ok) return fill("endpoint", [el("p", null, ["Active endpoint: " + (r.status === 500 ? "failover is not configured" : "unknown (" + r.status + ")")])]);
    var e = r.body;
    fill("endpoint", [el("p", null, [pill(e.account === "failover" ? "FAILED OVER" : "PRIMARY", e.account === "failover" ? "warn" : "ok"), " " + e.tableServiceUri]), el("p", null, [e.since ? "since " + e.since + (e.reason ? " (" + e.reason + ")" : "") : "never switched"])]);
  }

  function audit(r, v) {
    if (!r.ok) return failed("audit", "The audit log", r);
    var last = v.ok && v.body.entries.length ? v.body.entries[v.body.entries.length - 1] : null;
    var state = last ? [pill(last.outcome === "succeeded" ? "chain verified" : "CHAIN BROKEN", last.outcome === "succeeded" ? "ok" : "bad"), " at " + last.time] : [pill("not verified yet", "mute"), " (GET /api/audit/verify)"];
    var rows = r.body.entries.slice().reverse().map(function (e) { return [e.time, e.operator, e.action, pill(e.outcome, outcomeClass[e.outcome] || "mute")]; });
    fill("audit", [el("p", null, state), table(["time", "operator", "action", "outcome"], rows)]);
  }

  function refresh() {
    Promise.all([api("status"), api("points"), api("drills"), api("restores?limit=20"), api("endpoint"), api("audit?limit=15"), api("audit?action=audit.verify&limit=1")]).then(function (x) {
      var s = rpo(x[0]);
      timeline(x[1]); drills(x[2], x[0].ok ? s : null); jobs(x[3]); endpoint(x[4]); audit(x[5], x[6]);
      document.getElementById("updated").textContent = "updated " + new Date().toISOString().replace("T", " ").slice(0, 19) + " UTC; refreshes every minute";
    });
  }
  refresh();
  setInterval(refresh, 60000);
})();
`;

/** The CSP hash of the page's inline script: the only script it may run. */
const SCRIPT_HASH = `sha256-${createHash("sha256").update(SCRIPT, "utf8").digest("base64")}`;

/** The page's Content-Security-Policy: its own inline script and style, requests to this app only. */
export const DASHBOARD_CSP = `default-src 'none'; script-src '${SCRIPT_HASH}'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

/** The status page. Never throws. */
export function dashboardHtml(): string {
  const section = (id: string, title: string): string => `<section id="${id}"><h2>${title}</h2><p>loading…</p></section>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lifeboat status</title><link rel="icon" href="data:,"><style>${STYLE}</style></head>
<body><header><h1>Lifeboat</h1><span id="objectives"></span><small id="updated">loading…</small></header>
<main>
${section("rpo", "RPO exposure")}
${section("drills", "Projected RTO and drills")}
${section("timeline", "Restore points by tier")}
${section("endpoint", "Active endpoint")}
${section("jobs", "Restore jobs")}
${section("audit", "Audit log")}
</main>
<script>${SCRIPT}</script>
</body></html>
`;
}
