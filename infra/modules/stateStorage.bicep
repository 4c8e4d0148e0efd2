// kvguard's state storage account, which is also the Functions host's (AzureWebJobsStorage__accountName).
// Shared keys are off: the app, the host, the code deployment and Event Grid's dead-lettering all use
// managed identities, so no account key exists in any setting. Every container, queue and table anyone uses
// is created here, so each role can be granted on exactly the ones it needs (stateAccess.bicep); writes and
// deletes of each service are logged to the workspace.
param location string
param tags object
param accountName string
@description('The Log Analytics workspace the account\'s write and delete logs go to.')
param workspaceId string

// Containers the app writes: rotation locks (leases) and reports; the Functions host's locks and keys.
var appContainers = ['kvguard-locks', 'kvguard-reports', 'azure-webjobs-hosts', 'azure-webjobs-secrets']
// The rotation policy file (KVGUARD_POLICY_FILE=blob:kvguard-config/NAME): operators write it, the app reads it.
var configContainer = 'kvguard-config'
// Written by others only: Event Grid's dead letters (each vault's system topic) and the code package (the
// platform, with the deployment identity). The app has no access to either.
var deadLetterContainer = 'kvguard-deadletter'
var packageContainer = 'app-package'
var containers = concat(appContainers, [configContainer, deadLetterContainer, packageContainer])
// The rotation queue (KVGUARD_ROTATION_QUEUE) and the poison queue the host moves failed jobs to.
var queues = ['kvguard-rotations', 'kvguard-rotations-poison']
// History, status, event dedup, audit watermarks and baselines, findings, the alert outbox.
var tables = ['kvguardhistory', 'kvguardstatus', 'kvguardevents', 'kvguardaudit', 'kvguardfindings', 'kvguardalerts', 'kvguardexport']

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

// Who wrote or deleted what in kvguard's state (history, status, locks, the policy file, the queue), per
// service. Reads are left out: the host polls the queue every few seconds.
resource blobLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'kvguard-state'
  scope: blobService
  properties: {
    workspaceId: workspaceId
    logs: [{ category: 'StorageWrite', enabled: true }, { category: 'StorageDelete', enabled: true }]
  }
}

resource queueLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'kvguard-state'
  scope: queueService
  properties: {
    workspaceId: workspaceId
    logs: [{ category: 'StorageWrite', enabled: true }, { category: 'StorageDelete', enabled: true }]
  }
}

resource tableLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'kvguard-state'
  scope: tableService
  properties: {
    workspaceId: workspaceId
    logs: [{ category: 'StorageWrite', enabled: true }, { category: 'StorageDelete', enabled: true }]
  }
}

output id string = account.id
output accountName string = account.name
output deploymentContainerUrl string = '${account.properties.primaryEndpoints.blob}${packageContainer}'
output appContainers array = appContainers
output configContainer string = configContainer
output packageContainer string = packageContainer
output deadLetterContainer string = deadLetterContainer
output reportContainer string = 'kvguard-reports'
output queues array = queues
output tables array = tables
