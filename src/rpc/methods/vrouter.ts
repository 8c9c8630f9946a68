/**
 * Virtual routers (OpenNebula 7.4): `one.vrouter.allocate`, `delete`, `info`, `update`,
 * `rename`, `chown`, `chmod`, `lock`, `unlock`, `instantiate`, `attachnic`, `detachnic` and
 * `one.vrouterpool.info`. A router's NICs name networks; FLOATING_IP = YES ones hold a lease
 * owned by the router. instantiate makes its VMs from a VM template with VROUTER = YES: each
 * gets the router's NICs (its own address, the floating one as VROUTER_IP), VROUTER_ID and the
 * keepalived settings, in its template and CONTEXT. NIC changes go through the router to every
 * VM; deleting the router terminates its VMs and gives its leases back.
 */
import { AuthOp } from '../../auth/operation.js';
import { ObjectType } from '../../common/object-type.js';
import type { Vector } from '../../common/template/index.js';
import { ActionNotAvailable } from '../../dm/index.js';
import { LcmState, RecoverOp, vectors, VmAction, VmState, type VirtualMachine } from '../../vm/index.js';
import type { Transaction } from '../../pool/index.js';
import { isYes, routerNic, VirtualRouter, vmNicOf } from '../../vrouter/virtual-router.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { allocateError, parseTemplate } from './common.js';
import { objectMethods, type ObjectKind } from './object-methods.js';
import { createOwned, ownedPoolXml, templateAndName } from './owned.js';
import { checkRestrictedExtra, encryptAttributes } from './template-attributes.js';
import { attachNic, createVm, detachNic, who } from './vm.js';

const kind: ObjectKind<VirtualRouter> = { prefix: 'one.vrouter', pool: (core) => core.vrouters, encrypted: 'VROUTER' };

function router(req: Request, oid: number): VirtualRouter {
  return req.authorized(req.core.vrouters, oid, AuthOp.MANAGE);
}

/**
 * Resolves a router NIC's network (USE on it for the caller), numbers it and, for a floating
 * one, takes its lease for the router, in tx. Throws Error saying what is wrong.
 */
function takeNic(req: Request, tx: Transaction, routerId: number, uid: number, nic: Vector, nicId: number): void {
  if ((nic.get('NETWORK_MODE') ?? '').toUpperCase() === 'AUTO') throw new Error('Virtual Router is incompatible with auto mode');
  nic.set('NIC_ID', String(nicId));
  const vnets = req.core.vnets;
  const vnet = vnets.resolveNic(nic, uid);
  req.authorize(vnet, AuthOp.USE, vnet.clusterIds);
  try {
    vnets.routerNic(tx, vnet, routerId, nic, isYes(nic.get('FLOATING_IP')));
  } catch (err) {
    throw new Error(`NIC ${nicId}: ${(err as Error).message}`);
  }
  routerNic(nic);
}

/** Gives back what a router NIC took; `others` are the router's NICs that stay. */
function releaseNic(req: Request, tx: Transaction, r: VirtualRouter, nic: Vector, others: readonly Vector[]): void {
  const net = nic.get('NETWORK_ID');
  req.core.vnets.releaseRouterNic(tx, nic, r.oid, others.some((o) => o !== nic && o.get('NETWORK_ID') === net));
}

/** The router's VMs that are not DONE. */
function liveVms(req: Request, r: VirtualRouter): VirtualMachine[] {
  return [...r.vms].map((id) => req.core.vms.get(id)).filter((vm): vm is VirtualMachine => vm !== undefined && vm.state !== VmState.DONE);
}

/** A NIC change reaches every VM: refused before anything changes when one of them cannot take it (RUNNING or POWEROFF only). */
function checkVmsTakeNicChange(req: Request, r: VirtualRouter, action: string): VirtualMachine[] {
  const vms = liveVms(req, r);
  for (const vm of vms) {
    const ok = (vm.state === VmState.ACTIVE && vm.lcmState === LcmState.RUNNING) || vm.state === VmState.POWEROFF;
    if (!ok) throw new ApiError(ErrorCode.ACTION, `Cannot ${action} virtual router ${r.oid}: its VM ${vm.oid} is not RUNNING or POWEROFF (${new ActionNotAvailable(action, vm).message}).`, r.oid);
  }
  return vms;
}

