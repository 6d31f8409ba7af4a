import { LifeboatError, type ErrorCode } from "../core/errors";
import { codeOf, statusOf } from "./azure/clients";

/** What a store is to Lifeboat, for messages that say where to look. Never holds a key or SAS. */
export interface StoreLabel {
  /** "source tables", "backup store", "audit log", … */
  role: string;
  /** The service endpoint, without query string (no SAS). */
  endpoint: string;
  /** The setting that names it, e.g. LIFEBOAT_BACKUP. */
  setting: string;
  /** The Azure role Lifeboat's identity needs there, e.g. "Storage Blob Data Contributor". */
  needs: string;
}

/** A store failed in a way that is about the store, not the data: unreachable, denied, or erring. */
export class StoreError extends LifeboatError {
  override readonly name = "StoreError";
  constructor(code: ErrorCode, readonly label: StoreLabel, cause: string, options?: { cause?: unknown }) {
    super(code, `${label.role} (${label.endpoint}, ${label.setting}): ${cause}`, options);
  }
}

/** An endpoint URL as safe to show: origin and path, never the query (a SAS) or credentials. */
export function safeEndpoint(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/$/, "")}`;
  } catch {
    return "(unparsable endpoint)";
  }
}

const NETWORK: Record<string, string> = {
  ECONNREFUSED: "connection refused (nothing answers there: is the account name right, is the service up, is a firewall in the way?)",
  ENOTFOUND: "DNS name not found (check the account name or endpoint)",
  EAI_AGAIN: "DNS lookup failed (no name server answered)",
  ETIMEDOUT: "timed out (the network path or the service is not answering)",
  ECONNRESET: "connection reset by the other end",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
};

/**
 * The cause of a failed store call in words, and the code it maps to; null for errors
 * that are Lifeboat's own (they already say what they mean). Never includes a key, SAS
 * or entity value: SDK messages are reduced to their first line without request ids.
 */
export function describeStoreFailure(err: unknown, label: StoreLabel): { code: ErrorCode; text: string } | null {
  if (err instanceof LifeboatError) return null;
  const status = statusOf(err);
  const code = codeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  const net = Object.keys(NETWORK).find((k) => code === k || message.includes(k));
  if (net) return { code: "STORE.UNAVAILABLE", text: NETWORK[net]! };
  if (err instanceof Error && err.name === "CredentialUnavailableError") {
    return { code: "STORE.DENIED", text: "no Entra ID credential is available (a managed identity in Azure; az login for the CLI)" };
  }
  if (status === 403 && code === "AuthenticationFailed") return { code: "STORE.DENIED", text: "403 AuthenticationFailed: the account key or SAS is not accepted (wrong, expired, or rotated)" };
  if (status === 403) return { code: "STORE.DENIED", text: `403${code ? ` ${code}` : ""}: the identity lacks ${label.needs} on ${label.endpoint}` };
  if (status === 401) return { code: "STORE.DENIED", text: `401${code ? ` ${code}` : ""}: not signed in (the credential was not accepted)` };
  if (status === undefined && code === "REQUEST_SEND_ERROR") return { code: "STORE.UNAVAILABLE", text: `the request could not be sent: ${firstLine(message)}` };
  const first = firstLine(message);
  return { code: status !== undefined && status >= 500 ? "STORE.UNAVAILABLE" : "STORE.FAILED", text: `${status ?? "error"}${code ? ` ${code}` : ""}${first ? `: ${first}` : ""}` };
}

function firstLine(text: string): string {
  return text.split(/\n(?:RequestId|Time):/)[0]!.split("\n")[0]!.trim().slice(0, 300);
}

type Fn = (...args: unknown[]) => unknown;

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return typeof x === "object" && x !== null && typeof (x as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === "function";
}

/**
 * The port with every failure that is about the store (unreachable, denied, erring)
 * turned into a StoreError that names the store's role, endpoint and setting and says
 * the cause in words. Lifeboat's own errors (NotFoundError, AlreadyExistsError, …) pass
 * through. Works for promise-returning and async-iterable methods.
 */
export function labelled<T extends object>(port: T, label: StoreLabel): T {
  const map = (err: unknown): never => {
    const d = describeStoreFailure(err, label);
    if (!d) throw err;
    // The SDK error is not kept: it can hold request bodies (customer data) and headers.
    throw new StoreError(d.code, label, d.text);
  };
  const wrapIterable = (it: AsyncIterable<unknown>): AsyncIterable<unknown> => ({
    [Symbol.asyncIterator]() {
      const inner = it[Symbol.asyncIterator]();
      return {
        next: (...a: [] | [unknown]) => inner.next(...a).catch(map),
        return: (v?: unknown) => (inner.return ? inner.return(v).catch(map) : Promise.resolve({ done: true as const, value: v })),
      };
    },
  });
  return new Proxy(port, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        let out: unknown;
        try {
          out = (value as Fn).apply(target, args);
        } catch (err) {
          return map(err);
        }
        if (out instanceof Promise) return out.catch(map);
        if (isAsyncIterable(out)) return wrapIterable(out);
        return out;
      };
    },
  });
}
