// The event subscription that feeds each new restore point (its manifest) to the
// blob-triggered retention function (a blob trigger with source: 'EventGrid'). Its
// endpoint is the blob extension's webhook, authorised by the host's `blobs_extension`
// system key, which exists only once code with such a trigger runs on the app:
// main.bicep deploys this module only when enableRetentionEvents is true (after the
// first code deployment).
// The key is read at deployment time and never appears in the template or an output.

@description('Name of the existing system topic on the backup account.')
param systemTopicName string

@description('Name of the Function App.')
param functionAppName string

@description('Default host name of the Function App.')
param functionAppHostName string

@description('Name of the blob-triggered retention function.')
param retentionFunctionName string

@description('Backup container whose new blobs are delivered.')
param backupContainerName string

@description('Resource id of the Functions host storage account, which holds the dead-letter container.')
param deadLetterAccountId string

@description('Dead-letter container in that account.')
param deadLetterContainerName string

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: systemTopicName
}

// Microsoft.Web/sites/host has no resource type in Bicep, only its list functions.
var blobsExtensionKey = listKeys('${app.id}/host/default', '2025-03-01').systemKeys.blobs_extension

resource app 'Microsoft.Web/sites@2025-03-01' existing = {
  name: functionAppName
}

resource subscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: topic
  name: 'retention'
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: 'https://${functionAppHostName}/runtime/webhooks/blobs?functionName=Host.Functions.${retentionFunctionName}&code=${blobsExtensionKey}'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    // Only committed restore points: a point's manifest, written last
    // (points/<pointId>.manifest.lbe, docs/format.md), not each of its data files.
    filter: {
      includedEventTypes: ['Microsoft.Storage.BlobCreated']
      subjectBeginsWith: '/blobServices/default/containers/${backupContainerName}/blobs/points/'
      subjectEndsWith: '.manifest.lbe'
    }
    eventDeliverySchema: 'EventGridSchema'
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    deadLetterWithResourceIdentity: {
      identity: { type: 'SystemAssigned' }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: deadLetterAccountId
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}
