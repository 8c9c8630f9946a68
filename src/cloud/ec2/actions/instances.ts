/**
 * Instances are the user's VMs. RunInstances makes MaxCount VMs of an image (`ami-N`, the
 * root DISK) and an instance type (econe.conf: a VM template and/or CPU, VCPU, MEMORY), with
 * the key pair's public key and the user data in the context (SSH_PUBLIC_KEY, EC2_KEYNAME,
 * EC2_USER_DATA and USER_DATA + USERDATA_ENCODING=base64, which contextualized guests and
 * cloud-init read). Nothing is left half-made: when fewer than MinCount can be made, those
 * made are deleted and the error answered. DescribeInstances lists the user's VMs (never
 * another's), Terminate/Start/Stop/RebootInstances act on them.
 */
import { randomBytes } from 'node:crypto';
import { OneError, OneErrorCode, PoolFilter, UpdateMode, type OneObject, type VirtualMachine } from '../../../oca/index.js';
import type { InstanceType } from '../config.js';
import type { Ec2Action, Ec2Context } from '../context.js';
import { Ec2Error, ec2ErrorOf, invalid, missing } from '../errors.js';
import { formatId, notFound, requireId } from '../ids.js';
import { ACTIVE, instanceState, type InstanceState } from '../instance-state.js';
import { applyFilters, isTagFilter, pageToken, PageSnapshots, paginate, tagFilterValues } from '../paging.js';
import { templateXml, type TemplateSpec } from '../records.js';
import { tagsOf, tagsSpec } from '../tags.js';
import { el, isoTime, itemSet, tagSet, wrap } from '../xml.js';
import { kindOf } from './storage-model.js';
import { keyPairNamed } from './keypairs.js';

const DONE = 6;
/** Largest MaxCount of one RunInstances. */
export const MAX_COUNT = 100;
/** Largest UserData, decoded (as EC2). */
export const MAX_USER_DATA = 16 * 1024;

/** An attribute the server set on a VM: in USER_TEMPLATE (where allocate puts them), else TEMPLATE. */
function ec2Attr(vm: OneObject, name: string): string {
  return vm.get(`USER_TEMPLATE/${name}`) || vm.get(`TEMPLATE/${name}`);
}

export function vmState(vm: VirtualMachine): InstanceState {
  return instanceState(vm.state, vm.lcmState);
}

/** Cluster id → name, for availability zones. */
async function clusterNames(ctx: Ec2Context): Promise<Map<number, string>> {
  return new Map((await ctx.admin.clusters.list()).map((c) => [c.id, c.name]));
}

function clusterOf(vm: VirtualMachine): number {
  const h = vm.all('HISTORY_RECORDS/HISTORY');
  const last = h[h.length - 1];
  const cid = last?.children.find((c) => c.name === 'CID')?.text;
  return cid === undefined || cid === '' ? -1 : Number(cid);
}

function privateIp(vm: VirtualMachine): string {
  return vm.get('TEMPLATE/NIC/IP');
}

function publicIp(vm: VirtualMachine): string {
  return ec2Attr(vm, 'EC2_ELASTIC_IP') || vm.get('TEMPLATE/NIC/EXTERNAL_IP');
}

function imageIdOf(vm: VirtualMachine): string {
  const ami = ec2Attr(vm, 'EC2_IMAGE_ID');
  if (ami) return ami;
  const disk = vm.get('TEMPLATE/DISK/IMAGE_ID');
  return disk ? formatId('ami', Number(disk)) : '';
}

export function reservationOf(vm: VirtualMachine): string {
  return ec2Attr(vm, 'EC2_RESERVATION_ID') || `r-${formatId('i', vm.id).slice(2)}`;
}

