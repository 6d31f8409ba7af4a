// A backup storage account: the primary copy (next to the app) or the secondary copy (in
// the second region); both get the same protections.
//
// - Shared-key access off, no public blob access, TLS 1.2, HTTPS only.
// - Blob versioning, blob soft delete and container soft delete on.
// - Version-level immutability (WORM) with an account-wide default time-based retention
//   policy that every container inherits: the backup container, the audit-digest
//   container and the app's lock container. While a blob version is within its retention
//   it cannot be deleted and its metadata cannot change; an overwrite only adds a new
//   version. Lifeboat writes each object once (the manifest last, If-None-Match: *) and
//   only takes leases on the lock blob, so it runs unchanged under the policy.
// - The policy is the account's, because only an account-level policy can be locked from
//   a template (a container policy is locked by a separate API call). A locked policy can
//   be lengthened but never shortened or removed, and it is created unlocked: lock it in a
//   later deployment (lockImmutability).
// - The account-wide default is the shortest tier (LIFEBOAT's incremental tier + a day);
//   every blob Lifeboat writes carries its own, Locked, version-level expiry for its tier
//   (a daily's 30 days, a weekly's 26 weeks), which can be extended but never shortened.
//   Setting it needs immutableStorage/runAsSuperUser/action, which a custom role grants
//   the app on the backup container only (it could otherwise remove unlocked policies).
// - A lifecycle rule removes previous versions once their retention has run out, so the
//   objects that retention deletes do not linger as versions; others move dailies to Cool
//   and weeklies to Cold by their lifeboat-tier tag (never Archive: rehydration takes
//   hours, longer than the 2-hour RTO).

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

@description('Blob container that holds the restore points (LIFEBOAT_BACKUP_CONTAINER).')
param backupContainerName string

@description('Blob container that holds the audit log\'s signed digests.')
param auditDigestContainerName string

@description('Days every blob version stays immutable after it is written, at least (the account default; Lifeboat sets longer expiries per tier).')
@minValue(1)
@maxValue(146000)
param immutabilityDays int

@description('Days before a daily backup blob moves to the Cool tier (by its lifeboat-tier tag).')
@minValue(0)
param coolAfterDays int = 7

@description('Days before a weekly backup blob moves to the Cold tier (by its lifeboat-tier tag). Never Archive: rehydration would break the RTO.')
@minValue(0)
param coldAfterDays int = 30

@description('Lock the immutability policy. Irreversible: a locked policy can only be lengthened. A policy is created unlocked, so lock it in a later deployment.')
param lockImmutability bool

@description('Days a deleted blob or container can still be undeleted.')
@minValue(1)
@maxValue(365)
param softDeleteDays int

@description('Create the audit table here and let the app write to it (the primary backup account only).')
param withAuditTable bool

@description('Name of the audit table.')
param auditTableName string

@description('Name of the restore-job state table (LIFEBOAT_JOBS_TABLE; created with the audit table).')
param jobsTableName string

@description('Name of the state table (LIFEBOAT_STATE_TABLE: the active endpoint record, a switch in progress, the primary probe), created with the audit table.')
param stateTableName string

@description('Let the app use this account\'s queues: the blob trigger of the retention function keeps its poison queue in the account it watches.')
param withTriggerQueue bool

@description('Resource id of the Log Analytics workspace that receives the blob write and delete logs.')
param workspaceId string

@description('Object id of the Function App identity.')
param appPrincipalId string

@description('Object id of an operator (person or group) who may read the backups with the lifeboat CLI; empty for none.')
param operatorPrincipalId string

@description('Kind of principal operatorPrincipalId is.')
@allowed(['User', 'Group', 'ServicePrincipal'])
param operatorPrincipalType string

