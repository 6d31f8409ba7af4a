/**
 * `npm run -s build && node --max-old-space-size=128 dist/bench/csv-validate.js [--mb 1024]`
 *
 * The memory bound of `lifeboat import-csv`'s validation pass (the pass that reads the whole
 * file; apply's writing pass adds only the table writer's bounded buffer): streams a
 * synthetic typed CSV of the given size (default 1024 MiB, generated on the fly, never held
 * whole) through the same reader and checker the import uses (csv-parse, the UTF-8 scanner,
 * every row decoded and checked, the duplicate-key set), sampling RSS and heap every 100 ms.
 * The key set grows by ~36 bytes a row (KeyStates, off the V8 heap); nothing else grows with
 * the file. Prints, as the last line:
 *   bench-csv: mib=<n> rows=<n> mib_per_s=<x> peak_rss_mb=<n> peak_heap_mb=<n> key_set_mb=<n>
 * Exits non-zero when the checker reports an error (the generated file is valid).
 */
import { memoryUsage } from "node:process";
import { readCsv } from "../src/app/csv/csv-reader";
import { CsvChecker } from "../src/core/csv/check";

const mibArg = process.argv.indexOf("--mb");
const MIB = mibArg >= 0 ? Number(process.argv[mibArg + 1]) : 1024;
const TOTAL = MIB * 1024 * 1024;
const CHUNK = 256 * 1024;

/** A typed CSV of about TOTAL bytes, chunk by chunk: awkward values (quotes, commas, CRLF, Int64, Doubles). */
async function* synthetic(): AsyncGenerator<Buffer> {
  let sent = 0;
  let row = 0;
  let text = "PartitionKey,RowKey,Timestamp,Name,Name@type,Big,Big@type,Score,Score@type,Note,Note@type,When,When@type\r\n";
  while (sent < TOTAL) {
    while (text.length < CHUNK) {
      const i = row++;
      text +=
        `p${String(i % 5000).padStart(5, "0")},r${String(i).padStart(12, "0")},,customer ${i},String,${9007199254740993n + BigInt(i)},Int64,${(i % 1000) / 8},Double,` +
        `"says ""hi"", then\r\nleaves ${i}",String,2020-01-01T00:00:00.${String(i % 10_000_000).padStart(7, "0")}Z,DateTime\r\n`;
    }
    const b = Buffer.from(text, "utf8");
    text = "";
    sent += b.length;
    yield b;
  }
}

async function main(): Promise<void> {
  let peakRss = 0;
  let peakHeap = 0;
  const sample = (): void => {
    const m = memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const timer = setInterval(sample, 100);
  const checker = new CsvChecker({ inferTypes: false });
  const started = Date.now();
  let bytes = 0;
  let lastReport = started;
  await readCsv(synthetic, {
    row: (cells, line) => void checker.row(cells, line),
    problem: (e) => checker.problem(e),
    bytes: (n) => {
      bytes += n;
      if (Date.now() - lastReport > 5000) {
        lastReport = Date.now();
        process.stderr.write(`validate: ${(bytes / 2 ** 20).toFixed(0)} MiB, ${checker.rows} rows, rss ${(memoryUsage().rss / 2 ** 20).toFixed(0)} MB\n`);
      }
    },
  });
  const ok = checker.finish();
  clearInterval(timer);
  sample();
  const secs = (Date.now() - started) / 1000;
  if (!ok) {
    process.stderr.write(`bench-csv: the checker found errors in a valid file: ${JSON.stringify(checker.errors.slice(0, 3))}\n`);
    process.exitCode = 1;
  }
  const keySetMb = Math.round((checker.rows * 36) / 2 ** 20);
  process.stdout.write(
    `bench-csv: mib=${(bytes / 2 ** 20).toFixed(0)} rows=${checker.rows} mib_per_s=${(bytes / 2 ** 20 / secs).toFixed(1)} peak_rss_mb=${Math.round(peakRss / 2 ** 20)} peak_heap_mb=${Math.round(peakHeap / 2 ** 20)} key_set_mb≈${keySetMb}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-csv failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
