// Parameters for the plain `az deployment group create` route (README, Deploying). Copy, edit, deploy:
//   az deployment group create -g rg-kvguard -f infra/main.bicep -p infra/my.bicepparam
using 'main.bicep'

param environmentName = 'kvguard-prod'

// The vaults kvguard rotates and audits (Azure RBAC permission model). A vault in another resource group
// names it; a vault that already has an Event Grid system topic names that too.
// `rotatesKeys: true` gives kvguard the kvguard Key Rotator role on that vault (keyvault-key rotator);
// `renewsCertificates: true` the kvguard Certificate Renewer role (keyvault-certificate rotator).
param managedVaults = [
  { name: 'payments-prod-kv', rotatesKeys: true, renewsCertificates: true }
  { name: 'platform-kv', resourceGroup: 'rg-platform', systemTopicName: 'platform-kv-events' }
]

// Storage accounts whose access keys kvguard rotates.
param rotatedStorageAccounts = [
  { name: 'paymentsdata', resourceGroup: 'rg-payments' }
]

param identityType = 'UserAssigned'

// false on the first deployment; true once the code is published (Event Grid checks the function exists).
param subscribeVaultEvents = false

param auditReadsFrom = 'workspace'
param auditArchiveStorageAccountId = ''

param alertRules = '{"channels":{"secops":{"type":"teams"}},"routes":[{"kinds":["rotation-failed","finding"],"channels":["secops"]}]}'
// A secret: read it from the environment (or a Key Vault reference), never write it here.
param alertTeamsWebhooks = readEnvironmentVariable('ALERT_TEAMS_WEBHOOKS', '')

// Optional: Entra authentication (an app registration's client id) and network restrictions in front of
// the HTTP functions, besides their function keys.
param httpAuthClientId = ''
param httpAllowedIpRanges = ['203.0.113.0/24']
