/**
 * Elastic IPs are addresses of one OpenNebula network (econe.conf `elasticips_vnet_id`),
 * handled through the server account, since users need not be able to change that network:
 * AllocateAddress holds a free address (`one.vn.hold`) and records it in the network's template
 * as `EC2_ADDRESSES = [ IP, UID, DOMAIN ]`; AssociateAddress runs econe.conf's `associate_script`
 * with the arguments (elastic IP, the instance's private IP, the network's XML in base64) and
 * adds `VMID` and `PRIVATE_IP` to the record (and `EC2_ELASTIC_IP` to the VM, which
 * DescribeInstances shows as its public address); DisassociateAddress runs
 * `disassociate_script` with the elastic IP; ReleaseAddress disassociates it if needed, gives the
 * address back (`one.vn.release`) and drops the record. Users see and change only their own
 * records. Scripts get their arguments as an argument list (never through a shell).
 */
import { execFile } from 'node:child_process';
import { UpdateMode, type VirtualNetwork } from '../../../oca/index.js';
import { childText } from '../../../common/xml-tree.js';
import type { Ec2Action, Ec2Context } from '../context.js';
import { Ec2Error, ec2ErrorOf, invalid, missing } from '../errors.js';
import { formatId, parseId } from '../ids.js';
import { applyFilters } from '../paging.js';
import { serialized, templateXml } from '../records.js';
import { el, itemSet } from '../xml.js';
import { intToIp4, ip4ToInt } from './sg-rules.js';
import { removal } from './storage.js';
import { ownVm } from './volumes.js';

export interface AddressRecord {
  readonly ip: string;
  readonly uid: number;
  readonly domain: string;
  readonly vmId?: number;
  readonly privateIp?: string;
}

/** How long a script may run, ms. */
export const SCRIPT_TIMEOUT = 60_000;

const IP4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export const allocationId = (ip: string) => formatId('eipalloc', ip4ToInt(ip));
export const associationId = (ip: string) => formatId('eipassoc', ip4ToInt(ip));

/** The records of the network's template. */
export function recordsOf(vnet: VirtualNetwork): AddressRecord[] {
  return vnet.all('TEMPLATE/EC2_ADDRESSES').map((n) => {
    const vm = childText(n, 'VMID');
    return {
      ip: childText(n, 'IP'),
      uid: Number(childText(n, 'UID')),
      domain: childText(n, 'DOMAIN') || 'standard',
      vmId: /^\d+$/.test(vm) ? Number(vm) : undefined,
      privateIp: childText(n, 'PRIVATE_IP') || undefined,
    };
  });
}

/** The MERGE update that stores `records` (none: removes them all). */
export function recordsUpdate(records: readonly AddressRecord[]): string {
  if (records.length === 0) return removal('EC2_ADDRESSES');
  return templateXml({
    EC2_ADDRESSES: records.map((r) => ({ IP: r.ip, UID: r.uid, DOMAIN: r.domain, ...(r.vmId !== undefined ? { VMID: r.vmId, PRIVATE_IP: r.privateIp ?? '' } : {}) })),
  });
}

/** The IPv4 addresses of the network no lease uses, in order (at most `limit`). */
export function freeAddresses(vnet: VirtualNetwork, limit = 16): string[] {
  const out: string[] = [];
  for (const ar of vnet.all('AR_POOL/AR')) {
    const first = childText(ar, 'IP');
    if (!IP4.test(first)) continue;
    const used = new Set(ar.children.filter((c) => c.name === 'LEASES').flatMap((l) => l.children.map((lease) => childText(lease, 'IP'))));
    const start = ip4ToInt(first);
    const size = Number(childText(ar, 'SIZE')) || 0;
    for (let i = 0; i < size && out.length < limit; i++) {
      const ip = intToIp4(start + i);
      if (!used.has(ip)) out.push(ip);
    }
    if (out.length >= limit) break;
  }
  return out;
}

/** The addresses of the network on hold (leases of VM -1). */
export function heldIps(vnet: VirtualNetwork): Set<string> {
  return new Set(vnet.all('AR_POOL/AR/LEASES/LEASE').filter((l) => childText(l, 'VM') === '-1').map((l) => childText(l, 'IP')));
}

/** Runs a configured script with `args` (no shell); a failure is an InternalError with the script's own words. */
export function runScript(path: string, args: readonly string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(path, args, { timeout: SCRIPT_TIMEOUT, maxBuffer: 1024 * 1024 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const why = String(stderr).trim().split('\n').slice(-3).join(' ').slice(0, 500) || err.message;
      reject(new Ec2Error('InternalError', `The ${what} script failed: ${why}`, 500));
    });
  });
}

function eipNetwork(ctx: Ec2Context): number {
  const id = ctx.conf.elasticips_vnet_id;
  if (id === undefined) throw new Ec2Error('UnsupportedOperation', 'Elastic IP addresses are not offered here (econe.conf has no elasticips_vnet_id)');
  return id;
}

