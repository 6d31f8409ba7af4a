import type { HttpResponseInit, InvocationContext } from "@azure/functions";
import { classify, ensureErrorType, InvalidInputError, ValidationError } from "../../core/errors";

/**
 * An error as an RFC 9457 problem-details response. A user fault (bad input, a missing
 * point) answers with its catalogue status (4xx) and the message, which names the field
 * and the rule. Anything else is a 5xx with the code and title only: the details, which
 * may name internal resources, go to the log under the invocation id the body carries.
 */
export function problemResponse(err: unknown, context: InvocationContext): HttpResponseInit {
  const c = classify(err);
  const e = ensureErrorType(err);
  const user = c.fault === "user";
  if (user) context.warn(`${context.functionName}: refused: ${c.code}: ${e.message}`);
  else context.error(`${context.functionName} failed: ${c.code ? `${c.code}: ` : ""}${e.message}`);
  return {
    status: c.status,
    headers: { "content-type": "application/problem+json" },
    jsonBody: {
      type: `urn:lifeboat:problem:${c.code ?? "INTERNAL"}`,
      title: c.title,
      status: c.status,
      ...(c.code ? { code: c.code } : {}),
      ...(user ? { detail: e.message } : { detail: `see the function log for invocation ${context.invocationId}` }),
      ...(err instanceof InvalidInputError ? { errors: err.fields } : err instanceof ValidationError ? { errors: [{ field: err.field, rule: e.message.slice(err.field.length + 2) }] } : {}),
      instance: context.invocationId,
    },
  };
}

/** Runs an HTTP handler's body and maps anything it throws with {@link problemResponse}. */
export async function answer(context: InvocationContext, body: () => Promise<HttpResponseInit>): Promise<HttpResponseInit> {
  try {
    return await body();
  } catch (err) {
    return problemResponse(err, context);
  }
}
