import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The `Values` of local.settings.json, or of local.settings.example.json when there is
 * none, with the environment taking precedence. Returns the file it used too.
 */
export function loadLocalSettings(dir: string, env: Record<string, string | undefined>): { file: string | null; values: Record<string, string> } {
  for (const name of ["local.settings.json", "local.settings.example.json"]) {
    const file = join(dir, name);
    if (!existsSync(file)) continue;
    const parsed = JSON.parse(readFileSync(file, "utf8")) as { Values?: Record<string, unknown> };
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed.Values ?? {})) if (typeof v === "string") values[k] = v;
    for (const [k, v] of Object.entries(env)) if (v !== undefined && k in values) values[k] = v;
    return { file, values };
  }
  return { file: null, values: {} };
}
