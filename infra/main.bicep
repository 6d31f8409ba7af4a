// Lifeboat: everything it needs in Azure, in one subscription-scope deployment.
//
//   az deployment sub create -l <region> -f infra/main.bicep -p infra/main.parameters.json \
//     -p environmentName=<name> location=<region> sourceStorageAccountId=<id> alertEmail=<address>
//
// or `azd up`. The README's deployment section explains every parameter, how to create
// the KEK (never written by this template), the first drill and the teardown.
//
// Primary resource group (location): identity, monitoring, Functions host storage,
// primary backup account, Key Vault, Function App, Event Grid, alerts.
// Secondary resource group (secondaryLocation): secondary backup account, failover account.
// Source account (existing, anywhere in the tenant): role assignments only.

targetScope = 'subscription'

@description('Short name of this deployment (e.g. prod); part of every resource name.')
@minLength(1)
@maxLength(20)
param environmentName string

@description('Primary region: the Function App, the primary backup account, Key Vault, monitoring. Must offer Flex Consumption.')
@metadata({ azd: { type: 'location' } })
param location string

@description('Region of the secondary backup copy and the failover account; must differ from location. Empty: the primary region\'s paired region, unless that pair is access-restricted (then required). A pair in another geography (brazilsouth → southcentralus) moves copies of the data out of the country.')
param secondaryLocation string = ''

@description('Name of the primary resource group. Empty: rg-lifeboat-<environmentName>.')
param resourceGroupName string = ''

@description('Name of the secondary resource group. Empty: rg-lifeboat-<environmentName>-secondary.')
param secondaryResourceGroupName string = ''

@description('Resource id of the existing source storage account (the data Lifeboat protects): /subscriptions/…/resourceGroups/…/providers/Microsoft.Storage/storageAccounts/<name>.')
param sourceStorageAccountId string

@description('Grant the app write access to the source account, for `lifeboat restore --in-place`. Off: read only.')
param allowInPlaceRestore bool = false

@description('Network isolation: both apps integrate with a virtual network in their region (the two peered), the backup and failover accounts, the source and both vaults are reached through private endpoints, and the Lifeboat accounts and vaults turn public network access off. The CLI then works only from inside the networks (a VPN or a jump host), and the host storage accounts stay public for the deployment package (Entra ID only, no keys).')
param networkIsolation bool = false

@description('E-mail address that receives the RPO-breach, backup-failed and drill-failed alerts.')
param alertEmail string

@description('Object id of an operator (person or group) who creates the KEK and runs the lifeboat CLI against Azure; empty for none. E.g. $(az ad signed-in-user show --query id -o tsv).')
param operatorPrincipalId string = ''

@description('Kind of principal operatorPrincipalId is.')
@allowed(['User', 'Group', 'ServicePrincipal'])
param operatorPrincipalType string = 'User'

@description('LIFEBOAT_TABLES: comma-separated source table names, or * for every table.')
param tables string = '*'

@description('LIFEBOAT_CONTAINERS: comma-separated source blob containers in every restore point (empty: tables only).')
param containers string = ''

@description('LIFEBOAT_CONFIG_CONTAINERS: containers of the nightly config export (empty: the same as containers).')
param configContainers string = ''

@description('LIFEBOAT_BACKUP_CONTAINER: blob container of the restore points, in both backup accounts.')
param backupContainerName string = 'lifeboat'

@description('Blob container of the audit log\'s digests, in both backup accounts.')
param auditDigestContainerName string = 'lifeboat-audit'

@description('Name of the audit table, in the primary backup account.')
param auditTableName string = 'LifeboatAudit'

@description('Restore-job state table, in the backup account (LIFEBOAT_JOBS_TABLE).')
param jobsTableName string = 'LifeboatJobs'

@description('Queue restore jobs travel on, in the Functions host account (LIFEBOAT_JOBS_QUEUE); its poison queue is <name>-poison.')
param jobsQueueName string = 'lifeboat-jobs'

@description('LIFEBOAT_STATE_TABLE: the failover state table (active endpoint record, probe), in the primary backup account.')
param stateTableName string = 'LifeboatState'

