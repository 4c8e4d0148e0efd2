// The custom role kvguard's keyvault-certificate rotator needs, and nothing more: read certificates (their
// policy and pending operation included) and create a new version with the certificate's own policy. No
// import, update, policy change, delete, purge, backup, restore, issuer or contact change: Key Vault
// Certificates Officer grants all of those. Defined once per subscription; assigned only on vaults whose
// certificates kvguard renews.
targetScope = 'subscription'

@description('The role definition\'s name (a GUID); main.bicep derives it from the subscription.')
param roleGuid string

resource certificateRenewer 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: roleGuid
  properties: {
    // Role names are unique in a tenant: the subscription id keeps two deployments of kvguard apart.
    roleName: 'kvguard Certificate Renewer (${subscription().subscriptionId})'
    description: 'kvguard\'s keyvault-certificate rotator: reads certificates, their policies and pending operations, and creates a new version with the certificate\'s own policy. No import, update, deletion, backup, issuer or contact change.'
    type: 'CustomRole'
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: [
          'Microsoft.KeyVault/vaults/certificates/read' // list, get a certificate, its policy and its pending operation
          'Microsoft.KeyVault/vaults/certificates/create/action' // a new version with the certificate's own policy
        ]
        notDataActions: []
      }
    ]
    assignableScopes: [subscription().id]
  }
}

output id string = certificateRenewer.id
