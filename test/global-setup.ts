import type { TestProject } from "vitest/node";
import { startAzurite, type RunningAzurite } from "../src/local/azurite";

declare module "vitest" {
  export interface ProvidedContext {
    /** Connection string of the Azurite started for this test run (blob, queue, table). */
    azurite: string;
  }
}

let azurite: RunningAzurite | undefined;

/** Starts one in-memory Azurite on free ports for the whole run; tests `inject("azurite")`. */
export async function setup(project: TestProject): Promise<void> {
  azurite = await startAzurite();
  project.provide("azurite", azurite.connectionString);
}

export async function teardown(): Promise<void> {
  await azurite?.stop();
}
