// The kvguard Function App on the Flex Consumption plan (Linux, Node 22), its identity, its app settings
// and its roles on the state storage account. The settings carry the names of kvguard's settings schema
// (src/config/schema.ts); test/infra/bicep.test.ts checks them against it.
param location string
param tags object
param appName string
param planName string
param stateAccountName string
param deploymentContainerUrl string
param appInsightsName string
@description('Resource id of a user-assigned identity; empty: the system-assigned identity.')
param userAssignedIdentityId string
param userAssignedClientId string
param userAssignedPrincipalId string
param vaultUrls string
param workspaceCustomerId string
param archiveBlobEndpoint string
param logLevel string
param rotationSchedule string
param auditSchedule string
param alertSchedule string
param reportSchedule string
param reportContainer string
param policyFile string
param graphEndpoint string
param alertRules string
@secure()
param alertTeamsWebhooks string
@secure()
param alertSmtpConnection string
@secure()
param alertAcsConnection string
param alertFrom string

var userAssigned = !empty(userAssignedIdentityId)
// The function Event Grid delivers Key Vault events to (src/functions/onVaultEvent.ts).
var eventGridFunctionName = 'onVaultEvent'

resource stateAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: stateAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': 'kvguard' })
  kind: 'functionapp,linux'
  identity: userAssigned
    ? { type: 'UserAssigned', userAssignedIdentities: { '${userAssignedIdentityId}': {} } }
    : { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: { minTlsVersion: '1.2', ftpsState: 'Disabled' }
    functionAppConfig: {
      // The code package: azd (or `func azure functionapp publish`) uploads it with the deployer's identity,
      // the platform reads it with the app's.
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: userAssigned
            ? { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: userAssignedIdentityId }
            : { type: 'SystemAssignedIdentity' }
        }
      }
      scaleAndConcurrency: { maximumInstanceCount: 40, instanceMemoryMB: 2048 }
      runtime: { name: 'node', version: '22' }
    }
  }
}

var principalId = userAssigned ? userAssignedPrincipalId : (site.identity.?principalId ?? '')
// Role assignment names must be known when the deployment starts; the principal id is not, these ids are.
var principalKey = userAssigned ? userAssignedIdentityId : site.id

// Every app setting. KVGUARD_*, AZURE_CLIENT_ID and AzureWebJobsStorage__accountName are kvguard's settings
// (README, Settings); the rest are the Functions host's. The schedules and the queue name are set even at
// their defaults: the host resolves %NAME% in triggers from app settings and knows no defaults.
// FUNCTIONS_WORKER_RUNTIME is not set: Flex Consumption takes the runtime from functionAppConfig.
var allSettings = {
  KVGUARD_VAULT_URLS: vaultUrls
  AZURE_CLIENT_ID: userAssigned ? userAssignedClientId : ''
  AzureWebJobsStorage__accountName: stateAccount.name
  AzureWebJobsStorage__credential: userAssigned ? 'managedidentity' : ''
  AzureWebJobsStorage__clientId: userAssigned ? userAssignedClientId : ''
  KVGUARD_LOG_LEVEL: logLevel
  KVGUARD_ARM_ENDPOINT: environment().resourceManager
  KVGUARD_GRAPH_ENDPOINT: graphEndpoint
  KVGUARD_AUTHORITY_HOST: environment().authentication.loginEndpoint
  KVGUARD_ROTATION_SCHEDULE: rotationSchedule
  KVGUARD_POLICY_FILE: policyFile
  KVGUARD_ROTATION_QUEUE: 'kvguard-rotations'
  KVGUARD_AUDIT_SCHEDULE: auditSchedule
  KVGUARD_AUDIT_WORKSPACE_IDS: workspaceCustomerId
  KVGUARD_AUDIT_ARCHIVE_ACCOUNT: archiveBlobEndpoint
  KVGUARD_ALERT_RULES: alertRules
  KVGUARD_ALERT_TEAMS_WEBHOOKS: alertTeamsWebhooks
  KVGUARD_ALERT_SMTP_CONNECTION: alertSmtpConnection
  KVGUARD_ALERT_ACS_CONNECTION: alertAcsConnection
  KVGUARD_ALERT_FROM: alertFrom
  KVGUARD_ALERT_SCHEDULE: alertSchedule
  // Compliance reads the managed vaults through ARM in the subscription deployed to.
  KVGUARD_COMPLIANCE_SUBSCRIPTION_IDS: subscription().subscriptionId
  KVGUARD_REPORT_SCHEDULE: reportSchedule
  KVGUARD_REPORT_CONTAINER: reportContainer
  // Telemetry with the app's identity (Application Insights has local authentication off).
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: userAssigned ? 'ClientId=${userAssignedClientId};Authorization=AAD' : 'Authorization=AAD'
}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  // Empty values are left out: an optional setting is either set or absent.
  properties: toObject(filter(items(allSettings), s => !empty(s.value)), s => s.key, s => s.value)
}

// Feature: state (rotation locks are blob leases; reports, the policy file, code package and the Functions host's own blobs)
resource blobContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(stateAccount.id, principalKey, 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')
  scope: stateAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe') // Storage Blob Data Contributor
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Feature: state (the rotation queue and its poison queue: the sweep and events enqueue, the worker dequeues)
resource queueContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(stateAccount.id, principalKey, '974c5e8b-45b9-4653-ba55-5f855dd0fb88')
  scope: stateAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '974c5e8b-45b9-4653-ba55-5f855dd0fb88') // Storage Queue Data Contributor
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Feature: state (rotation history and status, event dedup, audit baselines and findings, the alert outbox)
resource tableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(stateAccount.id, principalKey, '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')
  scope: stateAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3') // Storage Table Data Contributor
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output id string = site.id
output name string = site.name
output url string = 'https://${site.properties.defaultHostName}'
output principalId string = principalId
output vaultUrls string = vaultUrls
output eventGridFunctionName string = eventGridFunctionName
