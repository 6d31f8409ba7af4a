import type { KeyProvider, KeyReplica } from "../../app/ports/KeyProvider";
import type { KeySource } from "../../config";
import { createCredential } from "../credential";
import { EnvKeyProvider } from "./EnvKeyProvider";
import { FallbackKeyProvider } from "./FallbackKeyProvider";
import { KeyVaultKeyProvider } from "./KeyVaultKeyProvider";
export { KeyVaultReplica, KEK_ID_TAG, copyName } from "./KeyVaultReplica";
export { FallbackKeyProvider } from "./FallbackKeyProvider";
import { KeyVaultReplica } from "./KeyVaultReplica";
import { KeyVaultEndpointPublisher, StateTableOnlyPublisher } from "./KeyVaultEndpointPublisher";
import type { EndpointPublisher } from "../../app/ports/EndpointState";
export { KeyVaultEndpointPublisher, StateTableOnlyPublisher, ACTIVE_ENDPOINT_CONTENT_TYPE } from "./KeyVaultEndpointPublisher";

export { EnvKeyProvider, decodeKeyBase64, envKeyId, KEK_BYTES, type EnvKeyProviderOptions } from "./EnvKeyProvider";
export {
  KeyVaultKeyProvider,
  parseKeyVaultKeyId,
  DEFAULT_ACTIVE_CACHE_MS,
  type KeyVaultKeyProviderOptions,
} from "./KeyVaultKeyProvider";

/** The keys the settings describe: what encrypts and decrypts, and where the KEK is copied to. */
export interface KeyWiring {
  /** Encrypts and decrypts: the primary vault, falling back to its copy when it is unreachable. */
  keys: KeyProvider;
  /** With a secondary vault: the primary alone (the source of a copy) and the copy. */
  replication?: { primary: KeyProvider; replica: KeyReplica };
}

/**
 * The key provider the settings describe: LIFEBOAT_KEK → EnvKeyProvider; a Key Vault
 * URI and secret name → KeyVaultKeyProvider, signed in with DefaultAzureCredential
 * (pinned to the user-assigned identity `clientId` when given), falling back to the copy
 * in LIFEBOAT_KEY_VAULT_URI_SECONDARY when set. Makes no request.
 * Throws LifeboatError KEY.INVALID when an env key is not base64 of 32 bytes.
 */
export function createKeyProvider(source: KeySource, clientId?: string, onFallback?: (note: string) => void): KeyWiring {
  switch (source.kind) {
    case "env":
      return { keys: EnvKeyProvider.fromBase64(source.keyBase64) };
    case "keyVault": {
      const credential = createCredential(clientId);
      const primary = new KeyVaultKeyProvider(source.vaultUri, source.secretName, credential);
      if (!source.secondaryVaultUri) return { keys: primary };
      const replica = new KeyVaultReplica(source.secondaryVaultUri, source.secretName, credential);
      return { keys: new FallbackKeyProvider(primary, replica, onFallback), replication: { primary, replica } };
    }
  }
}

/**
 * Where the active endpoint is published: the secret `secretName` in the primary vault and
 * the secondary vault when set; with LIFEBOAT_KEK (no vault), the state table only. Makes no request.
 */
export function createEndpointPublisher(source: KeySource, secretName: string, clientId?: string): EndpointPublisher {
  if (source.kind === "env") return new StateTableOnlyPublisher();
  const vaults = [source.vaultUri, ...(source.secondaryVaultUri ? [source.secondaryVaultUri] : [])];
  return new KeyVaultEndpointPublisher(vaults, secretName, createCredential(clientId));
}
