/**
 * Cluster optimization (OpenNebula 7.x): `one.cluster.optimize` makes a plan of migrations that
 * balances the cluster's hosts (src/cluster/drs-planner.ts, tuned by the cluster template's
 * ONE_DRS), `one.cluster.planexecute` has oned apply it (src/cluster/plan-runner.ts) and
 * `one.cluster.plandelete` drops it. All three need ADMIN on the cluster; the plan is in the
 * cluster's XML (PLAN) while it exists. Unlike 7.4, whose optimizer runs in the scheduler
 * driver and answers later, the plan is made during the call.
 */
import { AuthOp } from '../../auth/operation.js';
import { drsAutomation, drsSettings, Plan, planMigrations, PlanState, type Cluster, type PlannerHost, type PlannerVm } from '../../cluster/index.js';
import { childText, parseXmlTree } from '../../common/xml-tree.js';
import { HostState } from '../../host/index.js';
import { LcmState, VmState } from '../../vm/vm-state.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';

/** A number of a monitoring document (`<CPU>` of a VM's MONITORING...), undefined when absent. */
function measured(xml: string | undefined, path: readonly string[]): number | undefined {
  if (!xml) return undefined;
  let node = parseXmlTree(xml);
  for (const name of path.slice(0, -1)) {
    const next = node.children.find((c) => c.name === name);
    if (!next) return undefined;
    node = next;
  }
  const text = childText(node, path[path.length - 1]!);
  const n = Number(text);
  return text === '' || !Number.isFinite(n) ? undefined : n;
}

/** The planner's view of a cluster: its monitored hosts and the running VMs on them. */
function clusterLoad(req: Request, cluster: Cluster): { hosts: PlannerHost[]; vms: PlannerVm[]; dsOf: Map<number, number> } {
  const hosts: PlannerHost[] = [];
  const vms: PlannerVm[] = [];
  const dsOf = new Map<number, number>();
  for (const hid of cluster.hosts) {
    const h = req.core.hosts.get(hid);
    if (!h || h.state !== HostState.MONITORED) continue;
    const s = h.share;
    const mon = h.monitoring?.xml;
    hosts.push({
      id: hid,
      maxCpu: s.maxCpu,
      maxMem: s.maxMem,
      allocCpu: s.cpuUsage,
      allocMem: s.memUsage,
      // What the host reports, never less than what its VMs are given.
      usedCpu: Math.max(measured(mon, ['CAPACITY', 'USED_CPU']) ?? 0, s.cpuUsage),
      usedMem: Math.max(measured(mon, ['CAPACITY', 'USED_MEMORY']) ?? 0, s.memUsage),
    });
    for (const vid of h.vms) {
      const vm = req.core.vms.get(vid);
      if (!vm || vm.state !== VmState.ACTIVE || vm.lcmState !== LcmState.RUNNING || vm.hostId !== hid) continue;
      const c = vm.capacity;
      const cpu = measured(vm.monitoring, ['CPU']);
      const mem = measured(vm.monitoring, ['MEMORY']);
      vms.push({ id: vid, hostId: hid, cpu: c.cpu, mem: c.mem, usedCpu: cpu && cpu > 0 ? cpu : c.cpu, usedMem: mem && mem > 0 ? mem : c.mem });
      dsOf.set(vid, vm.lastHistory?.placement.dsId ?? -1);
    }
  }
  return { hosts, vms, dsOf };
}

function runner(req: Request) {
  const r = req.core.planRunner;
  if (!r) throw new ApiError(ErrorCode.INTERNAL, 'Plans cannot be applied in this oned.', -1);
  return r;
}

/** 7.4's refusals of planexecute, by plan state. */
const NOT_STARTABLE: Partial<Record<number, string>> = {
  [PlanState.NONE]: 'Plan is not ready',
  [PlanState.APPLYING]: 'Plan is already applying',
  [PlanState.DONE]: 'Plan is already done',
  [PlanState.ERROR]: 'Plan is in error state',
};

export const clusterPlanMethods: MethodDef[] = [
  method({
    name: 'one.cluster.optimize',
    params: ['i'],
    run: async (req, [oid]) => {
      const clusters = req.core.clusters;
      const cluster = req.authorized(clusters, oid, AuthOp.ADMIN);
      if (cluster.plan?.state === PlanState.APPLYING) throw new ApiError(ErrorCode.ACTION, "Can't optimize cluster. A previous plan is currently being applied.", oid);
      const drs = cluster.template.getVector('ONE_DRS');
      let settings;
      try {
        settings = drsSettings(drs);
      } catch (err) {
        throw new ApiError(ErrorCode.ACTION, (err as Error).message, oid);
      }
      const { hosts, vms, dsOf } = clusterLoad(req, cluster);
      const moves = planMigrations(hosts, vms, settings);
      req.core.log.info('PLM', `Optimization of cluster ${oid}: ${moves.length} migrations planned (${settings.policy}, ${hosts.length} hosts, ${vms.length} VMs)`);
      // As 7.4, a plan without actions is not kept: a previous one stays as it was.
      if (moves.length === 0) return oid;
      const apply = drsAutomation(drs) === 'full';
      const tx = req.transaction();
      tx.touch(clusters, cluster).plan = new Plan(
        apply ? PlanState.APPLYING : PlanState.READY,
        moves.map((m, i) => ({ id: i, vmId: m.vmId, state: PlanState.READY, operation: 'migrate', hostId: m.to, dsId: dsOf.get(m.vmId) ?? -1, timestamp: 0 })),
      );
      await tx.commit();
      if (apply) await runner(req).applyingNow(oid);
      return oid;
    },
  }),
  method({
    name: 'one.cluster.planexecute',
    params: ['i'],
    run: async (req, [oid]) => {
      const clusters = req.core.clusters;
      const cluster = req.authorized(clusters, oid, AuthOp.ADMIN);
      const state = cluster.plan?.state ?? PlanState.NONE;
      const refused = NOT_STARTABLE[state];
      if (refused) throw new ApiError(ErrorCode.ACTION, refused, oid);
      const r = runner(req);
      const tx = req.transaction();
      tx.touch(clusters, cluster).plan!.state = PlanState.APPLYING;
      await tx.commit();
      await r.applyingNow(oid);
      return oid;
    },
  }),
  method({
    name: 'one.cluster.plandelete',
    params: ['i'],
    run: async (req, [oid]) => {
      const clusters = req.core.clusters;
      const cluster = req.authorized(clusters, oid, AuthOp.ADMIN);
      if (!cluster.plan || cluster.plan.state === PlanState.NONE) throw new ApiError(ErrorCode.ACTION, `Plan for cluster ${oid} does not exist`, oid);
      const tx = req.transaction();
      tx.touch(clusters, cluster).plan = null;
      await tx.commit();
      return oid;
    },
  }),
];