// Must equal LOCK_CONTAINER in src/adapters/azure/stores.ts (test/infra/settings.test.ts checks it).
var lockContainerName = 'lifeboat-locks'

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
    immutableStorageWithVersioning: {
      enabled: true
      immutabilityPolicy: {
        immutabilityPeriodSinceCreationInDays: immutabilityDays
        state: lockImmutability ? 'Locked' : 'Unlocked'
        allowProtectedAppendWrites: false
      }
    }
  }

  resource blobs 'blobServices' = {
    name: 'default'
    properties: {
      isVersioningEnabled: true
      deleteRetentionPolicy: {
        enabled: true
        days: softDeleteDays
      }
      containerDeleteRetentionPolicy: {
        enabled: true
        days: softDeleteDays
      }
    }

    resource backup 'containers' = {
      name: backupContainerName
      properties: {
        publicAccess: 'None'
        immutableStorageWithVersioning: { enabled: true }
      }
    }

    resource auditDigests 'containers' = {
      name: auditDigestContainerName
      properties: {
        publicAccess: 'None'
        immutableStorageWithVersioning: { enabled: true }
      }
    }

    resource locks 'containers' = {
      name: lockContainerName
      properties: {
        publicAccess: 'None'
        immutableStorageWithVersioning: { enabled: true }
      }
    }
  }

  resource lifecycle 'managementPolicies' = {
    name: 'default'
    properties: {
      policy: {
        rules: [
          {
            name: 'remove-expired-previous-versions'
            enabled: true
            type: 'Lifecycle'
            definition: {
              filters: { blobTypes: ['blockBlob'] }
              actions: {
                version: {
                  delete: { daysAfterCreationGreaterThan: immutabilityDays }
                }
              }
            }
          }
          {
            name: 'dailies-to-cool'
            enabled: true
            type: 'Lifecycle'
            definition: {
              filters: {
                blobTypes: ['blockBlob']
                prefixMatch: ['${backupContainerName}/']
                blobIndexMatch: [{ name: 'lifeboat-tier', op: '==', value: 'daily' }]
              }
              actions: {
                baseBlob: {
                  tierToCool: { daysAfterCreationGreaterThan: coolAfterDays }
                }
              }
            }
          }
          {
            name: 'weeklies-to-cold'
            enabled: true
            type: 'Lifecycle'
            definition: {
              filters: {
                blobTypes: ['blockBlob']
                prefixMatch: ['${backupContainerName}/']
                blobIndexMatch: [{ name: 'lifeboat-tier', op: '==', value: 'weekly' }]
              }
              actions: {
                baseBlob: {
                  tierToCold: { daysAfterCreationGreaterThan: coldAfterDays }
                }
              }
            }
          }
        ]
      }
    }
  }

  resource tables 'tableServices' = {
    name: 'default'

    resource audit 'tables' = if (withAuditTable) {
      name: auditTableName
    }

    resource jobs 'tables' = if (withAuditTable) {
      name: jobsTableName
    }

    resource state 'tables' = if (withAuditTable) {
      name: stateTableName
    }
  }
}

// Backups: write points, read them back for restores, delete expired ones.
resource appWritesBackups 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, appPrincipalId, roles.storageBlobDataContributor)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor) // Storage Blob Data Contributor
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Per-blob immutability expiries and tier tags, on the backup container only: a custom role
// (Storage Blob Data Contributor has neither). Setting a policy is the same capability as
// removing an unlocked one, which is why Lifeboat sets only Locked ones.
resource immutabilityWriter 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'lifeboat-immutability-writer')
  properties: {
    roleName: 'Lifeboat immutability and tier writer (${resourceGroup().name})'
    description: 'Set version-level immutability expiries and blob index tags on Lifeboat backup blobs.'
    type: 'CustomRole'
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: [
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/immutableStorage/runAsSuperUser/action'
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags/read'
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags/write'
        ]
        notDataActions: []
      }
    ]
    assignableScopes: [resourceGroup().id]
  }
}

resource appSetsTiers 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account::blobs::backup.id, appPrincipalId, immutabilityWriter.id)
  scope: account::blobs::backup
  properties: {
    roleDefinitionId: immutabilityWriter.id // Lifeboat immutability and tier writer (custom)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The audit log: this one table only.
resource appWritesAudit 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withAuditTable) {
  name: guid(account::tables::audit.id, appPrincipalId, roles.storageTableDataContributor)
  scope: account::tables::audit
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor) // Storage Table Data Contributor
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Restore-job state (LIFEBOAT_JOBS_TABLE): this one table only.
resource appWritesJobs 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withAuditTable) {
  name: guid(account::tables::jobs.id, appPrincipalId, roles.storageTableDataContributor)
  scope: account::tables::jobs
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor) // Storage Table Data Contributor
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Failover state: the active endpoint record, the in-progress mark, the probe (this one table only).
resource appWritesState 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withAuditTable) {
  name: guid(account::tables::state.id, appPrincipalId, roles.storageTableDataContributor)
  scope: account::tables::state
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor) // Storage Table Data Contributor
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// lifeboat failover / failback / endpoint from a workstation read and switch the same record.
resource operatorWritesState 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withAuditTable && !empty(operatorPrincipalId)) {
  name: guid(account::tables::state.id, operatorPrincipalId, roles.storageTableDataContributor)
  scope: account::tables::state
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor) // Storage Table Data Contributor
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
  }
}

