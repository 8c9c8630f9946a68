/**
 * The 80 calls behind reference/opennebula-7.4 (its INDEX.md), in order, with their whole
 * arguments (INDEX.md shortens the long ones; these are read back from the objects the reference
 * shows), the session each ran as, and what the recording waited for before it.
 */

/** Who makes the call: oneadmin, the user the steps create (usr-ref7042, id 2), or a wrong password. */
export type Session = 'oneadmin' | 'user' | 'bad-password';

/** Something that must be true before the call is made (polled with the step's own call). */
export interface Wait {
  /** The element whose text must match. */
  readonly element: 'STATE' | 'LCM_STATE';
  readonly value: string;
}

export interface Step {
  /** The reference file's number (NNN-name.xml). */
  readonly n: number;
  readonly name: string;
  readonly method: string;
  readonly args: readonly (string | number | boolean | number[])[];
  readonly session?: Session;
  /** Repeat the call until the object's element has this value (monitoring, drivers). */
  readonly until?: readonly Wait[];
}

const TEMPLATE = [
  'NAME="tpl-ref7042"',
  'CPU="0.5"',
  'VCPU="2"',
  'MEMORY="256"',
  'DISK=[ IMAGE_ID="1" ]',
  'DISK=[ TYPE="fs", SIZE="64", FORMAT="raw" ]',
  'NIC=[ NETWORK_ID="0" ]',
  'CONTEXT=[ NETWORK="YES", SET_HOSTNAME="$NAME", SSH_PUBLIC_KEY="$USER[SSH_PUBLIC_KEY]" ]',
  'GRAPHICS=[ TYPE="VNC", LISTEN="0.0.0.0" ]',
  'OS=[ ARCH="x86_64", BOOT="disk0" ]',
  'FEATURES=[ ACPI="yes" ]',
  'SCHED_REQUIREMENTS="ID>=0"',
  'DESCRIPTION="ref"',
  'LOGO="images/logos/linux.png"',
].join('\n');

const VNET = [
  'NAME="net-ref7042"',
  'VN_MAD="bridge"',
  'BRIDGE="br-ref"',
  'NETWORK_ADDRESS="10.9.0.0"',
  'NETWORK_MASK="255.255.255.0"',
  'GATEWAY="10.9.0.1"',
  'DNS="10.9.0.1"',
  'AR=[ TYPE="IP4", IP="10.9.0.10", SIZE="50" ]',
  'AR=[ TYPE="IP4_6", IP="10.9.1.10", SIZE="8", GLOBAL_PREFIX="2001:db8::" ]',
  'AR=[ TYPE="ETHER", SIZE="4" ]',
].join('\n');

const QUOTA = 'VM=[VMS="5",CPU="4",MEMORY="2048",RUNNING_VMS="-1",RUNNING_CPU="-1",RUNNING_MEMORY="-1",SYSTEM_DISK_SIZE="-1"]';

const running: Wait[] = [{ element: 'STATE', value: '3' }, { element: 'LCM_STATE', value: '3' }];

