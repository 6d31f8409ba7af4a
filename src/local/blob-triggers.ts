import { BlobServiceClient } from "@azure/storage-blob";
import { InvocationContext } from "@azure/functions";
import type { Registration } from "./functions-host";
import { triggerOf } from "./functions-host";

/** "%NAME%" parts of a binding path, replaced by the app settings as the host does. */
export function resolveBindingPath(path: string, env: Record<string, string | undefined>): string {
  return path.replace(/%([^%]+)%/g, (_, name: string) => {
    const v = env[name];
    if (v === undefined || v === "") throw new Error(`binding path ${path}: app setting ${name} is not set`);
    return v;
  });
}

/**
 * Delivers blob triggers the way Event Grid does in Azure: watches each trigger's
 * container and prefix (`container/prefix{name}`) every `everyMs`, and invokes the
 * handler once for each blob created after the watch started (Event Grid sends only new
 * blobs), with the blob's content and `triggerMetadata` { name, blobTrigger, uri }. The
 * connection setting names a connection string (as Azurite's is). Returns a stop function.
 */
export function watchBlobTriggers(registrations: readonly Registration[], env: Record<string, string | undefined>, log: (line: string) => void, everyMs = 5000): () => void {
  const timers: NodeJS.Timeout[] = [];
  for (const r of registrations.filter((x) => triggerOf(x).type === "blobTrigger")) {
    const t = triggerOf(r);
    const path = resolveBindingPath(String(t.path), env);
    const slash = path.indexOf("/");
    const container = path.slice(0, slash);
    const prefix = path.slice(slash + 1).replace(/\{[^}]+\}.*$/, "");
    const conn = env[String(t.connection)];
    if (!conn) {
      log(`blob trigger ${r.name}: connection ${String(t.connection)} is not a connection string here; not watched`);
      continue;
    }
    const client = BlobServiceClient.fromConnectionString(conn).getContainerClient(container);
    const seen = new Set<string>();
    let primed = false;
    let busy = false;
    const poll = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      try {
        const fresh: string[] = [];
        if (await client.exists()) for await (const b of client.listBlobsFlat({ prefix })) if (!seen.has(b.name)) fresh.push(b.name);
        for (const name of fresh) {
          seen.add(name);
          if (!primed) continue;
          const context = new InvocationContext({
            functionName: r.name,
            invocationId: crypto.randomUUID(),
            triggerMetadata: { name: name.slice(prefix.length), blobTrigger: `${container}/${name}`, uri: client.getBlobClient(name).url },
            logHandler: (level, ...args) => log(`[${r.name}] ${level === "information" ? "" : `${level}: `}${args.map(String).join(" ")}`),
          });
          const content = await client.getBlobClient(name).downloadToBuffer();
          await Promise.resolve(r.handler(content, context)).catch((err: unknown) => log(`[${r.name}] FAILED: ${err instanceof Error ? err.message : String(err)}`));
        }
        primed = true;
      } catch (err) {
        log(`blob trigger ${r.name}: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        busy = false;
      }
    };
    log(`blob trigger ${r.name}: watching ${container}/${prefix}* (as Event Grid delivers new blobs)`);
    void poll();
    const timer = setInterval(() => void poll(), everyMs);
    timer.unref();
    timers.push(timer);
  }
  return () => timers.forEach((t) => clearInterval(t));
}
