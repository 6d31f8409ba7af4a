import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One storage request that passed through a recording proxy. */
export interface RecordedRequest {
  method: string;
  /** Path and query as sent, e.g. `/devstoreaccount1/lifeboat/manifest?comp=metadata`. */
  url: string;
  /** The body of a table `$batch` request (its inner requests name the table). */
  body?: string;
}

export interface RecordingProxy {
  /** Base URL to use instead of the target's, e.g. `http://127.0.0.1:41234`. */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of one Azurite endpoint that records every request (method and
 * path) and forwards it unchanged. Tests use it to see what a command really asks of a
 * storage account, e.g. to derive which roles an identity needs to run it.
 */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const to = new URL(target);
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const recorded: RecordedRequest = { method: req.method ?? "GET", url: req.url ?? "/" };
    requests.push(recorded);
    if (recorded.url.includes("$batch")) {
      recorded.body = "";
      req.on("data", (chunk: Buffer) => {
        if (recorded.body!.length < 65_536) recorded.body += chunk.toString("utf8");
      });
    }
    const upstream = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on("error", (err) => {
      res.writeHead(502);
      res.end(String(err));
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