@description('LIFEBOAT_KEK_SECRET: name of the Key Vault secret that holds the KEK (created by the operator, not by this template).')
param kekSecretName string = 'lifeboat-kek'

@description('Name of the Key Vault secret that holds the active table endpoint.')
param activeEndpointSecretName string = 'lifeboat-active-endpoint'

@description('Days every backup blob stays immutable at least: the account default, the shortest retention tier (incrementals, 7 days) plus a day. Lifeboat gives each blob its own longer, Locked expiry for its tier (dailies 30 days, weeklies 26 weeks).')
@minValue(1)
@maxValue(146000)
param immutabilityDays int = 8

@description('Lock the backup accounts\' immutability policies. IRREVERSIBLE: a locked policy can be lengthened, never shortened or removed, and the accounts cannot be deleted while they hold unexpired blobs. Deploy unlocked first.')
param lockImmutability bool = false

@description('Days deleted blobs and containers can be undeleted.')
@minValue(1)
@maxValue(365)
param softDeleteDays int = 14

@description('Replication of the backup and failover accounts (ZRS where the region offers it).')
@allowed(['Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Standard_GZRS', 'Standard_RAGRS', 'Standard_RAGZRS'])
param storageSku string = 'Standard_LRS'

@description('RPO_MINUTES: recovery point objective.')
@minValue(1)
@maxValue(1440)
param rpoMinutes int = 15

@description('RTO_MINUTES: recovery time objective.')
@minValue(1)
@maxValue(10080)
param rtoMinutes int = 120

@description('LIFEBOAT_FULL_BACKUP_SCHEDULE: NCRONTAB (six fields, UTC) of the daily full backup.')
param fullBackupSchedule string = '0 0 1 * * *'

@description('LIFEBOAT_INCREMENTAL_BACKUP_SCHEDULE: NCRONTAB (six fields, UTC) of the incremental backups.')
param incrementalBackupSchedule string = '0 */15 * * * *'

@description('LIFEBOAT_CONFIG_EXPORT_SCHEDULE: NCRONTAB (six fields, UTC) of the nightly config export.')
param configExportSchedule string = '0 30 0 * * *'

@description('LIFEBOAT_OVERLAP_SECONDS: how far before the watermark an incremental re-reads.')
@minValue(0)
@maxValue(86400)
param overlapSeconds int = 300

@description('LIFEBOAT_CHUNK_ENTITIES: entities per data file.')
@minValue(100)
@maxValue(100000)
param chunkEntities int = 5000

@description('LIFEBOAT_RESTORE_CONCURRENCY: partitions written in parallel during a restore.')
@minValue(1)
@maxValue(64)
param restoreConcurrency int = 16

@description('LIFEBOAT_SCAN_CONCURRENCY: PartitionKey ranges a scan reads at once (backups, a restore\'s sweep and verification).')
@minValue(1)
@maxValue(32)
param scanConcurrency int = 4

@description('LIFEBOAT_FANOUT_ENTITIES: a table whose latest point holds at least this many entities has its full and key scans fanned out as range tasks over Function instances (0: never).')
@minValue(0)
param fanoutEntities int = 5000000

@description('The DR drills\' schedules (NCRONTAB, UTC): LIFEBOAT_DRILL_RESTORE_SCHEDULE (monthly), LIFEBOAT_DRILL_CONFIG_SCHEDULE (monthly), LIFEBOAT_DRILL_FAILOVER_SCHEDULE (quarterly), LIFEBOAT_DRILL_FULL_SCHEDULE (yearly).')
param drillRestoreSchedule string = '0 0 3 1 * *'

@description('LIFEBOAT_DRILL_CONFIG_SCHEDULE.')
param drillConfigSchedule string = '0 30 3 1 * *'

@description('LIFEBOAT_DRILL_FAILOVER_SCHEDULE.')
param drillFailoverSchedule string = '0 0 4 1 1,4,7,10 *'

@description('LIFEBOAT_DRILL_FULL_SCHEDULE.')
param drillFullSchedule string = '0 0 5 2 1 *'

