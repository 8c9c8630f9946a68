/**
 * The 307 XML-RPC methods OpenNebula 7.4 registers (its Request Manager), by object family, as
 * the method tables of the interface facts list them (../shared/spec/opennebula-interfaces.md
 * §1.5; `node scripts/methods-from-spec.mjs` prints this list again from that file). The
 * method-list test calls each of them on oned.
 */
export const METHODS_7_4: Readonly<Record<string, readonly string[]>> = {
  'system': ['version', 'config', 'sql', 'sqlquery'],
  'user': ['allocate', 'delete', 'info', 'update', 'passwd', 'chauth', 'chgrp', 'addgroup', 'delgroup', 'quota', 'enable', 'login'],
  'userpool': ['info'],
  'userquota': ['info', 'update'],
  'group': ['allocate', 'delete', 'info', 'update', 'addadmin', 'deladmin', 'quota', 'vlan'],
  'grouppool': ['info'],
  'groupquota': ['info', 'update'],
  'acl': ['addrule', 'delrule', 'info'],
  'host': ['allocate', 'delete', 'info', 'update', 'rename', 'status', 'monitoring'],
  'hostpool': ['info', 'monitoring'],
  'cluster': ['allocate', 'delete', 'info', 'update', 'rename', 'addhost', 'delhost', 'adddatastore', 'deldatastore', 'addvnet', 'delvnet', 'optimize', 'planexecute', 'plandelete'],
  'clusterpool': ['info'],
  'datastore': ['allocate', 'delete', 'info', 'update', 'rename', 'chown', 'chmod', 'enable'],
  'datastorepool': ['info'],
  'image': ['allocate', 'delete', 'info', 'update', 'rename', 'chown', 'chmod', 'lock', 'unlock', 'clone', 'enable', 'persistent', 'chtype', 'snapshotdelete', 'snapshotrevert', 'snapshotflatten', 'restore'],
  'imagepool': ['info'],
  'template': ['allocate', 'delete', 'info', 'update', 'rename', 'chmod', 'chown', 'lock', 'unlock', 'clone', 'instantiate'],
  'templatepool': ['info'],
  'vm': ['allocate', 'info', 'update', 'rename', 'chmod', 'chown', 'lock', 'unlock', 'deploy', 'action', 'migrate', 'disksaveas', 'disksnapshotcreate', 'disksnapshotdelete', 'disksnapshotrevert', 'disksnapshotrename', 'attach', 'detach', 'diskresize', 'attachnic', 'detachnic', 'updatenic', 'attachsg', 'detachsg', 'snapshotcreate', 'snapshotdelete', 'snapshotrevert', 'resize', 'updateconf', 'recover', 'monitoring', 'schedadd', 'schedupdate', 'scheddelete', 'backup', 'backupcancel', 'restore', 'attachpci', 'detachpci', 'exec', 'retryexec', 'cancelexec', 'vmgroupadd', 'vmgroupdel'],
  'vmpool': ['info', 'infoextended', 'infoset', 'monitoring', 'accounting', 'showback', 'calculateshowback'],
  'vn': ['allocate', 'delete', 'info', 'update', 'rename', 'chmod', 'chown', 'lock', 'unlock', 'add_ar', 'rm_ar', 'update_ar', 'reserve', 'free_ar', 'hold', 'release', 'recover'],
  'vnpool': ['info'],
  'vntemplate': ['allocate', 'delete', 'info', 'update', 'rename', 'chmod', 'chown', 'lock', 'unlock', 'clone', 'instantiate'],
  'vntemplatepool': ['info'],
  'secgroup': ['allocate', 'delete', 'info', 'update', 'rename', 'chown', 'chmod', 'clone', 'commit'],
  'secgrouppool': ['info'],
  'vmgroup': ['allocate', 'delete', 'info', 'update', 'rename', 'chown', 'chmod', 'lock', 'unlock', 'roleadd', 'roledelete', 'roleupdate'],
  'vmgrouppool': ['info'],
  'vrouter': ['allocate', 'delete', 'info', 'update', 'rename', 'chown', 'chmod', 'lock', 'unlock', 'instantiate', 'attachnic', 'detachnic'],
  'vrouterpool': ['info'],
  'document': ['allocate', 'delete', 'info', 'update', 'rename', 'chown', 'chmod', 'lock', 'unlock', 'clone'],
  'documentpool': ['info'],
  'zone': ['allocate', 'delete', 'info', 'update', 'rename', 'enable', 'addserver', 'delserver', 'resetserver', 'raftstatus', 'replicate', 'voterequest', 'fedreplicate', 'updatedb'],
  'zonepool': ['info'],
  'vdc': ['allocate', 'delete', 'info', 'update', 'rename', 'addgroup', 'delgroup', 'addcluster', 'delcluster', 'addhost', 'delhost', 'adddatastore', 'deldatastore', 'addvnet', 'delvnet'],
  'vdcpool': ['info'],
  'market': ['allocate', 'delete', 'info', 'update', 'rename', 'chown', 'chmod', 'enable', 'allocatedb', 'updatedb'],
  'marketpool': ['info'],
  'marketapp': ['allocate', 'delete', 'info', 'update', 'rename', 'chown', 'chmod', 'lock', 'unlock', 'enable', 'allocatedb', 'updatedb', 'dropdb'],
  'marketapppool': ['info'],
  'hook': ['allocate', 'delete', 'info', 'update', 'rename', 'lock', 'unlock', 'retry'],
  'hookpool': ['info'],
  'hooklog': ['info'],
  'backupjob': ['allocate', 'delete', 'info', 'update', 'rename', 'chown', 'chmod', 'lock', 'unlock', 'backup', 'cancel', 'retry', 'priority', 'schedadd', 'schedupdate', 'scheddelete'],
  'backupjobpool': ['info'],
};

/** Every method's full name: `one.<family>.<name>`. */
export const METHOD_NAMES_7_4: readonly string[] = Object.entries(METHODS_7_4).flatMap(([family, names]) => names.map((n) => `one.${family}.${n}`));
