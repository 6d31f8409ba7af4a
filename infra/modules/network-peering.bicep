// One direction of the peering between the two regions' networks (deployed once from each side).

@description('Name of the local virtual network (in this resource group).')
param localVnetName string

@description('Resource id of the remote virtual network.')
param remoteVnetId string

resource local 'Microsoft.Network/virtualNetworks@2026-03-01' existing = {
  name: localVnetName
}

resource peering 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings@2026-03-01' = {
  parent: local
  name: 'to-${last(split(remoteVnetId, '/'))}'
  properties: {
    remoteVirtualNetwork: { id: remoteVnetId }
    allowVirtualNetworkAccess: true
    allowForwardedTraffic: false
    useRemoteGateways: false
  }
}