/** The `<item>` body of an instance, as DescribeInstances and RunInstances write it. */
export function instanceXml(vm: VirtualMachine, zones: ReadonlyMap<number, string>): string {
  const state = vmState(vm);
  const ip = privateIp(vm);
  const pub = publicIp(vm);
  const groups = vm
    .all('TEMPLATE/NIC')
    .flatMap((n) => (n.children.find((c) => c.name === 'SECURITY_GROUPS')?.text ?? '').split(','))
    .filter((g) => /^\d+$/.test(g));
  return (
    el('instanceId', formatId('i', vm.id)) +
    el('imageId', imageIdOf(vm)) +
    wrap('instanceState', el('code', state.code) + el('name', state.name)) +
    el('privateDnsName', ip) +
    el('dnsName', pub) +
    el('reason', state.name === 'terminated' ? 'User initiated' : '') +
    el('keyName', ec2Attr(vm, 'EC2_KEYNAME') || undefined) +
    el('amiLaunchIndex', Number(ec2Attr(vm, 'EC2_LAUNCH_INDEX') || 0)) +
    '<productCodes/>' +
    el('instanceType', ec2Attr(vm, 'EC2_INSTANCE_TYPE') || undefined) +
    el('launchTime', isoTime(vm.int('STIME'))) +
    wrap('placement', el('availabilityZone', zones.get(clusterOf(vm)) ?? '') + '<groupName/>' + el('tenancy', 'default')) +
    wrap('monitoring', el('state', 'disabled')) +
    el('privateIpAddress', ip || undefined) +
    el('ipAddress', pub || undefined) +
    itemSet('groupSet', [...new Set(groups)].map((g) => el('groupId', formatId('sg', Number(g))))) +
    el('architecture', 'x86_64') +
    el('rootDeviceType', 'ebs') +
    el('rootDeviceName', '/dev/sda1') +
    '<blockDeviceMapping/>' +
    el('virtualizationType', 'hvm') +
    tagSet(tagsOf(vm, 'USER_TEMPLATE'))
  );
}

/** The reservationSet of VMs (grouped by reservation, in the given order). */
function reservationSet(vms: readonly VirtualMachine[], zones: ReadonlyMap<number, string>, tag = 'reservationSet'): string {
  const groups = new Map<string, VirtualMachine[]>();
  for (const vm of vms) {
    const r = reservationOf(vm);
    const list = groups.get(r);
    if (list) list.push(vm);
    else groups.set(r, [vm]);
  }
  return itemSet(
    tag,
    [...groups].map(([r, list]) => el('reservationId', r) + el('ownerId', String(list[0]!.uid)) + '<groupSet/>' + itemSet('instancesSet', list.map((vm) => instanceXml(vm, zones)))),
  );
}

/** Recently terminated instances stay visible this long (seconds), as in EC2. */
export const TERMINATED_VISIBLE = 900;

/** The user's VMs: all but DONE, and those DONE in the last TERMINATED_VISIBLE seconds. */
async function userVms(ctx: Ec2Context): Promise<VirtualMachine[]> {
  const live = ctx.one.vms.parseList(await ctx.one.vms.listExtendedXml(PoolFilter.MINE, -1, -1, -1));
  const since = Math.floor(Date.now() / 1000) - TERMINATED_VISIBLE;
  const done = ctx.one.vms.parseList(await ctx.one.vms.listExtendedXml(PoolFilter.MINE, -1, -1, DONE)).filter((vm) => vm.int('ETIME') >= since);
  return [...live, ...done].filter((vm) => vm.uid === ctx.user.id && !undone(vm)).sort((a, b) => a.id - b.id);
}

function undone(vm: VirtualMachine): boolean {
  return vm.state === DONE && ec2Attr(vm, UNDONE) === 'YES';
}

/** `InstanceId.N` as VM ids (at least one). */
function instanceIds(ctx: Ec2Context, required: boolean): Array<{ text: string; id: number }> {
  const ids = ctx.params.list('InstanceId');
  if (required && ids.length === 0) throw missing('InstanceId');
  if (ids.length > 1000) throw invalid('InstanceId', 'at most 1000 instances at a time');
  return [...new Set(ids)].map((text) => ({ text, id: requireId('i', text) }));
}

function notFoundAll(texts: readonly string[]): Ec2Error {
  if (texts.length === 1) return notFound('i', texts[0]!);
  return new Ec2Error('InvalidInstanceID.NotFound', `The instance IDs '${texts.join(', ')}' do not exist`);
}

