/**
 * Where things run: DescribeRegions (the one region of this endpoint, econe.conf `region`),
 * DescribeAvailabilityZones (the OpenNebula clusters the user can see, by name), and
 * DescribeInstanceTypes (econe.conf's `instance_types`).
 */
import type { InstanceType } from '../config.js';
import type { Ec2Action, Ec2Context } from '../context.js';
import { Ec2Error } from '../errors.js';
import { applyFilters, paginate } from '../paging.js';
import { el, itemSet, wrap } from '../xml.js';

function endpointOf(ctx: Ec2Context): string {
  return `ec2.${ctx.conf.region}.opennebula`;
}

const describeRegions: Ec2Action = async (ctx) => {
  const names = ctx.params.list('RegionName');
  for (const n of names) if (n !== ctx.conf.region) throw new Ec2Error('InvalidParameterValue', `Invalid region: ${n} (this endpoint serves ${ctx.conf.region})`);
  const regions = applyFilters([ctx.conf.region], ctx.params.filters(), (f) => ['region-name', 'endpoint', 'opt-in-status'].includes(f), (r, f) => (f === 'region-name' ? [r] : f === 'endpoint' ? [endpointOf(ctx)] : ['opt-in-not-required']));
  return itemSet('regionInfo', regions.map((r) => el('regionName', r) + el('regionEndpoint', endpointOf(ctx)) + el('optInStatus', 'opt-in-not-required')));
};

/** The clusters as availability zones (name, id), read as the server account: users may not list clusters. */
export async function zonesOf(ctx: Ec2Context): Promise<Array<{ name: string; id: number }>> {
  return (await ctx.admin.clusters.list()).map((c) => ({ name: c.name, id: c.id }));
}

const describeAvailabilityZones: Ec2Action = async (ctx) => {
  const zones = await zonesOf(ctx);
  const wanted = ctx.params.list('ZoneName');
  const ids = ctx.params.list('ZoneId');
  const zoneId = (z: { id: number }) => `${ctx.conf.region}-az${z.id}`;
  for (const w of wanted) if (!zones.some((z) => z.name === w)) throw new Ec2Error('InvalidParameterValue', `Invalid availability zone: [${w}]`);
  for (const w of ids) if (!zones.some((z) => zoneId(z) === w)) throw new Ec2Error('InvalidParameterValue', `Invalid availability zone ID: [${w}]`);
  let shown = zones.filter((z) => (wanted.length === 0 || wanted.includes(z.name)) && (ids.length === 0 || ids.includes(zoneId(z))));
  shown = applyFilters(
    shown,
    ctx.params.filters(),
    (f) => ['zone-name', 'zone-id', 'region-name', 'state', 'zone-type'].includes(f),
    (z, f) => (f === 'zone-name' ? [z.name] : f === 'zone-id' ? [zoneId(z)] : f === 'region-name' ? [ctx.conf.region] : f === 'state' ? ['available'] : ['availability-zone']),
  );
  return itemSet(
    'availabilityZoneInfo',
    shown.map((z) => el('zoneName', z.name) + el('zoneState', 'available') + el('regionName', ctx.conf.region) + el('zoneId', zoneId(z)) + el('zoneType', 'availability-zone') + el('optInStatus', 'opt-in-not-required') + '<messageSet/>'),
  );
};

/** The guest's processors of a type: its VCPU, else its CPU share rounded up; unknown for a template's. */
function vcpusOf(t: InstanceType): number | undefined {
  return t.vcpu ?? (t.cpu !== undefined ? Math.max(1, Math.ceil(t.cpu)) : undefined);
}

const describeInstanceTypes: Ec2Action = async (ctx) => {
  const wanted = ctx.params.list('InstanceType');
  const types = Object.entries(ctx.conf.instance_types);
  for (const w of wanted) if (!ctx.conf.instance_types[w]) throw new Ec2Error('InvalidInstanceType', `The instance type '${w}' does not exist`);
  let shown = types.filter(([n]) => wanted.length === 0 || wanted.includes(n));
  shown = applyFilters(shown, ctx.params.filters(), (f) => ['instance-type', 'vcpu-info.default-vcpus', 'memory-info.size-in-mib'].includes(f), ([n, t], f) => {
    const v = f === 'instance-type' ? n : f === 'vcpu-info.default-vcpus' ? vcpusOf(t) : t.memory;
    return v === undefined ? [] : [String(v)];
  });
  const page = paginate(shown, ctx.params, wanted.length > 0);
  const items = page.items.map(([n, t]) => {
    const vcpus = vcpusOf(t);
    return (
      el('instanceType', n) +
      el('currentGeneration', true) +
      el('bareMetal', false) +
      el('hypervisor', 'kvm') +
      (vcpus !== undefined ? wrap('vCpuInfo', el('defaultVCpus', vcpus)) : '') +
      (t.memory !== undefined ? wrap('memoryInfo', el('sizeInMiB', t.memory)) : '') +
      wrap('supportedUsageClasses', '<item>on-demand</item>')
    );
  });
  return itemSet('instanceTypeSet', items) + el('nextToken', page.nextToken);
};

export const regionActions: Record<string, Ec2Action> = {
  DescribeRegions: describeRegions,
  DescribeAvailabilityZones: describeAvailabilityZones,
  DescribeInstanceTypes: describeInstanceTypes,
};
