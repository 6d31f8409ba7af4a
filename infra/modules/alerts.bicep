// Alerts to an action group that e-mails the on-call address. Each is a log search
// alert over Application Insights that fires when the app logs one event line:
//
//   lifeboat.event=rpo_breach      the RPO monitor found a table older than RPO_MINUTES
//   lifeboat.event=backup_failed   a full or incremental backup threw
//   lifeboat.event=drill_failed    a scheduled DR drill failed or missed its RTO
//
// The app writes these with context.error(...), so they land in `traces` (and, when an
// exception is attached, in `exceptions`).

@description('Name prefix of the action group and the alert rules.')
param namePrefix string

@description('Region of the alert rules.')
param location string

@description('Tags for the action group and the rules.')
param tags object

@description('E-mail address that receives the alerts.')
param alertEmail string

@description('Resource id of the Application Insights component the queries run over.')
param appInsightsId string

var events = [
  {
    key: 'rpo-breach'
    event: 'rpo_breach'
    severity: 1
    title: 'Lifeboat: RPO breach'
    text: 'A table\'s newest restore point is older than RPO_MINUTES: backups are not keeping up.'
  }
  {
    key: 'backup-failed'
    event: 'backup_failed'
    severity: 1
    title: 'Lifeboat: backup failed'
    text: 'A full or incremental backup failed.'
  }
  {
    key: 'drill-failed'
    event: 'drill_failed'
    severity: 2
    title: 'Lifeboat: DR drill failed'
    text: 'A scheduled disaster-recovery drill failed or exceeded RTO_MINUTES.'
  }
]

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: '${namePrefix}-oncall'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'lifeboat'
    enabled: true
    emailReceivers: [
      {
        name: 'on-call'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

resource rules 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = [
  for e in events: {
    name: '${namePrefix}-${e.key}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: e.title
      description: e.text
      severity: e.severity
      enabled: true
      scopes: [appInsightsId]
      evaluationFrequency: 'PT5M'
      windowSize: 'PT5M'
      criteria: {
        allOf: [
          {
            query: 'union traces, exceptions | extend text = strcat(tostring(message), " ", tostring(outerMessage)) | where text contains "lifeboat.event=${e.event}"'
            timeAggregation: 'Count'
            operator: 'GreaterThan'
            threshold: 0
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: false
      actions: {
        actionGroups: [actionGroup.id]
      }
    }
  }
]

@description('Resource id of the action group.')
output actionGroupId string = actionGroup.id