/** The user's VMs of these ids; any missing (or another's): InvalidInstanceID.NotFound naming them all. */
async function ownVms(ctx: Ec2Context, ids: ReadonlyArray<{ text: string; id: number }>): Promise<VirtualMachine[]> {
  // One call for the live VMs; the rest (ended, another's, none) one by one.
  const found = new Map<number, VirtualMachine>();
  try {
    for (const vm of await ctx.one.vms.infoSet(ids.map((i) => i.id), true)) found.set(vm.id, vm);
  } catch (err) {
    throw ec2ErrorOf(err);
  }
  const missingIds: string[] = [];
  for (const { text, id } of ids) {
    if (found.has(id)) continue;
    try {
      found.set(id, await ctx.one.vms.info(id));
    } catch (err) {
      if (err instanceof OneError && (err.code === OneErrorCode.NO_EXISTS || err.code === OneErrorCode.AUTHORIZATION)) missingIds.push(text);
      else throw ec2ErrorOf(err);
    }
  }
  for (const { text, id } of ids) {
    const vm = found.get(id);
    if (vm && (vm.uid !== ctx.user.id || undone(vm))) missingIds.push(text);
  }
  if (missingIds.length) throw notFoundAll(missingIds);
  return ids.map(({ id }) => found.get(id)!);
}

const INSTANCE_FILTERS = [
  'instance-id', 'instance-state-name', 'instance-state-code', 'instance-type', 'image-id', 'key-name', 'private-ip-address', 'ip-address',
  'availability-zone', 'reservation-id', 'owner-id', 'launch-index', 'dns-name', 'private-dns-name',
];

/** Long DescribeInstances listings remembered between pages (paging.ts). */
const LISTINGS = new PageSnapshots();

/** The user's VMs of these ids, in this order; ones gone or no longer the user's are left out. */
async function vmsInOrder(ctx: Ec2Context, ids: readonly number[]): Promise<VirtualMachine[]> {
  const found = new Map<number, VirtualMachine>();
  if (ids.length > 0) for (const vm of await ctx.one.vms.infoSet(ids, true)) found.set(vm.id, vm);
  // The set leaves out ended VMs: the recently terminated ones the listing showed are read one by one.
  for (const id of ids) {
    if (found.has(id)) continue;
    try {
      found.set(id, await ctx.one.vms.info(id));
    } catch (err) {
      if (!(err instanceof OneError)) throw err;
    }
  }
  return ids.flatMap((id) => {
    const vm = found.get(id);
    return vm && vm.uid === ctx.user.id && !undone(vm) ? [vm] : [];
  });
}

const describeInstances: Ec2Action = async (ctx) => {
  const ids = instanceIds(ctx, false);
  const filters = ctx.params.filters();
  if (ids.length === 0) {
    // A later page of a remembered listing reads only its own instances.
    const later = LISTINGS.next(ctx.params, ctx.user.id);
    if (later) return reservationSet(await vmsInOrder(ctx, later.ids), await clusterNames(ctx)) + el('nextToken', later.nextToken);
  }
  let vms: VirtualMachine[];
  if (ids.length) {
    vms = await ownVms(ctx, ids);
    const since = Math.floor(Date.now() / 1000) - TERMINATED_VISIBLE;
    vms = vms.filter((vm) => vm.state !== DONE || vm.int('ETIME') >= since);
  } else vms = await userVms(ctx);
  const zones = await clusterNames(ctx);
  vms = applyFilters(vms, filters, (f) => INSTANCE_FILTERS.includes(f) || isTagFilter(f), (vm, f) => {
    switch (f) {
      case 'instance-id': return [formatId('i', vm.id)];
      case 'instance-state-name': return [vmState(vm).name];
      case 'instance-state-code': return [String(vmState(vm).code)];
      case 'instance-type': return [ec2Attr(vm, 'EC2_INSTANCE_TYPE')];
      case 'image-id': return [imageIdOf(vm)];
      case 'key-name': return [ec2Attr(vm, 'EC2_KEYNAME')];
      case 'private-ip-address': case 'private-dns-name': return [privateIp(vm)];
      case 'ip-address': case 'dns-name': return [publicIp(vm)];
      case 'availability-zone': return [zones.get(clusterOf(vm)) ?? ''];
      case 'reservation-id': return [reservationOf(vm)];
      case 'owner-id': return [String(vm.uid)];
      case 'launch-index': return [ec2Attr(vm, 'EC2_LAUNCH_INDEX') || '0'];
      default: return tagFilterValues(tagsOf(vm, 'USER_TEMPLATE'), f) ?? [];
    }
  });
  if (ids.length === 0 && pageToken(ctx.params) === undefined) {
    const first = LISTINGS.first(vms.map((vm) => vm.id), ctx.params, ctx.user.id);
    if (first.nextToken) return reservationSet(vms.slice(0, first.ids.length), zones) + el('nextToken', first.nextToken);
  }
  const page = paginate(vms, ctx.params, ids.length > 0);
  return reservationSet(page.items, zones) + el('nextToken', page.nextToken);
};

