/**
 * Security groups (OpenNebula 7.4): `one.secgroup.allocate`, `delete`, `info`, `update`,
 * `rename`, `chown`, `chmod`, `clone`, `commit`, `one.secgrouppool.info`, and the VM side,
 * `one.vm.attachsg` / `one.vm.detachsg`. RULEs are checked as OpenNebula checks them (a bad one
 * refuses the whole call, nothing stored). update commits: the VMs using the group get the new
 * rules (see src/secgroup/sg-updater.ts).
 */
import { AuthOp } from '../../auth/operation.js';
import { Template } from '../../common/template/index.js';
import { DEFAULT_SECGROUP_ID, groupIds, rulesError, SecurityGroup } from '../../secgroup/security-group.js';
import { LcmState, VmState, vectors, type VirtualMachine } from '../../vm/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { allocateError } from './common.js';
import { objectMethods } from './object-methods.js';
import { createOwned, deleteOwned, ownedPoolXml, templateAndName } from './owned.js';

const kind = { prefix: 'one.secgroup', pool: (core: Request['core']) => core.secGroups } as const;

function checkedRules(req: Request, template: Template): Template {
  const problem = rulesError(template);
  if (problem) throw allocateError(req.core.secGroups, problem);
  return template;
}

/** Marks the group's VMs for new rules and, once committed, sends them to the hosts. */
async function commitGroup(req: Request, sg: SecurityGroup, recovery: boolean): Promise<void> {
  const updater = req.core.sgUpdater;
  const tx = req.transaction();
  const send = updater ? updater.mark(tx, sg, recovery) : [];
  await tx.commit();
  if (updater && send.length > 0) void updater.push(sg, send);
}

export const secGroupMethods: MethodDef[] = [
  method({
    name: 'one.secgroup.allocate',
    params: ['s'],
    run: (req, [text]) => {
      const { template, name } = templateAndName(req.core.secGroups, text, 'Security Group');
      checkedRules(req, template);
      return createOwned(req, req.core.secGroups, name, (oid, owner, perms) => new SecurityGroup(oid, name, owner, perms, template));
    },
  }),
  method({
    name: 'one.secgroup.clone',
    params: ['i', 's'],
    run: (req, [oid, name]) => {
      const src = req.authorized(req.core.secGroups, oid, AuthOp.USE);
      const template = src.template.clone();
      return createOwned(req, req.core.secGroups, name, (id, owner, perms) => new SecurityGroup(id, name, owner, perms, template));
    },
  }),
  method({
    name: 'one.secgroup.delete',
    params: ['i'],
    run: (req, [oid]) => {
      const sg = req.authorized(req.core.secGroups, oid, AuthOp.MANAGE);
      if (oid === DEFAULT_SECGROUP_ID) throw new ApiError(ErrorCode.ACTION, 'The default security group (0) cannot be deleted.', oid);
      if (sg.inUse) throw new ApiError(ErrorCode.ACTION, `Cannot delete security group ${oid}: VMs ${sg.vms().join(',')} use it.`, oid);
      const nets = [...req.core.vnets.all()].filter((n) => groupIds(n.template.get('SECURITY_GROUPS')).includes(oid)).map((n) => n.oid);
      if (nets.length > 0) throw new ApiError(ErrorCode.ACTION, `Cannot delete security group ${oid}: virtual networks ${nets.join(',')} use it.`, oid);
      return deleteOwned(req, req.core.secGroups, oid);
    },
  }),
  ...objectMethods(kind)
    .filter((m) => !m.name.endsWith('.lock') && !m.name.endsWith('.unlock'))
    .map((m) => (m.name === 'one.secgroup.update' ? checkedUpdate(m) : m)),
  method({
    name: 'one.secgroup.commit',
    params: ['i', { opt: 'b', def: false }],
    run: async (req, [oid, recovery]) => {
      const sg = req.authorized(req.core.secGroups, oid, AuthOp.MANAGE);
      await commitGroup(req, sg, recovery);
      return oid;
    },
  }),
  method({
    name: 'one.secgrouppool.info',
    params: [{ opt: 'i', def: -2 }, { opt: 'i', def: -1 }, { opt: 'i', def: -1 }],
    run: (req, [filter, start, end]) => ownedPoolXml(req, req.core.secGroups, filter, start, end),
  }),
  method({
    name: 'one.vm.attachsg',
    params: ['i', 'i', 'i'],
    run: (req, [oid, nicId, sgId]) => changeNicGroups(req, oid, nicId, sgId, true),
  }),
  method({
    name: 'one.vm.detachsg',
    params: ['i', 'i', 'i'],
    run: (req, [oid, nicId, sgId]) => changeNicGroups(req, oid, nicId, sgId, false),
  }),
];

