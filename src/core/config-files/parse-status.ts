import { scanEnv } from "./env-syntax";
import { jsonProblem } from "./json-syntax";
import { configFileKind } from "./kind";
import type { ParseStatus, SyntaxProblem } from "./types";
import { yamlProblem } from "./yaml-syntax";

export type { ConfigFileKind, ParseStatus, SyntaxProblem } from "./types";
export { configFileKind } from "./kind";

/** UTF-8 text of `content` without a leading BOM, or null when it is not valid UTF-8. */
function decodeUtf8(content: Buffer): string | null {
  try {
    // fatal: invalid bytes throw instead of becoming U+FFFD; ignoreBOM false strips a BOM.
    return new TextDecoder("utf-8", { fatal: true }).decode(content);
  } catch {
    return null;
  }
}

/**
 * Whether a configuration file parses, for the nightly config export. The kind comes
 * from the path ({@link configFileKind}): YAML (every `---` document, with the `yaml`
 * package), JSON (`JSON.parse`) or `.env` (dotenv-like rules, see env-syntax.ts); null
 * for any other file. Content must be UTF-8 (a BOM is allowed); otherwise the status is
 * a failure "not valid UTF-8". A failure holds the first problem: a message that never
 * quotes the file (it starts with "line L[, column C]: " when the position is known) and
 * 1-based `line`/`column` when known. Never throws.
 */
export function parseStatus(path: string, content: Buffer): ParseStatus {
  const kind = configFileKind(path);
  if (kind === null) return null;
  const text = decodeUtf8(content);
  if (text === null) return { kind, ok: false, message: "not valid UTF-8" };
  let problem: SyntaxProblem | null;
  if (kind === "yaml") problem = yamlProblem(text);
  else if (kind === "json") problem = jsonProblem(text);
  else {
    const scan = scanEnv(text);
    problem = scan.ok ? null : scan.problem;
  }
  return problem === null ? { kind, ok: true } : { kind, ok: false, ...problem };
}

/**
 * The variable names of a `.env` file — never its values — each once, in the order they
 * first appear (an `export ` prefix is not part of the name), for a listing. Returns []
 * when the content is not valid UTF-8 or not a valid `.env` file ({@link parseStatus}
 * says why). Never throws.
 */
export function envKeys(content: Buffer): string[] {
  const text = decodeUtf8(content);
  if (text === null) return [];
  const scan = scanEnv(text);
  return scan.ok ? [...new Set(scan.keys)] : [];
}