/** The decoded user data checked (base64, at most 16 KB), or undefined. */
function userData(ctx: Ec2Context): string | undefined {
  const raw = ctx.params.optional('UserData');
  if (raw === undefined || raw === '') return undefined;
  const compact = raw.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) throw new Ec2Error('InvalidParameterValue', 'Invalid BASE64 encoding of user data.');
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length > MAX_USER_DATA) throw new Ec2Error('InvalidParameterValue', `User data is limited to ${MAX_USER_DATA} bytes`);
  return bytes.toString('base64');
}

function instanceType(ctx: Ec2Context): { name: string; type: InstanceType } {
  const name = ctx.params.optional('InstanceType') || ctx.conf.default_instance_type;
  const type = ctx.conf.instance_types[name];
  if (!type) throw new Ec2Error('InvalidParameterValue', `Invalid value '${name}' for InstanceType (this endpoint has ${Object.keys(ctx.conf.instance_types).join(', ')})`);
  return { name, type };
}

/** The VM template id of an instance type (by id, or by name among the templates the user may use: their own first). */
async function templateIdOf(ctx: Ec2Context, type: InstanceType, typeName: string): Promise<number | undefined> {
  if (type.template === undefined) return undefined;
  if (typeof type.template === 'number') return type.template;
  const all = await ctx.one.templates.list(PoolFilter.ALL);
  const named = all.filter((t) => t.name === type.template);
  const t = named.find((x) => x.uid === ctx.user.id) ?? named[0];
  if (!t) throw new Ec2Error('InvalidParameterValue', `The instance type ${typeName} needs the VM template "${type.template}", which you cannot use`);
  return t.id;
}

/** The AZ (cluster) of Placement.AvailabilityZone, as a scheduling requirement. */
async function placement(ctx: Ec2Context): Promise<string | undefined> {
  const zone = ctx.params.optional('Placement.AvailabilityZone');
  if (!zone) return undefined;
  const id = [...(await clusterNames(ctx))].find(([, n]) => n === zone)?.[0];
  if (id === undefined) throw new Ec2Error('InvalidParameterValue', `Invalid availability zone: [${zone}]`);
  return `CLUSTER_ID = ${id}`;
}

/** Marks VMs of a launch that was undone: never shown again, not even as terminated. */
const UNDONE = 'EC2_LAUNCH_UNDONE';

async function deleteQuietly(ctx: Ec2Context, id: number): Promise<void> {
  try {
    await ctx.one.vms.update(id, templateXml({ [UNDONE]: 'YES' }), UpdateMode.MERGE);
  } catch {
    // Deleted all the same; it may show as terminated for a while.
  }
  try {
    await ctx.one.vms.action('terminate-hard', id);
  } catch {
    try {
      await ctx.admin.vms.recover(id, 3);
    } catch (err) {
      ctx.log(`RunInstances: could not delete VM ${id} after a failed launch: ${(err as Error).message}`);
    }
  }
}

