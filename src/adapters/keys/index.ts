import type { KeyProvider } from "../../app/ports/KeyProvider";
import type { KeySource } from "../../config";
import { createCredential } from "../credential";
import { EnvKeyProvider } from "./EnvKeyProvider";
import { KeyVaultKeyProvider } from "./KeyVaultKeyProvider";

export { EnvKeyProvider, decodeKeyBase64, envKeyId, KEK_BYTES, type EnvKeyProviderOptions } from "./EnvKeyProvider";
export {
  KeyVaultKeyProvider,
  parseKeyVaultKeyId,
  DEFAULT_ACTIVE_CACHE_MS,
  type KeyVaultKeyProviderOptions,
} from "./KeyVaultKeyProvider";

/**
 * The key provider the settings describe: LIFEBOAT_KEK → EnvKeyProvider; a Key Vault
 * URI and secret name → KeyVaultKeyProvider, signed in with DefaultAzureCredential
 * (pinned to the user-assigned identity `clientId` when given). Makes no request.
 * Throws LifeboatError KEY.INVALID when an env key is not base64 of 32 bytes.
 */
export function createKeyProvider(source: KeySource, clientId?: string): KeyProvider {
  switch (source.kind) {
    case "env":
      return EnvKeyProvider.fromBase64(source.keyBase64);
    case "keyVault":
      return new KeyVaultKeyProvider(source.vaultUri, source.secretName, createCredential(clientId));
  }
}
