// kvguard's roles on the export's destinations: publishing to its Event Grid topic (a custom topic, or a
// namespace topic), and ingesting through its data collection rule. Each on that one resource, and only when
// that destination is deployed.
param topicName string
@description('The namespace topic (eventsKind namespace; topicName is then the namespace).')
param namespaceTopicName string = ''
@allowed(['topic', 'namespace'])
param eventsKind string = 'topic'
param ruleName string
@description('Object id of kvguard\'s identity.')
param principalId string
param exportsEvents bool
param exportsLogs bool

resource topic 'Microsoft.EventGrid/topics@2022-06-15' existing = if (exportsEvents && eventsKind == 'topic') {
  name: topicName
}

resource namespace 'Microsoft.EventGrid/namespaces@2025-02-15' existing = if (exportsEvents && eventsKind == 'namespace') {
  name: topicName

  resource namespaceTopic 'topics' existing = {
    name: namespaceTopicName
  }
}

resource rule 'Microsoft.Insights/dataCollectionRules@2022-06-01' existing = if (exportsLogs) {
  name: ruleName
}

// Feature: export of events (publishes CloudEvents to the topic with Entra ID)
resource eventSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (exportsEvents && eventsKind == 'topic') {
  name: guid(topic.id, principalId, 'd5a91429-5739-47e2-a06b-3470a27159e7')
  scope: topic
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'd5a91429-5739-47e2-a06b-3470a27159e7') // EventGrid Data Sender
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Feature: export of events to a namespace topic (EventGridSenderClient, Entra ID), on that topic alone
resource namespaceEventSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (exportsEvents && eventsKind == 'namespace') {
  name: guid(namespace::namespaceTopic.id, principalId, 'd5a91429-5739-47e2-a06b-3470a27159e7')
  scope: namespace::namespaceTopic
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
