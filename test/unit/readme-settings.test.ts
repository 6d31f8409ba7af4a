import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SETTING_NAMES } from "../../src/config";

/*
 * The README's Settings section documents every setting the schema reads: a setting
 * added in src/config/ without a line in the README fails here. Identity-form settings
 * (`X__tableServiceUri`, `X__clientId`, …) count when the README names `X` and the suffix.
 */
describe("README documents every setting", () => {
  it("names each setting the schema reads (and each identity suffix)", () => {
    const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
    const missing = SETTING_NAMES.filter((name) => {
      const [base, suffix] = name.split("__") as [string, string | undefined];
      return !readme.includes(`\`${base}`) || (suffix !== undefined && !readme.includes(`__${suffix}`));
    });
    expect(missing).toEqual([]);
  });
});
