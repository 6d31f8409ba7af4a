// The failover storage account: standby copies of the source tables, restored here so
// the platform can switch to them (the active-endpoint secret says which account is
// live). Same hardening as the backup accounts; no immutability, since standby tables
// are rewritten by every drill and failover.

import { roles } from 'roles.bicep'

@description('Name of the storage account.')
param name string

@description('networkIsolation: public network access off; reached through private endpoints only.')
param isolated bool = false

@description('Region of the account.')
param location string

@description('Tags for the account.')
param tags object

@description('Replication of the account.')
param skuName string

@description('Object id of the Function App identity.')
param appPrincipalId string

@description('Object id of an operator (person or group) who may restore into this account with the lifeboat CLI; empty for none.')
param operatorPrincipalId string

@description('Kind of principal operatorPrincipalId is.')
@allowed(['User', 'Group', 'ServicePrincipal'])
param operatorPrincipalType string

resource account 'Microsoft.Storage/storageAccounts@2026-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: skuName }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: isolated ? 'Disabled' : 'Enabled'
    // Copies between accounts only within the tenant (no SAS-authorised copy from outside).
    allowedCopyScope: 'AAD'
    networkAcls: {
      defaultAction: isolated ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
    }
  }
}

// Drills and failovers restore the standby tables here.
resource appWritesStandbyTables 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, appPrincipalId, roles.storageTableDataContributor)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor) // Storage Table Data Contributor
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Failovers restore the point's blob containers here too (LIFEBOAT_FAILOVER__blobServiceUri).
resource appWritesStandbyBlobs 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, appPrincipalId, roles.storageBlobDataContributor)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor) // Storage Blob Data Contributor
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource operatorWritesStandbyTables 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(account.id, operatorPrincipalId, roles.storageTableDataContributor)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor) // Storage Table Data Contributor
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
  }
}

@description('Name of the account.')
output name string = account.name

@description('Resource id of the account.')
output id string = account.id

@description('Table service URI of the standby tables.')
output tableServiceUri string = account.properties.primaryEndpoints.table

@description('Blob service URI of the standby containers.')
output blobServiceUri string = account.properties.primaryEndpoints.blob