@description('Maximum number of Function App instances.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory of each Function App instance, in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Old-space heap limit of the Node.js worker, in MB (--max-old-space-size). Lifeboat keeps per-key state off the heap, so its live heap stays near 60-70 MB whatever the table size; the cap makes V8 collect before it grows. `npm run bench` runs with the same default.')
@minValue(96)
@maxValue(3072)
param workerHeapMB int = 128

@description('Days Log Analytics keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Create the Event Grid subscription that feeds the retention function. Needs the app\'s code deployed first (the webhook key exists only then): deploy once with false, publish the code, deploy again with true.')
param enableRetentionEvents bool = false

@description('Name of the blob-triggered retention function.')
param retentionFunctionName string = 'retention'

// Azure's region pairs, for the default secondary region.
var pairedRegions = {
  australiacentral: 'australiacentral2'
  australiacentral2: 'australiacentral'
  australiaeast: 'australiasoutheast'
  australiasoutheast: 'australiaeast'
  brazilsouth: 'southcentralus'
  canadacentral: 'canadaeast'
  canadaeast: 'canadacentral'
  centralindia: 'southindia'
  centralus: 'eastus2'
  eastasia: 'southeastasia'
  eastus: 'westus'
  eastus2: 'centralus'
  francecentral: 'francesouth'
  francesouth: 'francecentral'
  germanynorth: 'germanywestcentral'
  germanywestcentral: 'germanynorth'
  japaneast: 'japanwest'
  japanwest: 'japaneast'
  koreacentral: 'koreasouth'
  koreasouth: 'koreacentral'
  northcentralus: 'southcentralus'
  northeurope: 'westeurope'
  norwayeast: 'norwaywest'
  norwaywest: 'norwayeast'
  southafricanorth: 'southafricawest'
  southafricawest: 'southafricanorth'
  southcentralus: 'northcentralus'
  southeastasia: 'eastasia'
  southindia: 'centralindia'
  swedencentral: 'swedensouth'
  swedensouth: 'swedencentral'
  switzerlandnorth: 'switzerlandwest'
  switzerlandwest: 'switzerlandnorth'
  uaecentral: 'uaenorth'
  uaenorth: 'uaecentral'
  uksouth: 'ukwest'
  ukwest: 'uksouth'
  westcentralus: 'westus2'
  westeurope: 'northeurope'
  westindia: 'southindia'
  westus: 'eastus'
  westus2: 'westcentralus'
  westus3: 'eastus'
}

// Pairs that are access-restricted (a subscription cannot deploy there without a support
// request): a primary region paired with one needs secondaryLocation.
var restrictedPairs = [
  'australiacentral2'
  'francesouth'
  'germanynorth'
  'norwaywest'
  'southafricawest'
  'swedensouth'
  'switzerlandwest'
  'uaecentral'
]

// Bicep has no way to fail a deployment with a message; a region that is no region does,
// and its name is the message in the error.
var pairedRegion = pairedRegions[?toLower(location)] ?? 'no-paired-region--set-secondaryLocation'
var defaultSecondary = contains(restrictedPairs, pairedRegion) ? 'paired-region-restricted--set-secondaryLocation' : pairedRegion
var chosenSecondary = !empty(secondaryLocation) ? secondaryLocation : defaultSecondary
var secondaryRegion = toLower(chosenSecondary) == toLower(location) ? 'secondaryLocation-equals-location--choose-another-region' : chosenSecondary

var token = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  app: 'lifeboat'
}
var functionAppName = 'func-lifeboat-${token}'
var standbyAppName = 'func-lifeboat-sby-${token}'
var deploymentContainerName = 'app-package-${token}'
var deadLetterContainerName = 'retention-deadletter'

var sourceParts = split(sourceStorageAccountId, '/')

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-lifeboat-${environmentName}'
  location: location
  tags: tags
}

resource secondaryRg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: !empty(secondaryResourceGroupName) ? secondaryResourceGroupName : 'rg-lifeboat-${environmentName}-secondary'
  location: secondaryRegion
  tags: tags
}

