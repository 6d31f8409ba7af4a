import { ensureErrorType, LifeboatError } from "../../core/errors";

/** How one check ended. Only "fail" makes the doctor fail. */
export type CheckStatus = "ok" | "warn" | "fail";

/** One line of the doctor's report: what was checked, how it went, and for a failure what to do. */
export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

/** A store's label, as StoreError carries it (see adapters/store-errors). */
interface LabelledError {
  label: { role: string; endpoint: string; setting: string; needs: string };
}

function hasLabel(err: unknown): err is Error & LabelledError {
  return typeof err === "object" && err !== null && "label" in err && typeof (err as LabelledError).label?.setting === "string";
}

/** What to do about an error a check met: grant the role, check the setting, or the error's own advice. */
export function fixFor(err: unknown, fallback: string): string {
  if (err instanceof LifeboatError && hasLabel(err)) {
    const l = err.label;
    if (err.code === "STORE.DENIED") return `grant Lifeboat's identity ${l.needs} on ${l.endpoint}, or fix the credential in ${l.setting}`;
    if (err.code === "STORE.UNAVAILABLE") return `check ${l.setting} names the right account, that it is up, and that this host can reach ${l.endpoint}`;
    return `see the error above; ${l.setting} names the store`;
  }
  return fallback;
}

/**
 * Runs one check: its body returns the detail (and optionally a warning); a throw is a
 * failure whose detail is the error's message and whose fix comes from `fix`.
 */
export async function check(
  name: string,
  body: () => Promise<string | { status: CheckStatus; detail: string; fix?: string }>,
  fix: (err: unknown) => string,
): Promise<Check> {
  try {
    const r = await body();
    return typeof r === "string" ? { name, status: "ok", detail: r } : { name, ...r };
  } catch (err) {
    const e = ensureErrorType(err);
    return { name, status: "fail", detail: e instanceof LifeboatError ? `${e.code}: ${e.message}` : e.message, fix: fix(err) };
  }
}