export const STEPS: readonly Step[] = [
  { n: 1, name: 'system.version', method: 'one.system.version', args: [] },
  { n: 2, name: 'system.config', method: 'one.system.config', args: [] },
  { n: 3, name: 'group.allocate', method: 'one.group.allocate', args: ['grp-ref7042'] },
  { n: 4, name: 'user.allocate', method: 'one.user.allocate', args: ['usr-ref7042', 'pw', 'core', [100]] },
  { n: 5, name: 'user.info', method: 'one.user.info', args: [2] },
  { n: 6, name: 'user.info.self', method: 'one.user.info', args: [-1], session: 'user' },
  { n: 7, name: 'user.login', method: 'one.user.login', args: ['usr-ref7042', '', 3600, -1] },
  { n: 8, name: 'user.info.after-login', method: 'one.user.info', args: [2] },
  { n: 9, name: 'userpool.info', method: 'one.userpool.info', args: [] },
  { n: 10, name: 'group.info', method: 'one.group.info', args: [100] },
  { n: 11, name: 'grouppool.info', method: 'one.grouppool.info', args: [] },
  { n: 12, name: 'user.quota', method: 'one.user.quota', args: [2, QUOTA] },
  { n: 13, name: 'user.info.with-quota', method: 'one.user.info', args: [2] },
  { n: 14, name: 'userquota.info', method: 'one.userquota.info', args: [] },
  { n: 15, name: 'acl.addrule', method: 'one.acl.addrule', args: ['200000064', '1400000000', '1'] },
  { n: 16, name: 'acl.info', method: 'one.acl.info', args: [] },
  { n: 17, name: 'cluster.allocate', method: 'one.cluster.allocate', args: ['cl-ref7042'] },
  { n: 18, name: 'host.allocate', method: 'one.host.allocate', args: ['host-ref7042', 'dummy', 'dummy', 100] },
  { n: 19, name: 'host.info.monitored', method: 'one.host.info', args: [0], until: [{ element: 'STATE', value: '2' }] },
  { n: 20, name: 'hostpool.info', method: 'one.hostpool.info', args: [] },
  { n: 21, name: 'host.monitoring', method: 'one.host.monitoring', args: [0] },
  { n: 22, name: 'cluster.info', method: 'one.cluster.info', args: [100] },
  { n: 23, name: 'clusterpool.info', method: 'one.clusterpool.info', args: [] },
  { n: 24, name: 'datastore.allocate.system', method: 'one.datastore.allocate', args: ['NAME="sys-ref7042"\nTYPE="SYSTEM_DS"\nTM_MAD="dummy"', 100] },
  { n: 25, name: 'datastore.allocate.image', method: 'one.datastore.allocate', args: ['NAME="img-ref7042"\nDS_MAD="dummy"\nTM_MAD="dummy"', 100] },
  { n: 26, name: 'datastore.allocate.ssh', method: 'one.datastore.allocate', args: ['NAME="ssh-ref7042"\nDS_MAD="fs"\nTM_MAD="ssh"', -1] },
  { n: 27, name: 'datastore.allocate.qcow2', method: 'one.datastore.allocate', args: ['NAME="qcow2-ref7042"\nDS_MAD="fs"\nTM_MAD="qcow2"', -1] },
  { n: 28, name: 'datastore.info.default-system', method: 'one.datastore.info', args: [0] },
  { n: 29, name: 'datastore.info.default-images', method: 'one.datastore.info', args: [1] },
  { n: 30, name: 'datastore.info.default-files', method: 'one.datastore.info', args: [2] },
  { n: 31, name: 'datastore.info.system-dummy', method: 'one.datastore.info', args: [100] },
  { n: 32, name: 'datastore.info.images-dummy', method: 'one.datastore.info', args: [101] },
  { n: 33, name: 'datastore.info.images-ssh', method: 'one.datastore.info', args: [102] },
  { n: 34, name: 'datastore.info.images-qcow2', method: 'one.datastore.info', args: [103] },
  { n: 35, name: 'datastorepool.info', method: 'one.datastorepool.info', args: [] },
  { n: 36, name: 'image.allocate.datablock', method: 'one.image.allocate', args: ['NAME="blk-ref7042"\nTYPE="DATABLOCK"\nSIZE="100"', 101, true] },
  { n: 37, name: 'image.allocate.os', method: 'one.image.allocate', args: ['NAME="os-ref7042"\nPATH="/var/tmp/none.img"\nTYPE="OS"\nSIZE="200"', 101, true] },
  { n: 38, name: 'image.info.ready', method: 'one.image.info', args: [1], until: [{ element: 'STATE', value: '1' }] },
  { n: 39, name: 'image.persistent', method: 'one.image.persistent', args: [0, true] },
  { n: 40, name: 'image.info.persistent', method: 'one.image.info', args: [0], until: [{ element: 'STATE', value: '1' }] },
  { n: 41, name: 'imagepool.info', method: 'one.imagepool.info', args: [-2, -1, -1] },
  { n: 42, name: 'vn.allocate', method: 'one.vn.allocate', args: [VNET, 100] },
  { n: 43, name: 'vn.info', method: 'one.vn.info', args: [0] },
  { n: 44, name: 'vn.hold', method: 'one.vn.hold', args: [0, 'LEASES=[IP="10.9.0.11"]'] },
  { n: 45, name: 'vn.reserve', method: 'one.vn.reserve', args: [0, 'SIZE="4"\nNAME="rsv-ref7042"'] },
  { n: 46, name: 'vn.info.reservation', method: 'one.vn.info', args: [1] },
  { n: 47, name: 'vn.info.after-hold-reserve', method: 'one.vn.info', args: [0] },
  { n: 48, name: 'vnpool.info', method: 'one.vnpool.info', args: [-2, -1, -1] },
  { n: 49, name: 'template.allocate', method: 'one.template.allocate', args: [TEMPLATE] },
  { n: 50, name: 'template.info', method: 'one.template.info', args: [0] },
  { n: 51, name: 'template.info.extended', method: 'one.template.info', args: [0, true] },
  { n: 52, name: 'templatepool.info', method: 'one.templatepool.info', args: [-2, -1, -1] },
  { n: 53, name: 'template.instantiate.hold', method: 'one.template.instantiate', args: [0, 'vm-ref7042', true, '', false] },
  { n: 54, name: 'vm.info.hold', method: 'one.vm.info', args: [0] },
  { n: 55, name: 'vm.deploy', method: 'one.vm.deploy', args: [0, 0, false, 100] },
  { n: 56, name: 'vm.action.release-not-needed', method: 'one.vm.info', args: [0] },
  { n: 57, name: 'vm.info.running', method: 'one.vm.info', args: [0], until: running },
  { n: 58, name: 'vm.monitoring', method: 'one.vm.monitoring', args: [0] },
  { n: 59, name: 'host.info.with-vm', method: 'one.host.info', args: [0] },
  { n: 60, name: 'vm.action.poweroff', method: 'one.vm.action', args: ['poweroff-hard', 0] },
  { n: 61, name: 'vm.info.poweroff', method: 'one.vm.info', args: [0], until: [{ element: 'STATE', value: '8' }] },
  { n: 62, name: 'vmpool.info', method: 'one.vmpool.info', args: [-2, -1, -1, -1] },
  { n: 63, name: 'vmpool.infoextended', method: 'one.vmpool.infoextended', args: [-2, -1, -1, -1] },
  { n: 64, name: 'vmpool.accounting', method: 'one.vmpool.accounting', args: [-2, -1, -1] },
  { n: 65, name: 'vmpool.monitoring', method: 'one.vmpool.monitoring', args: [-2, 0] },
  { n: 66, name: 'vm.allocate.plain', method: 'one.vm.allocate', args: ['NAME="plain-ref7042"\nCPU="1"\nMEMORY="64"', false] },
  { n: 67, name: 'vm.info.pending', method: 'one.vm.info', args: [1] },
  { n: 68, name: 'document.allocate', method: 'one.document.allocate', args: ['NAME="doc-ref7042"\nBODY="x"', 100] },
  { n: 69, name: 'document.info', method: 'one.document.info', args: [0] },
  { n: 70, name: 'documentpool.info', method: 'one.documentpool.info', args: [-2, -1, -1, 100] },
  { n: 71, name: 'err.256.bad-password', method: 'one.user.info', args: [-1], session: 'bad-password' },
  { n: 72, name: 'err.512.not-authorized', method: 'one.host.allocate', args: ['denied', 'dummy', 'dummy', -1], session: 'user' },
  { n: 73, name: 'err.1024.no-vm', method: 'one.vm.info', args: [99999] },
  { n: 74, name: 'err.2048.deploy-running', method: 'one.vm.deploy', args: [0, 0, false, -1] },
  { n: 75, name: 'err.4096.bad-filter', method: 'one.vmpool.info', args: [-9, -1, -1, -1] },
  { n: 76, name: 'err.8192.dup-user', method: 'one.user.allocate', args: ['usr-ref7042', 'pw', '', []] },
  { n: 77, name: 'err.16384.dup-host', method: 'one.host.allocate', args: ['host-ref7042', 'dummy', 'dummy', -1] },
  { n: 78, name: 'template.lock', method: 'one.template.lock', args: [0, 1, false] },
  { n: 79, name: 'err.locked-template-update', method: 'one.template.update', args: [0, 'A="1"', 1] },
  { n: 80, name: 'err.vn.hold-used', method: 'one.vn.hold', args: [0, 'LEASES=[IP="10.9.0.11"]'] },
];

/** The reference file of a step: `NNN-name.xml`. */
export function referenceFile(step: Step): string {
  return `${String(step.n).padStart(3, '0')}-${step.name}.xml`;
}
