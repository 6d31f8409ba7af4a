import { parseAllDocuments, type YAMLError } from "yaml";
import { positionPrefix, type SyntaxProblem } from "./types";

/**
 * What each `yaml` package error code means, in our own words. The package's own
 * messages are not used: some quote the source (an escape sequence, a tag, an
 * unexpected token, a code excerpt), and configuration files hold secrets.
 */
const YAML_ERRORS: Readonly<Record<string, string>> = {
  ALIAS_PROPS: "an alias cannot have an anchor or a tag",
  BAD_ALIAS: "invalid alias",
  BAD_COLLECTION_TYPE: "the tag does not match the collection type",
  BAD_DIRECTIVE: "invalid directive",
  BAD_DQ_ESCAPE: "invalid escape sequence in a double-quoted string",
  BAD_INDENT: "bad indentation",
  BAD_PROP_ORDER: "anchors and tags must follow the indicator",
  BAD_SCALAR_START: "a plain value cannot start with this character",
  BLOCK_AS_IMPLICIT_KEY: "nested mappings are not allowed in compact mappings",
  BLOCK_IN_FLOW: "block collections are not allowed inside flow collections",
  DUPLICATE_KEY: "duplicate key",
  IMPOSSIBLE: "the parser failed",
  KEY_OVER_1024_CHARS: "an implicit key is longer than 1024 characters",
  MISSING_CHAR: "a character is missing (a closing quote or bracket, a comma, a colon or a value)",
  MULTILINE_IMPLICIT_KEY: "implicit keys must be on a single line",
  MULTIPLE_ANCHORS: "a node can have only one anchor",
  MULTIPLE_DOCS: "more than one document",
  MULTIPLE_TAGS: "a node can have only one tag",
  NON_STRING_KEY: "a key is not a string",
  RESOURCE_EXHAUSTION: "too many alias expansions",
  TAB_AS_INDENT: "tabs are not allowed as indentation",
  TAG_RESOLVE_FAILED: "unresolved tag",
  UNEXPECTED_TOKEN: "unexpected token",
};

function describe(e: YAMLError): SyntaxProblem {
  const code = typeof e.code === "string" && /^[A-Z0-9_]+$/.test(e.code) ? e.code : undefined;
  const what = code === undefined ? "invalid YAML" : `${YAML_ERRORS[code] ?? "invalid YAML"} (${code})`;
  const at = e.linePos?.[0];
  const line = at && at.line > 0 ? at.line : undefined;
  const column = line !== undefined && at && at.col > 0 ? at.col : undefined;
  return { message: `${positionPrefix(line, column)}${what}`, ...(line !== undefined ? { line } : {}), ...(column !== undefined ? { column } : {}) };
}

/**
 * The first syntax error of a YAML text (all its documents, `---`-separated), or null
 * when it parses. "First" is the earliest in the text; warnings (an unknown directive
 * or tag) are not errors. The message is a fixed description and the package's error
 * code, never source text; line and column are 1-based. Never throws (a parser crash is
 * reported as a problem without a position).
 */
export function yamlProblem(text: string): SyntaxProblem | null {
  let errors: YAMLError[];
  try {
    const docs = parseAllDocuments(text);
    errors = "empty" in docs ? [...docs.errors] : docs.flatMap((d) => d.errors);
  } catch {
    return { message: "invalid YAML (the parser failed)" };
  }
  if (errors.length === 0) return null;
  const first = errors.reduce((a, b) => (b.pos[0] < a.pos[0] ? b : a));
  return describe(first);
}