module identity 'modules/identity.bicep' = {
  scope: rg
  params: {
    name: 'id-lifeboat-${token}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  params: {
    workspaceName: 'log-lifeboat-${token}'
    appInsightsName: 'appi-lifeboat-${token}'
    location: location
    tags: tags
    retentionInDays: logRetentionDays
    appPrincipalId: identity.outputs.principalId
  }
}

module source 'modules/source-access.bicep' = {
  scope: resourceGroup(sourceParts[2], sourceParts[4])
  params: {
    sourceAccountName: last(sourceParts)
    allowInPlaceRestore: allowInPlaceRestore
    appPrincipalId: identity.outputs.principalId
  }
}

module runtimeStorage 'modules/runtime-storage.bicep' = {
  scope: rg
  params: {
    name: 'stlbhost${token}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    deadLetterContainerName: deadLetterContainerName
    jobsQueueName: jobsQueueName
    appPrincipalId: identity.outputs.principalId
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
  }
}

module backup 'modules/backup-storage.bicep' = {
  scope: rg
  params: {
    isolated: networkIsolation
    name: 'stlbbak${token}'
    location: location
    tags: tags
    skuName: storageSku
    backupContainerName: backupContainerName
    auditDigestContainerName: auditDigestContainerName
    immutabilityDays: immutabilityDays
    lockImmutability: lockImmutability
    softDeleteDays: softDeleteDays
    withAuditTable: true
    auditTableName: auditTableName
    jobsTableName: jobsTableName
    stateTableName: stateTableName
    withTriggerQueue: true
    workspaceId: monitoring.outputs.workspaceId
    appPrincipalId: identity.outputs.principalId
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
  }
}

module secondaryBackup 'modules/backup-storage.bicep' = {
  scope: secondaryRg
  params: {
    isolated: networkIsolation
    name: 'stlbsec${token}'
    location: secondaryRegion
    tags: tags
    skuName: storageSku
    backupContainerName: backupContainerName
    auditDigestContainerName: auditDigestContainerName
    immutabilityDays: immutabilityDays
    lockImmutability: lockImmutability
    softDeleteDays: softDeleteDays
    // The standby app keeps its audit log, jobs and state here: in the region that survives.
    withAuditTable: true
    auditTableName: auditTableName
    jobsTableName: jobsTableName
    stateTableName: stateTableName
    withTriggerQueue: false
    workspaceId: monitoring.outputs.workspaceId
    appPrincipalId: identity.outputs.principalId
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
  }
}

module failover 'modules/failover-storage.bicep' = {
  scope: secondaryRg
  params: {
    isolated: networkIsolation
    name: 'stlbfo${token}'
    location: secondaryRegion
    tags: tags
    skuName: storageSku
    appPrincipalId: identity.outputs.principalId
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
  }
}

// The active-endpoint secret's first value, in the JSON Lifeboat writes on every switch
// (applications parse one format); Lifeboat overwrites it on failover and failback.
var initialActiveEndpoint = string({
  tableServiceUri: source.outputs.tableServiceUri
  blobServiceUri: source.outputs.blobServiceUri
  since: null
  reason: null
  failoverId: null
})

module keyVault 'modules/key-vault.bicep' = {
  scope: rg
  params: {
    isolated: networkIsolation
    name: 'kv-lifeboat-${take(token, 11)}'
    location: location
    tags: tags
    softDeleteRetentionInDays: 90
    activeEndpointSecretName: activeEndpointSecretName
    initialActiveEndpoint: initialActiveEndpoint
    workspaceId: monitoring.outputs.workspaceId
    appPrincipalId: identity.outputs.principalId
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
  }
}

// The KEK's copy (lifeboat kek sync) and the active-endpoint record in the second region:
// with the primary region down, backups and restores still open their keys.
module secondaryKeyVault 'modules/key-vault.bicep' = {
  scope: secondaryRg
  params: {
    isolated: networkIsolation
    name: 'kv-lbsec-${take(token, 11)}'
    location: secondaryRegion
    tags: tags
    softDeleteRetentionInDays: 90
    activeEndpointSecretName: activeEndpointSecretName
    initialActiveEndpoint: initialActiveEndpoint
    workspaceId: monitoring.outputs.workspaceId
    appPrincipalId: identity.outputs.principalId
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
  }
}

