import type { BlobSource } from "../ports/BlobSource";
import type { TableStore } from "../ports/TableStore";
import type { FailoverContext } from "../failover/ports";
import type { DrillKind } from "../../core/drills/drill";

/** What drills run on: the app (with failover), the repository as a copy reads it, where scratch copies go, the schedules. */
export interface DrillDeps extends FailoverContext {
  /** The context reading the repository from the primary, the secondary, or either. */
  readingFrom(from: "primary" | "secondary" | "auto"): FailoverContext;
  /** Where scratch restores go (LIFEBOAT_DRILL; default the source account). */
  scratch: { tables: TableStore; blobs?: BlobSource };
  schedules: Record<DrillKind, string>;
  now?: () => Date;
}

/** The result of one step, before it is timed. */
export type StepResult = { outcome: "passed" | "failed" | "not available"; detail: string; figures?: Record<string, number | string> };
