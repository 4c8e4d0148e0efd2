// kvguard: the whole service in one resource group. The Function App (Flex Consumption, Node 22) with a
// managed identity, its state storage account reached by identity only, Log Analytics and Application
// Insights, and for each managed vault the Event Grid subscription, the AuditEvent diagnostic setting and
// the least roles kvguard needs there (a custom role, defined in the subscription, for vaults whose keys it
// rotates). `azd up` and `az deployment group create` both deploy this file.
//
// No secret is written here: storage, telemetry and vaults are reached with the app's identity, and the
// only credentials the app may hold (alert connections) come in as @secure() parameters.
targetScope = 'resourceGroup'

@description('A vault kvguard rotates and audits.')
type managedVault = {
  @description('The vault\'s name (it must use the Azure RBAC permission model).')
  name: string
  @description('Its resource group; default: the deployment\'s.')
  resourceGroup: string?
  @description('The vault\'s existing Event Grid system topic, when it has one (a source may have only one).')
  systemTopicName: string?
  @description('Whether kvguard rotates keys in this vault (the keyvault-key rotator): only then does it get the kvguard Key Rotator role there. Default: false.')
  rotatesKeys: bool?
  @description('Whether kvguard renews certificates in this vault (the keyvault-certificate rotator): only then does it get the kvguard Certificate Renewer role there. Default: false.')
  renewsCertificates: bool?
}

@description('A storage account whose access keys kvguard rotates.')
type rotatedStorageAccount = {
  name: string
  resourceGroup: string?
}

@minLength(1)
@maxLength(40)
@description('Name of the environment (azd fills it in); resource names derive from it.')
param environmentName string

@description('Region of every resource kvguard creates (Flex Consumption must be available there).')
param location string = resourceGroup().location

@minLength(1)
@description('The vaults kvguard rotates and audits.')
param managedVaults managedVault[]

@description('Storage accounts whose keys kvguard rotates (the storage-account rotator).')
param rotatedStorageAccounts rotatedStorageAccount[] = []

@allowed(['SystemAssigned', 'UserAssigned'])
@description('The identity kvguard acts as: the app\'s system-assigned identity, or a user-assigned one created here.')
param identityType string = 'SystemAssigned'

@description('Subscribe each vault\'s events to the onVaultEvent function. Event Grid checks that the function exists, so this is false until the code is published (azure.yaml\'s postdeploy hook turns it on).')
param subscribeVaultEvents bool = false

@allowed(['workspace', 'archive'])
@description('Where the audit scan reads AuditEvent records: the Log Analytics workspace, or the storage archive (reading both would count each record twice).')
param auditReadsFrom string = 'workspace'

@description('Resource id of a storage account that diagnostic settings also archive AuditEvent to; empty: no archive.')
param auditArchiveStorageAccountId string = ''

@description('Days Log Analytics keeps records (the audit baseline needs 14).')
@minValue(30)
param logRetentionDays int = 90

@allowed(['error', 'warn', 'info', 'debug'])
param logLevel string = 'info'

@description('NCRONTAB schedule of the rotation sweep (six fields, UTC).')
param rotationSchedule string = '0 */15 * * * *'

@description('NCRONTAB schedule of the audit scan.')
param auditSchedule string = '0 */15 * * * *'

@description('NCRONTAB schedule of the alert outbox.')
param alertSchedule string = '0 */5 * * * *'

@description('NCRONTAB schedule of the compliance report (monthly by default).')
param reportSchedule string = '0 0 6 1 * *'

@description('NCRONTAB schedule of the export to Event Grid and Log Analytics.')
param exportSchedule string = '0 */5 * * * *'

@description('Publish kvguard\'s events (rotation, expiry, findings, reports) to an Event Grid custom topic created here (docs/export.md).')
param exportEvents bool = false

@description('Where exportEvents publishes: a custom topic, or an Event Grid namespace with a topic (docs/export.md).')
@allowed(['topic', 'namespace'])
param exportEventsTo string = 'topic'

@description('Send rotation history and findings to custom tables of the Log Analytics workspace, through a data collection endpoint and rule created here (docs/export.md).')
param exportLogs bool = false

