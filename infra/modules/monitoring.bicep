// The Log Analytics workspace (AuditEvent records of every managed vault, the app's telemetry) and
// Application Insights on it. Local authentication is off: telemetry is sent with the app's identity, so
// the connection string the app gets identifies the resource and grants nothing.
param location string
param tags object
param workspaceName string
param appInsightsName string
param retentionDays int

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: retentionDays
    features: { disableLocalAuth: true }
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
    DisableLocalAuth: true
  }
}

output workspaceId string = workspace.id
output workspaceName string = workspace.name
@description('The workspace id (a GUID) the Log Analytics query API takes: KVGUARD_AUDIT_WORKSPACE_IDS.')
output workspaceCustomerId string = workspace.properties.customerId
output appInsightsName string = appInsights.name
