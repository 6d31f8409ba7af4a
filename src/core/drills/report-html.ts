import type { DrillReport } from "./drill";

/** Text as HTML: the five characters that matter escaped. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

const COLOURS: Record<string, string> = { passed: "#1a7f37", "at risk": "#9a6700", failed: "#cf222e", "not available": "#57606a" };

/**
 * A drill report as one self-contained HTML page (no script, font or style from
 * anywhere else): the outcome and why, the measured objectives, each step, the manual
 * steps to sign off, and the runbook to review.
 */
export function drillReportHtml(r: DrillReport): string {
  const e = escapeHtml;
  const badge = (o: string): string => `<span class="badge" style="background:${COLOURS[o] ?? "#57606a"}">${e(o)}</span>`;
  const f = r.figures;
  const figure = (label: string, v: number | undefined, unit: string, objective?: number): string =>
    v === undefined ? "" : `<tr><th>${e(label)}</th><td>${Math.round(v * 10) / 10} ${e(unit)}${objective !== undefined ? ` (objective ${objective} ${e(unit)})` : ""}</td></tr>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lifeboat drill ${e(r.kind)} ${e(r.id)}: ${e(r.outcome)}</title>
<style>
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:1.5rem auto;max-width:60rem;padding:0 1rem;color:#1f2328}
.badge{color:#fff;border-radius:1em;padding:.1em .7em;font-weight:600}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.2rem}th,td{border-bottom:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{width:16rem;font-weight:600}code{background:#f6f8fa;padding:.1em .3em;border-radius:4px}
</style></head><body>
<h1>Drill <code>${e(r.kind)}</code> ${badge(r.outcome)}</h1>
<p>${e(r.id)}: ${e(r.startedAt)} → ${e(r.finishedAt)}, by ${e(r.operator)}</p>
${r.reasons.length > 0 ? `<ul>${r.reasons.map((x) => `<li>${e(x)}</li>`).join("")}</ul>` : "<p>Every step passed and every measured objective holds.</p>"}
<h2>Objectives, measured</h2>
<table>
${figure("Projected RTO (full restore of today's data)", f.projectedRtoMinutes, "min", r.objectives.rtoMinutes)}
${figure("Observed RPO (age of the newest point)", f.observedRpoMinutes, "min", r.objectives.rpoMinutes)}
${figure("Time to a verified standby", f.timeToStandbyMinutes, "min", r.objectives.rtoMinutes)}
${figure("Data-loss window of the failover", f.dataLossMinutes, "min", r.objectives.rpoMinutes)}
${figure("Restore rate", f.entitiesPerSecond, "entities/s")}
${figure("File restore rate", f.bytesPerSecond, "bytes/s")}
${figure("Data at the newest point", f.dataEntities, "entities")}
</table>
<h2>Steps</h2>
<table><tr><th>step</th><th>outcome</th><th>detail</th><th>seconds</th></tr>
${r.steps.map((s) => `<tr><td>${e(s.name)}</td><td>${badge(s.outcome)}</td><td>${e(s.detail)}</td><td>${(s.durationMs / 1000).toFixed(1)}</td></tr>`).join("\n")}
</table>
${r.manualSteps.length > 0 ? `<h2>Manual steps to sign off</h2><ol>${r.manualSteps.map((m) => `<li>${e(m)}</li>`).join("")}</ol>` : ""}
<h2>Review</h2>
<p>After each drill the policy asks for a review of the procedures: <code>${e(r.runbook)}</code>.</p>
</body></html>
`;
}
