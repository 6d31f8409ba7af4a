import type { AppContext } from "../context";
import type { PrimaryApp } from "../ports/PrimaryApp";
import type { BlobSource } from "../ports/BlobSource";
import type { EndpointPublisher, EndpointState } from "../ports/EndpointState";
import type { TableStore } from "../ports/TableStore";
import type { SettingsSummary } from "../../core/settings-changes";

/** An account's public endpoints (no key, no SAS). */
export interface Endpoints {
  tableServiceUri: string;
  blobServiceUri?: string;
}

/** The failover account (LIFEBOAT_FAILOVER): the standby tables, and its containers when it has a blob endpoint. */
export interface FailoverSite {
  tables: TableStore;
  blobs?: BlobSource;
  endpoints: Endpoints;
  /** The settings summary with the failover account as the source: what backups record while it is active. */
  settingsSummary: SettingsSummary;
}

/** What failover, failback, the probe and the active endpoint run on, besides the app context. */
export interface FailoverPorts {
  /** The failover account; null when LIFEBOAT_FAILOVER is not set (failover and failback refuse). */
  site: FailoverSite | null;
  /** The primary source account's endpoints: the active endpoint when nothing was switched. */
  primary: Endpoints;
  /** The primary source's tables with one quick retry: what the probe asks. */
  probe: TableStore;
  /** The active endpoint record, the switch mark and the probe state (LIFEBOAT_STATE_TABLE). */
  state: EndpointState;
  /** Tells applications (the Key Vault secret), or nothing in development. */
  publisher: EndpointPublisher;
  /** LIFEBOAT_FAILOVER_AFTER_MINUTES. */
  afterMinutes: number;
  /** LIFEBOAT_AUTO_FAILOVER=on. */
  auto: boolean;
  /** On the standby (LIFEBOAT_ROLE=standby): the primary app, which must be down too before the standby fails over or backs up. */
  primaryApp?: PrimaryApp;
}

/** The app context with the failover ports. */
export interface FailoverContext extends AppContext {
  failover: FailoverPorts;
}
