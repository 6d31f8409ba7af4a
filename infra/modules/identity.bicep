// The user-assigned managed identity the Function App runs as. Every data-plane role
// Lifeboat holds is assigned to this identity, in the module that owns the resource.

@description('Name of the identity.')
param name string

@description('Region of the identity.')
param location string

@description('Tags for the identity.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id of the identity.')
output id string = identity.id

@description('Client (application) id: the value of every __clientId app setting.')
output clientId string = identity.properties.clientId

@description('Object id of the identity\'s service principal: the principal of every role assignment.')
output principalId string = identity.properties.principalId
