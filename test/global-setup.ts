import type { TestProject } from "vitest/node";
import { azuriteConnectionString, startAzurite, type RunningAzurite } from "../src/local/azurite";

declare module "vitest" {
  export interface ProvidedContext {
    /** Connection string of the Azurite started for this test run (blob, queue, table). */
    azurite: string;
    /** Connection string of a second account on the same Azurite: the failover target (a separate account, not a table prefix). */
    azuriteFailover: string;
  }
}

let azurite: RunningAzurite | undefined;

/** A second account Azurite serves (AZURITE_ACCOUNTS): the failover target of the failover tests. */
const FAILOVER_ACCOUNT = { name: "lifeboatfailover", key: Buffer.from("lifeboat-test-failover-account-key").toString("base64") };

/** Starts one in-memory Azurite on free ports for the whole run; tests `inject("azurite")` and `inject("azuriteFailover")`. */
export async function setup(project: TestProject): Promise<void> {
  azurite = await startAzurite({ extraAccounts: [FAILOVER_ACCOUNT] });
  project.provide("azurite", azurite.connectionString);
  project.provide("azuriteFailover", azuriteConnectionString(azurite, FAILOVER_ACCOUNT.name, FAILOVER_ACCOUNT.key));
}

export async function teardown(): Promise<void> {
  await azurite?.stop();
}
