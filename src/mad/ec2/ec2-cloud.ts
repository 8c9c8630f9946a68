/**
 * The `ec2` hybrid cloud (OpenNebula 3.x–6.x's EC2 drivers): a host is an AWS region and account
 * (or any EC2 endpoint, e.g. an econe-server), through the AWS SDK for JavaScript v3.
 *
 * Host template: EC2_ACCESS, EC2_SECRET (HOST_ENCRYPTED_ATTR), REGION_NAME (default us-east-1),
 * EC2_ENDPOINT (only for another endpoint than AWS's), CAPACITY = [ M1_SMALL = 2, ... ],
 * INSTANCE_TYPE_SIZE (sizes of types the driver does not know), PUBLIC_CLOUD_DEFAULTS (for VMs).
 * VM: PUBLIC_CLOUD = [ TYPE = "ec2", AMI, INSTANCETYPE (or INSTANCE_TYPE), KEYPAIR,
 * SECURITYGROUPS, SECURITYGROUPIDS, SUBNETID, AVAILABILITYZONE, TAGS ("K=V,K2=V2"), USERDATA (base64) ].
 * Instances are tagged ONE_ID (the VM id) and ONE_HOST (the host's name).
 */
import type { EC2Client, Filter, Instance, RunInstancesCommandInput, Tag } from '@aws-sdk/client-ec2';
import { createHash } from 'node:crypto';
import { LIVE_STATES, type HostCapacity, type HybridCloud, type RemoteInstance, type RemoteState } from '../hybrid/cloud.js';
import type { HybridHost } from '../hybrid/host-lookup.js';
import { required, type HybridVm, type Settings } from '../hybrid/settings.js';
import { capacityCounts, capacityKey, typeSize } from './instance-types.js';

/** The AWS SDK, loaded at the first use: it takes seconds to load, and the driver must answer INIT at once. */
let sdk: Promise<typeof import('@aws-sdk/client-ec2')> | undefined;
function loadSdk(): Promise<typeof import('@aws-sdk/client-ec2')> {
  sdk ??= import('@aws-sdk/client-ec2');
  return sdk;
}

export const VM_TAG = 'ONE_ID';
export const HOST_TAG = 'ONE_HOST';

export interface Ec2Connection {
  readonly client: EC2Client;
  readonly sdk: typeof import('@aws-sdk/client-ec2');
  /** `region` or the endpoint, for messages. */
  readonly where: string;
}

const STATES: Readonly<Record<string, RemoteState>> = {
  pending: 'pending', running: 'running', stopping: 'stopping', stopped: 'stopped', 'shutting-down': 'terminating', terminated: 'terminated',
};

/** An SDK error as one line: `<code>: <message>` (never the request, which is signed). */
function ec2Error(where: string, err: unknown): Error {
  const e = err as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const code = e.code && /^E[A-Z]+$/.test(e.code) ? `cannot reach the endpoint (${e.code})` : (e.name ?? 'Error');
  return new Error(`EC2 ${where}: ${code}: ${e.message ?? String(err)}`);
}

/** Live instances of a type. */
function inUse(instances: readonly RemoteInstance[], type: string): number {
  return instances.filter((i) => i.type === type && LIVE_STATES.has(i.state)).length;
}

export class Ec2Cloud implements HybridCloud<Ec2Connection> {
  readonly kind = 'ec2';
  readonly publicCloudTypes = ['EC2'];
  private readonly clients = new Map<string, Ec2Connection>();

  async connect(host: HybridHost): Promise<Ec2Connection> {
    const where = `host ${host.name}`;
    const accessKeyId = required(host.template, 'EC2_ACCESS', where);
    const secretAccessKey = required(host.template, 'EC2_SECRET', where);
    const region = host.template.get('REGION_NAME') || 'us-east-1';
    const endpoint = host.template.get('EC2_ENDPOINT') || undefined;
    // One client per credentials and endpoint (kept alive); keyed by a digest, not the secret itself.
    const key = createHash('sha256').update(JSON.stringify([accessKeyId, secretAccessKey, region, endpoint ?? ''])).digest('hex');
    let conn = this.clients.get(key);
    if (!conn) {
      const m = await loadSdk();
      const client = new m.EC2Client({
        region,
        endpoint,
        credentials: { accessKeyId, secretAccessKey },
        maxAttempts: 2,
        requestHandler: { connectionTimeout: 5000, requestTimeout: 30_000 },
      });
      conn = { client, sdk: m, where: endpoint ?? region };
      this.clients.set(key, conn);
    }
    return conn;
  }

