// Read access to the storage archive of AuditEvent records, when the audit scan reads the archive
// (auditReadsFrom = 'archive') instead of the workspace.
param accountName string
@description('Object id of kvguard\'s identity.')
param principalId string

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: accountName
}

// Feature: audit from the storage archive (lists and reads insights-logs-auditevent blobs; never writes)
resource archiveReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, principalId, '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1')
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1') // Storage Blob Data Reader
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
