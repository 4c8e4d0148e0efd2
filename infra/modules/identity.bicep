// A user-assigned identity for kvguard (identityType = 'UserAssigned'): it outlives the app, so role
// assignments and Graph consent survive redeploying or replacing the Function App.
param location string
param tags object
param name string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
