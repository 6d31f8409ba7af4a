import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/identity";

/** One request the fake vault received (after routing), for assertions. */
export interface RecordedRequest {
  method: string;
  /** Path without the query, e.g. "/secrets/kek/". */
  path: string;
  apiVersion: string | null;
  /** The Authorization header as sent, or undefined. */
  authorization: string | undefined;
  /** Status the fake answered with. */
  status: number;
}

/** A canned answer for the next authenticated secrets request (fault injection). */
export interface FakeResponse {
  status: number;
  /** Sent as is. */
  body: string;
  contentType?: string;
}

interface Version {
  version: string;
  value: string;
  created: number;
  contentType?: string;
  tags?: Record<string, string>;
}

/** Tenant id the fake challenge names (as the `authorization` URL path). */
export const FAKE_TENANT_ID = "00000000-0000-0000-0000-0000000000aa";
/** Resource the fake challenge names; the SDK asks the credential for `${resource}/.default`. */
export const FAKE_RESOURCE = "https://vault.azure.net";

/**
 * A local stand-in for the Azure Key Vault secrets REST API (the subset SecretClient
 * uses for get/set), on http://127.0.0.1:<free port>:
 * - the bearer challenge: a request without the expected token gets 401 with
 *   `WWW-Authenticate: Bearer authorization="https://login.microsoftonline.com/<tenant>", resource="https://vault.azure.net"`;
 * - GET /secrets/{name}/{version?}?api-version=… → SecretBundle, or 404 SecretNotFound;
 * - PUT /secrets/{name}?api-version=… with {value, contentType?, tags?} → a new version.
 * Every request is recorded in `requests`.
 */
export class FakeKeyVault {
  /** Requests received, oldest first. */
  readonly requests: RecordedRequest[] = [];
  readonly #secrets = new Map<string, { name: string; versions: Version[] }>();
  readonly #faults: (FakeResponse & { method?: string })[] = [];
  #server: Server | undefined;
  #url = "";

  /** `token` is the bearer token the fake accepts (give the same one to {@link fakeCredential}). */
  constructor(readonly token: string = "fake-token-" + randomBytes(6).toString("hex")) {}

