// The Lifeboat Function App on the Flex Consumption plan (Linux, Node 22), running as the
// user-assigned identity. Every connection is identity-based (`NAME__…ServiceUri` +
// `NAME__credential = managedidentity` + `NAME__clientId`): no account key, connection
// string or key value appears in any setting. main.bicep deploys it twice: the primary app
// and the standby in the secondary region (`role`), with the same typed `settings`.

import { appEndpoints, appSettings } from 'types.bicep'

@description('Name of the Function App.')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Region of the app and its plan.')
param location string

@description('Tags for the plan.')
param tags object

@description('Tags for the app (adds azd-service-name so that azd deploy finds it).')
param appTags object

@description('Resource id of the user-assigned identity.')
param identityId string

@description('Client id of the user-assigned identity.')
param identityClientId string

@description('Name of the Functions host storage account (AzureWebJobsStorage).')
param runtimeStorageAccountName string

@description('URL of the blob container that holds the deployment package.')
param deploymentContainerUrl string

@description('Application Insights connection string.')
param appInsightsConnectionString string

@description('Maximum number of instances the plan scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory of each instance, in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int

@description('Old-space heap limit of the Node.js worker, in MB.')
@minValue(96)
@maxValue(3072)
param workerHeapMB int

@description('The Lifeboat settings both apps share.')
param settings appSettings

@description('This app\'s accounts and vaults.')
param endpoints appEndpoints

@description('networkIsolation: the subnet the app integrates with (all its outbound calls go through the network); empty for none.')
param subnetId string = ''

@description('LIFEBOAT_ROLE: primary (takes the backups), or standby (the second region\'s app: fails over when the primary source and the primary app are both down).')
@allowed(['primary', 'standby'])
param role string = 'primary'

@description('LIFEBOAT_PRIMARY_APP_URL: for the standby, the primary app\'s base URL (its anonymous /api/ping is probed); empty for the primary.')
param primaryAppUrl string = ''

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: appTags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    virtualNetworkSubnetId: empty(subnetId) ? null : subnetId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      runtime: {
        name: 'node'
        // Node 20's support on Azure Functions ended on 2026-04-30. The code also runs on
        // Node 20, where CI runs; package.json's engines allow both.
        version: '22'
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      // ---- app settings: begin ----
      // test/infra/settings.test.ts reads this list, from the compiled template and from
      // this text: keep one `{ name: '…', value: … }` per line. Every LIFEBOAT_* / RPO_ /
      // RTO_ name must be in SETTING_NAMES (src/config/schema.ts); add a setting here only with
      // the issue that makes the app read it.
      appSettings: [
        { name: 'AzureWebJobsStorage__accountName', value: runtimeStorageAccountName }
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsightsConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identityClientId};Authorization=AAD' }
        { name: 'languageWorkers__node__arguments', value: '--max-old-space-size=${workerHeapMB}' }
        { name: 'LIFEBOAT_SOURCE__tableServiceUri', value: endpoints.sourceTableServiceUri }
        { name: 'LIFEBOAT_SOURCE__blobServiceUri', value: endpoints.sourceBlobServiceUri }
        { name: 'LIFEBOAT_SOURCE__credential', value: 'managedidentity' }
        { name: 'LIFEBOAT_SOURCE__clientId', value: identityClientId }
        { name: 'LIFEBOAT_TABLES', value: settings.tables }
        { name: 'LIFEBOAT_CONTAINERS', value: settings.containers }
        { name: 'LIFEBOAT_CONFIG_CONTAINERS', value: settings.configContainers }
        { name: 'LIFEBOAT_BACKUP__blobServiceUri', value: endpoints.backupBlobServiceUri }
        { name: 'LIFEBOAT_BACKUP__tableServiceUri', value: endpoints.backupTableServiceUri }
        { name: 'LIFEBOAT_BACKUP__credential', value: 'managedidentity' }
        { name: 'LIFEBOAT_BACKUP__clientId', value: identityClientId }
        { name: 'LIFEBOAT_BACKUP_CONTAINER', value: settings.backupContainerName }
        { name: 'LIFEBOAT_IMMUTABILITY', value: 'on' }
        { name: 'LIFEBOAT_CSV_BACKUPS', value: 'full' }
        { name: 'LIFEBOAT_SECONDARY__blobServiceUri', value: endpoints.secondaryBlobServiceUri }
        { name: 'LIFEBOAT_SECONDARY__credential', value: 'managedidentity' }
        { name: 'LIFEBOAT_SECONDARY__clientId', value: identityClientId }
        { name: 'LIFEBOAT_KEY_VAULT_URI', value: endpoints.keyVaultUri }
        { name: 'LIFEBOAT_KEY_VAULT_URI_SECONDARY', value: endpoints.secondaryKeyVaultUri }
        { name: 'LIFEBOAT_KEK_SECRET', value: settings.kekSecretName }
        { name: 'LIFEBOAT_AUDIT_TABLE', value: settings.auditTableName }
        { name: 'LIFEBOAT_JOBS_TABLE', value: settings.jobsTableName }
        { name: 'LIFEBOAT_JOBS_QUEUE', value: settings.jobsQueueName }
        { name: 'LIFEBOAT_AUDIT_CONTAINER', value: settings.auditDigestContainerName }
        { name: 'RPO_MINUTES', value: string(settings.rpoMinutes) }
        { name: 'RTO_MINUTES', value: string(settings.rtoMinutes) }
        { name: 'LIFEBOAT_FULL_BACKUP_SCHEDULE', value: settings.fullBackupSchedule }
        { name: 'LIFEBOAT_INCREMENTAL_BACKUP_SCHEDULE', value: settings.incrementalBackupSchedule }
        { name: 'LIFEBOAT_CONFIG_EXPORT_SCHEDULE', value: settings.configExportSchedule }
        { name: 'LIFEBOAT_OVERLAP_SECONDS', value: string(settings.overlapSeconds) }
        { name: 'LIFEBOAT_CHUNK_ENTITIES', value: string(settings.chunkEntities) }
        { name: 'LIFEBOAT_RESTORE_CONCURRENCY', value: string(settings.restoreConcurrency) }
        { name: 'LIFEBOAT_SCAN_CONCURRENCY', value: string(settings.scanConcurrency) }
        { name: 'LIFEBOAT_FANOUT_ENTITIES', value: string(settings.fanoutEntities) }
        { name: 'LIFEBOAT_DRILL_RESTORE_SCHEDULE', value: settings.drillRestoreSchedule }
        { name: 'LIFEBOAT_DRILL_CONFIG_SCHEDULE', value: settings.drillConfigSchedule }
        { name: 'LIFEBOAT_DRILL_FAILOVER_SCHEDULE', value: settings.drillFailoverSchedule }
        { name: 'LIFEBOAT_DRILL_FULL_SCHEDULE', value: settings.drillFullSchedule }
        { name: 'LIFEBOAT_ROLE', value: role }
        { name: 'LIFEBOAT_PRIMARY_APP_URL', value: primaryAppUrl }
        { name: 'LIFEBOAT_FAILOVER__tableServiceUri', value: endpoints.failoverTableServiceUri }
        { name: 'LIFEBOAT_FAILOVER__blobServiceUri', value: endpoints.failoverBlobServiceUri }
        { name: 'LIFEBOAT_FAILOVER__credential', value: 'managedidentity' }
        { name: 'LIFEBOAT_FAILOVER__clientId', value: identityClientId }
        { name: 'LIFEBOAT_ACTIVE_ENDPOINT_SECRET', value: settings.activeEndpointSecretName }
        { name: 'LIFEBOAT_STATE_TABLE', value: settings.stateTableName }
      ]
      // ---- app settings: end ----
    }
  }
}

@description('Name of the Function App.')
output name string = app.name

@description('Default host name of the Function App.')
output hostName string = app.properties.defaultHostName