/** Ends a router VM: terminate-hard, or delete when its state does not allow that (as OpenNebula's router delete). */
async function endVm(req: Request, vm: VirtualMachine): Promise<void> {
  const tx = req.transaction();
  try {
    req.core.dm.action(tx, 'terminate-hard', VmAction.TERMINATE_HARD, vm, who(req));
  } catch (err) {
    if (!(err instanceof ActionNotAvailable)) {
      tx.rollback();
      throw err;
    }
    try {
      req.core.dm.recover(tx, vm, RecoverOp.DELETE, who(req));
    } catch {
      tx.rollback();
      req.core.log.warn('ONE', `Virtual router VM ${vm.oid} could not be terminated: ${(err as Error).message}`);
      return;
    }
  }
  await tx.commit();
}

/** update keeps the router's NICs: they change only through attachnic / detachnic. */
function updateMethod(): MethodDef {
  return method({
    name: 'one.vrouter.update',
    params: ['i', 's', { opt: 'i', def: 0 }],
    run: async (req, [oid, text, type]) => {
      if (type !== 0 && type !== 1) throw new ApiError(ErrorCode.XML_RPC_API, `Wrong update type ${type}: use 0 (replace) or 1 (merge).`, oid);
      const r = router(req, oid);
      const t = parseTemplate(text, ErrorCode.ACTION, undefined, oid);
      t.remove('NIC');
      const tx = req.transaction();
      tx.touch(req.core.vrouters, r);
      if (type === 0) {
        const nics = r.nics;
        r.template = t;
        for (const n of nics) r.template.add('NIC', n);
      } else r.template.merge(t);
      encryptAttributes(req, 'VROUTER', r.template);
      await tx.commit();
      return oid;
    },
  });
}