async function readNetwork(ctx: Ec2Context): Promise<VirtualNetwork> {
  try {
    return await ctx.admin.vnets.info(eipNetwork(ctx));
  } catch (err) {
    const e = ec2ErrorOf(err);
    throw new Ec2Error('InternalError', `The elastic IP network ${ctx.conf.elasticips_vnet_id} cannot be read: ${e.message}`, 500);
  }
}

/** Runs `fn` on the network and its records, one change at a time; `fn` returns the records to store (undefined: unchanged). */
async function withRecords<T>(ctx: Ec2Context, fn: (vnet: VirtualNetwork, records: AddressRecord[]) => Promise<{ records?: AddressRecord[]; result: T }>): Promise<T> {
  return serialized(`eip:${eipNetwork(ctx)}`, async () => {
    const vnet = await readNetwork(ctx);
    const { records, result } = await fn(vnet, recordsOf(vnet));
    if (records) await ctx.admin.vnets.update(vnet.id, recordsUpdate(records), UpdateMode.MERGE);
    return result;
  });
}

/** The caller's record named by `PublicIp` or `AllocationId` (or, with `byAssociation`, `AssociationId`). */
function ownRecord(ctx: Ec2Context, records: readonly AddressRecord[], byAssociation = false): AddressRecord {
  const ip = ctx.params.optional('PublicIp');
  const alloc = ctx.params.optional('AllocationId');
  const assoc = byAssociation ? ctx.params.optional('AssociationId') : undefined;
  const mine = records.filter((r) => r.uid === ctx.user.id);
  if (ip) {
    if (!IP4.test(ip)) throw invalid('PublicIp', `"${ip}" is not an IPv4 address`);
    const r = mine.find((x) => x.ip === ip);
    if (!r) throw new Ec2Error('InvalidAddress.NotFound', `Address '${ip}' not found.`);
    return r;
  }
  if (alloc) {
    if (parseId('eipalloc', alloc) === undefined) throw new Ec2Error('InvalidAllocationID.Malformed', `Invalid id: "${alloc}"`);
    const r = mine.find((x) => allocationId(x.ip) === alloc);
    if (!r) throw new Ec2Error('InvalidAllocationID.NotFound', `The allocation ID '${alloc}' does not exist`);
    return r;
  }
  if (assoc) {
    const r = mine.find((x) => x.vmId !== undefined && associationId(x.ip) === assoc);
    if (!r) throw new Ec2Error('InvalidAssociationID.NotFound', `The association ID '${assoc}' does not exist`);
    return r;
  }
  throw missing(byAssociation ? 'PublicIp or AssociationId' : 'PublicIp or AllocationId');
}

/** Undoes an association: the disassociate script, and the VM's EC2_ELASTIC_IP. */
async function disassociate(ctx: Ec2Context, r: AddressRecord): Promise<AddressRecord> {
  if (ctx.conf.disassociate_script) await runScript(ctx.conf.disassociate_script, [r.ip], 'disassociate');
  if (r.vmId !== undefined) await ctx.one.vms.update(r.vmId, removal('EC2_ELASTIC_IP'), UpdateMode.MERGE).catch(() => undefined);
  return { ip: r.ip, uid: r.uid, domain: r.domain };
}

const replaced = (records: readonly AddressRecord[], r: AddressRecord) => records.map((x) => (x.ip === r.ip ? r : x));

const allocateAddress: Ec2Action = async (ctx) => {
  const domain = ctx.params.optional('Domain') ?? 'standard';
  if (domain !== 'standard' && domain !== 'vpc') throw invalid('Domain', `"${domain}" is not standard or vpc`);
  const wanted = ctx.params.optional('Address');
  if (wanted !== undefined && !IP4.test(wanted)) throw invalid('Address', `"${wanted}" is not an IPv4 address`);
  const ip = await withRecords(ctx, async (vnet, records) => {
    const candidates = wanted ? (freeAddresses(vnet, Number.MAX_SAFE_INTEGER).includes(wanted) ? [wanted] : []) : freeAddresses(vnet);
    for (const ip of candidates) {
      try {
        await ctx.admin.vnets.hold(vnet.id, templateXml({ LEASES: { IP: ip } }));
      } catch {
        continue; // taken meanwhile by a VM: the next one
      }
      return { records: [...records, { ip, uid: ctx.user.id, domain }], result: ip };
    }
    if (wanted) throw new Ec2Error('InvalidAddress.NotFound', `Address '${wanted}' is not free in the elastic IP network`);
    throw new Ec2Error('AddressLimitExceeded', 'There is no elastic IP address left to allocate');
  });
  return el('publicIp', ip) + el('domain', domain) + el('allocationId', allocationId(ip));
};

