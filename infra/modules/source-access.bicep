// Access to the existing source storage account (the customer data Lifeboat protects).
// Nothing here creates or changes the account: it only grants the app's identity read
// access, or write access where in-place restore is allowed, and reports the endpoints.
//
// Assignments are named by role, so turning allowInPlaceRestore off again does not
// remove the Contributor assignments made while it was on: delete them by hand
// (see the README's deployment section).

import { roles } from 'roles.bicep'

@description('Name of the source storage account, in this module\'s resource group.')
param sourceAccountName string

@description('Grant write access so that `lifeboat restore --in-place` can replace live tables and blobs.')
param allowInPlaceRestore bool

@description('Object id of the Function App identity.')
param appPrincipalId string

var tableRole = allowInPlaceRestore ? roles.storageTableDataContributor : roles.storageTableDataReader
var blobRole = allowInPlaceRestore ? roles.storageBlobDataContributor : roles.storageBlobDataReader

resource source 'Microsoft.Storage/storageAccounts@2026-06-01' existing = {
  name: sourceAccountName
}

// Backups read every table: Storage Table Data Reader, or Storage Table Data
// Contributor when in-place restore is allowed.
resource appReadsTables 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(source.id, appPrincipalId, tableRole)
  scope: source
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', tableRole) // Storage Table Data Reader / Storage Table Data Contributor
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Backups read the configuration containers: Storage Blob Data Reader, or Storage Blob
// Data Contributor when in-place restore is allowed.
resource appReadsBlobs 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(source.id, appPrincipalId, blobRole)
  scope: source
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', blobRole) // Storage Blob Data Reader / Storage Blob Data Contributor
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

@description('Table service URI of the source (LIFEBOAT_SOURCE__tableServiceUri).')
output tableServiceUri string = source.properties.primaryEndpoints.table

@description('Blob service URI of the source (LIFEBOAT_SOURCE__blobServiceUri).')
output blobServiceUri string = source.properties.primaryEndpoints.blob
