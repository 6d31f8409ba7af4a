import type { BackupStore } from "../ports/BackupStore";
import type { KeyProvider } from "../ports/KeyProvider";
import { ALIVE, DELETED } from "../repo/key-diff";
import { readLines, settle } from "../repo/files";
import { tableChain } from "../restore/table-parts";
import { decodeRecordLine } from "../../core/entity/record-lines";
import { isTombstone, type EntityRecord } from "../../core/entity/record";
import { KeyStates } from "../../core/keys/key-states";
import type { Manifest } from "../../format/manifest";

/**
 * The entities a table holds at a point, file by file, each key once in its state at the
 * point: the chain replayed as a restore replays it (table-parts.ts: incremental files
 * newest first, the first record met for a key is its state; then the full segment's
 * entities no incremental met), without writing anything. One file in memory at a time
 * (the next is fetched ahead), plus the incrementals' key set (~36 bytes a key).
 * Throws what reading the files throws (IntegrityError, NotFoundError).
 */
export async function* pointRecords(repo: BackupStore, keys: KeyProvider, chain: readonly Manifest[], table: string): AsyncGenerator<EntityRecord[]> {
  const c = tableChain(chain, table);
  const files = [...c.changeFiles, ...c.fullFiles];
  const seen = new KeyStates(c.changes);
  let next = files.length > 0 ? settle(readLines(repo, keys, files[0]!.f)) : undefined;
  for (let i = 0; i < files.length; i++) {
    const lines = await next!;
    next = i + 1 < files.length ? settle(readLines(repo, keys, files[i + 1]!.f)) : undefined;
    const full = files[i]!.full;
    const out: EntityRecord[] = [];
    for (let n = 0; n < lines.length; n++) {
      const r = decodeRecordLine(lines[full ? n : lines.length - 1 - n]!);
      if (full) {
        if (isTombstone(r) || seen.get(r.pk, r.rk) !== 0) continue;
      } else if (seen.add(r.pk, r.rk, isTombstone(r) ? DELETED : ALIVE) !== 0 || isTombstone(r)) continue;
      out.push(r as EntityRecord);
    }
    yield out;
  }
}