const runInstances: Ec2Action = async (ctx) => {
  const imageText = ctx.params.str('ImageId');
  const imageId = requireId('ami', imageText);
  const min = ctx.params.int('MinCount', { min: 1 });
  const max = ctx.params.int('MaxCount', { min: 1 });
  if (min > max) throw invalid('MinCount', `MinCount (${min}) is greater than MaxCount (${max})`);
  if (max > MAX_COUNT) throw new Ec2Error('InstanceLimitExceeded', `At most ${MAX_COUNT} instances can be launched by one request`);
  const { name: typeName, type } = instanceType(ctx);
  const data = userData(ctx);
  const keyName = ctx.params.optional('KeyName');
  const key = keyName ? await keyPairNamed(ctx, keyName) : undefined;
  const tags = ctx.params.tagsFor('instance', ['instance']);
  const groups = ctx.params.list('SecurityGroupId').map((g) => requireId('sg', g));
  if (groups.length && ctx.conf.network_id === undefined) throw invalid('SecurityGroupId', 'this endpoint gives instances no network of its own (econe.conf network_id), so no security groups');
  try {
    const image = await ctx.one.images.info(imageId);
    if (kindOf(image) !== 'ami') throw notFound('ami', imageText);
  } catch (err) {
    if (err instanceof Ec2Error) throw err;
    const e = ec2ErrorOf(err);
    if (e.status >= 500) throw e;
    throw new Ec2Error('InvalidAMIID.NotFound', `The image id '[${imageText}]' does not exist`);
  }
  const templateId = await templateIdOf(ctx, type, typeName);
  const sched = await placement(ctx);
  let baseContext: Record<string, string> = {};
  if (templateId !== undefined) {
    try {
      const t = await ctx.one.templates.info(templateId);
      for (const c of t.all('TEMPLATE/CONTEXT')[0]?.children ?? []) baseContext[c.name] = c.text;
    } catch (err) {
      throw new Ec2Error('InvalidParameterValue', `The VM template of instance type ${typeName} cannot be read: ${ec2ErrorOf(err).message}`);
    }
  } else baseContext = { NETWORK: 'YES' };
  const reservation = `r-${randomBytes(9).toString('hex').slice(0, 17)}`;
  const context: Record<string, string> = { ...baseContext };
  if (key) Object.assign(context, { SSH_PUBLIC_KEY: key.publicKey, EC2_PUBLIC_KEY: key.publicKey, EC2_KEYNAME: key.name });
  if (data !== undefined) Object.assign(context, { EC2_USER_DATA: data, USER_DATA: data, USERDATA_ENCODING: 'base64' });
  const spec = (index: number): TemplateSpec => ({
    ...(templateId === undefined ? { NAME: `ec2-${reservation.slice(2, 10)}-${index}` } : {}),
    CPU: type.cpu,
    VCPU: type.vcpu,
    MEMORY: type.memory,
    DISK: { IMAGE_ID: imageId },
    ...(ctx.conf.network_id !== undefined ? { NIC: { NETWORK_ID: ctx.conf.network_id, ...(groups.length ? { SECURITY_GROUPS: groups.join(',') } : {}) } } : {}),
    CONTEXT: context,
    SCHED_REQUIREMENTS: sched,
    EC2_INSTANCE_TYPE: typeName,
    EC2_IMAGE_ID: formatId('ami', imageId),
    EC2_RESERVATION_ID: reservation,
    EC2_LAUNCH_INDEX: index,
    EC2_KEYNAME: key?.name,
    EC2_TAGS: tagsSpec(tags),
  });
  // All or nothing: the VMs are made on hold, so no scheduler deploys one of a launch that may
  // still be taken back (a held VM ends at once), and released together once enough exist.
  const made: number[] = [];
  let failure: unknown;
  for (let i = 0; i < max; i++) {
    try {
      const xml = templateXml(spec(i));
      made.push(templateId === undefined ? await ctx.one.vms.allocate(xml, true) : await ctx.one.templates.instantiate(templateId, `ec2-${reservation.slice(2, 10)}-${i}`, true, xml));
    } catch (err) {
      failure = err;
      break;
    }
  }
  if (failure !== undefined && made.length < min) {
    for (const id of made) await deleteQuietly(ctx, id);
    const e = ec2ErrorOf(failure);
    if (/quota/i.test(e.message)) throw new Ec2Error('InstanceLimitExceeded', `Your quota does not allow ${min} more instance(s); none was launched. ${e.message}`);
    throw new Ec2Error(e.code, `${e.message} (none of the ${max} instance(s) was launched)`, e.status);
  }
  try {
    await Promise.all(made.map((id) => ctx.one.vms.action('release', id)));
  } catch (err) {
    // Still all or nothing: a launch that cannot start them all leaves none behind on hold.
    for (const id of made) await deleteQuietly(ctx, id);
    const e = ec2ErrorOf(err);
    throw new Ec2Error(e.code, `${e.message} (none of the ${made.length} instance(s) was launched)`, e.status);
  }
  const vms = await Promise.all(made.map((id) => ctx.one.vms.info(id)));
  const zones = await clusterNames(ctx);
  return el('reservationId', reservation) + el('ownerId', String(ctx.user.id)) + '<groupSet/>' + itemSet('instancesSet', vms.map((vm) => instanceXml(vm, zones)));
};

type Change = { vm: VirtualMachine; act: () => Promise<unknown> };

