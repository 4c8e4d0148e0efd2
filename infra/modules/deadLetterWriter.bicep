// Lets one vault's Event Grid system topic write dead letters into the state account's dead-letter
// container, and nowhere else in the account.
param accountName string
param containerName string
@description('Object id of the system topic\'s identity.')
param principalId string
@description('The topic\'s resource id: known when the deployment starts, so it names the assignment.')
param topicId string

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: accountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource container 'containers' existing = {
      name: containerName
    }
  }
}

// Feature: Event Grid dead-lettering (events not delivered after the retry policy land in this container only)
resource deadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account::blobService::container.id, topicId, 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')
  scope: account::blobService::container
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe') // Storage Blob Data Contributor
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
