/**
 * The attributes oned adds to a new VM's TEMPLATE once its DISKs and NICs are prepared, as
 * OpenNebula 7.4 adds them: AUTOMATIC_REQUIREMENTS / AUTOMATIC_DS_REQUIREMENTS /
 * AUTOMATIC_NIC_REQUIREMENTS (the clusters its images and networks are in), OS UUID (not 7.4's
 * default OS MACHINE q35: see test/conformance/allow-list.ts), FEATURES values in capitals, the boot ORDER of the devices OS/BOOT names, the
 * SECURITY_GROUP_RULEs of its NICs' security groups and SUBMIT_ON_HOLD.
 */
import { randomUUID } from 'node:crypto';
import type { Template, Vector } from '../common/template/index.js';
import { vectors } from './vm-resources.js';

/** The default security group every network has (OpenNebula's group 0, "default"): all traffic both ways. */
const DEFAULT_SECURITY_GROUP_RULES: readonly Readonly<Record<string, string>>[] = [
  { PROTOCOL: 'ALL', RULE_TYPE: 'OUTBOUND', SECURITY_GROUP_ID: '0', SECURITY_GROUP_NAME: 'default' },
  { PROTOCOL: 'ALL', RULE_TYPE: 'INBOUND', SECURITY_GROUP_ID: '0', SECURITY_GROUP_NAME: 'default' },
];

/** Machine type of VMs whose OS names none (OpenNebula 7.4's default). */

/** Fills the defaults of a new VM's system template (DISKs and NICs already prepared). */
export function addVmDefaults(template: Template, onHold: boolean, securityGroupRules?: (template: Template) => Vector[]): void {
  addRequirements(template);
  addOs(template);
  upperCaseFeatures(template);
  setBootOrder(template);
  if (securityGroupRules) {
    template.remove('SECURITY_GROUP_RULE');
    for (const r of securityGroupRules(template)) template.add('SECURITY_GROUP_RULE', r);
  } else addSecurityGroupRules(template);
  if (onHold) template.set('SUBMIT_ON_HOLD', 'YES');
}

/** Cluster ids of a CLUSTER_ID list ("100,101"). */
function clusterIds(v: Vector): number[] {
  return (v.get('CLUSTER_ID') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
}

/**
 * The clusters every DISK and NIC can be used in (each narrows the set to its own); empty when
 * none names one.
 */
function commonClusters(template: Template): number[] {
  let common: Set<number> | undefined;
  for (const v of [...vectors(template, 'DISK'), ...vectors(template, 'NIC')]) {
    const ids = clusterIds(v);
    if (ids.length === 0) continue;
    common = common === undefined ? new Set(ids) : new Set(ids.filter((id) => common!.has(id)));
  }
  return [...(common ?? [])].sort((a, b) => a - b);
}

/** Whether the VM pins its virtual CPUs (TOPOLOGY/PIN_POLICY other than NONE). */
function pinned(template: Template): boolean {
  const policy = (template.getVector('TOPOLOGY')?.get('PIN_POLICY') ?? 'NONE').toUpperCase();
  return policy !== 'NONE' && policy !== '';
}

function addRequirements(template: Template): void {
  const clusters = commonClusters(template);
  const pin = pinned(template) ? '(PIN_POLICY = PINNED)' : '!(PIN_POLICY = PINNED)';
  if (clusters.length === 0) {
    template.set('AUTOMATIC_REQUIREMENTS', pin);
    return;
  }
  template.set('AUTOMATIC_REQUIREMENTS', `(${clusters.map((c) => `CLUSTER_ID = ${c}`).join(' | ')}) & ${pin}`);
  const inClusters = `(${clusters.map((c) => `"CLUSTERS/ID" @> ${c}`).join(' | ')})`;
  template.set('AUTOMATIC_DS_REQUIREMENTS', inClusters);
  template.set('AUTOMATIC_NIC_REQUIREMENTS', inClusters);
}

function addOs(template: Template): void {
  let os = template.getVector('OS');
  if (!os) {
    os = new Map();
    template.set('OS', os);
  }
  if (!os.get('UUID')) os.set('UUID', randomUUID());
}

function upperCaseFeatures(template: Template): void {
  const features = template.getVector('FEATURES');
  if (!features) return;
  for (const [k, v] of features) if (/^(yes|no)$/i.test(v)) features.set(k, v.toUpperCase());
}

/**
 * OS/BOOT (`disk0,nic1`...) gives the DISKs and NICs it names their boot ORDER (1, 2...); the
 * other devices have none.
 */
function setBootOrder(template: Template): void {
  const boot = template.getVector('OS')?.get('BOOT');
  const disks = vectors(template, 'DISK');
  const nics = vectors(template, 'NIC');
  for (const d of [...disks, ...nics]) d.delete('ORDER');
  if (!boot) return;
  boot
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .forEach((device, i) => {
      const m = /^(disk|nic)(\d+)$/.exec(device);
      if (!m) return;
      const [devs, key] = m[1] === 'disk' ? [disks, 'DISK_ID'] : [nics, 'NIC_ID'];
      devs.find((d) => d.get(key) === m[2])?.set('ORDER', String(i + 1));
    });
}

/** Without the security group pool (unit tests): the rules of the default group (0) when a NIC names it. */
function addSecurityGroupRules(template: Template): void {
  template.remove('SECURITY_GROUP_RULE');
  const groups = new Set<string>();
  for (const nic of vectors(template, 'NIC')) for (const g of (nic.get('SECURITY_GROUPS') ?? '').split(',')) if (g.trim() !== '') groups.add(g.trim());
  if (!groups.has('0')) return;
  for (const rule of DEFAULT_SECURITY_GROUP_RULES) template.add('SECURITY_GROUP_RULE', new Map(Object.entries(rule)));
}
