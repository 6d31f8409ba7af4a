import { createHash } from "node:crypto";

/** SHA-256 of text (UTF-8) or bytes, as 64 lowercase hex characters. Does not throw. */
export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
