// kvguard's roles on the export's destinations: publishing to its Event Grid topic, and ingesting through
// its data collection rule. Each on that one resource, and only when that destination is deployed.
param topicName string
param ruleName string
@description('Object id of kvguard\'s identity.')
param principalId string
param exportsEvents bool
param exportsLogs bool

resource topic 'Microsoft.EventGrid/topics@2022-06-15' existing = if (exportsEvents) {
  name: topicName
}

resource rule 'Microsoft.Insights/dataCollectionRules@2022-06-01' existing = if (exportsLogs) {
  name: ruleName
}

// Feature: export of events (publishes CloudEvents to the topic with Entra ID)
resource eventSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (exportsEvents) {
  name: guid(topic.id, principalId, 'd5a91429-5739-47e2-a06b-3470a27159e7')
  scope: topic
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'd5a91429-5739-47e2-a06b-3470a27159e7') // EventGrid Data Sender
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Feature: export to Log Analytics (the Logs Ingestion API checks this role on the data collection rule)
resource logsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (exportsLogs) {
  name: guid(rule.id, principalId, '3913510d-42f4-4e42-8a64-420c390055eb')
  scope: rule
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '3913510d-42f4-4e42-8a64-420c390055eb') // Monitoring Metrics Publisher
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
