// kvguard's state storage account, which is also the Functions host's (AzureWebJobsStorage__accountName).
// Shared keys are off: the app, the host, the code deployment and Event Grid's dead-lettering all use
// managed identities, so no account key exists in any setting. The containers, queues and tables kvguard
// uses are created here (the app also creates them when missing).
param location string
param tags object
param accountName string

// Blob containers: rotation locks (leases), the policy file, reports, Event Grid dead letters, the code package.
var containers = ['kvguard-locks', 'kvguard-config', 'kvguard-reports', 'kvguard-deadletter', 'app-package']
// The rotation queue (KVGUARD_ROTATION_QUEUE) and the poison queue the host moves failed jobs to.
var queues = ['kvguard-rotations', 'kvguard-rotations-poison']
// History, status, event dedup, audit watermarks and baselines, findings, the alert outbox.
var tables = ['kvguardhistory', 'kvguardstatus', 'kvguardevents', 'kvguardaudit', 'kvguardfindings', 'kvguardalerts']

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: accountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource blobContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for name in containers: {
    parent: blobService
    name: name
    properties: { publicAccess: 'None' }
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource storageQueues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [
  for name in queues: {
    parent: queueService
    name: name
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource storageTables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [
  for name in tables: {
    parent: tableService
    name: name
  }
]

output id string = account.id
output accountName string = account.name
output deploymentContainerUrl string = '${account.properties.primaryEndpoints.blob}app-package'
output deadLetterContainer string = 'kvguard-deadletter'
output reportContainer string = 'kvguard-reports'
