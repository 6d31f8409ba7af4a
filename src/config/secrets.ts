import { connectionStringSecrets } from "../core/audit/sanitize";
import type { Config } from "./load";

/** Secret setting values an audit entry must never contain (exact-match redaction on top of the patterns). */
export function settingSecrets(config: Config): string[] {
  const out: string[] = [];
  for (const c of [config.source, config.backup, config.audit, ...(config.failover ? [config.failover] : []), ...(config.drills.target ? [config.drills.target] : [])]) {
    if (c.kind === "connectionString") out.push(...connectionStringSecrets(c.connectionString.reveal()));
  }
  if (config.jobs.queue?.kind === "connectionString") out.push(...connectionStringSecrets(config.jobs.queue.connectionString.reveal()));
  if (config.key.kind === "env") out.push(config.key.keyBase64.reveal());
  return out;
}
