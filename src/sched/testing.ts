/** Host, VM and datastore XML as oned lists them, for the scheduler's unit tests. */
import { parseXmlTree } from '../common/xml-tree.js';
import { DEFAULT_SCHED_CONFIG, type SchedConfig } from './sched-config.js';
import { SchedDatastore } from './sched-datastore.js';
import { SchedHost } from './sched-host.js';
import { SchedVm } from './sched-vm.js';
import type { CycleInput } from './planner.js';

export interface HostSpec {
  id: number;
  name?: string;
  state?: number;
  cluster?: number;
  cpu?: number;
  mem?: number;
  cpuUsage?: number;
  memUsage?: number;
  running?: number;
  freeCpu?: number;
  template?: Record<string, string>;
}

const elements = (attrs: Record<string, string | number>) => Object.entries(attrs).map(([k, v]) => `<${k}>${v}</${k}>`).join('');

export function host(s: HostSpec): SchedHost {
  const cpu = s.cpu ?? 800;
  const mem = s.mem ?? 8388608;
  const capacity = s.freeCpu === undefined ? '' : `<CAPACITY><FREE_CPU>${s.freeCpu}</FREE_CPU></CAPACITY>`;
  return SchedHost.fromXml(
    parseXmlTree(
      `<HOST><ID>${s.id}</ID><NAME>${s.name ?? `host${s.id}`}</NAME><STATE>${s.state ?? 2}</STATE><CLUSTER_ID>${s.cluster ?? 0}</CLUSTER_ID>` +
        `<HOST_SHARE><MEM_USAGE>${s.memUsage ?? 0}</MEM_USAGE><CPU_USAGE>${s.cpuUsage ?? 0}</CPU_USAGE><MAX_MEM>${mem}</MAX_MEM><MAX_CPU>${cpu}</MAX_CPU>` +
        `<RUNNING_VMS>${s.running ?? 0}</RUNNING_VMS></HOST_SHARE><VMS/><TEMPLATE>${elements(s.template ?? {})}</TEMPLATE>` +
        `<MONITORING>${capacity}</MONITORING></HOST>`,
    ),
  );
}

export interface VmSpec {
  id: number;
  state?: number;
  lcm?: number;
  cpu?: number;
  memory?: number;
  resched?: boolean;
  hostId?: number;
  stime?: number;
  user?: Record<string, string | number>;
  disks?: string[];
  /** Owner and group (default oneadmin's). */
  uid?: number;
  gid?: number;
}

export function vm(s: VmSpec, now = 1_000_000): SchedVm {
  const history = s.hostId === undefined ? '' : `<HISTORY><HID>${s.hostId}</HID><DS_ID>0</DS_ID></HISTORY>`;
  return SchedVm.fromXml(
    parseXmlTree(
      `<VM><ID>${s.id}</ID><UID>${s.uid ?? 0}</UID><GID>${s.gid ?? 0}</GID><STATE>${s.state ?? 1}</STATE><LCM_STATE>${s.lcm ?? 0}</LCM_STATE><RESCHED>${s.resched ? 1 : 0}</RESCHED>` +
        `<STIME>${s.stime ?? now - 10}</STIME><TEMPLATE><CPU>${s.cpu ?? 1}</CPU><MEMORY>${s.memory ?? 128}</MEMORY>${(s.disks ?? []).join('')}</TEMPLATE>` +
        `<USER_TEMPLATE>${elements(s.user ?? {})}</USER_TEMPLATE><HISTORY_RECORDS>${history}</HISTORY_RECORDS></VM>`,
    ),
    now,
  );
}

/** A system datastore 0 serving cluster 0, with plenty of room. */
export function systemDatastores(): SchedDatastore[] {
  return SchedDatastore.systemOf(parseXmlTree('<DATASTORE_POOL><DATASTORE><ID>0</ID><NAME>system</NAME><TYPE>1</TYPE><STATE>0</STATE><FREE_MB>100000</FREE_MB><CLUSTERS><ID>0</ID></CLUSTERS><TEMPLATE/></DATASTORE></DATASTORE_POOL>'));
}

export function input(hosts: SchedHost[], vms: SchedVm[], config: Partial<SchedConfig> = {}, now = 1_000_000): CycleInput {
  return { now, config: { ...DEFAULT_SCHED_CONFIG, maxDispatch: 1000, maxHost: 1000, ...config }, hosts, datastores: systemDatastores(), vms, networkClusters: new Map() };
}
