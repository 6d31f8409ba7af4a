import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { operatorFromHttp, refused } from "../app/audit";
import { getRestoreJob, listRestoreJobs, submitRestoreJob } from "../app/jobs";
import { classify } from "../core/errors";
import { instantOf, jobIdParam, jobsQuery, parseBody, parseParam, parseQuery, readJsonBody, restoreBody } from "./shared/api";
import { answer } from "./shared/http";
import { jobServices, services } from "./shared/runtime";

/**
 * POST /api/restores: submits a restore job (202, Location: /api/restores/{id}); with
 * dryRun, answers 200 with the plan. Bad input is refused with 400 (and audited as a
 * refused `restore.submit`), an unknown point with 404.
 */
export async function submitRestore(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  let operator = "asserted:unknown (the request named nobody)";
  return answer(context, async () => {
    try {
      const b = parseBody(await readJsonBody(request), restoreBody);
      operator = operatorFromHttp(request.headers, b.operator);
      const r = await submitRestoreJob(jobServices(), {
        operator,
        ...(b.at ? { at: instantOf(b.at)! } : {}),
        ...(b.pointId ? { pointId: b.pointId } : {}),
        ...(b.tables ? { tables: b.tables } : {}),
        ...(b.containers ? { containers: b.containers } : {}),
        target: "inPlace" in b.target ? { kind: "inPlace" } : { kind: "prefix", prefix: b.target.prefix },
        from: b.from,
        dryRun: b.dryRun,
      });
      if (r.kind === "dryRun") return { status: 200, jsonBody: { dryRun: true, plan: r.result.plan } };
      return { status: 202, headers: { location: `/api/restores/${r.job.id}` }, jsonBody: { id: r.job.id, state: r.job.state, pointId: r.job.pointId, pointTime: r.job.pointTime, plan: r.plan } };
    } catch (err) {
      if (classify(err).fault === "user") {
        await refused(services().audit, { operator, action: "restore.submit" }, err).catch((e: unknown) => context.warn(`the refusal could not be audited: ${String(e)}`));
      }
      throw err;
    }
  });
}

/** GET /api/restores/{id}: the job's state, each table's progress (entities, bytes, %), the verification, the error. 404 for an unknown job. */
export async function restoreJob(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => ({ status: 200, jsonBody: await getRestoreJob(jobServices(), parseParam(request, "id", jobIdParam)) }));
}

/** GET /api/restores?limit: the last week's jobs, newest first. */
export async function restoreJobs(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => ({ status: 200, jsonBody: await listRestoreJobs(jobServices(), parseQuery(request, jobsQuery).limit) }));
}

app.http("submitRestore", { route: "restores", methods: ["POST"], authLevel: "function", handler: submitRestore });
app.http("restoreJobs", { route: "restores", methods: ["GET"], authLevel: "function", handler: restoreJobs });
app.http("restoreJob", { route: "restores/{id}", methods: ["GET"], authLevel: "function", handler: restoreJob });
