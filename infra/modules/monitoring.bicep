// Log Analytics and workspace-based Application Insights, both with local (key) auth
// disabled: telemetry is accepted only with an Entra token, which the Function App gets
// from its managed identity (APPLICATIONINSIGHTS_AUTHENTICATION_STRING).

import { roles } from 'roles.bicep'

@description('Name of the Log Analytics workspace.')
param workspaceName string

@description('Name of the Application Insights component.')
param appInsightsName string

@description('Region of both resources.')
param location string

@description('Tags for both resources.')
param tags object

@description('Days Log Analytics keeps logs.')
@minValue(30)
@maxValue(730)
param retentionInDays int

@description('Object id of the Function App identity, which publishes telemetry.')
param appPrincipalId string

resource workspace 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: retentionInDays
    features: {
      disableLocalAuth: true
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
    DisableLocalAuth: true
  }
}

resource appPublishesTelemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, appPrincipalId, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher) // Monitoring Metrics Publisher
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

@description('Resource id of the Application Insights component (the scope of the alert queries).')
output appInsightsId string = appInsights.id

@description('Resource id of the Log Analytics workspace (diagnostic settings send resource logs here).')
output workspaceId string = workspace.id

@description('Application Insights connection string (identifies the component; with local auth disabled it is not a credential).')
output connectionString string = appInsights.properties.ConnectionString
