// A storage account whose access keys kvguard rotates, in its own resource group.
param accountName string
@description('Object id of kvguard\'s identity.')
param principalId string

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: accountName
}

// Feature: storage-account key rotation (list and regenerate key1/key2, nothing else on the account)
resource keyOperator 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, principalId, '81a9662b-bebf-436f-a333-f67b29880f12')
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '81a9662b-bebf-436f-a333-f67b29880f12') // Storage Account Key Operator Service Role
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
