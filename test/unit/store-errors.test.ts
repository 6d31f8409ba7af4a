import { describe, expect, it } from "vitest";
import { labelled, safeEndpoint, StoreError, type StoreLabel } from "../../src/adapters/store-errors";
import { NotFoundError } from "../../src/core/errors";

const label: StoreLabel = { role: "backup store", endpoint: "https://acct.blob.core.windows.net/lifeboat", setting: "LIFEBOAT_BACKUP", needs: "Storage Blob Data Contributor" };

/** An error shaped as the Azure SDK throws them (RestError: statusCode, code, message). */
function sdkError(statusCode: number | undefined, code: string | undefined, message: string): Error {
  return Object.assign(new Error(message), { statusCode, code, name: "RestError" });
}

describe("store errors say where to look", () => {
  const failing = (err: unknown) =>
    labelled(
      {
        get: (): Promise<Buffer> => Promise.reject(err),
        async *list(): AsyncGenerator<string> {
          yield "first";
          throw err;
        },
      },
      label,
    );

  it.each([
    [sdkError(undefined, "ECONNREFUSED", "connect ECONNREFUSED 10.1.2.3:443"), "STORE.UNAVAILABLE", "connection refused"],
    [sdkError(undefined, "REQUEST_SEND_ERROR", "getaddrinfo ENOTFOUND acct.blob.core.windows.net"), "STORE.UNAVAILABLE", "DNS name not found"],
    [sdkError(403, "AuthorizationPermissionMismatch", "This request is not authorized to perform this operation using this permission.\nRequestId:1\nTime:2"), "STORE.DENIED", "403 AuthorizationPermissionMismatch: the identity lacks Storage Blob Data Contributor on https://acct.blob.core.windows.net/lifeboat"],
    [sdkError(403, "AuthenticationFailed", "Server failed to authenticate the request. sig=abc"), "STORE.DENIED", "403 AuthenticationFailed: the account key or SAS is not accepted"],
    [sdkError(503, "ServerBusy", "The server is busy.\nRequestId:9"), "STORE.UNAVAILABLE", "503 ServerBusy: The server is busy."],
  ])("%s → %s", async (err, code, text) => {
    const e = await failing(err).get().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StoreError);
    expect((e as StoreError).code).toBe(code);
    expect((e as StoreError).message.startsWith(`backup store (https://acct.blob.core.windows.net/lifeboat, LIFEBOAT_BACKUP): ${text}`), (e as StoreError).message).toBe(true);
    expect((e as StoreError).message).not.toContain("sig=abc");
    expect((e as StoreError).cause).toBeUndefined();
  });

  it("also inside an async iteration, and passes Lifeboat's own errors through", async () => {
    const seen: string[] = [];
    const e = await (async () => {
      for await (const x of failing(sdkError(undefined, "ECONNRESET", "socket hang up ECONNRESET")).list()) seen.push(x);
    })().catch((x: unknown) => x);
    expect(seen).toEqual(["first"]);
    expect((e as StoreError).message).toMatch(/: connection reset by the other end$/);
    const own = new NotFoundError("STORE.NOT_FOUND", "blob:lifeboat: x not found");
    expect(await failing(own).get().catch((x: unknown) => x)).toBe(own);
  });

  it("an endpoint never shows a SAS", () => {
    expect(safeEndpoint("https://acct.blob.core.windows.net/lifeboat?sv=2024&sig=SECRET")).toBe("https://acct.blob.core.windows.net/lifeboat");
  });
});