  capacity(host: HybridHost): HostCapacity {
    const sizes = host.vector('INSTANCE_TYPE_SIZE');
    let cpu = 0;
    let memoryMb = 0;
    for (const [type, n] of capacityCounts(host.vector('CAPACITY'))) {
      const s = typeSize(type, sizes);
      cpu += n * s.cpu;
      memoryMb += n * s.memoryMb;
    }
    return { cpu, memoryMb };
  }

  private instanceOf(i: Instance, sizes: Settings | undefined): RemoteInstance {
    const tags = new Map((i.Tags ?? []).map((t: Tag) => [t.Key ?? '', t.Value ?? '']));
    const vmText = tags.get(VM_TAG) ?? '';
    const type = i.InstanceType ?? '';
    let size: HostCapacity = { cpu: 0, memoryMb: 0 };
    try {
      size = typeSize(type, sizes);
    } catch {
      // An instance of a type of unknown size counts for nothing; CAPACITY cannot name such a type anyway.
    }
    const state = STATES[i.State?.Name ?? ''] ?? 'failed';
    return {
      deployId: i.InstanceId ?? '',
      vmId: /^\d+$/.test(vmText) ? Number(vmText) : -1,
      state,
      reason: i.StateReason?.Message || i.StateTransitionReason || '',
      ...size,
      type,
      monitoring: new Map([
        ['AWS_INSTANCE_TYPE', type],
        ['AWS_STATE', i.State?.Name ?? ''],
        ['AWS_PRIVATE_IP_ADDRESS', i.PrivateIpAddress ?? ''],
        ['AWS_IP_ADDRESS', i.PublicIpAddress ?? ''],
        ['AWS_PRIVATE_DNS_NAME', i.PrivateDnsName ?? ''],
        ['AWS_DNS_NAME', i.PublicDnsName ?? ''],
        ['AWS_AVAILABILITY_ZONE', i.Placement?.AvailabilityZone ?? ''],
        ['AWS_KEY_NAME', i.KeyName ?? ''],
        ['AWS_IMAGE_ID', i.ImageId ?? ''],
      ]),
    };
  }

  private async describeAll(conn: Ec2Connection, input: { InstanceIds?: string[]; Filters?: Filter[] }): Promise<Instance[]> {
    const out: Instance[] = [];
    let token: string | undefined;
    do {
      const r = await conn.client.send(new conn.sdk.DescribeInstancesCommand({ ...input, NextToken: token }));
      for (const res of r.Reservations ?? []) out.push(...(res.Instances ?? []));
      token = r.NextToken;
    } while (token);
    return out;
  }

  async describe(conn: Ec2Connection, deployId: string): Promise<RemoteInstance | undefined> {
    try {
      const [i] = await this.describeAll(conn, { InstanceIds: [deployId] });
      return i ? this.instanceOf(i, undefined) : undefined;
    } catch (err) {
      if ((err as { name?: string }).name === 'InvalidInstanceID.NotFound') return undefined;
      throw ec2Error(conn.where, err);
    }
  }

  async list(conn: Ec2Connection, host: HybridHost): Promise<RemoteInstance[]> {
    try {
      const all = await this.describeAll(conn, { Filters: [{ Name: `tag:${HOST_TAG}`, Values: [host.name] }] });
      return all.map((i) => this.instanceOf(i, host.vector('INSTANCE_TYPE_SIZE')));
    } catch (err) {
      throw ec2Error(conn.where, err);
    }
  }

  /**
   * The instance type: the section's, else the smallest of CAPACITY that holds the VM and has
   * room left. @throws Error when none has
   */
  private chooseType(host: HybridHost, vm: HybridVm, section: Settings, instances: readonly RemoteInstance[]): string {
    const given = section.get('INSTANCETYPE') || section.get('INSTANCE_TYPE');
    if (given) return given;
    const sizes = host.vector('INSTANCE_TYPE_SIZE');
    const fitting = [...capacityCounts(host.vector('CAPACITY'))]
      .map(([type, n]) => ({ type, n, size: typeSize(type, sizes) }))
      .filter((t) => t.size.cpu >= vm.cpu && t.size.memoryMb >= vm.memoryMb)
      .sort((a, b) => a.size.memoryMb - b.size.memoryMb || a.size.cpu - b.size.cpu);
    const free = fitting.find((t) => inUse(instances, t.type) < t.n);
    if (free) return free.type;
    if (fitting.length === 0) throw new Error(`No instance type of host ${host.name}'s CAPACITY holds VM ${vm.id} (CPU ${vm.cpu}, MEMORY ${vm.memoryMb} MB); give PUBLIC_CLOUD/INSTANCETYPE`);
    const t = fitting[0]!;
    throw new Error(`Host ${host.name} has no capacity left for instance type ${t.type} (CAPACITY/${capacityKey(t.type)} = ${t.n}, ${inUse(instances, t.type)} in use)`);
  }

