/** The kinds of configuration file whose syntax Lifeboat checks. */
export type ConfigFileKind = "yaml" | "json" | "env";

/**
 * Where and why a file does not parse. `message` never holds text from the file
 * (configuration files hold secrets); it starts with the position when known, e.g.
 * "line 3: expected KEY=VALUE" or "line 2, column 8: Unexpected token". `line` and
 * `column` are 1-based.
 */
export interface SyntaxProblem {
  message: string;
  line?: number;
  column?: number;
}

/**
 * Whether a configuration file parses: `{ kind, ok: true }`, `{ kind, ok: false,
 * message, line?, column? }`, or null when the file is not YAML, JSON or .env.
 */
export type ParseStatus = { kind: ConfigFileKind; ok: true } | ({ kind: ConfigFileKind; ok: false } & SyntaxProblem) | null;

/** "line L, column C: ", "line L: " or "" — the prefix of a problem message. Never throws. */
export function positionPrefix(line: number | undefined, column: number | undefined): string {
  if (line === undefined) return "";
  return column === undefined ? `line ${line}: ` : `line ${line}, column ${column}: `;
}
