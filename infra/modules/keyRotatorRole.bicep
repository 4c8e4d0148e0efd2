// The custom role kvguard's keyvault-key rotator needs, and nothing more: read keys and their rotation
// policies, set a rotation policy, rotate. No cryptographic operation (encrypt, decrypt, wrap, unwrap, sign,
// verify), and no create, import, update, delete, purge, backup, restore or release: Key Vault Crypto Officer
// grants all of those. Defined once per subscription; assigned only on vaults whose keys kvguard rotates.
targetScope = 'subscription'

@description('The role definition\'s name (a GUID); main.bicep derives it from the subscription.')
param roleGuid string

resource keyRotator 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: roleGuid
  properties: {
    // Role names are unique in a tenant: the subscription id keeps two deployments of kvguard apart.
    roleName: 'kvguard Key Rotator (${subscription().subscriptionId})'
    description: 'kvguard\'s keyvault-key rotator: reads keys and rotation policies, sets rotation policies, rotates keys. No cryptographic operation, no key creation, import, deletion, backup or release.'
    type: 'CustomRole'
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: [
          'Microsoft.KeyVault/vaults/keys/read' // list keys, get a key's properties and version
          'Microsoft.KeyVault/vaults/keyrotationpolicies/read' // get a key's rotation policy
          'Microsoft.KeyVault/vaults/keyrotationpolicies/write' // set it to the kvguard policy
          'Microsoft.KeyVault/vaults/keys/rotate/action' // rotate now
        ]
        notDataActions: []
      }
    ]
    assignableScopes: [subscription().id]
  }
}

output id string = keyRotator.id