export const vrouterMethods: MethodDef[] = [
  method({
    name: 'one.vrouter.allocate',
    params: ['s'],
    run: (req, [text]) => {
      const pool = req.core.vrouters;
      const { template, name } = templateAndName(pool, text, 'Virtual router');
      encryptAttributes(req, 'VROUTER', template);
      return createOwned(req, pool, name, (oid, owner, perms, tx) => {
        vectors(template, 'NIC').forEach((nic, i) => {
          try {
            takeNic(req, tx, oid, owner.uid, nic, i);
          } catch (err) {
            if (err instanceof ApiError) throw err;
            throw allocateError(pool, (err as Error).message);
          }
        });
        return new VirtualRouter(oid, name, owner, perms, template);
      });
    },
  }),
  method({
    name: 'one.vrouter.delete',
    params: ['i'],
    run: async (req, [oid]) => {
      const r = router(req, oid);
      const vms = liveVms(req, r);
      const tx = req.transaction();
      const nics = r.nics;
      for (const nic of nics) releaseNic(req, tx, r, nic, []);
      tx.delete(req.core.vrouters, r);
      await tx.commit();
      await req.core.acl.delResourceRules(ObjectType.VROUTER, oid);
      for (const vm of vms) await endVm(req, vm);
      return oid;
    },
  }),
  ...objectMethods(kind).filter((m) => m.name !== 'one.vrouter.update'),
  updateMethod(),
  method({
    name: 'one.vrouterpool.info',
    params: [{ opt: 'i', def: -2 }, { opt: 'i', def: -1 }, { opt: 'i', def: -1 }],
    run: (req, [filter, start, end]) => ownedPoolXml(req, req.core.vrouters, filter, start, end),
  }),
  method({
    name: 'one.vrouter.instantiate',
    params: ['i', 'i', 'i', 's', 'b', { opt: 's', def: '' }],
    run: async (req, [oid, count, templateId, nameGiven, hold, extra]) => {
      const r = router(req, oid);
      const tid = templateId === -1 ? r.templateId : templateId;
      if (tid === -1) throw new ApiError(ErrorCode.ACTION, 'A template ID was not provided, and the virtual router does not have a default one', oid);
      if (!Number.isInteger(count) || count < 1) throw new ApiError(ErrorCode.ACTION, `The number of VMs must be 1 or more, got ${count}.`, oid);
      const tmpl = req.authorized(req.core.templates, tid, AuthOp.USE);
      if (!isYes(tmpl.template.get('VROUTER'))) throw new ApiError(ErrorCode.ACTION, 'Only virtual router templates are allowed', tid);
      const full = tmpl.template.clone();
      if (extra.trim() !== '') {
        const extraTemplate = parseTemplate(extra, ErrorCode.ALLOCATE);
        checkRestrictedExtra(req, 'VM', extraTemplate, full, tid);
        full.merge(extraTemplate);
      }
      full.set('TEMPLATE_ID', String(tid));
      full.remove('NIC');
      const password = r.template.get('KEEPALIVED_PASSWORD');
      const attrs = r.vmAttributes(password === undefined ? undefined : req.core.attributes.reveal('VROUTER', 'KEEPALIVED_PASSWORD', password));
      for (const a of attrs.attributes()) full.add(a.name, typeof a.value === 'string' ? a.value : new Map(a.value));
      // The router appliance reads these from its context.
      const context = full.getVector('CONTEXT');
      if (context) for (const k of ['VROUTER_ID', 'VROUTER_KEEPALIVED_ID', 'VROUTER_KEEPALIVED_PASSWORD']) {
        const v = attrs.get(k);
        if (v !== undefined) context.set(k, v);
      }
      const pattern = nameGiven !== '' ? nameGiven : `vr-${r.name}-%i`;
      // Made on hold, released once all are made: a failure part way ends those already made.
      const made: number[] = [];
      try {
        for (let i = 0; i < count; i++) {
          const name = pattern.replaceAll('%i', String(i));
          made.push(await createVm(req, full.clone(), () => name, true, name));
        }
      } catch (err) {
        for (const id of made) {
          const vm = req.core.vms.get(id);
          if (vm) await endVm(req, vm);
        }
        throw err;
      }
      const now = req.core.vrouters.get(oid);
      if (now) {
        const tx = req.transaction();
        tx.touch(req.core.vrouters, now);
        for (const id of made) now.vms.add(id);
        now.template.set('TEMPLATE_ID', String(tid));
        await tx.commit();
      }
      if (!hold) {
        for (const id of made) {
          const vm = req.core.vms.get(id);
          if (!vm || vm.state !== VmState.HOLD) continue;
          const tx = req.transaction();
          req.core.dm.action(tx, 'release', VmAction.RELEASE, vm, who(req));
          await tx.commit();
          req.core.vmLogs.write(id, 'DiM', 'I', 'New state is PENDING');
        }
      }
      return oid;
    },
  }),
  method({
    name: 'one.vrouter.attachnic',
    params: ['i', 's'],
    run: async (req, [oid, text]) => {
      const t = parseTemplate(text, ErrorCode.INTERNAL, undefined, oid);
      const r = router(req, oid);
      if (t.get('NIC_ALIAS') !== undefined || t.getAll('NIC_ALIAS').length > 0) throw new ApiError(ErrorCode.ACTION, "Alias can't be attached to virtual router.", oid);
      const given = vectors(t, 'NIC');
      if (given.length !== 1) throw new ApiError(ErrorCode.ACTION, 'The template must contain one NIC attribute', oid);
      const nic = given[0]!;
      const vms = checkVmsTakeNicChange(req, r, 'nic-attach');
      const tx = req.transaction();
      try {
        takeNic(req, tx, r.oid, r.owner.uid, nic, r.nextNicId);
      } catch (err) {
        tx.rollback();
        if (err instanceof ApiError) throw err;
        throw new ApiError(ErrorCode.ACTION, (err as Error).message, oid);
      }
      tx.touch(req.core.vrouters, r).template.add('NIC', nic);
      await tx.commit();
      for (const vm of vms) await attachNic(req, vm, vmNicOf(nic));
      return oid;
    },
  }),
  method({
    name: 'one.vrouter.detachnic',
    params: ['i', 'i'],
    run: async (req, [oid, nicId]) => {
      const r = router(req, oid);
      const nic = r.nic(nicId);
      if (!nic) throw new ApiError(ErrorCode.ACTION, `NIC with NIC_ID ${nicId} does not exist.`, oid);
      const vms = checkVmsTakeNicChange(req, r, 'nic-detach');
      const tx = req.transaction();
      releaseNic(req, tx, r, nic, r.nics);
      tx.touch(req.core.vrouters, r);
      const rest = r.template.getAll('NIC').filter((a) => a.value !== nic);
      r.template.remove('NIC');
      for (const a of rest) r.template.add('NIC', a.value);
      await tx.commit();
      for (const vm of vms) {
        if (vectors(vm.template, 'NIC').some((n) => n.get('NIC_ID') === String(nicId))) await detachNic(req, vm, nicId);
      }
      return oid;
    },
  }),
];
