import { ensureErrorType } from "../../core/errors";
import type { AppContext } from "../context";
import { listPoints, loadManifest } from "../repo/catalog";
import { checkRpo } from "../status/check-rpo";
import { coverage } from "../status/get-status";
import { check, fixFor, type Check } from "./checks";

/** The doctor's report: one check per line; `ok` when none failed (warnings allowed). */
export interface DoctorReport {
  ok: boolean;
  checks: Check[];
}

/** How far the local clock may be from the service's before the doctor warns: a tenth of the overlap, at least a second. */
function clockTolerance(overlapSeconds: number): number {
  return Math.max(overlapSeconds * 100, 1000);
}

/**
 * Checks that Lifeboat can do its job right now, each store with the access it needs:
 * the source tables listed and read, the local clock against the storage service's, the
 * backup store written (a lock lease) and listed, the key-encryption key read and able to
 * open the newest point, the newest point's age against the RPO, and the audit chain
 * verified over the last day. With `probeAppend` the run itself is appended to the audit
 * log (the CLI's `doctor`), which proves the log takes entries; without it (GET
 * /api/health) nothing is written. Never throws: every failure is a failed check.
 */
export async function runDoctor(ctx: AppContext, opts: { operator: string; probeAppend: boolean; now?: () => Date }): Promise<DoctorReport> {
  const now = opts.now ?? (() => new Date());
  const cfg = ctx.config;
  const checks: Check[] = [];
  let serviceTime: Date | undefined;
  let localAtRead = 0;

  checks.push(
    await check(
      "source tables",
      async () => {
        const names = cfg.tables === "*" ? (await coverage(ctx)).included : cfg.tables;
        const missing: string[] = [];
        for (const t of cfg.tables === "*" ? [] : names) if (!(await ctx.source.tableExists(t))) missing.push(t);
        if (missing.length > 0) {
          return { status: "fail", detail: `configured table(s) ${missing.join(", ")} do not exist in the source account`, fix: "create them, or take them out of LIFEBOAT_TABLES" };
        }
        const first = names[0];
        if (first === undefined) return { status: "warn", detail: "the source account has no tables to back up", fix: "check LIFEBOAT_SOURCE names the right account" };
        localAtRead = now().getTime();
        for await (const page of ctx.source.scan(first, { pageSize: 1, onServiceTime: (d) => (serviceTime = d) })) {
          void page;
          break;
        }
        return `${names.length} table(s) (${names.slice(0, 5).join(", ")}${names.length > 5 ? ", …" : ""}); ${first} readable`;
      },
      (err) => fixFor(err, "check LIFEBOAT_SOURCE"),
    ),
  );

  checks.push(
    await check(
      "clock",
      async () => {
        if (!serviceTime) return { status: "warn", detail: "not measured (no source table could be read)" };
        // The service's Date has whole seconds: up to a second of the offset is that.
        const ahead = localAtRead - serviceTime.getTime();
        const text = `local clock ${(Math.abs(ahead) / 1000).toFixed(1)} s ${ahead >= 0 ? "ahead of" : "behind"} the storage service`;
        if (Math.abs(ahead) <= clockTolerance(cfg.overlapSeconds)) return text;
        return { status: "warn", detail: `${text}: more than a tenth of LIFEBOAT_OVERLAP_SECONDS (watermarks use the service's clock; point times and RPO ages do not)`, fix: "fix the host's time synchronisation (NTP)" };
      },
      () => "",
    ),
  );

  if (cfg.containers.length > 0 || cfg.configContainers.length > 0) {
    checks.push(
      await check(
        "source containers",
        async () => {
          if (!ctx.blobs) return { status: "fail", detail: "containers are configured but the source has no blob endpoint", fix: "set LIFEBOAT_SOURCE__blobServiceUri" };
          const names = [...new Set([...cfg.containers, ...cfg.configContainers])];
          const missing: string[] = [];
          for (const c of names) if (!(await ctx.blobs.containerExists(c))) missing.push(c);
          if (missing.length > 0) return { status: "fail", detail: `container(s) ${missing.join(", ")} do not exist in the source account`, fix: "create them, or take them out of LIFEBOAT_CONTAINERS / LIFEBOAT_CONFIG_CONTAINERS" };
          return `${names.join(", ")} readable`;
        },
        (err) => fixFor(err, "check LIFEBOAT_SOURCE and LIFEBOAT_CONTAINERS"),
      ),
    );
  }

  let points: Awaited<ReturnType<typeof listPoints>> | undefined;
  checks.push(
    await check(
      "backup store",
      async () => {
        await ctx.repo.ensure();
        const lock = await ctx.repo.tryLock("doctor", 0);
        await lock?.release();
        points = await listPoints(ctx.repo);
        return `${ctx.repo.description}: writable (a lock lease taken and released), ${points.length} restore point(s)`;
      },
      (err) => fixFor(err, "check LIFEBOAT_BACKUP and LIFEBOAT_BACKUP_CONTAINER"),
    ),
  );

  if (ctx.secondary) {
    const secondary = ctx.secondary;
    checks.push(
      await check(
        "secondary store",
        async () => {
          await secondary.ensure();
          const there = new Set((await listPoints(secondary)).map((p) => p.id));
          const behind = (points ?? []).filter((p) => !there.has(p.id)).length;
          if (behind > 0) return { status: "warn", detail: `${secondary.description}: writable; ${behind} point(s) not copied yet`, fix: "the next backup copies them; if this stays, check the secondary's log lines (lifeboat.event=secondary_copy_failed)" };
          return `${secondary.description}: writable; holds every point of the primary`;
        },
        (err) => fixFor(err, "check LIFEBOAT_SECONDARY or LIFEBOAT_SECONDARY_PATH"),
      ),
    );
  }

  checks.push(
    await check(
      "key",
      async () => {
        const kek = await ctx.keys.active();
        if (!points) return { status: "warn", detail: `${kek.id} readable; not tried on a point (the backup store could not be listed)` };
        const newest = points.at(-1);
        if (!newest) return `${kek.id} readable; no restore point to open yet`;
        try {
          const m = await loadManifest(ctx.repo, ctx.keys, newest.id);
          return `${kek.id} readable; opens the newest point ${newest.id} (sealed with ${m.kekId})`;
        } catch (err) {
          return {
            status: "fail",
            detail: `${kek.id} is readable but cannot open the newest point ${newest.id}: ${ensureErrorType(err).message}`,
            fix: "set LIFEBOAT_KEK (or LIFEBOAT_KEY_VAULT_URI + LIFEBOAT_KEK_SECRET) to the key the backups were written with; never delete old Key Vault versions",
          };
        }
      },
      (err) => fixFor(err, "check LIFEBOAT_KEK, or LIFEBOAT_KEY_VAULT_URI and LIFEBOAT_KEK_SECRET, and that the identity has Key Vault Secrets User"),
    ),
  );

  const replication = ctx.kekReplication;
  if (replication) checks.push(await keyCopyCheck(replication));

  checks.push(
    await check(
      "RPO",
      async () => {
        const { status, breach, oldestMinutes } = await checkRpo(ctx, now);
        if (breach) return { status: "fail", detail: `outside RPO_MINUTES=${status.rpoMinutes}: ${breach}`, fix: "take a point now (lifeboat backup), then find why the incrementalBackup timer has not (its log: lifeboat.event=backup_failed)" };
        return `every table has a point within ${status.rpoMinutes} min (oldest newest point ${oldestMinutes} min old)`;
      },
      (err) => fixFor(err, "check LIFEBOAT_BACKUP"),
    ),
  );

  checks.push(
    await check(
      "audit log",
      async () => {
        const since = new Date(now().getTime() - 24 * 3600 * 1000);
        const v = await ctx.audit.verify({ from: since });
        if (!v.ok) return { status: "fail", detail: `${v.problems.length} problem(s) in the last day; first: ${v.firstBroken?.message ?? "?"}`, fix: "run lifeboat audit verify for the details, and treat it as a security incident" };
        return `${ctx.audit.description}: chain verified over the last day (${v.entries} entries${v.lastSeq !== null ? `, head seq ${v.lastSeq}` : ""})${opts.probeAppend ? "" : "; append not probed (a health check writes nothing)"}`;
      },
      (err) => fixFor(err, "check LIFEBOAT_AUDIT (default: the backup account)"),
    ),
  );

  if (opts.probeAppend) {
    const failed = checks.filter((c) => c.status === "fail").map((c) => c.name);
    const appended = await check(
      "audit append",
      async () => {
        const e = await ctx.audit.record({
          operator: opts.operator,
          action: "doctor",
          outcome: failed.length === 0 ? "succeeded" : "failed",
          ...(failed.length > 0 ? { error: `failed checks: ${failed.join(", ")}` } : {}),
          details: { checks: checks.map((c) => ({ name: c.name, status: c.status })) },
        });
        return `this run is audit entry seq ${e.seq}`;
      },
      (err) => fixFor(err, "grant Lifeboat's identity Storage Table Data Contributor on the audit table"),
    );
    checks.push(appended);
  }
  return { ok: checks.every((c) => c.status !== "fail"), checks };
}

