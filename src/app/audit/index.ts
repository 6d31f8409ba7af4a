/**
 * The audit log, as every use case uses it: the Auditor (record, digest, list, verify),
 * `audited` to run an action as one audited entry, `refused` for rejected requests, and
 * the operator helpers for each kind of caller.
 */
export { Auditor, MAX_DETAILS_CHARS, type AuditorDeps, type AuditRecordInput, type DigestWritten } from "./auditor";
export { audited, AuditWriteError, refused, type AuditContext, type AuditedOptions } from "./audited";
export { cliOperator, operatorFromHttp, osIdentity, timerOperator, triggerOperator, type HeaderSource } from "./operator";
export type { AuditVerifyOptions, AuditVerifyReport, AuditProblem, AuditProblemKind } from "./verify-audit";
export type { AuditAction, AuditEntry, AuditOutcome, AuditTarget } from "../../core/audit/chain";