const associateAddress: Ec2Action = async (ctx) => {
  const vmText = ctx.params.optional('InstanceId');
  if (ctx.params.has('NetworkInterfaceId')) throw invalid('NetworkInterfaceId', 'addresses are associated with instances here: give InstanceId');
  if (!vmText) throw missing('InstanceId');
  const vm = await ownVm(ctx, vmText);
  const privateIp = ctx.params.optional('PrivateIpAddress') ?? vm.all('TEMPLATE/NIC').map((n) => childText(n, 'IP')).find((ip) => IP4.test(ip));
  if (!privateIp || !vm.all('TEMPLATE/NIC').some((n) => childText(n, 'IP') === privateIp)) {
    throw new Ec2Error('InvalidInstanceID', `Instance '${vmText}' has no private IPv4 address${ctx.params.has('PrivateIpAddress') ? ` ${privateIp}` : ''}`);
  }
  const allowReassociation = ctx.params.bool('AllowReassociation', true);
  const ip = await withRecords(ctx, async (vnet, records) => {
    let r = ownRecord(ctx, records);
    if (r.vmId !== undefined) {
      if (!allowReassociation && r.vmId !== vm.id) throw new Ec2Error('Resource.AlreadyAssociated', `Address '${r.ip}' is already associated with ${formatId('i', r.vmId)}`);
      r = await disassociate(ctx, r);
      records = replaced(records, r);
    }
    if (ctx.conf.associate_script) {
      await runScript(ctx.conf.associate_script, [r.ip, privateIp, Buffer.from(vnet.xml).toString('base64')], 'associate');
    }
    await ctx.one.vms.update(vm.id, templateXml({ EC2_ELASTIC_IP: r.ip }), UpdateMode.MERGE);
    return { records: replaced(records, { ...r, vmId: vm.id, privateIp }), result: r.ip };
  });
  return el('return', true) + el('associationId', associationId(ip));
};

const disassociateAddress: Ec2Action = async (ctx) => {
  await withRecords(ctx, async (_vnet, records) => {
    const r = ownRecord(ctx, records, true);
    if (r.vmId === undefined) throw new Ec2Error('InvalidAssociationID.NotFound', `Address '${r.ip}' is not associated with an instance`);
    return { records: replaced(records, await disassociate(ctx, r)), result: undefined };
  });
  return el('return', true);
};

const releaseAddress: Ec2Action = async (ctx) => {
  await withRecords(ctx, async (vnet, records) => {
    let r = ownRecord(ctx, records);
    if (r.vmId !== undefined) {
      r = await disassociate(ctx, r);
      // Stored at once: the script has run even if the release below fails.
      await ctx.admin.vnets.update(vnet.id, recordsUpdate(replaced(records, r)), UpdateMode.MERGE);
    }
    try {
      await ctx.admin.vnets.release(vnet.id, templateXml({ LEASES: { IP: r.ip } }));
    } catch (err) {
      // Refused because nothing holds it any more (an admin released it): only the record is left to drop.
      if (heldIps(await readNetwork(ctx)).has(r.ip)) throw ec2ErrorOf(err);
    }
    return { records: records.filter((x) => x.ip !== r.ip), result: undefined };
  });
  return el('return', true);
};

const ADDRESS_FILTERS = ['public-ip', 'allocation-id', 'association-id', 'instance-id', 'domain', 'private-ip-address'];

const describeAddresses: Ec2Action = async (ctx) => {
  const ips = ctx.params.list('PublicIp');
  const allocs = ctx.params.list('AllocationId');
  let mine = recordsOf(await readNetwork(ctx)).filter((r) => r.uid === ctx.user.id);
  for (const ip of ips) if (!mine.some((r) => r.ip === ip)) throw new Ec2Error('InvalidAddress.NotFound', `Address '${ip}' not found.`);
  for (const a of allocs) if (!mine.some((r) => allocationId(r.ip) === a)) throw new Ec2Error('InvalidAllocationID.NotFound', `The allocation ID '${a}' does not exist`);
  if (ips.length || allocs.length) mine = mine.filter((r) => ips.includes(r.ip) || allocs.includes(allocationId(r.ip)));
  const shown = applyFilters(mine, ctx.params.filters(), (f) => ADDRESS_FILTERS.includes(f), (r, f) => {
    switch (f) {
      case 'public-ip': return [r.ip];
      case 'allocation-id': return [allocationId(r.ip)];
      case 'association-id': return r.vmId !== undefined ? [associationId(r.ip)] : [];
      case 'instance-id': return r.vmId !== undefined ? [formatId('i', r.vmId)] : [];
      case 'domain': return [r.domain];
      default: return r.privateIp ? [r.privateIp] : [];
    }
  });
  shown.sort((a, b) => ip4ToInt(a.ip) - ip4ToInt(b.ip));
  return itemSet(
    'addressesSet',
    shown.map((r) =>
      el('publicIp', r.ip) +
      el('allocationId', allocationId(r.ip)) +
      el('domain', r.domain) +
      (r.vmId !== undefined ? el('instanceId', formatId('i', r.vmId)) + el('associationId', associationId(r.ip)) + el('privateIpAddress', r.privateIp) : '') +
      '<tagSet/>',
    ),
  );
};

export const addressActions: Record<string, Ec2Action> = {
  AllocateAddress: allocateAddress,
  AssociateAddress: associateAddress,
  DisassociateAddress: disassociateAddress,
  ReleaseAddress: releaseAddress,
  DescribeAddresses: describeAddresses,
};
