/**
 * Object types as OpenNebula numbers them for ACL rules and authorization requests
 * (PoolObjectSQL::ObjectType): each is one bit of the 64-bit ACL resource component.
 */
export const ObjectType = {
  VM: 0x0000001000000000n,
  HOST: 0x0000002000000000n,
  NET: 0x0000004000000000n,
  IMAGE: 0x0000008000000000n,
  USER: 0x0000010000000000n,
  TEMPLATE: 0x0000020000000000n,
  GROUP: 0x0000040000000000n,
  ACL: 0x0000080000000000n,
  DATASTORE: 0x0000100000000000n,
  CLUSTER: 0x0000200000000000n,
  DOCUMENT: 0x0000400000000000n,
  ZONE: 0x0000800000000000n,
  SECGROUP: 0x0001000000000000n,
  VDC: 0x0002000000000000n,
  VROUTER: 0x0004000000000000n,
  MARKETPLACE: 0x0008000000000000n,
  MARKETPLACEAPP: 0x0010000000000000n,
  VMGROUP: 0x0020000000000000n,
  VNTEMPLATE: 0x0040000000000000n,
  HOOK: 0x0080000000000000n,
  BACKUPJOB: 0x0100000000000000n,
} as const;

export type ObjectTypeName = keyof typeof ObjectType;

/** Lower-case names used in API error messages ("Error getting user [3]."). */
export const OBJECT_NAMES: Record<ObjectTypeName, string> = {
  VM: 'virtual machine',
  HOST: 'host',
  NET: 'virtual network',
  IMAGE: 'image',
  USER: 'user',
  TEMPLATE: 'virtual machine template',
  GROUP: 'group',
  ACL: 'ACL',
  DATASTORE: 'datastore',
  CLUSTER: 'cluster',
  DOCUMENT: 'document',
  ZONE: 'zone',
  SECGROUP: 'security group',
  VDC: 'VDC',
  VROUTER: 'virtual router',
  MARKETPLACE: 'marketplace',
  MARKETPLACEAPP: 'marketplace app',
  VMGROUP: 'vm group',
  VNTEMPLATE: 'virtual network template',
  HOOK: 'hook',
  BACKUPJOB: 'backup job',
};