  /** Starts listening on 127.0.0.1 and a free port. */
  async start(): Promise<this> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: "InternalError", message: String(err) } }));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    this.#server = server;
    this.#url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  /** The vault URL to give SecretClient, e.g. "http://127.0.0.1:54321". */
  get url(): string {
    if (!this.#url) throw new Error("FakeKeyVault not started");
    return this.#url;
  }

  /** Stops the server and drops open connections. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Adds a version directly (no HTTP) and returns its version id. */
  setSecret(name: string, value: string): string {
    return this.#put(name, { value }).version;
  }

  /** Version ids of a secret, oldest first. */
  versions(name: string): string[] {
    return (this.#secrets.get(name.toLowerCase())?.versions ?? []).map((v) => v.version);
  }

  /** The next authenticated secrets request (of `method`, when given) gets this answer instead (queued, one each). */
  failNext(response: FakeResponse, method?: "GET" | "PUT"): void {
    this.#faults.push({ ...response, ...(method ? { method } : {}) });
  }

  #put(name: string, p: { value: string; contentType?: string; tags?: Record<string, string> }): Version {
    const key = name.toLowerCase();
    const entry = this.#secrets.get(key) ?? { name, versions: [] };
    this.#secrets.set(key, entry);
    const v: Version = {
      version: randomBytes(16).toString("hex"),
      value: p.value,
      created: Math.floor(Date.now() / 1000),
      ...(p.contentType !== undefined ? { contentType: p.contentType } : {}),
      ...(p.tags !== undefined ? { tags: p.tags } : {}),
    };
    entry.versions.push(v);
    return v;
  }

  #bundle(name: string, v: Version): Record<string, unknown> {
    return {
      value: v.value,
      ...(v.contentType !== undefined ? { contentType: v.contentType } : {}),
      id: `${this.#url}/secrets/${name}/${v.version}`,
      attributes: { enabled: true, created: v.created, updated: v.created, recoverableDays: 90, recoveryLevel: "Recoverable+Purgeable" },
      ...(v.tags !== undefined ? { tags: v.tags } : {}),
    };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.#url);
    const body = await readBody(req);
    const rec: RecordedRequest = {
      method: req.method ?? "",
      path: url.pathname,
      apiVersion: url.searchParams.get("api-version"),
      authorization: req.headers.authorization,
      status: 0,
    };
    this.requests.push(rec);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
      rec.status = status;
      res.writeHead(status, {
        "content-type": "application/json; charset=utf-8",
        "x-ms-keyvault-service-version": "1.9.0.0",
        "x-ms-request-id": randomBytes(16).toString("hex"),
        ...headers,
      });
      res.end(typeof payload === "string" ? payload : JSON.stringify(payload));
    };
    const error = (status: number, code: string, message: string, headers?: Record<string, string>): void =>
      send(status, { error: { code, message } }, headers);

    if (req.headers.authorization !== `Bearer ${this.token}`) {
      error(
        401,
        "Unauthorized",
        req.headers.authorization ? "AKV10032: Invalid issuer." : "AKV10000: Request is missing a Bearer or PoP token.",
        { "www-authenticate": `Bearer authorization="https://login.microsoftonline.com/${FAKE_TENANT_ID}", resource="${FAKE_RESOURCE}"` },
      );
      return;
    }
    if (!rec.apiVersion) {
      error(400, "BadParameter", "The request URI contains an invalid api-version.");
      return;
    }
    const at = this.#faults.findIndex((f) => f.method === undefined || f.method === req.method);
    const fault = at >= 0 ? this.#faults.splice(at, 1)[0] : undefined;
    if (fault) {
      rec.status = fault.status;
      res.writeHead(fault.status, { "content-type": fault.contentType ?? "application/json; charset=utf-8" });
      res.end(fault.body);
      return;
    }
    const m = /^\/secrets\/([^/]+)(?:\/([^/]*))?$/.exec(url.pathname);
    const name = m ? decodeURIComponent(m[1]!) : "";
    const version = m?.[2] ? decodeURIComponent(m[2]) : "";
    if (!m || !/^[0-9A-Za-z-]{1,127}$/.test(name)) {
      error(400, "BadParameter", "The request URI is not valid.");
      return;
    }
    if (req.method === "GET") {
      const entry = this.#secrets.get(name.toLowerCase());
      const v = version ? entry?.versions.find((x) => x.version === version.toLowerCase()) : entry?.versions.at(-1);
      if (!entry || !v) {
        error(
          404,
          "SecretNotFound",
          `A secret with (name/id) ${version ? `${name}/${version}` : name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
        );
        return;
      }
      send(200, this.#bundle(entry.name, v));
      return;
    }
    if (req.method === "PUT" && !version && m[2] === undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = undefined;
      }
      const p = parsed as { value?: unknown; contentType?: unknown; tags?: unknown } | undefined;
      if (!p || typeof p.value !== "string") {
        error(400, "BadParameter", "Property 'value' is required.");
        return;
      }
      const v = this.#put(name, {
        value: p.value,
        ...(typeof p.contentType === "string" ? { contentType: p.contentType } : {}),
        ...(p.tags && typeof p.tags === "object" ? { tags: p.tags as Record<string, string> } : {}),
      });
      send(200, this.#bundle(this.#secrets.get(name.toLowerCase())!.name, v));
      return;
    }
    error(405, "MethodNotAllowed", `${req.method ?? "?"} is not supported by the fake vault.`);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** A TokenCredential that hands out a fixed token and records what it was asked for. */
export interface FakeCredential extends TokenCredential {
  /** Each getToken call's scopes and tenant, oldest first. */
  readonly calls: { scopes: string[]; tenantId: string | undefined }[];
}

/** A credential for {@link FakeKeyVault}: always returns `token`, valid for an hour. */
export function fakeCredential(token: string): FakeCredential {
  const calls: { scopes: string[]; tenantId: string | undefined }[] = [];
  return {
    calls,
    getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
      calls.push({ scopes: Array.isArray(scopes) ? scopes : [scopes], tenantId: options?.tenantId });
      return Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3600_000 });
    },
  };
}