// The retention function's blob trigger records poison blobs in a queue of this account.
resource appUsesTriggerQueue 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withTriggerQueue) {
  name: guid(account.id, appPrincipalId, roles.storageQueueDataContributor)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor) // Storage Queue Data Contributor
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The operator runs the CLI (the README's drill: lifeboat verify, restore --target-prefix,
// points, audit verify). test/infra/operator-roles.test.ts derives what each command asks
// of this account from its requests and checks that these assignments grant it.
//
// Reading the points, anywhere in the account.
resource operatorReadsBackups 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(account.id, operatorPrincipalId, roles.storageBlobDataReader)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataReader) // Storage Blob Data Reader
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
  }
}

// Every CLI action appends to the audit log: its table ...
resource operatorWritesAudit 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withAuditTable && !empty(operatorPrincipalId)) {
  name: guid(account::tables::audit.id, operatorPrincipalId, roles.storageTableDataContributor)
  scope: account::tables::audit
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor) // Storage Table Data Contributor
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
  }
}

// The operator's restore jobs (lifeboat restore --job, lifeboat jobs): their state table only.
resource operatorWritesJobs 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withAuditTable && !empty(operatorPrincipalId)) {
  name: guid(account::tables::jobs.id, operatorPrincipalId, roles.storageTableDataContributor)
  scope: account::tables::jobs
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor) // Storage Table Data Contributor
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
  }
}

// ... and its signed digests (written once each; the account's immutability keeps them).
resource operatorWritesAuditDigests 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withAuditTable && !empty(operatorPrincipalId)) {
  name: guid(account::blobs::auditDigests.id, operatorPrincipalId, roles.storageBlobDataContributor)
  scope: account::blobs::auditDigests
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor) // Storage Blob Data Contributor
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
  }
}

// A restore into new tables first records each table it creates under registry/tables/ in
// the backup container, so "*" backups leave it out. The operator may create blobs there
// and nowhere else in the container: no delete, no tags, no immutability.
resource registryWriter 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'lifeboat-registry-writer')
  properties: {
    roleName: 'Lifeboat restore registry writer (${resourceGroup().name})'
    description: 'Create blobs in a Lifeboat backup container; assigned with a condition that limits it to registry/tables/.'
    type: 'CustomRole'
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: [
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write'
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action'
        ]
        notDataActions: []
      }
    ]
    assignableScopes: [resourceGroup().id]
  }
}

resource operatorRecordsRestoredTables 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(account::blobs::backup.id, operatorPrincipalId, registryWriter.id)
  scope: account::blobs::backup
  properties: {
    roleDefinitionId: registryWriter.id // Lifeboat restore registry writer (custom)
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
    conditionVersion: '2.0'
    condition: '((!(ActionMatches{\'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write\'}) AND !(ActionMatches{\'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action\'})) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path] StringStartsWith \'registry/tables/\'))'
  }
}

// Every write and delete on the backup blobs (who, what, when), into Log Analytics: the
// record that shows an attempt to tamper with the backups, whether WORM refused it or not.
// 2021-05-01-preview is the newest version of diagnosticSettings; the linter accepts only
// 2016-09-01, a different (legacy, per-service) shape.
#disable-next-line use-recent-api-versions
resource blobWritesAndDeletes 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'lifeboat-blob-writes'
  scope: account::blobs
  properties: {
    workspaceId: workspaceId
    logs: [
      { category: 'StorageWrite', enabled: true }
      { category: 'StorageDelete', enabled: true }
    ]
  }
}

@description('Name of the account.')
output name string = account.name

@description('Resource id of the account (the Event Grid topic source).')
output id string = account.id

@description('Blob service URI (LIFEBOAT_BACKUP__blobServiceUri for the primary copy).')
output blobServiceUri string = account.properties.primaryEndpoints.blob

@description('Table service URI (LIFEBOAT_BACKUP__tableServiceUri: where the audit table lives).')
output tableServiceUri string = account.properties.primaryEndpoints.table
