// One region's network when networkIsolation is on: a virtual network with a subnet the
// Function App integrates with (outbound: every call to storage and Key Vault goes
// through it) and a subnet for the private endpoints of the accounts and vaults.

@description('Name of the virtual network.')
param name string

@description('Region of the network.')
param location string

@description('Tags for the network.')
param tags object

@description('Address space of the network (one /16 per region, not overlapping: the two are peered).')
param addressPrefix string

resource vnet 'Microsoft.Network/virtualNetworks@2026-03-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: { addressPrefixes: [addressPrefix] }
    subnets: [
      {
        name: 'apps'
        properties: {
          addressPrefix: cidrSubnet(addressPrefix, 24, 0)
          // Flex Consumption integrates through a subnet delegated to Microsoft.App/environments.
          delegations: [{ name: 'flex', properties: { serviceName: 'Microsoft.App/environments' } }]
        }
      }
      {
        name: 'endpoints'
        properties: {
          addressPrefix: cidrSubnet(addressPrefix, 24, 1)
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
    ]
  }
}

@description('Resource id of the network.')
output id string = vnet.id

@description('Name of the network.')
output name string = vnet.name

@description('Resource id of the subnet the Function App integrates with.')
output appsSubnetId string = vnet.properties.subnets[0].id

@description('Resource id of the private endpoints\' subnet.')
output endpointsSubnetId string = vnet.properties.subnets[1].id
