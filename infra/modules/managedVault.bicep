// One vault kvguard manages, deployed into the vault's own resource group: kvguard's roles on it, the
// AuditEvent diagnostic setting, and the Event Grid system topic with kvguard's subscription (near-expiry
// and expiry of secrets and keys to the onVaultEvent function, dead letters to the state account).
param vaultName string
@description('The vault\'s existing system topic; empty: one is created (a vault may have only one).')
param systemTopicName string
@description('Whether kvguard rotates keys in this vault: only then does it get the kvguard Key Rotator role here.')
param rotatesKeys bool
@description('The kvguard Key Rotator role definition (keyRotatorRole.bicep), assigned when rotatesKeys.')
param rotatorRoleId string
@description('Whether kvguard renews certificates in this vault: only then does it get the kvguard Certificate Renewer role here.')
param renewsCertificates bool
@description('The kvguard Certificate Renewer role definition (certificateRenewerRole.bicep), assigned when renewsCertificates.')
param renewerRoleId string
@description('Object id of kvguard\'s identity.')
param principalId string
param functionAppId string
param eventGridFunctionName string
param subscribeEvents bool
param stateAccountId string
param deadLetterContainer string
param workspaceId string
@description('Storage account to archive AuditEvent to as well; empty: none.')
param archiveStorageAccountId string
param tags object

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: vaultName
}

// Feature: rotation (reads policies from tags, writes new secret versions and pending companions, disables old versions)
resource secretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7')
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7') // Key Vault Secrets Officer
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Feature: rotation of keys (the keyvault-key rotator reads and sets rotation policies and rotates; no cryptographic operation)
resource keyRotator 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (rotatesKeys) {
  name: guid(vault.id, principalId, rotatorRoleId)
  scope: vault
  properties: {
    roleDefinitionId: rotatorRoleId // kvguard Key Rotator
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Feature: renewal of certificates Key Vault does not renew itself (the keyvault-certificate rotator creates a new version; nothing else)
resource certificateRenewer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (renewsCertificates) {
  name: guid(vault.id, principalId, renewerRoleId)
  scope: vault
  properties: {
    roleDefinitionId: renewerRoleId // kvguard Certificate Renewer
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Feature: compliance (vault properties and role assignments through ARM: soft delete, purge protection, network rules, custodians)
resource vaultReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, '21090545-7ca7-4776-b22c-e363652d74d2')
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '21090545-7ca7-4776-b22c-e363652d74d2') // Key Vault Reader
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Feature: compliance (the vault's diagnostic settings, to check AuditEvent is logged and kept; nothing beyond this vault)
resource vaultMonitoringReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, '43d0d8ad-25c7-4714-9337-8ba259a9fe05')
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '43d0d8ad-25c7-4714-9337-8ba259a9fe05') // Monitoring Reader
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// The audit pipeline's input: every request to the vault as an AuditEvent record, in the workspace
// (resource-specific table AZKVAuditLogs) and, when asked, in a storage archive.
resource auditLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'kvguard-audit'
  scope: vault
  properties: {
    workspaceId: workspaceId
    logAnalyticsDestinationType: 'Dedicated'
    storageAccountId: empty(archiveStorageAccountId) ? null : archiveStorageAccountId
    logs: [{ category: 'AuditEvent', enabled: true }]
  }
}

// The vault's system topic. Declaring an existing one (systemTopicName) updates it in place: it gains a
// system-assigned identity, which dead-letters without any storage key.
resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: empty(systemTopicName) ? '${vaultName}-kvguard-events' : systemTopicName
  location: vault.location
  tags: tags
  identity: { type: 'SystemAssigned' }
  properties: {
    source: vault.id
    topicType: 'Microsoft.KeyVault.vaults'
  }
}

module deadLetterAccess 'deadLetterWriter.bicep' = {
  name: 'kvguard-deadletter-${vaultName}'
  scope: resourceGroup(split(stateAccountId, '/')[2], split(stateAccountId, '/')[4])
  params: {
    accountName: last(split(stateAccountId, '/'))
    containerName: deadLetterContainer
    principalId: topic.identity.principalId
    topicId: topic.id
  }
}

resource rotationEvents 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = if (subscribeEvents) {
  parent: topic
  name: 'kvguard-rotation'
  dependsOn: [deadLetterAccess]
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${functionAppId}/functions/${eventGridFunctionName}'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    // Exactly the events kvguard acts on (src/rotation/vaultEvents.ts ROTATION_EVENT_TYPES).
    filter: {
      includedEventTypes: [
        'Microsoft.KeyVault.SecretNearExpiry'
        'Microsoft.KeyVault.SecretExpired'
        'Microsoft.KeyVault.KeyNearExpiry'
        'Microsoft.KeyVault.KeyExpired'
        'Microsoft.KeyVault.CertificateNearExpiry'
        'Microsoft.KeyVault.CertificateExpired'
      ]
    }
    // Near-expiry comes 30 days ahead, so a day of retries loses nothing; the sweep also finds what is due.
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    deadLetterWithResourceIdentity: {
      identity: { type: 'SystemAssigned' }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: stateAccountId
          blobContainerName: deadLetterContainer
        }
      }
    }
  }
}

output vaultUrl string = vault.properties.vaultUri
output systemTopicName string = topic.name