@description('A rotation policy file: blob:CONTAINER/NAME in the state account (container kvguard-config exists); empty: tags only.')
param policyFile string = ''

@description('Microsoft Graph endpoint (the Entra rotator); ARM and the authority come from the cloud deployed to.')
param graphEndpoint string = 'https://graph.microsoft.com'

@description('Alert routing rules as inline JSON (README, Alerts); empty: alerting off.')
param alertRules string = ''

@secure()
@description('Teams Workflows webhooks, channel=URL,... (or a Key Vault reference @Microsoft.KeyVault(SecretUri=...)).')
param alertTeamsWebhooks string = ''

@secure()
@description('SMTP server URL with credentials (or a Key Vault reference).')
param alertSmtpConnection string = ''

@allowed(['required', 'optional'])
@description('smtp:// alert mail: required sends only over STARTTLS; optional also in clear text to a relay that offers none (a network you trust).')
param alertSmtpStartTls string = 'required'

@secure()
@description('ACS Email: its endpoint alone (the app\'s identity), or a connection string / Key Vault reference.')
param alertAcsConnection string = ''

@description('Sender address of alert mail.')
param alertFrom string = ''

@description('Client id of an Entra app registration to put App Service authentication in front of the HTTP functions (a token for it is then required besides the function key; Event Grid\'s webhook excepted). Empty: function keys only.')
param httpAuthClientId string = ''

@description('With httpAuthClientId: client ids of the applications allowed to call; empty: any application of the tenant.')
param httpAuthAllowedClientIds array = []

@description('CIDR ranges allowed to reach the Function App (Event Grid is allowed by its service tag); empty: no access restrictions.')
param httpAllowedIpRanges array = []

param tags object = {}

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var allTags = union(tags, { 'azd-env-name': environmentName })
var readsArchive = auditReadsFrom == 'archive'
// The archive account's id split into parts (a placeholder when there is none, so the parts always exist).
// The keyvault-key rotator's custom role: defined once in the subscription when any vault's keys rotate.
var rotatesKeys = length(filter(managedVaults, v => v.?rotatesKeys ?? false)) > 0
var keyRotatorRoleGuid = guid(subscription().id, 'kvguard-key-rotator')
// The keyvault-certificate rotator's custom role: defined once in the subscription when any vault's certificates renew.
var renewsCertificates = length(filter(managedVaults, v => v.?renewsCertificates ?? false)) > 0
var certificateRenewerRoleGuid = guid(subscription().id, 'kvguard-certificate-renewer')
var archiveParts = split(empty(auditArchiveStorageAccountId) ? resourceId('Microsoft.Storage/storageAccounts', 'none') : auditArchiveStorageAccountId, '/')

module monitoring 'modules/monitoring.bicep' = {
  name: 'kvguard-monitoring'
  params: {
    location: location
    tags: allTags
    workspaceName: 'log-kvguard-${resourceToken}'
    appInsightsName: 'appi-kvguard-${resourceToken}'
    retentionDays: logRetentionDays
  }
}

module state 'modules/stateStorage.bicep' = {
  name: 'kvguard-state'
  params: {
    location: location
    tags: allTags
    accountName: 'stkvguard${take(resourceToken, 15)}'
    workspaceId: monitoring.outputs.workspaceId
  }
}

// The identity the platform writes and reads the code package with: kvguard's own cannot touch the package.
module deploymentIdentity 'modules/identity.bicep' = {
  name: 'kvguard-deployment-identity'
  params: {
    location: location
    tags: allTags
    name: 'id-kvguard-deploy-${resourceToken}'
  }
}

module keyRotatorRole 'modules/keyRotatorRole.bicep' = if (rotatesKeys) {
  name: 'kvguard-key-rotator-role'
  scope: subscription()
  params: {
    roleGuid: keyRotatorRoleGuid
  }
}

module certificateRenewerRole 'modules/certificateRenewerRole.bicep' = if (renewsCertificates) {
  name: 'kvguard-certificate-renewer-role'
  scope: subscription()
  params: {
    roleGuid: certificateRenewerRoleGuid
  }
}

module identity 'modules/identity.bicep' = if (identityType == 'UserAssigned') {
  name: 'kvguard-identity'
  params: {
    location: location
    tags: allTags
    name: 'id-kvguard-${resourceToken}'
  }
}

