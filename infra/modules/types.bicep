// Typed objects the Function App module takes: the Lifeboat settings both apps share, and
// the endpoints that differ between the primary app and the standby.

@export()
@description('The Lifeboat settings both Function Apps share; each property is one app setting.')
type appSettings = {
  @description('LIFEBOAT_TABLES: comma-separated table names, or * for every table.')
  tables: string

  @description('LIFEBOAT_CONTAINERS: source blob containers in every point (empty: tables only).')
  containers: string

  @description('LIFEBOAT_CONFIG_CONTAINERS: containers of the nightly config export (empty: the same as containers).')
  configContainers: string

  @description('LIFEBOAT_BACKUP_CONTAINER: the backup container.')
  backupContainerName: string

  @description('LIFEBOAT_KEK_SECRET: name of the KEK secret.')
  kekSecretName: string

  @description('LIFEBOAT_AUDIT_TABLE: the audit table, in the backup account.')
  auditTableName: string

  @description('LIFEBOAT_JOBS_TABLE: the restore-job state table, in the backup account.')
  jobsTableName: string

  @description('LIFEBOAT_JOBS_QUEUE: the restore-job queue, in the Functions host account (AzureWebJobsStorage).')
  jobsQueueName: string

  @description('LIFEBOAT_AUDIT_CONTAINER: the audit-digest container, in the backup account.')
  auditDigestContainerName: string

  @description('LIFEBOAT_STATE_TABLE: the state table, in the backup account.')
  stateTableName: string

  @description('LIFEBOAT_ACTIVE_ENDPOINT_SECRET: the Key Vault secret applications read the active endpoint from.')
  activeEndpointSecretName: string

  @description('RPO_MINUTES.')
  rpoMinutes: int

  @description('RTO_MINUTES.')
  rtoMinutes: int

  @description('LIFEBOAT_FULL_BACKUP_SCHEDULE (NCRONTAB, six fields).')
  fullBackupSchedule: string

  @description('LIFEBOAT_INCREMENTAL_BACKUP_SCHEDULE (NCRONTAB, six fields).')
  incrementalBackupSchedule: string

  @description('LIFEBOAT_CONFIG_EXPORT_SCHEDULE.')
  configExportSchedule: string

  @description('LIFEBOAT_OVERLAP_SECONDS.')
  overlapSeconds: int

  @description('LIFEBOAT_CHUNK_ENTITIES.')
  chunkEntities: int

  @description('LIFEBOAT_RESTORE_CONCURRENCY.')
  restoreConcurrency: int

  @description('LIFEBOAT_SCAN_CONCURRENCY.')
  scanConcurrency: int

  @description('LIFEBOAT_FANOUT_ENTITIES.')
  fanoutEntities: int

  @description('LIFEBOAT_DRILL_RESTORE_SCHEDULE (NCRONTAB).')
  drillRestoreSchedule: string

  @description('LIFEBOAT_DRILL_CONFIG_SCHEDULE (NCRONTAB).')
  drillConfigSchedule: string

  @description('LIFEBOAT_DRILL_FAILOVER_SCHEDULE (NCRONTAB).')
  drillFailoverSchedule: string

  @description('LIFEBOAT_DRILL_FULL_SCHEDULE (NCRONTAB).')
  drillFullSchedule: string
}

@export()
@description('Where an app finds its accounts and vaults (service URIs, used with the managed identity).')
type appEndpoints = {
  @description('Table service URI of the source account.')
  sourceTableServiceUri: string

  @description('Blob service URI of the source account.')
  sourceBlobServiceUri: string

  @description('Blob service URI of this app\'s backup account.')
  backupBlobServiceUri: string

  @description('Table service URI of this app\'s backup account (audit, jobs and state tables).')
  backupTableServiceUri: string

  @description('Blob service URI of the other backup account (LIFEBOAT_SECONDARY__blobServiceUri); the container is the same name.')
  secondaryBlobServiceUri: string

  @description('Table service URI of the failover account.')
  failoverTableServiceUri: string

  @description('Blob service URI of the failover account.')
  failoverBlobServiceUri: string

  @description('Vault URI of the primary Key Vault.')
  keyVaultUri: string

  @description('LIFEBOAT_KEY_VAULT_URI_SECONDARY: the second region\'s vault, holding the KEK\'s copy.')
  secondaryKeyVaultUri: string
}
