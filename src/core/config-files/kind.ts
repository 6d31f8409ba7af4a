import type { ConfigFileKind } from "./types";

/**
 * The kind of configuration file a path names, by its file name (case-insensitive):
 * `*.yaml`/`*.yml` → "yaml", `*.json` → "json", `*.env` or a file named `.env` or
 * `.env.<anything>` (`.env.production`) → "env"; null for anything else. The YAML and
 * JSON extensions win, so `.env.json` is JSON. Both `/` and `\` separate directories.
 * Never throws.
 */
export function configFileKind(path: string): ConfigFileKind | null {
  const name = (path.split(/[/\\]/).pop() ?? "").toLowerCase();
  if (name.endsWith(".yaml") || name.endsWith(".yml")) return "yaml";
  if (name.endsWith(".json")) return "json";
  if (name.endsWith(".env") || name.startsWith(".env.")) return "env";
  return null;
}
