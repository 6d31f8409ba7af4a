import "../../src/local/install-core";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDrill } from "../../src/app/drills";
import { takeBackup } from "../../src/app/backup/take-backup";
import { loadConfig } from "../../src/config";
import { registeredFunctions } from "../../src/local/functions-host";
import { serveHttpFunctions } from "../../src/local/http-bridge";
import { createServices, drillDeps } from "../../src/services";
import { uniqueTable } from "../helpers/names";
import { jobSettings } from "../helpers/services";
import { makeRecords, seedTable } from "../helpers/table-fixtures";
import { flipByte, someDataFile } from "../helpers/tamper";

/*
 * The on-call status page in a real browser: Debian's chromium (installed by .ci/run with
 * apt), driven by playwright-core, against the functions served the way `npm start`
 * serves them, over a seeded Azurite state.
 */

const CHROMIUM = process.env.LIFEBOAT_CHROMIUM ?? "/usr/bin/chromium";
const ARTIFACTS = join(__dirname, "..", "..", "test-artifacts");
let server: Server;
let browser: Browser;
let base: string;
const tables = [uniqueTable("DashA"), uniqueTable("DashB")];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: .ci/run installs Debian's chromium (apt-get install chromium); set LIFEBOAT_CHROMIUM to use another`);
  const settings = jobSettings(tables);
  for (const [k, v] of Object.entries(settings)) process.env[k] = v;
  const s = createServices(loadConfig(settings));
  for (const t of tables) await seedTable(s.source, t, makeRecords(40, 1, 2));
  expect((await takeBackup(s, { operator: "test", kind: "full", waitForLockSeconds: 0 })).status).toBe("committed");
  // A drill that passed, then one that failed (a corrupted data file).
  expect((await runDrill(drillDeps(s), { kind: "restore-test", operator: "test" })).outcome).toBe("passed");
  await flipByte(s.repo, await someDataFile(s.repo));
  expect((await runDrill(drillDeps(s), { kind: "restore-test", operator: "test" })).outcome).toBe("failed");

  // Every function module, registered as the host would load them, served as npm start does.
  const dir = join(__dirname, "../../src/functions");
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".ts")).sort()) await import(join(dir, f));
  server = await serveHttpFunctions(registeredFunctions(), 0, () => undefined);
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

describe("the on-call status page", () => {
  it("loads with no console error and no failed request, shows each seeded table and the failed drill, and is saved as a screenshot", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
    page.on("response", (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    const requested: string[] = [];
    page.on("request", (r) => requested.push(new URL(r.url()).pathname));

    const res = await page.goto(`${base}/api/dashboard?code=test-key`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()["content-security-policy"]).toMatch(/script-src 'sha256-/);
    await expect.poll(() => page.locator("body").innerText(), { timeout: 30_000 }).not.toContain("loading…");

    const text = await page.locator("main").innerText();
    for (const t of tables) expect(text).toContain(t);
    expect(await page.locator("#drills").innerText()).toMatch(/restore-test\s+failed/);
    expect(await page.locator("#drills").innerText()).toMatch(/projected full restore/);
    expect(await page.locator("#rpo").innerText()).toContain("HEALTHY");
    expect(await page.locator("#audit").innerText()).toMatch(/drill\s+failed/);
    expect(await page.locator("#timeline svg circle").count()).toBe(1);
    // Everything it loaded came from this app: the page and its JSON endpoints, nothing else.
    expect(requested.every((p) => p.startsWith("/api/"))).toBe(true);
    expect(new Set(requested)).toEqual(new Set(["/api/dashboard", "/api/status", "/api/points", "/api/drills", "/api/restores", "/api/endpoint", "/api/audit"]));
    expect(problems).toEqual([]);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard.png"), fullPage: true });
    // Readable on a phone: nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    type Doc = { document: { documentElement: { scrollWidth: number } } };
    expect(await page.evaluate(() => (globalThis as unknown as Doc).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-phone.png"), fullPage: true });
    expect(existsSync(join(ARTIFACTS, "dashboard.png"))).toBe(true);
    await page.close();
  }, 120_000);
});