/** The VM states where a NIC's groups may change (on a running VM the host gets the rules at once). */
function sgChangeAllowed(vm: VirtualMachine): boolean {
  if (vm.state === VmState.ACTIVE) return vm.lcmState === LcmState.RUNNING;
  return ([VmState.PENDING, VmState.HOLD, VmState.POWEROFF, VmState.UNDEPLOYED, VmState.STOPPED] as number[]).includes(vm.state);
}

async function changeNicGroups(req: Request, oid: number, nicId: number, sgId: number, attach: boolean): Promise<number> {
  const vm = req.authorized(req.core.vms, oid, AuthOp.MANAGE);
  const sg = req.authorized(req.core.secGroups, sgId, AuthOp.USE);
  const what = attach ? 'attach' : 'detach';
  if (!sgChangeAllowed(vm)) throw new ApiError(ErrorCode.ACTION, `Cannot ${what} security group ${sgId}: VM ${oid} is not RUNNING, POWEROFF, UNDEPLOYED, STOPPED, PENDING or HOLD.`, oid);
  const nic = vectors(vm.template, 'NIC').find((n) => n.get('NIC_ID') === String(nicId));
  if (!nic) throw new ApiError(ErrorCode.ACTION, `VM ${oid} has no NIC with NIC_ID ${nicId}.`, oid);
  const ids = groupIds(nic.get('SECURITY_GROUPS'));
  if (attach && ids.includes(sgId)) throw new ApiError(ErrorCode.ACTION, `NIC ${nicId} of VM ${oid} already has security group ${sgId}.`, oid);
  if (!attach && !ids.includes(sgId)) throw new ApiError(ErrorCode.ACTION, `NIC ${nicId} of VM ${oid} does not have security group ${sgId}.`, oid);
  const tx = req.transaction();
  tx.touch(req.core.vms, vm);
  const before = new Map(nic);
  nic.set('SECURITY_GROUPS', (attach ? [...ids, sgId] : ids.filter((i) => i !== sgId)).join(','));
  if (attach) req.core.sgVms.takeNic(tx, new Map([['SECURITY_GROUPS', String(sgId)]]), oid);
  else req.core.sgVms.releaseNic(tx, before, oid, vm.template);
  req.core.sgVms.setRules(vm.template);
  const running = vm.state === VmState.ACTIVE;
  if (running && attach) tx.touch(req.core.secGroups, sg).move(oid, 'updating');
  await tx.commit();
  const updater = req.core.sgUpdater;
  if (running && updater) void updater.push(sg, [vm]);
  return oid;
}

/** `update` with the RULEs checked first (the group stays as it was on a refusal), then a commit. */
function checkedUpdate(m: MethodDef): MethodDef {
  return {
    ...m,
    run: async (req, args) => {
      const [oid, text, type] = args as [number, string, number];
      const sg = req.authorized(req.core.secGroups, oid, AuthOp.MANAGE);
      let incoming: Template;
      try {
        incoming = Template.parse(text);
      } catch {
        return m.run(req, args); // update reports the syntax error
      }
      let after = incoming;
      if (type === 1) {
        after = sg.template.clone();
        after.merge(incoming);
      }
      const problem = rulesError(after);
      if (problem) throw new ApiError(ErrorCode.INTERNAL, problem, oid);
      const r = await m.run(req, args);
      await commitGroup(req, sg, false);
      return r;
    },
  } as MethodDef;
}
