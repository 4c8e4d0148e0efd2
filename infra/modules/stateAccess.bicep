// Who may do what in the state account, each grant on exactly the containers, queues and tables it is for,
// never on the account: kvguard's identity writes its containers, reads the policy file's, and works its
// queues and tables; the deployment identity writes the code package, which kvguard's identity cannot touch
// (a tag-steered write by kvguard could otherwise replace its own code).
param accountName string
@description('Object id of kvguard\'s identity.')
param principalId string
@description('Object id of the identity the platform writes and reads the code package with.')
param deploymentPrincipalId string
param appContainers array
param configContainer string
param packageContainer string
param queues array
param tables array

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: accountName

  resource blobService 'blobServices' existing = {
    name: 'default'
  }

  resource queueService 'queueServices' existing = {
    name: 'default'
  }

  resource tableService 'tableServices' existing = {
    name: 'default'
  }
}

resource written 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = [
  for name in appContainers: {
    parent: account::blobService
    name: name
  }
]

resource config 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  parent: account::blobService
  name: configContainer
}

resource package 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  parent: account::blobService
  name: packageContainer
}

resource jobQueues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' existing = [
  for name in queues: {
    parent: account::queueService
    name: name
  }
]

resource stateTables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' existing = [
  for name in tables: {
    parent: account::tableService
    name: name
  }
]

// Feature: state (rotation locks are blob leases, reports and their snapshots; the Functions host's locks and keys)
resource blobWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (name, i) in appContainers: {
    name: guid(written[i].id, principalId, 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')
    scope: written[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe') // Storage Blob Data Contributor
      principalId: principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// Feature: state (the rotation policy file: kvguard reads it, operators write it)
resource configReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(config.id, principalId, '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1')
  scope: config
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1') // Storage Blob Data Reader
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Feature: state (the rotation queue and its poison queue: the sweep and events enqueue, the worker dequeues)
resource queueContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (name, i) in queues: {
    name: guid(jobQueues[i].id, principalId, '974c5e8b-45b9-4653-ba55-5f855dd0fb88')
    scope: jobQueues[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '974c5e8b-45b9-4653-ba55-5f855dd0fb88') // Storage Queue Data Contributor
      principalId: principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// Feature: state (rotation history and status, event dedup, audit baselines and findings, the alert outbox)
resource tableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (name, i) in tables: {
    name: guid(stateTables[i].id, principalId, '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')
    scope: stateTables[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3') // Storage Table Data Contributor
      principalId: principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// Feature: deployment (the platform writes the code package with the deployment identity and runs it)
resource packageWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(package.id, deploymentPrincipalId, 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')
  scope: package
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe') // Storage Blob Data Contributor
    principalId: deploymentPrincipalId
    principalType: 'ServicePrincipal'
  }
}
