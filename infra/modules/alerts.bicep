// Alerts to an action group that e-mails the on-call address. Each is a log search
// alert over Application Insights that fires when the app logs one event line:
//
//   lifeboat.event=rpo_breach      the RPO monitor found a table older than RPO_MINUTES
//   lifeboat.event=backup_failed   a full or incremental backup threw
//   lifeboat.event=drill_failed    a scheduled DR drill failed
//   lifeboat.event=drill_at_risk   a drill passed but missed the RTO or RPO it measured
//   lifeboat.event=primary_down    the primary probe saw the source fail for LIFEBOAT_FAILOVER_AFTER_MINUTES
//   lifeboat.event=failover_failed the probe's automatic failover failed (not retried for that outage)
//
// The app writes these with context.error(...) (drill_at_risk with context.warn), so they land in `traces` (and, when an
// exception is attached, in `exceptions`); host.json keeps both out of sampling. Each
// rule looks back 10 minutes every 5, so a line that is ingested late is still seen.
//
// Two more need no running app to fire:
//   nothing ran     no lifeboat.event=backup_committed line within the RPO plus slack:
//                   a bad deploy, a missing role or a retired runtime that never starts
//                   the app cannot report its own RPO breach;
//   dead letters    Event Grid could not deliver a new point's event to the retention
//                   function and dead-lettered it (the point's tier is not enforced).

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

@description('Window of the "nothing ran" alert: no committed backup for this long fires it. The RPO plus slack for one late run; one of the windows log alerts allow.')
@allowed(['PT20M', 'PT30M', 'PT45M', 'PT1H', 'PT2H'])
param nothingRanWindow string = 'PT30M'

@description('Resource id of the Event Grid system topic whose dead-lettered events raise an alert; empty for none.')
param systemTopicId string = ''

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
    text: 'A scheduled disaster-recovery drill failed: a restore, verification or failover step did not work. The report is in the repository (lifeboat drills).'
  }
  {
    key: 'drill-at-risk'
    event: 'drill_at_risk'
    severity: 3
    title: 'Lifeboat: DR drill at risk'
    text: 'A drill passed but missed an objective: the projected full restore exceeds RTO_MINUTES, or the newest point was older than RPO_MINUTES (lifeboat drills).'
  }
  {
    key: 'primary-down'
    event: 'primary_down'
    severity: 1
    title: 'Lifeboat: primary source down'
    text: 'The primary probe has seen the source account fail for LIFEBOAT_FAILOVER_AFTER_MINUTES: Lifeboat fails over on its own (LIFEBOAT_AUTO_FAILOVER=on) or waits for you (off). GET /api/endpoint says which account is active.'
  }
  {
    key: 'failover-failed'
    event: 'failover_failed'
    severity: 0
    title: 'Lifeboat: automatic failover failed'
    text: 'The automatic failover failed and is not retried for this outage: run lifeboat failover.'
  }
]

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${namePrefix}-oncall'
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
      windowSize: 'PT10M'
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

// Fires when nothing committed a backup within the window, whatever the reason; the query
// always returns one row (a count, 0 when no line matched), so an app that never logs
// anything fires it too.
resource nothingRan 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: '${namePrefix}-nothing-ran'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Lifeboat: no backup committed'
    description: 'No restore point was committed within ${nothingRanWindow}: the app is not running or not backing up (deploy, roles, runtime). The RPO is at risk.'
    severity: 1
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT5M'
    windowSize: nothingRanWindow
    criteria: {
      allOf: [
        {
          query: 'traces | where message contains "lifeboat.event=backup_committed" | summarize committed = count()'
          metricMeasureColumn: 'committed'
          timeAggregation: 'Total'
          operator: 'LessThan'
          threshold: 1
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [actionGroup.id]
    }
  }
}

resource deadLetters 'Microsoft.Insights/metricAlerts@2026-01-01' = if (!empty(systemTopicId)) {
  name: '${namePrefix}-retention-dead-letters'
  location: 'global'
  tags: tags
  properties: {
    description: 'Event Grid dead-lettered a new restore point\'s event: the retention function did not tag that point. Run lifeboat retention, then look in the dead-letter container.'
    severity: 2
    enabled: true
    scopes: [systemTopicId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'dead-lettered'
          metricNamespace: 'Microsoft.EventGrid/systemTopics'
          metricName: 'DeadLetteredCount'
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Total'
        }
      ]
    }
    autoMitigate: true
    actions: [{ actionGroupId: actionGroup.id }]
  }
}

@description('Resource id of the action group.')
output actionGroupId string = actionGroup.id
