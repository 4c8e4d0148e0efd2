// A user-assigned identity: kvguard's own (identityType = 'UserAssigned'), which outlives the app, so role
// assignments and Graph consent survive redeploying or replacing the Function App; or the deployment identity
// the platform writes and reads the code package with.
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
