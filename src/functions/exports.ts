import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { operatorFromHttp } from "../app/audit";
import { exportCsv } from "../app/csv/export-csv";
import { exportsQuery, parseQuery } from "./shared/api";
import { answer } from "./shared/http";
import { logProgress, services } from "./shared/runtime";

/**
 * GET /api/exports?table=T&pointId=…: one table of a restore point as plain typed CSV
 * (`text/csv`, Storage Explorer's layout), audited as export.csv. The body is produced
 * block by block (the host buffers it unless HTTP streaming is enabled). 400 for a bad
 * parameter or a table the point lacks, 404 for an unknown point.
 */
export async function csvExport(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => {
    const q = parseQuery(request, exportsQuery);
    const operator = operatorFromHttp(request.headers, q.operator);
    const blocks: string[] = [];
    await exportCsv(services(), {
      pointId: q.pointId,
      tables: [q.table],
      operator,
      open: async () => ({ write: async (text) => void blocks.push(text), close: async () => undefined }),
      progress: logProgress(context),
    });
    return {
      status: 200,
      headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${q.table}.typed.csv"` },
      body: blocks.join(""),
    };
  });
}

app.http("exports", { route: "exports", methods: ["GET"], authLevel: "function", handler: csvExport });
