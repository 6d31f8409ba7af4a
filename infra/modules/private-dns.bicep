// The private DNS zones of the private endpoints (blob, table, queue, Key Vault), linked to
// both regions' networks: every name resolves to its private endpoint from either region.

@description('Tags for the zones.')
param tags object

@description('Resource ids of the virtual networks to link.')
param vnetIds string[]

resource blob 'Microsoft.Network/privateDnsZones@2024-06-01' = {
  name: 'privatelink.blob.${environment().suffixes.storage}'
  location: 'global'
  tags: tags
}

resource table 'Microsoft.Network/privateDnsZones@2024-06-01' = {
  name: 'privatelink.table.${environment().suffixes.storage}'
  location: 'global'
  tags: tags
}

resource queue 'Microsoft.Network/privateDnsZones@2024-06-01' = {
  name: 'privatelink.queue.${environment().suffixes.storage}'
  location: 'global'
  tags: tags
}

resource vault 'Microsoft.Network/privateDnsZones@2024-06-01' = {
  name: 'privatelink.vaultcore.azure.net'
  location: 'global'
  tags: tags
}

func link(id string) object => { registrationEnabled: false, virtualNetwork: { id: id } }

resource blobLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for id in vnetIds: { parent: blob, name: 'link-${last(split(id, '/'))}', location: 'global', tags: tags, properties: link(id) }
]

resource tableLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for id in vnetIds: { parent: table, name: 'link-${last(split(id, '/'))}', location: 'global', tags: tags, properties: link(id) }
]

resource queueLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for id in vnetIds: { parent: queue, name: 'link-${last(split(id, '/'))}', location: 'global', tags: tags, properties: link(id) }
]

resource vaultLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for id in vnetIds: { parent: vault, name: 'link-${last(split(id, '/'))}', location: 'global', tags: tags, properties: link(id) }
]

@description('Resource id of each zone, by the private endpoint group it serves (blob, table, queue, vault).')
output zoneIds object = { blob: blob.id, table: table.id, queue: queue.id, vault: vault.id }