  async launch(conn: Ec2Connection, host: HybridHost, vm: HybridVm, section: Settings, instances: readonly RemoteInstance[]): Promise<string> {
    const type = this.chooseType(host, vm, section, instances);
    const ami = section.get('AMI') ?? '';
    if (ami === '') throw new Error(`VM ${vm.id} has no AMI for host ${host.name}: give PUBLIC_CLOUD = [ TYPE = "ec2", AMI = "ami-..." ] in the VM or the host template`);
    const allowed = capacityCounts(host.vector('CAPACITY')).get(type) ?? 0;
    const used = inUse(instances, type);
    if (used >= allowed) {
      throw new Error(`Host ${host.name} has no capacity left for instance type ${type} (CAPACITY/${capacityKey(type)} = ${allowed}, ${used} in use)`);
    }
    const tags: Tag[] = [
      { Key: 'Name', Value: `one-${vm.id}` },
      { Key: VM_TAG, Value: String(vm.id) },
      { Key: HOST_TAG, Value: host.name },
    ];
    for (const pair of (section.get('TAGS') ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new Error(`PUBLIC_CLOUD/TAGS must be "KEY=VALUE,KEY2=VALUE2", not "${pair}"`);
      tags.push({ Key: pair.slice(0, eq).trim(), Value: pair.slice(eq + 1).trim() });
    }
    const list = (name: string) => (section.get(name) ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
    const input: RunInstancesCommandInput = {
      ImageId: ami,
      InstanceType: type as RunInstancesCommandInput['InstanceType'],
      MinCount: 1,
      MaxCount: 1,
      TagSpecifications: [{ ResourceType: 'instance', Tags: tags }],
    };
    if (section.get('KEYPAIR')) input.KeyName = section.get('KEYPAIR');
    if (list('SECURITYGROUPS').length) input.SecurityGroups = list('SECURITYGROUPS');
    if (list('SECURITYGROUPIDS').length) input.SecurityGroupIds = list('SECURITYGROUPIDS');
    if (section.get('SUBNETID')) input.SubnetId = section.get('SUBNETID');
    if (section.get('USERDATA')) input.UserData = section.get('USERDATA');
    if (section.get('AVAILABILITYZONE')) input.Placement = { AvailabilityZone: section.get('AVAILABILITYZONE') };
    try {
      const r = await conn.client.send(new conn.sdk.RunInstancesCommand(input));
      const id = r.Instances?.[0]?.InstanceId;
      if (!id) throw new Error('RunInstances answered no instance');
      return id;
    } catch (err) {
      throw ec2Error(conn.where, err);
    }
  }

  private async act(conn: Ec2Connection, run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (err) {
      throw ec2Error(conn.where, err);
    }
  }

  start(conn: Ec2Connection, id: string): Promise<void> {
    return this.act(conn, () => conn.client.send(new conn.sdk.StartInstancesCommand({ InstanceIds: [id] })));
  }
  stop(conn: Ec2Connection, id: string): Promise<void> {
    return this.act(conn, () => conn.client.send(new conn.sdk.StopInstancesCommand({ InstanceIds: [id] })));
  }
  reboot(conn: Ec2Connection, id: string): Promise<void> {
    return this.act(conn, () => conn.client.send(new conn.sdk.RebootInstancesCommand({ InstanceIds: [id] })));
  }
  async terminate(conn: Ec2Connection, id: string): Promise<void> {
    try {
      await conn.client.send(new conn.sdk.TerminateInstancesCommand({ InstanceIds: [id] }));
    } catch (err) {
      if ((err as { name?: string }).name === 'InvalidInstanceID.NotFound') return;
      throw ec2Error(conn.where, err);
    }
  }
}
