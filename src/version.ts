import { readFileSync } from "node:fs";
import { join } from "node:path";

function readVersion(): string {
  // src/version.ts and dist/src/version.js both sit two or three levels below package.json.
  for (const up of ["..", "../.."]) {
    try {
      const pkg = JSON.parse(readFileSync(join(__dirname, up, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "lifeboat" && pkg.version) return pkg.version;
    } catch {
      // try the next level
    }
  }
  return "0.0.0";
}

/** The tool name and version recorded in every manifest. */
export const TOOL = { name: "lifeboat", version: readVersion() } as const;