module exportTopic 'modules/exportEvents.bicep' = if (exportEvents) {
  name: 'kvguard-export-events'
  params: {
    location: location
    tags: allTags
    kind: exportEventsTo
    topicName: exportEventsTo == 'namespace' ? 'evgns-kvguard-${resourceToken}' : 'evgt-kvguard-${resourceToken}'
  }
}

module exportRule 'modules/exportLogs.bicep' = if (exportLogs) {
  name: 'kvguard-export-logs'
  params: {
    location: location
    tags: allTags
    workspaceName: monitoring.outputs.workspaceName
    endpointName: 'dce-kvguard-${resourceToken}'
    ruleName: 'dcr-kvguard-${resourceToken}'
  }
}

module app 'modules/functionApp.bicep' = {
  name: 'kvguard-app'
  params: {
    location: location
    tags: allTags
    appName: 'func-kvguard-${resourceToken}'
    planName: 'plan-kvguard-${resourceToken}'
    stateAccountName: state.outputs.accountName
    deploymentContainerUrl: state.outputs.deploymentContainerUrl
    appInsightsName: monitoring.outputs.appInsightsName
    userAssignedIdentityId: identityType == 'UserAssigned' ? identity!.outputs.id : ''
    userAssignedClientId: identityType == 'UserAssigned' ? identity!.outputs.clientId : ''
    userAssignedPrincipalId: identityType == 'UserAssigned' ? identity!.outputs.principalId : ''
    deploymentIdentityId: deploymentIdentity.outputs.id
    workspaceId: monitoring.outputs.workspaceId
    httpAuthClientId: httpAuthClientId
    httpAuthAllowedClientIds: httpAuthAllowedClientIds
    httpAllowedIpRanges: httpAllowedIpRanges
    vaultUrls: join(map(managedVaults, v => 'https://${v.name}${environment().suffixes.keyvaultDns}'), ',')
    workspaceCustomerId: readsArchive ? '' : monitoring.outputs.workspaceCustomerId
    archiveBlobEndpoint: readsArchive ? 'https://${last(archiveParts)}.blob.${environment().suffixes.storage}' : ''
    logLevel: logLevel
    rotationSchedule: rotationSchedule
    auditSchedule: auditSchedule
    alertSchedule: alertSchedule
    reportSchedule: reportSchedule
    reportContainer: state.outputs.reportContainer
    exportSchedule: exportSchedule
    exportTopicEndpoint: exportEvents ? exportTopic!.outputs.endpoint : ''
    exportNamespaceEndpoint: exportEvents ? exportTopic!.outputs.namespaceEndpoint : ''
    exportNamespaceTopic: exportEvents ? exportTopic!.outputs.namespaceTopicName : ''
    exportDceEndpoint: exportLogs ? exportRule!.outputs.endpoint : ''
    exportDcrId: exportLogs ? exportRule!.outputs.ruleId : ''
    policyFile: policyFile
    graphEndpoint: graphEndpoint
    alertRules: alertRules
    alertTeamsWebhooks: alertTeamsWebhooks
    alertSmtpConnection: alertSmtpConnection
    alertSmtpStartTls: alertSmtpStartTls
    alertAcsConnection: alertAcsConnection
    alertFrom: alertFrom
  }
}

module stateAccess 'modules/stateAccess.bicep' = {
  name: 'kvguard-state-access'
  params: {
    accountName: state.outputs.accountName
    principalId: app.outputs.principalId
    deploymentPrincipalId: deploymentIdentity.outputs.principalId
    appContainers: state.outputs.appContainers
    configContainer: state.outputs.configContainer
    packageContainer: state.outputs.packageContainer
    queues: state.outputs.queues
    tables: state.outputs.tables
  }
}

