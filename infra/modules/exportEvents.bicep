// The Event Grid custom topic kvguard publishes its own events to (CloudEvents 1.0 input, Entra ID only:
// keys and SAS tokens are off). Subscribers (automation) add their own event subscriptions to it.
param location string
param tags object
param topicName string

resource topic 'Microsoft.EventGrid/topics@2022-06-15' = {
  name: topicName
  location: location
  tags: tags
  properties: {
    inputSchema: 'CloudEventSchemaV1_0'
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

output topicName string = topic.name
@description('The publish URL: KVGUARD_EXPORT_TOPIC_ENDPOINT.')
output endpoint string = topic.properties.endpoint
