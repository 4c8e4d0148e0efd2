// kvguard's roles on the monitoring resources: reading AuditEvent records from the workspace, and sending
// its telemetry to Application Insights (whose local authentication is off).
param workspaceName string
param appInsightsName string
@description('Object id of kvguard\'s identity.')
param principalId string
@description('Whether the audit scan reads the workspace (false when it reads the storage archive).')
param readsWorkspace bool

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: workspaceName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// Feature: audit from Log Analytics (queries AzureDiagnostics and AZKVAuditLogs for AuditEvent records)
resource workspaceReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (readsWorkspace) {
  name: guid(workspace.id, principalId, '73c42c96-874c-492b-b04d-ab87d138a893')
  scope: workspace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '73c42c96-874c-492b-b04d-ab87d138a893') // Log Analytics Reader
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Feature: telemetry (the Functions host sends logs and metrics to Application Insights with Entra ID auth)
resource telemetryPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, principalId, '3913510d-42f4-4e42-8a64-420c390055eb')
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '3913510d-42f4-4e42-8a64-420c390055eb') // Monitoring Metrics Publisher
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
