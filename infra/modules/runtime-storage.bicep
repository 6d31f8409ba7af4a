// The Functions host's own storage account (AzureWebJobsStorage): the Flex Consumption
// deployment package, host locks and timer state, the restore-job queue, and the
// dead-letter container of the retention event subscription. No customer data and no
// backups live here. Shared-key access is off: everything uses Entra ID.

import { roles } from 'roles.bicep'

@description('Name of the storage account.')
param name string

@description('Region of the account.')
param location string

@description('Tags for the account.')
param tags object

@description('Blob container that holds the Flex Consumption deployment package.')
param deploymentContainerName string

@description('Blob container where Event Grid dead-letters retention events it could not deliver.')
param deadLetterContainerName string

@description('Queue of restore / import jobs.')
param jobsQueueName string

@description('Object id of an operator (person or group) who submits restore jobs with the lifeboat CLI (restore --job); empty for none.')
param operatorPrincipalId string = ''

@description('Kind of principal operatorPrincipalId is.')
@allowed(['User', 'Group', 'ServicePrincipal'])
param operatorPrincipalType string = 'User'

@description('Object id of the Function App identity.')
param appPrincipalId string

resource account 'Microsoft.Storage/storageAccounts@2026-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }

  resource blobs 'blobServices' = {
    name: 'default'

    resource deployment 'containers' = {
      name: deploymentContainerName
      properties: { publicAccess: 'None' }
    }

    resource deadLetter 'containers' = {
      name: deadLetterContainerName
      properties: { publicAccess: 'None' }
    }
  }

  resource queues 'queueServices' = {
    name: 'default'

    resource jobs 'queues' = {
      name: jobsQueueName
    }
  }
}

// The Functions host needs blob ownership of its own storage (leases, timer schedule
// monitor, deployment package): the documented role for an identity-based AzureWebJobsStorage.
resource appOwnsHostBlobs 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, appPrincipalId, roles.storageBlobDataOwner)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner) // Storage Blob Data Owner
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Restore / import jobs and their poison queue.
resource appUsesJobQueues 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, appPrincipalId, roles.storageQueueDataContributor)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor) // Storage Queue Data Contributor
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The operator's `lifeboat restore --job`: send to the jobs queue only (no reading or deleting).
resource operatorSendsJobs 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(account::queues::jobs.id, operatorPrincipalId, roles.storageQueueDataMessageSender)
  scope: account::queues::jobs
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataMessageSender) // Storage Queue Data Message Sender
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
  }
}

@description('Name of the account (AzureWebJobsStorage__accountName).')
output name string = account.name

@description('Resource id of the account.')
output id string = account.id

@description('URL of the deployment package container.')
output deploymentContainerUrl string = '${account.properties.primaryEndpoints.blob}${deploymentContainerName}'