// ---- network isolation (networkIsolation=true): a network per region, peered; private
// endpoints for every account and vault the apps use; private DNS zones linked to both.
module network 'modules/network.bicep' = if (networkIsolation) {
  scope: rg
  params: {
    name: 'vnet-lifeboat-${token}'
    location: location
    tags: tags
    addressPrefix: '10.60.0.0/16'
  }
}

module secondaryNetwork 'modules/network.bicep' = if (networkIsolation) {
  scope: secondaryRg
  params: {
    name: 'vnet-lifeboat-sec-${token}'
    location: secondaryRegion
    tags: tags
    addressPrefix: '10.61.0.0/16'
  }
}

module peerToSecondary 'modules/network-peering.bicep' = if (networkIsolation) {
  scope: rg
  params: {
    localVnetName: network!.outputs.name
    remoteVnetId: secondaryNetwork!.outputs.id
  }
}

module peerToPrimary 'modules/network-peering.bicep' = if (networkIsolation) {
  scope: secondaryRg
  params: {
    localVnetName: secondaryNetwork!.outputs.name
    remoteVnetId: network!.outputs.id
  }
}

module privateDns 'modules/private-dns.bicep' = if (networkIsolation) {
  scope: rg
  params: {
    tags: tags
    vnetIds: [network!.outputs.id, secondaryNetwork!.outputs.id]
  }
}

// Each account and vault gets its endpoints in its own region's network; the other region
// reaches them over the peering.
module privateEndpoints 'modules/private-endpoints.bicep' = if (networkIsolation) {
  scope: rg
  params: {
    location: location
    tags: tags
    subnetId: network!.outputs.endpointsSubnetId
    zoneIds: privateDns!.outputs.zoneIds
    endpoints: [
      { name: 'src', resourceId: sourceStorageAccountId, group: 'blob' }
      { name: 'src', resourceId: sourceStorageAccountId, group: 'table' }
      { name: 'bak', resourceId: backup.outputs.id, group: 'blob' }
      { name: 'bak', resourceId: backup.outputs.id, group: 'table' }
      { name: 'kv', resourceId: keyVault.outputs.id, group: 'vault' }
    ]
  }
}

module secondaryPrivateEndpoints 'modules/private-endpoints.bicep' = if (networkIsolation) {
  scope: secondaryRg
  params: {
    location: secondaryRegion
    tags: tags
    subnetId: secondaryNetwork!.outputs.endpointsSubnetId
    zoneIds: privateDns!.outputs.zoneIds
    endpoints: [
      { name: 'sec', resourceId: secondaryBackup.outputs.id, group: 'blob' }
      { name: 'sec', resourceId: secondaryBackup.outputs.id, group: 'table' }
      { name: 'fo', resourceId: failover.outputs.id, group: 'blob' }
      { name: 'fo', resourceId: failover.outputs.id, group: 'table' }
      { name: 'kvsec', resourceId: secondaryKeyVault.outputs.id, group: 'vault' }
    ]
  }
}

// The settings both apps get (test/infra/settings.test.ts resolves each through the parameter it names).
var lifeboatSettings = {
  tables: tables
  containers: containers
  configContainers: configContainers
  backupContainerName: backupContainerName
  kekSecretName: kekSecretName
  auditTableName: auditTableName
  jobsTableName: jobsTableName
  jobsQueueName: jobsQueueName
  auditDigestContainerName: auditDigestContainerName
  stateTableName: stateTableName
  activeEndpointSecretName: activeEndpointSecretName
  rpoMinutes: rpoMinutes
  rtoMinutes: rtoMinutes
  fullBackupSchedule: fullBackupSchedule
  incrementalBackupSchedule: incrementalBackupSchedule
  configExportSchedule: configExportSchedule
  overlapSeconds: overlapSeconds
  chunkEntities: chunkEntities
  restoreConcurrency: restoreConcurrency
  scanConcurrency: scanConcurrency
  fanoutEntities: fanoutEntities
  drillRestoreSchedule: drillRestoreSchedule
  drillConfigSchedule: drillConfigSchedule
  drillFailoverSchedule: drillFailoverSchedule
  drillFullSchedule: drillFullSchedule
}

