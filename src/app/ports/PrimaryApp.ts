/**
 * The primary Function App as the standby sees it (LIFEBOAT_ROLE=standby): whether it
 * runs. The standby fails over, and takes backups, only while it does not.
 */
export interface PrimaryApp {
  /** Its base URL (no secret: GET <url>/api/ping is anonymous). */
  readonly url: string;
  /** Null when it answered; else why not (never throws). */
  ping(): Promise<string | null>;
}