/** Runs the checked changes, then answers each instance's previous and current state. */
async function changeStates(ctx: Ec2Context, changes: readonly Change[]): Promise<string> {
  const items: string[] = [];
  for (const { vm, act } of changes) {
    const before = vmState(vm);
    try {
      await act();
    } catch (err) {
      const e = ec2ErrorOf(err, 'InvalidInstanceID.NotFound');
      throw e.code === 'IncorrectState' ? new Ec2Error('IncorrectInstanceState', `The instance '${formatId('i', vm.id)}' is not in a state from which it can be changed so: ${e.message}`) : e;
    }
    const after = vmState(await ctx.one.vms.info(vm.id));
    items.push(el('instanceId', formatId('i', vm.id)) + wrap('currentState', el('code', after.code) + el('name', after.name)) + wrap('previousState', el('code', before.code) + el('name', before.name)));
  }
  return itemSet('instancesSet', items);
}

function incorrect(vm: VirtualMachine, what: string): Ec2Error {
  return new Ec2Error('IncorrectInstanceState', `The instance '${formatId('i', vm.id)}' is not in a state from which it can be ${what} (it is ${vmState(vm).name}).`);
}

/**
 * Ends a VM whatever its state: terminate when running, terminate-hard otherwise; a VM caught
 * between states (a prolog, a boot), which has no user action that ends it, is recovered by
 * deleting it, as the server account. The state is read again when it moved meanwhile.
 */
async function endVm(ctx: Ec2Context, first: VirtualMachine): Promise<void> {
  let vm = first;
  for (let attempt = 0; ; attempt++) {
    if (vm.state === DONE) return;
    const running = vm.state === ACTIVE && vm.lcmState === 3;
    try {
      await ctx.one.vms.action(running ? 'terminate' : 'terminate-hard', vm.id);
      return;
    } catch (err) {
      if (!(err instanceof OneError) || err.code !== OneErrorCode.ACTION || attempt >= 2) throw err;
    }
    const now = await ctx.one.vms.info(vm.id);
    if (now.state === ACTIVE && now.lcmState !== 3 && now.state === vm.state && now.lcmState === vm.lcmState) {
      await ctx.admin.vms.recover(vm.id, 3);
      return;
    }
    vm = now;
  }
}

const terminateInstances: Ec2Action = async (ctx) => {
  const vms = await ownVms(ctx, instanceIds(ctx, true));
  return changeStates(ctx, vms.map((vm) => ({ vm, act: () => endVm(ctx, vm) })));
};

const startInstances: Ec2Action = async (ctx) => {
  const vms = await ownVms(ctx, instanceIds(ctx, true));
  for (const vm of vms) if (!['stopped', 'running', 'pending'].includes(vmState(vm).name)) throw incorrect(vm, 'started');
  return changeStates(ctx, vms.map((vm) => ({ vm, act: async () => (vmState(vm).name === 'stopped' ? ctx.one.vms.action('resume', vm.id) : undefined) })));
};

const stopInstances: Ec2Action = async (ctx) => {
  const vms = await ownVms(ctx, instanceIds(ctx, true));
  ctx.params.bool('Force');
  for (const vm of vms) {
    const s = vmState(vm).name;
    if (s === 'stopped' || s === 'stopping') continue;
    if (!(vm.state === ACTIVE && vm.lcmState === 3) && vm.state !== 5 /* SUSPENDED */) throw incorrect(vm, 'stopped');
  }
  return changeStates(ctx, vms.map((vm) => ({ vm, act: async () => (['stopped', 'stopping'].includes(vmState(vm).name) ? undefined : ctx.one.vms.action('stop', vm.id)) })));
};

const rebootInstances: Ec2Action = async (ctx) => {
  const vms = await ownVms(ctx, instanceIds(ctx, true));
  for (const vm of vms) if (!(vm.state === ACTIVE && vm.lcmState === 3)) throw incorrect(vm, 'rebooted');
  for (const vm of vms) {
    try {
      await ctx.one.vms.action('reboot', vm.id);
    } catch (err) {
      throw ec2ErrorOf(err).code === 'IncorrectState' ? incorrect(vm, 'rebooted') : ec2ErrorOf(err);
    }
  }
  return el('return', true);
};

export const instanceActions: Record<string, Ec2Action> = {
  RunInstances: runInstances,
  DescribeInstances: describeInstances,
  TerminateInstances: terminateInstances,
  StartInstances: startInstances,
  StopInstances: stopInstances,
  RebootInstances: rebootInstances,
};

