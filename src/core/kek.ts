import type { Secret } from "./secret";

/** A key-encryption key and the id that backup files record to find it again. */
export interface Kek {
  /** Stable, non-secret id of this key version, e.g. "env:3f2a…" or "kv:lifeboat-kek/0f1e…". */
  id: string;
  /** 32 bytes. */
  key: Secret<Buffer>;
}
