import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";

/**
 * The Entra ID credential the adapters use in Azure: DefaultAzureCredential, pinned
 * to a user-assigned managed identity when `clientId` is given. Makes no request and
 * does not throw; a missing identity surfaces as an error from the first call that
 * needs a token.
 */
export function createCredential(clientId?: string): TokenCredential {
  return clientId ? new DefaultAzureCredential({ managedIdentityClientId: clientId }) : new DefaultAzureCredential();
}
