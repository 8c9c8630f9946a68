/**
 * VM groups: `one.vmgroup.allocate`, `delete`, `info`, `update`, `rename`, `chown`, `chmod`,
 * `lock`, `unlock`, `roleadd`, `roledelete`, `roleupdate`, `one.vmgrouppool.info`, and the VM
 * side `one.vm.vmgroupadd` / `one.vm.vmgroupdel` (OpenNebula 7.4). Every change is checked on a
 * draft first: a refused call stores nothing.
 */
import { AuthOp } from '../../auth/operation.js';
import { Template, type Vector } from '../../common/template/index.js';
import { VmState } from '../../vm/index.js';
import { VmGroup, VmGroupError, rolesFrom } from '../../vmgroup/vm-group.js';
import { Permissions } from '../../pool/index.js';
import { checkJoin, groupOf, join, leave } from '../../vmgroup/membership.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { allocateError, parseTemplate } from './common.js';
import { objectMethods } from './object-methods.js';
import { createOwned, deleteOwned, ownedPoolXml, templateAndName } from './owned.js';

const kind = { prefix: 'one.vmgroup', pool: (core: Request['core']) => core.vmGroups } as const;

function group(req: Request, oid: number): VmGroup {
  return req.authorized(req.core.vmGroups, oid, AuthOp.MANAGE);
}

/** Runs `change` on a draft of the group's roles and template, checks the result, then stores it. */
async function changeGroup(req: Request, g: VmGroup, change: (draft: VmGroup) => void): Promise<number> {
  const d = g.draft();
  const draft = new VmGroup(g.oid, g.name, g.owner, g.perms, d.template);
  draft.roles = d.roles;
  try {
    change(draft);
    draft.checkConsistency();
  } catch (e) {
    if (e instanceof VmGroupError) throw new ApiError(ErrorCode.ACTION, e.message, g.oid);
    throw e;
  }
  const tx = req.transaction();
  const t = tx.touch(req.core.vmGroups, g);
  t.roles = draft.roles;
  t.template = draft.template;
  await tx.commit();
  return g.oid;
}

/** The ROLE vector of a roleadd / roleupdate template. */
function givenRole(text: string, oid: number): Vector {
  const v = parseTemplate(text, ErrorCode.ACTION, undefined, oid).getVector('ROLE');
  if (!v) throw new ApiError(ErrorCode.ACTION, 'No ROLE attribute in template', oid);
  return v;
}

/** The uid of a user name (VMGROUP_UNAME). */
function uidOf(req: Request) {
  return (uname: string) => req.core.users.getByName(uname)?.oid;
}

/**
 * The VM group a new VM's VMGROUP names, USE-authorized and its role checked; undefined when
 * the template has none. A VmGroupError says what is wrong.
 */
export function vmGroupToJoin(req: Request, system: Template, uid: number): VmGroup | undefined {
  const v = system.getVector('VMGROUP');
  if (!v) {
    if (system.has('VMGROUP')) throw new VmGroupError('VMGROUP must be a vector: VMGROUP = [ VMGROUP_ID = 0, ROLE = "db" ]');
    return undefined;
  }
  const g = groupOf(req.core.vmGroups, v, uid, uidOf(req));
  req.authorize(g, AuthOp.USE);
  checkJoin(g, v);
  return g;
}

export { join as joinVmGroup };

/** The update of a group: no VMs in it, ROLE attributes ignored, the rules checked. */
const checkedUpdate: MethodDef = method({
  name: 'one.vmgroup.update',
  params: ['i', 's', { opt: 'i', def: 0 }],
  run: async (req, [oid, text, type]) => {
    if (type !== 0 && type !== 1) throw new ApiError(ErrorCode.XML_RPC_API, `Wrong update type ${type}: use 0 (replace) or 1 (merge).`, oid);
    const g = group(req, oid);
    const incoming = parseTemplate(text, ErrorCode.ACTION, undefined, oid);
    if (g.vmCount > 0) throw new ApiError(ErrorCode.ACTION, `VM Group has ${g.vmCount} VMs`, oid);
    incoming.remove('ROLE');
    return changeGroup(req, g, (draft) => {
      if (type === 0) draft.template = incoming;
      else draft.template.merge(incoming);
    });
  },
});

