import { once } from "node:events";
import { PassThrough } from "node:stream";
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { operatorFromHttp } from "../app/audit";
import { exportCsv } from "../app/csv/export-csv";
import { exportsQuery, parseQuery } from "./shared/api";
import { answer } from "./shared/http";
import { logProgress, services } from "./shared/runtime";

/**
 * GET /api/exports?table=T&pointId=…: one table of a restore point as plain typed CSV
 * (`text/csv`, Storage Explorer's layout), audited as export.csv. The answer starts once the
 * export has found the point and the table's columns (a bad parameter or a table the point
 * lacks is a 400, an unknown point a 404); the rows then stream block by block with
 * back-pressure (the host buffers the body unless HTTP streaming is enabled, which this app
 * has off). A failure after that cuts the body short and is in the log and the audit log.
 */
export async function csvExport(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => {
    const q = parseQuery(request, exportsQuery);
    const operator = operatorFromHttp(request.headers, q.operator);
    const body = new PassThrough();
    let started!: () => void;
    let failed!: (err: unknown) => void;
    let answering = false;
    const opened = new Promise<void>((resolve, reject) => {
      started = resolve;
      failed = reject;
    });
    void exportCsv(services(), {
      pointId: q.pointId,
      tables: [q.table],
      operator,
      open: async () => {
        answering = true;
        started();
        return {
          write: async (text) => {
            if (!body.write(text)) await Promise.race([once(body, "drain"), once(body, "close")]);
            if (body.destroyed) throw new Error("the client went away before the export ended");
          },
          close: async () => void body.end(),
        };
      },
      progress: logProgress(context),
    }).catch((err: unknown) => {
      if (!answering) return failed(err); // before the answer started: a problem response
      if (!body.destroyed) {
        context.error(`${context.functionName}: export cut short: ${err instanceof Error ? err.message : String(err)}`);
        body.destroy(err instanceof Error ? err : new Error(String(err)));
      }
    });
    await opened;
    return {
      status: 200,
      headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${q.table}.typed.csv"` },
      body,
    };
  });
}

app.http("exports", { route: "exports", methods: ["GET"], authLevel: "function", handler: csvExport });
