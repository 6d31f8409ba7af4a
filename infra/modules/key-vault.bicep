// Key Vault in RBAC mode with purge protection and soft delete. It holds:
// - the KEK secret: created by the operator with one command (see the README); this
//   template never writes a key value, and nothing outputs one;
// - the active-endpoint secret: which table endpoint the platform should use (the
//   source, or the failover account after a failover). Seeded with the source's table
//   endpoint only if it does not exist yet, so a redeployment never fails back silently.

import { roles } from 'roles.bicep'

@description('Name of the vault.')
param name string

@description('networkIsolation: public network access off; reached through private endpoints only.')
param isolated bool = false

@description('Region of the vault.')
param location string

@description('Tags for the vault.')
param tags object

@description('Days a deleted vault or secret can be recovered (7-90; fixed once the vault exists).')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int

@description('Name of the active-endpoint secret.')
param activeEndpointSecretName string

@description('First value of the active-endpoint secret: the source\'s endpoints as the JSON record Lifeboat writes on every switch ({ tableServiceUri, blobServiceUri, since, reason, failoverId }). Not a credential.')
param initialActiveEndpoint string

@description('Object id of the Function App identity.')
param appPrincipalId string

@description('Resource id of the Log Analytics workspace that receives the vault\'s audit events.')
param workspaceId string

@description('Object id of an operator (person or group) who creates and rotates the KEK; empty for none.')
param operatorPrincipalId string

@description('Kind of principal operatorPrincipalId is.')
@allowed(['User', 'Group', 'ServicePrincipal'])
param operatorPrincipalType string

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: isolated ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: isolated ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
    }
  }
}

@onlyIfNotExists()
resource activeEndpoint 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = {
  parent: vault
  name: activeEndpointSecretName
  properties: {
    value: initialActiveEndpoint
    contentType: 'application/json'
  }
}

// Read the KEK (and the active endpoint).
resource appReadsSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appPrincipalId, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser) // Key Vault Secrets User
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Write the active endpoint on failover and failback: this one secret only.
resource appSwitchesActiveEndpoint 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(activeEndpoint.id, appPrincipalId, roles.keyVaultSecretsOfficer)
  scope: activeEndpoint
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer) // Key Vault Secrets Officer
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The operator creates and rotates the KEK.
resource operatorManagesSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(vault.id, operatorPrincipalId, roles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer) // Key Vault Secrets Officer
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
  }
}

// Who read or changed which secret (the KEK, the active endpoint), into Log Analytics.
// 2021-05-01-preview is the newest version of diagnosticSettings (see backup-storage.bicep).
#disable-next-line use-recent-api-versions
resource vaultAudit 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'lifeboat-audit-events'
  scope: vault
  properties: {
    workspaceId: workspaceId
    logs: [{ category: 'AuditEvent', enabled: true }]
  }
}

@description('Name of the vault.')
output name string = vault.name

@description('Resource id of the vault.')
output id string = vault.id

@description('Vault URI (LIFEBOAT_KEY_VAULT_URI).')
output uri string = vault.properties.vaultUri
