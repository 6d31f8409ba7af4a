import type { EdmType } from "../entity/record";
import { valueProblem } from "../entity/validation";

const INT = /^-?(?:0|[1-9]\d*)$/;
const DOUBLE = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * The type of an untyped value (`--infer-types`, as Storage Explorer's "infer types"):
 * `true`/`false` (any case) Boolean; a canonical integer Int32 when it fits, else Int64;
 * another decimal number Double; an ISO-8601 UTC date-time DateTime; a GUID Guid;
 * anything else String. Binary is never inferred (base64 is indistinguishable from text).
 * Never throws.
 */
export function inferValue(cell: string): EdmType {
  const lower = cell.toLowerCase();
  if (lower === "true" || lower === "false") return "Boolean";
  if (INT.test(cell) && cell !== "-0") {
    if (valueProblem("Int32", cell) === null) return "Int32";
    if (valueProblem("Int64", cell) === null) return "Int64";
    return "Double";
  }
  if (DOUBLE.test(cell)) return "Double";
  if (cell.length >= 20 && cell.endsWith("Z") && valueProblem("DateTime", cell) === null) return "DateTime";
  if (GUID.test(cell)) return "Guid";
  return "String";
}
