import type { PrimaryApp } from "../app/ports/PrimaryApp";

/** The primary app over HTTPS: GET <url>/api/ping must answer 200 within `timeoutMs`. */
export class HttpPrimaryApp implements PrimaryApp {
  constructor(
    readonly url: string,
    private readonly timeoutMs = 5000,
  ) {}

  async ping(): Promise<string | null> {
    try {
      const res = await fetch(`${this.url}/api/ping`, { signal: AbortSignal.timeout(this.timeoutMs), headers: { accept: "application/json" } });
      await res.arrayBuffer().catch(() => undefined);
      return res.status === 200 ? null : `the primary app at ${this.url} answered ${res.status}`;
    } catch (err) {
      const cause = err instanceof Error ? (err.name === "TimeoutError" ? `no answer within ${this.timeoutMs / 1000} s` : ((err.cause as { code?: string } | undefined)?.code ?? err.message)) : String(err);
      return `the primary app at ${this.url} does not answer (${cause})`;
    }
  }
}