export const vmGroupMethods: MethodDef[] = [
  method({
    name: 'one.vmgroup.allocate',
    params: ['s'],
    run: (req, [text]) => {
      const { template, name } = templateAndName(req.core.vmGroups, text, 'VM group');
      const probe = new VmGroup(-1, name, { uid: 0, gid: 0, uname: '', gname: '' }, Permissions.fromOctal(0), template);
      try {
        rolesFrom(probe, template);
        probe.checkConsistency();
      } catch (e) {
        if (e instanceof VmGroupError) throw allocateError(req.core.vmGroups, e.message);
        throw e;
      }
      return createOwned(req, req.core.vmGroups, name, (oid, owner, perms) => {
        const g = new VmGroup(oid, name, owner, perms, template);
        g.roles = probe.roles;
        return g;
      });
    },
  }),
  method({
    name: 'one.vmgroup.delete',
    params: ['i'],
    run: (req, [oid]) => {
      const g = group(req, oid);
      if (g.vmCount > 0) throw new ApiError(ErrorCode.ACTION, `Cannot delete VM group ${oid}: it has ${g.vmCount} VMs`, oid);
      return deleteOwned(req, req.core.vmGroups, oid);
    },
  }),
  ...objectMethods(kind).map((m) => (m.name === 'one.vmgroup.update' ? checkedUpdate : m)),
  method({
    name: 'one.vmgrouppool.info',
    params: [{ opt: 'i', def: -2 }, { opt: 'i', def: -1 }, { opt: 'i', def: -1 }],
    run: (req, [filter, start, end]) => ownedPoolXml(req, req.core.vmGroups, filter, start, end),
  }),
  method({
    name: 'one.vmgroup.roleadd',
    params: ['i', 's'],
    run: (req, [oid, text]) => {
      const role = givenRole(text, oid);
      return changeGroup(req, group(req, oid), (draft) => void draft.addRole(role));
    },
  }),
  method({
    name: 'one.vmgroup.roledelete',
    params: ['i', 'i'],
    run: (req, [oid, roleId]) => changeGroup(req, group(req, oid), (draft) => draft.deleteRole(roleId)),
  }),
  method({
    name: 'one.vmgroup.roleupdate',
    params: ['i', 'i', 's'],
    run: (req, [oid, roleId, text]) => {
      const role = givenRole(text, oid);
      return changeGroup(req, group(req, oid), (draft) => draft.updateRole(roleId, role));
    },
  }),
  method({
    name: 'one.vm.vmgroupadd',
    params: ['i', 'i', 's'],
    run: async (req, [vid, gid, roleName]) => {
      const vm = req.authorized(req.core.vms, vid, AuthOp.MANAGE);
      const g = req.authorized(req.core.vmGroups, gid, AuthOp.USE);
      if (vm.state === VmState.DONE) throw new ApiError(ErrorCode.ACTION, `VM ${vid} is DONE`, vid);
      const current = vm.template.getVector('VMGROUP');
      if (current) throw new ApiError(ErrorCode.ACTION, `VM ${vid} is already in VM group ${current.get('VMGROUP_ID') ?? ''} (role ${current.get('ROLE') ?? ''})`, vid);
      const v: Vector = new Map([['VMGROUP_ID', String(gid)], ['ROLE', roleName]]);
      try {
        checkJoin(g, v);
      } catch (e) {
        if (e instanceof VmGroupError) throw new ApiError(ErrorCode.ACTION, e.message, vid);
        throw e;
      }
      const tx = req.transaction();
      join(tx, req.core.vmGroups, g, v, vid);
      tx.touch(req.core.vms, vm).template.set('VMGROUP', v);
      await tx.commit();
      return vid;
    },
  }),
  method({
    name: 'one.vm.vmgroupdel',
    params: ['i'],
    run: async (req, [vid]) => {
      const vm = req.authorized(req.core.vms, vid, AuthOp.MANAGE);
      if (!vm.template.getVector('VMGROUP')) throw new ApiError(ErrorCode.ACTION, `VM ${vid} is not in a VM group`, vid);
      const tx = req.transaction();
      leave(tx, req.core.vmGroups, vm.template, vid);
      tx.touch(req.core.vms, vm).template.remove('VMGROUP');
      await tx.commit();
      return vid;
    },
  }),
];
