// The Lifeboat Function App on the Flex Consumption plan (Linux, Node 20), running as the
// user-assigned identity. Every connection is identity-based (`NAME__…ServiceUri` +
// `NAME__credential = managedidentity` + `NAME__clientId`): no account key, connection
// string or key value appears in any setting.

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

@description('Table service URI of the source account.')
param sourceTableServiceUri string

@description('Blob service URI of the source account.')
param sourceBlobServiceUri string

@description('Blob service URI of the primary backup account.')
param backupBlobServiceUri string

@description('Table service URI of the primary backup account (the audit table).')
param backupTableServiceUri string

@description('Vault URI of the Key Vault.')
param keyVaultUri string

@description('LIFEBOAT_KEY_VAULT_URI_SECONDARY: the second region\'s vault, holding the KEK\'s copy.')
param secondaryKeyVaultUri string

// The parameters below carry the same names as in main.bicep: test/infra resolves a
// setting's default through them.

@description('LIFEBOAT_TABLES: comma-separated table names, or * for every table.')
param tables string

@description('Blob endpoint of the secondary backup account (LIFEBOAT_SECONDARY__blobServiceUri); the container is the primary\'s name.')
param secondaryBlobServiceUri string

@description('LIFEBOAT_CONTAINERS: source blob containers in every point (empty: tables only).')
param containers string

@description('LIFEBOAT_CONFIG_CONTAINERS: containers of the nightly config export (empty: the same as containers).')
param configContainers string

@description('LIFEBOAT_BACKUP_CONTAINER: the backup container.')
param backupContainerName string

@description('LIFEBOAT_KEK_SECRET: name of the KEK secret.')
param kekSecretName string

@description('LIFEBOAT_AUDIT_TABLE: the audit table, in the backup account.')
param auditTableName string

@description('LIFEBOAT_JOBS_TABLE: the restore-job state table, in the backup account.')
param jobsTableName string

@description('LIFEBOAT_JOBS_QUEUE: the restore-job queue, in the Functions host account (AzureWebJobsStorage).')
param jobsQueueName string

@description('LIFEBOAT_AUDIT_CONTAINER: the audit-digest container, in the backup account.')
param auditDigestContainerName string

@description('RPO_MINUTES.')
param rpoMinutes int

@description('RTO_MINUTES.')
param rtoMinutes int

@description('LIFEBOAT_FULL_BACKUP_SCHEDULE (NCRONTAB, six fields).')
param fullBackupSchedule string

@description('LIFEBOAT_INCREMENTAL_BACKUP_SCHEDULE (NCRONTAB, six fields).')
param incrementalBackupSchedule string

@description('LIFEBOAT_CONFIG_EXPORT_SCHEDULE.')
param configExportSchedule string

@description('LIFEBOAT_OVERLAP_SECONDS.')
param overlapSeconds int

@description('LIFEBOAT_CHUNK_ENTITIES.')
param chunkEntities int

@description('LIFEBOAT_RESTORE_CONCURRENCY.')
param restoreConcurrency int

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
        { name: 'LIFEBOAT_SOURCE__tableServiceUri', value: sourceTableServiceUri }
        { name: 'LIFEBOAT_SOURCE__blobServiceUri', value: sourceBlobServiceUri }
        { name: 'LIFEBOAT_SOURCE__credential', value: 'managedidentity' }
        { name: 'LIFEBOAT_SOURCE__clientId', value: identityClientId }
        { name: 'LIFEBOAT_TABLES', value: tables }
        { name: 'LIFEBOAT_CONTAINERS', value: containers }
        { name: 'LIFEBOAT_CONFIG_CONTAINERS', value: configContainers }
        { name: 'LIFEBOAT_BACKUP__blobServiceUri', value: backupBlobServiceUri }
        { name: 'LIFEBOAT_BACKUP__tableServiceUri', value: backupTableServiceUri }
        { name: 'LIFEBOAT_BACKUP__credential', value: 'managedidentity' }
        { name: 'LIFEBOAT_BACKUP__clientId', value: identityClientId }
        { name: 'LIFEBOAT_BACKUP_CONTAINER', value: backupContainerName }
        { name: 'LIFEBOAT_IMMUTABILITY', value: 'on' }
        { name: 'LIFEBOAT_CSV_BACKUPS', value: 'full' }
        { name: 'LIFEBOAT_SECONDARY__blobServiceUri', value: secondaryBlobServiceUri }
        { name: 'LIFEBOAT_SECONDARY__credential', value: 'managedidentity' }
        { name: 'LIFEBOAT_SECONDARY__clientId', value: identityClientId }
        { name: 'LIFEBOAT_KEY_VAULT_URI', value: keyVaultUri }
        { name: 'LIFEBOAT_KEY_VAULT_URI_SECONDARY', value: secondaryKeyVaultUri }
        { name: 'LIFEBOAT_KEK_SECRET', value: kekSecretName }
        { name: 'LIFEBOAT_AUDIT_TABLE', value: auditTableName }
        { name: 'LIFEBOAT_JOBS_TABLE', value: jobsTableName }
        { name: 'LIFEBOAT_JOBS_QUEUE', value: jobsQueueName }
        { name: 'LIFEBOAT_AUDIT_CONTAINER', value: auditDigestContainerName }
        { name: 'RPO_MINUTES', value: string(rpoMinutes) }
        { name: 'RTO_MINUTES', value: string(rtoMinutes) }
        { name: 'LIFEBOAT_FULL_BACKUP_SCHEDULE', value: fullBackupSchedule }
        { name: 'LIFEBOAT_INCREMENTAL_BACKUP_SCHEDULE', value: incrementalBackupSchedule }
        { name: 'LIFEBOAT_CONFIG_EXPORT_SCHEDULE', value: configExportSchedule }
        { name: 'LIFEBOAT_OVERLAP_SECONDS', value: string(overlapSeconds) }
        { name: 'LIFEBOAT_CHUNK_ENTITIES', value: string(chunkEntities) }
        { name: 'LIFEBOAT_RESTORE_CONCURRENCY', value: string(restoreConcurrency) }
      ]
      // ---- app settings: end ----
    }
  }
}

@description('Name of the Function App.')
output name string = app.name

@description('Default host name of the Function App.')
output hostName string = app.properties.defaultHostName