module functionApp 'modules/function-app.bicep' = {
  scope: rg
  params: {
    name: functionAppName
    planName: 'plan-lifeboat-${token}'
    location: location
    tags: tags
    appTags: union(tags, { 'azd-service-name': 'lifeboat' })
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    runtimeStorageAccountName: runtimeStorage.outputs.name
    deploymentContainerUrl: runtimeStorage.outputs.deploymentContainerUrl
    appInsightsConnectionString: monitoring.outputs.connectionString
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    workerHeapMB: workerHeapMB
    settings: lifeboatSettings
    subnetId: networkIsolation ? network!.outputs.appsSubnetId : ''
    endpoints: {
      sourceTableServiceUri: source.outputs.tableServiceUri
      sourceBlobServiceUri: source.outputs.blobServiceUri
      backupBlobServiceUri: backup.outputs.blobServiceUri
      backupTableServiceUri: backup.outputs.tableServiceUri
      secondaryBlobServiceUri: secondaryBackup.outputs.blobServiceUri
      failoverTableServiceUri: failover.outputs.tableServiceUri
      failoverBlobServiceUri: failover.outputs.blobServiceUri
      keyVaultUri: keyVault.outputs.uri
      secondaryKeyVaultUri: secondaryKeyVault.outputs.uri
    }
  }
}

// The standby: the same code in the secondary region (LIFEBOAT_ROLE=standby). Its backup
// store is the secondary account (where the primary app copies every point), its secondary
// the primary account; it probes the primary source and the primary app, fails over only
// when both are down, and takes the scheduled backups only while the primary app does not
// answer. Flex Consumption scales it to zero: it costs nothing while idle. It shares the
// user-assigned identity (an Entra service principal, usable from any region; a regional
// outage affects only the identity resource's control plane).
module standbyRuntimeStorage 'modules/runtime-storage.bicep' = {
  scope: secondaryRg
  params: {
    name: 'stlbsby${token}'
    location: secondaryRegion
    tags: tags
    deploymentContainerName: deploymentContainerName
    deadLetterContainerName: deadLetterContainerName
    jobsQueueName: jobsQueueName
    appPrincipalId: identity.outputs.principalId
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
  }
}

module standbyApp 'modules/function-app.bicep' = {
  scope: secondaryRg
  params: {
    name: standbyAppName
    planName: 'plan-lifeboat-sby-${token}'
    location: secondaryRegion
    tags: tags
    appTags: union(tags, { 'azd-service-name': 'lifeboat-standby' })
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    runtimeStorageAccountName: standbyRuntimeStorage.outputs.name
    deploymentContainerUrl: standbyRuntimeStorage.outputs.deploymentContainerUrl
    appInsightsConnectionString: monitoring.outputs.connectionString
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    workerHeapMB: workerHeapMB
    settings: lifeboatSettings
    subnetId: networkIsolation ? secondaryNetwork!.outputs.appsSubnetId : ''
    endpoints: {
      sourceTableServiceUri: source.outputs.tableServiceUri
      sourceBlobServiceUri: source.outputs.blobServiceUri
      backupBlobServiceUri: secondaryBackup.outputs.blobServiceUri
      backupTableServiceUri: secondaryBackup.outputs.tableServiceUri
      secondaryBlobServiceUri: backup.outputs.blobServiceUri
      failoverTableServiceUri: failover.outputs.tableServiceUri
      failoverBlobServiceUri: failover.outputs.blobServiceUri
      keyVaultUri: keyVault.outputs.uri
      secondaryKeyVaultUri: secondaryKeyVault.outputs.uri
    }
    role: 'standby'
    primaryAppUrl: 'https://${functionApp.outputs.hostName}'
  }
}

module eventGrid 'modules/event-grid.bicep' = {
  scope: rg
  params: {
    name: 'egst-lifeboat-${token}'
    location: location
    tags: tags
    backupAccountId: backup.outputs.id
    runtimeStorageAccountName: runtimeStorage.outputs.name
    deadLetterContainerName: deadLetterContainerName
  }
}

