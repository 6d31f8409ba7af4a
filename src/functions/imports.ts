import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { operatorFromHttp } from "../app/audit";
import { importCsv } from "../app/csv/import-csv";
import { importsQuery, parseQuery } from "./shared/api";
import { answer } from "./shared/http";
import { logProgress, services } from "./shared/runtime";

/** Request bodies are read in chunks of this size by the CSV reader. */
const CHUNK = 256 * 1024;

/**
 * POST /api/imports?table=T&mode=validate|apply[&create][&inferTypes]: the body is a typed
 * CSV. 200 with the report (every row valid; apply: written after a safety backup); 400
 * naming every error by line and column, nothing written. Audited as import.csv.
 */
export async function csvImport(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => {
    const q = parseQuery(request, importsQuery);
    const operator = operatorFromHttp(request.headers, q.operator);
    const body = Buffer.from(await request.arrayBuffer());
    const report = await importCsv(services(), {
      table: q.table,
      mode: q.mode,
      create: q.create === "true",
      inferTypes: q.inferTypes === "true",
      source: async function* () {
        for (let i = 0; i < body.length; i += CHUNK) yield body.subarray(i, i + CHUNK);
      },
      totalBytes: body.length,
      operator,
      progress: logProgress(context),
      say: (line) => context.log(line),
    });
    return { status: 200, jsonBody: report };
  });
}

app.http("imports", { route: "imports", methods: ["POST"], authLevel: "function", handler: csvImport });
