import type { Command } from "commander";
import { getRestoreJob, listRestoreJobs, type JobDeps, type JobView } from "../../app/jobs";
import { formatDuration } from "../../app/progress";
import { isJobId } from "../../core/jobs/job";
import { jobDeps } from "../../services";
import { CliExit, EXIT, formatBytes, servicesFor, type CliIo } from "../context";

const POLL_MS = 1000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** "running 42.5% (A 60%, B verified), 1 min 10 s left": a job's state in one line. */
export function jobLine(v: JobView, now = Date.now()): string {
  const items = v.progress.map((p) => `${p.kind === "container" ? "container " : ""}${p.name} ${p.verified ? "verified" : `${p.percent}%`}`).join(", ");
  const started = v.startedAt ? Date.parse(v.startedAt) : NaN;
  const elapsed = (now - started) / 1000;
  const left = v.state === "running" && v.percent > 0 && v.percent < 100 && elapsed > 0 ? `, ${formatDuration((elapsed * (100 - v.percent)) / v.percent)} left` : "";
  return `job ${v.id}: ${v.state} ${v.percent}%${items ? ` (${items})` : ""}${left}${v.retrying ? `; retrying after: ${v.retrying}` : ""}`;
}

/** A finished job, as the restore command prints a restore: one line per table and container. */
export function printJob(io: CliIo, v: JobView): void {
  io.stdout(`job ${v.id}: ${v.state}, point ${v.pointId} (${v.pointTime})${v.request.target.kind === "inPlace" ? ", in place" : ""}\n`);
  if (v.note) io.stdout(`NOTE: ${v.note}\n`);
  for (const t of v.verification ?? []) io.stdout(`  ${t.table} -> ${t.target}: ${t.entities} entities, ${t.deleted} removed, verified (digest ${t.digest.slice(0, 12)}…)\n`);
  for (const c of v.containers ?? []) io.stdout(`  container ${c.container} -> ${c.target}: ${c.files} files, ${formatBytes(c.bytes)}, ${c.deleted} removed\n`);
  if (v.safetyPointId) io.stdout(`safety backup: ${v.safetyPointId}\n`);
  if (v.error) io.stdout(`error: ${v.error}\n`);
}

/**
 * Follows a job until it ends, a progress line on stderr each time it changes; prints the
 * result. Throws CliExit(failure) when the job failed.
 */
export async function followJob(io: CliIo, deps: JobDeps, id: string, json: boolean): Promise<void> {
  let last = "";
  for (;;) {
    const v = await getRestoreJob(deps, id);
    const line = jobLine(v);
    if (line !== last && !io.quiet?.()) io.stderr(io.isTTY ? `\r\u001b[2K${line}` : `${line}\n`);
    last = line;
    if (v.state === "succeeded" || v.state === "failed") {
      if (io.isTTY && !io.quiet?.()) io.stderr("\n");
      if (json) io.stdout(JSON.stringify(v, null, 2) + "\n");
      else printJob(io, v);
      if (v.state === "failed") throw new CliExit(EXIT.failed, `restore job ${id} failed: ${v.error ?? "no reason recorded"}`);
      return;
    }
    await sleep(POLL_MS);
  }
}

/** `lifeboat jobs [id]`: recent restore jobs, or one job (followed with --follow). */
export function registerJobs(program: Command, io: CliIo): void {
  program
    .command("jobs")
    .description("restore jobs: the last week's, or one (with --follow, until it ends)")
    .argument("[id]", "a job id, e.g. r20261130t191800-a1b2c3")
    .option("--follow", "with an id: print progress until the job ends")
    .option("--json", "print JSON")
    .action(async (id: string | undefined, opts: { follow?: boolean; json?: boolean }) => {
      if (id !== undefined && !isJobId(id)) throw new CliExit(EXIT.usage, `id: must be a restore job id such as r20261130t191800-a1b2c3 (see: lifeboat jobs), got ${JSON.stringify(id)}`);
      const deps = jobDeps(servicesFor(io, program.opts<{ settings?: string }>().settings));
      if (id === undefined) {
        const jobs = await listRestoreJobs(deps, 50);
        if (opts.json) io.stdout(JSON.stringify(jobs, null, 2) + "\n");
        else for (const j of jobs) io.stdout(`${j.id}  ${j.state.padEnd(9)}  point ${j.pointId}  by ${j.operator}  created ${j.createdAt}\n`);
        return;
      }
      if (opts.follow) return followJob(io, deps, id, opts.json === true);
      const v = await getRestoreJob(deps, id);
      if (opts.json) io.stdout(JSON.stringify(v, null, 2) + "\n");
      else {
        io.stdout(`${jobLine(v)}\n`);
        if (v.state === "succeeded" || v.state === "failed") printJob(io, v);
      }
    });
}