module vaults 'modules/managedVault.bicep' = [
  for vault in managedVaults: {
    name: 'kvguard-vault-${vault.name}'
    scope: resourceGroup(vault.?resourceGroup ?? resourceGroup().name)
    dependsOn: [keyRotatorRole, certificateRenewerRole]
    params: {
      vaultName: vault.name
      systemTopicName: vault.?systemTopicName ?? ''
      rotatesKeys: vault.?rotatesKeys ?? false
      rotatorRoleId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyRotatorRoleGuid)
      renewsCertificates: vault.?renewsCertificates ?? false
      renewerRoleId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', certificateRenewerRoleGuid)
      principalId: app.outputs.principalId
      functionAppId: app.outputs.id
      eventGridFunctionName: app.outputs.eventGridFunctionName
      subscribeEvents: subscribeVaultEvents
      stateAccountId: state.outputs.id
      deadLetterContainer: state.outputs.deadLetterContainer
      workspaceId: monitoring.outputs.workspaceId
      archiveStorageAccountId: auditArchiveStorageAccountId
      tags: allTags
    }
  }
]

module rotatedAccounts 'modules/rotatedStorageAccount.bicep' = [
  for account in rotatedStorageAccounts: {
    name: 'kvguard-keys-${account.name}'
    scope: resourceGroup(account.?resourceGroup ?? resourceGroup().name)
    params: {
      accountName: account.name
      principalId: app.outputs.principalId
    }
  }
]

module archiveAccess 'modules/archiveReader.bicep' = if (readsArchive) {
  name: 'kvguard-archive-access'
  scope: resourceGroup(archiveParts[2], archiveParts[4])
  params: {
    accountName: last(archiveParts)
    principalId: app.outputs.principalId
  }
}

module monitoringAccess 'modules/monitoringAccess.bicep' = {
  name: 'kvguard-monitoring-access'
  params: {
    workspaceName: monitoring.outputs.workspaceName
    appInsightsName: monitoring.outputs.appInsightsName
    principalId: app.outputs.principalId
    readsWorkspace: !readsArchive
  }
}

module exportAccess 'modules/exportAccess.bicep' = if (exportEvents || exportLogs) {
  name: 'kvguard-export-access'
  params: {
    topicName: exportEvents ? exportTopic!.outputs.topicName : ''
    namespaceTopicName: exportEvents ? exportTopic!.outputs.namespaceTopicName : ''
    eventsKind: exportEventsTo
    ruleName: exportLogs ? exportRule!.outputs.ruleName : ''
    principalId: app.outputs.principalId
    exportsEvents: exportEvents
    exportsLogs: exportLogs
  }
}

// Outputs named after the settings they fill, so `azd env get-values` gives `kvguard doctor` the same
// settings the app has (README, Deploying). Other outputs never start with KVGUARD_: the settings check
// would report them as unknown settings.
@description('The Function App\'s name (azd deploys the code to it).')
output AZURE_FUNCTION_APP_NAME string = app.outputs.name
@description('https://<app host>: health at /api/health, manual rotation at /api/rotate/{vault}/{name}.')
output APP_URL string = app.outputs.url
@description('Object id of kvguard\'s identity: the principal to grant Graph permissions and extra vault roles to.')
output APP_PRINCIPAL_ID string = app.outputs.principalId
output KVGUARD_VAULT_URLS string = app.outputs.vaultUrls
output AzureWebJobsStorage__accountName string = state.outputs.accountName
output KVGUARD_AUDIT_WORKSPACE_IDS string = readsArchive ? '' : monitoring.outputs.workspaceCustomerId
output LOG_ANALYTICS_WORKSPACE_RESOURCE_ID string = monitoring.outputs.workspaceId
output STATE_STORAGE_ACCOUNT_ID string = state.outputs.id
output VAULT_EVENTS_SUBSCRIBED bool = subscribeVaultEvents
output KVGUARD_EXPORT_TOPIC_ENDPOINT string = exportEvents ? exportTopic!.outputs.endpoint : ''
output KVGUARD_EXPORT_NAMESPACE_ENDPOINT string = exportEvents ? exportTopic!.outputs.namespaceEndpoint : ''
output KVGUARD_EXPORT_NAMESPACE_TOPIC string = exportEvents ? exportTopic!.outputs.namespaceTopicName : ''
output KVGUARD_EXPORT_DCE_ENDPOINT string = exportLogs ? exportRule!.outputs.endpoint : ''
output KVGUARD_EXPORT_DCR_ID string = exportLogs ? exportRule!.outputs.ruleId : ''
