import type { Command } from "commander";
import { syncKek } from "../../app/keys/sync-kek";
import { cliOperatorOf, servicesFor, type CliIo } from "../context";

/**
 * `lifeboat kek sync`: copies the primary vault's active KEK into the secondary vault
 * (LIFEBOAT_KEY_VAULT_URI_SECONDARY), if it is not there yet; audited as `key.sync`.
 * Prints the key id (never a value). Run it after creating or rotating the KEK.
 */
export function registerKek(program: Command, io: CliIo): void {
  const kek = program.command("kek").description("the key-encryption key's copy in the second region's vault");
  kek
    .command("sync")
    .description("copy the primary vault's active KEK into LIFEBOAT_KEY_VAULT_URI_SECONDARY (after creating or rotating it)")
    .action(async () => {
      const r = await syncKek(servicesFor(io, program.opts<{ settings?: string }>().settings), cliOperatorOf(program));
      io.stdout(`${r.kekId} ${r.copied ? "copied to" : "already in"} ${r.replica}\n`);
    });
}
