// Where kvguard publishes its own events: an Event Grid custom topic (CloudEvents 1.0 input, Entra ID only:
// keys and SAS tokens are off), or a namespace with one topic (namespace topics take CloudEvents 1.0 only).
// Subscribers (automation) add their own event subscriptions to it.
param location string
param tags object
@allowed(['topic', 'namespace'])
param kind string = 'topic'
@description('The custom topic\'s name, or the namespace\'s.')
param topicName string
@description('The namespace topic\'s name (kind namespace).')
param namespaceTopicName string = 'kvguard-events'

resource topic 'Microsoft.EventGrid/topics@2022-06-15' = if (kind == 'topic') {
  name: topicName
  location: location
  tags: tags
  properties: {
    inputSchema: 'CloudEventSchemaV1_0'
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

resource namespace 'Microsoft.EventGrid/namespaces@2025-02-15' = if (kind == 'namespace') {
  name: topicName
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    capacity: 1
  }
  properties: {
    publicNetworkAccess: 'Enabled'
    minimumTlsVersionAllowed: '1.2'
  }
}

resource namespaceTopic 'Microsoft.EventGrid/namespaces/topics@2025-02-15' = if (kind == 'namespace') {
  parent: namespace
  name: namespaceTopicName
  properties: {
    publisherType: 'Custom'
    inputSchema: 'CloudEventSchemaV1_0'
    eventRetentionInDays: 1
  }
}

output topicName string = topicName
output namespaceTopicName string = kind == 'namespace' ? namespaceTopic.name : ''
@description('The publish URL: KVGUARD_EXPORT_TOPIC_ENDPOINT (empty for a namespace).')
output endpoint string = kind == 'topic' ? topic!.properties.endpoint : ''
@description('The namespace\'s HTTP endpoint: KVGUARD_EXPORT_NAMESPACE_ENDPOINT (empty for a custom topic).')
output namespaceEndpoint string = kind == 'namespace' ? 'https://${namespace!.properties.topicsConfiguration.hostname}' : ''