/**
 * The KEK's copy in the second vault against the primary's active KEK, by id (never by
 * value): the copy must hold it and name it as its newest. With the primary unreachable
 * the copy alone is checked (a warning: the copy is what backups and restores use now).
 */
async function keyCopyCheck(replication: NonNullable<AppContext["kekReplication"]>): Promise<Check> {
  const fix = "run lifeboat kek sync (needs Key Vault Secrets Officer on the secondary vault), after every KEK rotation too";
  return check(
    "key copy",
    async () => {
      let primaryId: string;
      try {
        primaryId = (await replication.primary.active()).id;
      } catch (err) {
        const copyId = await replication.replica.activeId();
        if (!copyId) throw err;
        return { status: "warn", detail: `the primary vault is unavailable (${ensureErrorType(err).message}); the copy in ${replication.replica.description} holds ${copyId} and is used instead` };
      }
      const has = await replication.replica.has(primaryId);
      const copyId = await replication.replica.activeId();
      if (has && copyId === primaryId) return `${replication.replica.description} holds ${primaryId}, the primary's active KEK`;
      const detail = has
        ? `${replication.replica.description} holds ${primaryId} but names ${copyId ?? "nothing"} as its newest`
        : `${replication.replica.description} lacks ${primaryId}, the primary's active KEK${copyId ? ` (its newest is ${copyId})` : " (it holds no copy yet)"}: with the primary region down, new points could not be written and this key's points could not be opened`;
      return { status: "fail", detail, fix };
    },
    (err) => fixFor(err, `check LIFEBOAT_KEY_VAULT_URI_SECONDARY and that the identity has Key Vault Secrets User there; then ${fix}`),
  );
}
