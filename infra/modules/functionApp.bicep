// The kvguard Function App on the Flex Consumption plan (Linux, Node 22): its identities, its app settings,
// how callers reach its HTTP functions and what it logs. The settings carry the names of kvguard's settings
// schema (src/config/schema.ts); test/infra/bicep.test.ts checks them against it. Its roles on the state
// account are in stateAccess.bicep.
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
@description('Resource id of the user-assigned identity the platform writes and reads the code package with (never kvguard\'s own).')
param deploymentIdentityId string
@description('The Log Analytics workspace the app\'s logs and metrics go to.')
param workspaceId string
@description('Client id of an Entra app registration: App Service authentication then requires a token for it on every request but Event Grid\'s webhook; empty: function keys only.')
param httpAuthClientId string
@description('Client ids of the applications allowed to call (with httpAuthClientId); empty: any application of the tenant with a token for it.')
param httpAuthAllowedClientIds array
@description('CIDR ranges allowed to reach the app (Event Grid too, by its service tag); empty: no access restrictions.')
param httpAllowedIpRanges array
param vaultUrls string
param workspaceCustomerId string
param archiveBlobEndpoint string
param logLevel string
param rotationSchedule string
param auditSchedule string
param alertSchedule string
param reportSchedule string
param reportContainer string
param exportSchedule string
@description('Empty: events are not exported.')
param exportTopicEndpoint string
@description('Empty unless events go to a namespace topic (with exportNamespaceTopic).')
param exportNamespaceEndpoint string
param exportNamespaceTopic string
@description('Empty (with exportDcrId): nothing goes to Log Analytics.')
param exportDceEndpoint string
param exportDcrId string
param policyFile string
param graphEndpoint string
param alertRules string
@secure()
param alertTeamsWebhooks string
@secure()
param alertSmtpConnection string
param alertSmtpStartTls string
@secure()
param alertAcsConnection string
param alertFrom string

var userAssigned = !empty(userAssignedIdentityId)
var restricted = !empty(httpAllowedIpRanges)
var allowedRanges = map(range(0, length(httpAllowedIpRanges)), i => {
  name: 'allowed-${i}'
  action: 'Allow'
  priority: 100 + i
  ipAddress: httpAllowedIpRanges[i]
})
var eventGridRule = { name: 'event-grid', action: 'Allow', priority: 1000, tag: 'ServiceTag', ipAddress: 'AzureEventGrid' }
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
  // kvguard's identity (system- or user-assigned) and the deployment identity, which kvguard's code never uses.
  identity: userAssigned
    ? { type: 'UserAssigned', userAssignedIdentities: { '${userAssignedIdentityId}': {}, '${deploymentIdentityId}': {} } }
    : { type: 'SystemAssigned, UserAssigned', userAssignedIdentities: { '${deploymentIdentityId}': {} } }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // With allowed ranges, everything else is refused; Event Grid still delivers vault events.
      ipSecurityRestrictionsDefaultAction: restricted ? 'Deny' : 'Allow'
      ipSecurityRestrictions: restricted ? concat(allowedRanges, [eventGridRule]) : []
    }
    functionAppConfig: {
      // The code package: azd (or `func azure functionapp publish`) publishes through the platform, which
      // writes it to the container and reads it back with the deployment identity. kvguard's own identity
      // has no access to it (stateAccess.bicep).
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: deploymentIdentityId }
        }
      }
      scaleAndConcurrency: { maximumInstanceCount: 40, instanceMemoryMB: 2048 }
      runtime: { name: 'node', version: '22' }
    }
  }
}

var principalId = userAssigned ? userAssignedPrincipalId : (site.identity.?principalId ?? '')

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
  KVGUARD_ALERT_SMTP_STARTTLS: alertSmtpStartTls
  KVGUARD_ALERT_ACS_CONNECTION: alertAcsConnection
  KVGUARD_ALERT_FROM: alertFrom
  KVGUARD_ALERT_SCHEDULE: alertSchedule
  // Compliance reads the managed vaults through ARM in the subscription deployed to.
  KVGUARD_COMPLIANCE_SUBSCRIPTION_IDS: subscription().subscriptionId
  KVGUARD_REPORT_SCHEDULE: reportSchedule
  KVGUARD_REPORT_CONTAINER: reportContainer
  KVGUARD_EXPORT_SCHEDULE: exportSchedule
  KVGUARD_EXPORT_TOPIC_ENDPOINT: exportTopicEndpoint
  KVGUARD_EXPORT_NAMESPACE_ENDPOINT: exportNamespaceEndpoint
  KVGUARD_EXPORT_NAMESPACE_TOPIC: exportNamespaceTopic
  KVGUARD_EXPORT_DCE_ENDPOINT: exportDceEndpoint
  KVGUARD_EXPORT_DCR_ID: exportDcrId
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

// Publishing with a user name and password (the SCM site's and FTP's basic authentication) is off:
// deployments authenticate with Entra ID.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: { allow: false }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: { allow: false }
}

// Optional: App Service authentication (Easy Auth) in front of the HTTP functions, on top of their function
// keys. Event Grid's webhook stays reachable: Event Grid delivers with the extension's system key, no token.
resource httpAuth 'Microsoft.Web/sites/config@2024-04-01' = if (!empty(httpAuthClientId)) {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: { enabled: true }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
      excludedPaths: ['/runtime/webhooks/eventgrid']
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: httpAuthClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [httpAuthClientId, 'api://${httpAuthClientId}']
          defaultAuthorizationPolicy: empty(httpAuthAllowedClientIds) ? {} : { allowedApplications: httpAuthAllowedClientIds }
        }
      }
    }
    login: { tokenStore: { enabled: false } }
  }
}

// The app's logs (FunctionAppLogs: every function's log lines, escaped by kvguard) and metrics, to the workspace.
resource appLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'kvguard-app'
  scope: site
  properties: {
    workspaceId: workspaceId
    logs: [{ categoryGroup: 'allLogs', enabled: true }]
    metrics: [{ category: 'AllMetrics', enabled: true }]
  }
}

output id string = site.id
output name string = site.name
output url string = 'https://${site.properties.defaultHostName}'
output principalId string = principalId
output vaultUrls string = vaultUrls
output eventGridFunctionName string = eventGridFunctionName
