import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { describe, expect, it } from "vitest";

/*
 * The layering rules of src/, checked on every import:
 * - core/ (pure logic) and format/ (the archive format) import nothing from the layers
 *   above them (app/, config/, adapters/, functions/, cli/, local/, services, index) and
 *   no Azure package; core/ does not import format/ either.
 * - Azure packages (@azure/*) are imported only in adapters/ (the SDKs), functions/ and
 *   local/ (the Functions programming model and its local stand-in), and by the entry
 *   point index.ts (app.setup).
 */

const SRC = resolve(__dirname, "../../src");

/** Every module specifier a TypeScript source imports, statically or dynamically. */
export function importsOf(source: string): string[] {
  const out: string[] = [];
  const re = /(?:^|[^\w.])(?:import|export)\s[^"'`;]*?from\s*["']([^"']+)["']|(?:^|[^\w.])import\s*["']([^"']+)["']|(?:import|require)\s*\(\s*["']([^"']+)["']\s*\)/gm;
  for (const m of source.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

const UPPER = ["app", "config", "adapters", "functions", "cli", "local", "services", "index"];
const AZURE_ALLOWED = ["adapters", "functions", "local", "index"];

/** The top-level part of src/ a path is in: "core", "app", "services", … */
function layerOf(srcRelative: string): string {
  return srcRelative.split("/")[0]!.replace(/\.ts$/, "");
}

/** The rule a file (path relative to src/) breaks by importing `spec`, or null. */
export function violation(file: string, spec: string): string | null {
  const from = layerOf(file);
  if (spec.startsWith("@azure/")) {
    if (from === "core" || from === "format") return `${from}/ must not import Azure packages (${spec})`;
    if (!AZURE_ALLOWED.includes(from)) return `Azure packages are imported only in adapters/, functions/, local/ (${file} imports ${spec})`;
    return null;
  }
  if (!spec.startsWith(".")) return null;
  const target = relative(SRC, resolve(dirname(join(SRC, file)), spec)).replace(/\\/g, "/");
  if (target.startsWith("..")) return null;
  const to = layerOf(target);
  if ((from === "core" || from === "format") && UPPER.includes(to)) return `${from}/ must not import from ${to} (${file} imports ${spec})`;
  if (from === "core" && to === "format") return `core/ must not import from format/ (${file} imports ${spec})`;
  return null;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith(".ts") ? [p] : [];
  });
}

describe("layering", () => {
  it("every import in src/ keeps to the layering rules", () => {
    const broken: string[] = [];
    for (const abs of sources(SRC)) {
      const file = relative(SRC, abs).replace(/\\/g, "/");
      for (const spec of importsOf(readFileSync(abs, "utf8"))) {
        const v = violation(file, spec);
        if (v) broken.push(v);
      }
    }
    expect(broken).toEqual([]);
  });

  it("finds every kind of import statement", () => {
    const src = [
      'import { a } from "./a";',
      "import type { B } from '../b';",
      'export { c } from "./c";',
      'import "./side-effect";',
      'const d = await import("./d");',
      'const e = require("@azure/e");',
      'import {\n  f,\n  g,\n} from "./fg";',
    ].join("\n");
    expect(importsOf(src)).toEqual(["./a", "../b", "./c", "./side-effect", "./d", "@azure/e", "./fg"]);
  });

  it("names each kind of broken rule", () => {
    expect(violation("core/entity/codec.ts", "../../app/ports/KeyProvider")).toMatch(/core\/ must not import from app/);
    expect(violation("format/chunk.ts", "../config")).toMatch(/format\/ must not import from config/);
    expect(violation("format/chunk.ts", "../services")).toMatch(/format\/ must not import from services/);
    expect(violation("core/policy/rpo.ts", "../../format/manifest")).toMatch(/core\/ must not import from format/);
    expect(violation("core/hash.ts", "@azure/storage-blob")).toMatch(/must not import Azure/);
    expect(violation("app/backup/run-backup.ts", "@azure/data-tables")).toMatch(/only in adapters/);
    expect(violation("services.ts", "@azure/core-auth")).toMatch(/only in adapters/);
    expect(violation("cli/main.ts", "@azure/identity")).toMatch(/only in adapters/);
  });

  it("allows what the layers are for", () => {
    expect(violation("format/chunk.ts", "../core/errors")).toBeNull();
    expect(violation("app/backup/run-backup.ts", "../../format/manifest")).toBeNull();
    expect(violation("adapters/azure/clients.ts", "@azure/data-tables")).toBeNull();
    expect(violation("functions/status.ts", "@azure/functions")).toBeNull();
    expect(violation("index.ts", "@azure/functions")).toBeNull();
    expect(violation("core/entity/codec.ts", "node:crypto")).toBeNull();
    expect(violation("format/manifest.ts", "zod")).toBeNull();
  });
});
