// Log Analytics custom tables for kvguard's rotation history and findings (Sentinel analytic rules and
// workbooks query them), and the data collection endpoint and rule the Logs Ingestion API writes them
// through. The columns are src/export/tables.ts's (test/infra/export.test.ts compares them).
param location string
param tags object
param workspaceName string
param endpointName string
param ruleName string

var rotationColumns = [
  { name: 'TimeGenerated', type: 'datetime' }
  { name: 'Vault', type: 'string' }
  { name: 'ObjectName', type: 'string' }
  { name: 'RotationId', type: 'string' }
  { name: 'Step', type: 'string' }
  { name: 'Outcome', type: 'string' }
  { name: 'Trigger', type: 'string' }
  { name: 'Message', type: 'string' }
  { name: 'Version', type: 'string' }
  { name: 'PreviousVersion', type: 'string' }
]

var findingColumns = [
  { name: 'TimeGenerated', type: 'datetime' }
  { name: 'FindingId', type: 'string' }
  { name: 'Detector', type: 'string' }
  { name: 'Severity', type: 'string' }
  { name: 'Vault', type: 'string' }
  { name: 'PrincipalOid', type: 'string' }
  { name: 'PrincipalAppId', type: 'string' }
  { name: 'PrincipalUpn', type: 'string' }
  { name: 'CallerIpAddress', type: 'string' }
  { name: 'ObjectPath', type: 'string' }
  { name: 'EndTime', type: 'datetime' }
  { name: 'RecordCount', type: 'int' }
  { name: 'Summary', type: 'string' }
  { name: 'Evidence', type: 'dynamic' }
]

var streams = [
  { table: 'KvguardRotation_CL', stream: 'Custom-KvguardRotation', columns: rotationColumns }
  { table: 'KvguardFindings_CL', stream: 'Custom-KvguardFindings', columns: findingColumns }
]

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: workspaceName
}

resource tables 'Microsoft.OperationalInsights/workspaces/tables@2022-10-01' = [
  for s in streams: {
    parent: workspace
    name: s.table
    properties: {
      plan: 'Analytics'
      schema: {
        name: s.table
        columns: s.columns
      }
    }
  }
]

resource endpoint 'Microsoft.Insights/dataCollectionEndpoints@2022-06-01' = {
  name: endpointName
  location: location
  tags: tags
  properties: {
    networkAcls: { publicNetworkAccess: 'Enabled' }
  }
}

resource rule 'Microsoft.Insights/dataCollectionRules@2022-06-01' = {
  name: ruleName
  location: location
  tags: tags
  dependsOn: [tables]
  properties: {
    dataCollectionEndpointId: endpoint.id
    streamDeclarations: toObject(streams, s => s.stream, s => { columns: s.columns })
    destinations: {
      logAnalytics: [
        { workspaceResourceId: workspace.id, name: 'workspace' }
      ]
    }
    dataFlows: [
      for s in streams: {
        streams: [s.stream]
        destinations: ['workspace']
        transformKql: 'source'
        outputStream: 'Custom-${s.table}'
      }
    ]
  }
}

output ruleName string = rule.name
@description('The logs ingestion URL: KVGUARD_EXPORT_DCE_ENDPOINT.')
output endpoint string = endpoint.properties.logsIngestion.endpoint
@description('The rule\'s immutable id: KVGUARD_EXPORT_DCR_ID.')
output ruleId string = rule.properties.immutableId