module retentionEvents 'modules/retention-events.bicep' = if (enableRetentionEvents) {
  scope: rg
  params: {
    systemTopicName: eventGrid.outputs.name
    functionAppName: functionApp.outputs.name
    functionAppHostName: functionApp.outputs.hostName
    retentionFunctionName: retentionFunctionName
    backupContainerName: backupContainerName
    deadLetterAccountId: runtimeStorage.outputs.id
    deadLetterContainerName: deadLetterContainerName
  }
}

module alerts 'modules/alerts.bicep' = {
  scope: rg
  params: {
    namePrefix: 'lifeboat-${environmentName}'
    location: location
    tags: tags
    alertEmail: alertEmail
    appInsightsId: monitoring.outputs.appInsightsId
    systemTopicId: eventGrid.outputs.id
    // The RPO plus at least one incremental's slack, rounded up to a window log alerts allow.
    nothingRanWindow: rpoMinutes <= 10 ? 'PT20M' : rpoMinutes <= 15 ? 'PT30M' : rpoMinutes <= 30 ? 'PT45M' : rpoMinutes <= 45 ? 'PT1H' : 'PT2H'
  }
}

@description('Primary region (azd).')
output AZURE_LOCATION string = location

@description('Tenant of the deployment (azd).')
output AZURE_TENANT_ID string = tenant().tenantId

@description('Primary resource group; azd deploy looks for the app here.')
output AZURE_RESOURCE_GROUP string = rg.name

@description('Secondary resource group (secondary backup copy, failover account).')
output AZURE_SECONDARY_RESOURCE_GROUP string = secondaryRg.name

@description('Region of the secondary resource group.')
output AZURE_SECONDARY_LOCATION string = secondaryRegion

@description('Name of the Function App.')
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name

@description('Base URL of the Function App.')
output LIFEBOAT_APP_URL string = 'https://${functionApp.outputs.hostName}'

@description('Name of the standby Function App, in the secondary region (LIFEBOAT_ROLE=standby).')
output STANDBY_FUNCTION_APP_NAME string = standbyApp.outputs.name

@description('URL of the standby Function App: its endpoints serve when the primary region is down.')
output LIFEBOAT_STANDBY_APP_URL string = 'https://${standbyApp.outputs.hostName}'

@description('Client id of the app\'s managed identity.')
output MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId

@description('Object id of the app\'s managed identity (to remove its role assignments on the source account at teardown).')
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId

@description('Name of the Key Vault (create the KEK here).')
output KEY_VAULT_NAME string = keyVault.outputs.name

@description('URI of the Key Vault.')
output KEY_VAULT_URI string = keyVault.outputs.uri

@description('Name of the secondary Key Vault (the KEK\'s copy: lifeboat kek sync).')
output SECONDARY_KEY_VAULT_NAME string = secondaryKeyVault.outputs.name

@description('URI of the secondary Key Vault (LIFEBOAT_KEY_VAULT_URI_SECONDARY).')
output SECONDARY_KEY_VAULT_URI string = secondaryKeyVault.outputs.uri

@description('Name of the Key Vault secret the KEK goes into (a name, not a value).')
output KEK_NAME string = kekSecretName

@description('Primary backup account.')
output BACKUP_STORAGE_ACCOUNT_NAME string = backup.outputs.name

@description('Blob service URI of the primary backup account.')
output BACKUP_BLOB_SERVICE_URI string = backup.outputs.blobServiceUri

@description('Secondary backup account.')
output SECONDARY_STORAGE_ACCOUNT_NAME string = secondaryBackup.outputs.name

@description('Blob service URI of the secondary backup account.')
output SECONDARY_BLOB_SERVICE_URI string = secondaryBackup.outputs.blobServiceUri

@description('Failover account (standby tables).')
output FAILOVER_STORAGE_ACCOUNT_NAME string = failover.outputs.name

@description('Table service URI of the failover account.')
output FAILOVER_TABLE_SERVICE_URI string = failover.outputs.tableServiceUri

@description('Table service URI of the source account.')
output SOURCE_TABLE_SERVICE_URI string = source.outputs.tableServiceUri
