// Private endpoints in one region's endpoints subnet, each registered in its private DNS zone.

@description('Region of the endpoints (the subnet\'s).')
param location string

@description('Tags for the endpoints.')
param tags object

@description('Resource id of the subnet the endpoints go into.')
param subnetId string

@description('Private DNS zone ids by group (blob, table, queue, vault): private-dns.bicep\'s zoneIds.')
param zoneIds object

@description('The endpoints: a short name, the target resource id, the group (blob, table, queue, vault).')
param endpoints { name: string, resourceId: string, group: string }[]

resource pe 'Microsoft.Network/privateEndpoints@2026-03-01' = [
  for e in endpoints: {
    name: 'pe-${e.name}-${e.group}'
    location: location
    tags: tags
    properties: {
      subnet: { id: subnetId }
      privateLinkServiceConnections: [
        {
          name: '${e.name}-${e.group}'
          properties: {
            // A field of the endpoints parameter: the account and vault ids main.bicep's modules output.
            #disable-next-line use-resource-id-functions
            privateLinkServiceId: e.resourceId
            groupIds: [e.group]
          }
        }
      ]
    }
  }
]

resource zoneGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2026-03-01' = [
  for (e, i) in endpoints: {
    parent: pe[i]
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [{ name: e.group, properties: { privateDnsZoneId: zoneIds[e.group] } }]
    }
  }
]
