// The Event Grid system topic of the primary backup account. Its subscription (see
// retention-events.bicep) feeds BlobCreated events to the blob-triggered retention
// function; events it cannot deliver are dead-lettered, with the topic's own identity,
// to a container of the Functions host storage account.

import { roles } from 'roles.bicep'

@description('Name of the system topic.')
param name string

@description('Region of the topic: the backup account\'s region.')
param location string

@description('Tags for the topic.')
param tags object

@description('Resource id of the backup storage account whose events the topic publishes.')
param backupAccountId string

@description('Name of the Functions host storage account, which holds the dead-letter container.')
param runtimeStorageAccountName string

@description('Dead-letter container in the Functions host storage account.')
param deadLetterContainerName string

resource runtimeStorage 'Microsoft.Storage/storageAccounts@2026-06-01' existing = {
  name: runtimeStorageAccountName

  resource blobs 'blobServices' existing = {
    name: 'default'

    resource deadLetter 'containers' existing = {
      name: deadLetterContainerName
    }
  }
}

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: backupAccountId
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

// The topic writes undeliverable events into the dead-letter container only.
resource topicWritesDeadLetters 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(runtimeStorage::blobs::deadLetter.id, topic.id, roles.storageBlobDataContributor)
  scope: runtimeStorage::blobs::deadLetter
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor) // Storage Blob Data Contributor
    principalId: topic.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

@description('Name of the system topic.')
output name string = topic.name

@description('Resource id of the system topic (the dead-letter alert watches it).')
output id string = topic.id
