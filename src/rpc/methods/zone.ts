/**
 * `one.zone.*` and `one.zonepool.info`: the zones of the federation (OpenNebula 7.4). Zones are
 * federated objects: a slave forwards the writes to its master (see src/zone/federation).
 * one.zone.raftstatus answers with this front-end's HA state (src/ha): the leader is elected by
 * a PostgreSQL advisory lock, not by Raft, with OpenNebula's state numbers.
 */
import { AuthOp } from '../../auth/operation.js';
import { FIRST_USER_ZONE, Zone, ZoneState } from '../../zone/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { EscapedString } from '../xmlrpc/index.js';
import { allocateError, checkName, checkNameFree, inListOrder, parseTemplate } from './common.js';

/** Raft STATE of a server that is its zone's only one (OpenNebula's SOLO). */
const RAFT_SOLO = 0;

/** The zone, ADMIN-authorized (every zone change needs it, as in OpenNebula). */
function adminZone(req: Request, oid: number): Zone {
  return req.authorized(req.core.zones, oid, AuthOp.ADMIN);
}

/** The zone's template from `one.zone.allocate`/`update` text; a missing ENDPOINT is an error (allocate) or "-" (update). */
function zoneTemplate(text: string, code: typeof ErrorCode.ALLOCATE | typeof ErrorCode.ACTION, oid = -1) {
  return parseTemplate(text, code, { replaceMode: true }, oid);
}

async function serverChange(req: Request, zid: number, change: (zone: Zone) => void): Promise<number> {
  const zone = adminZone(req, zid);
  const tx = req.transaction();
  tx.touch(req.core.zones, zone);
  try {
    change(zone);
  } catch (err) {
    tx.rollback();
    throw err;
  }
  await tx.commit();
  return zid;
}

function serverIndex(zone: Zone, sid: number): number {
  const i = zone.servers.findIndex((s) => s.id === sid);
  if (i < 0) throw new ApiError(ErrorCode.ACTION, `Zone ${zone.oid} has no server ${sid}.`, zone.oid);
  return i;
}

export const zoneMethods: MethodDef[] = [
  method({
    name: 'one.zone.allocate',
    params: ['s'],
    run: async (req, [text]) => {
      const zones = req.core.zones;
      req.authorizeCreate('ZONE');
      const template = zoneTemplate(text, ErrorCode.ALLOCATE);
      let name = template.get('NAME') ?? '';
      template.remove('NAME');
      try {
        if ((template.get('ENDPOINT') ?? '').trim() === '') throw new Error('ENDPOINT not present in template.');
        if (name !== '') {
          checkName(name, ErrorCode.ALLOCATE);
          checkNameFree(zones, name, -1, ErrorCode.ALLOCATE);
        }
      } catch (err) {
        throw allocateError(zones, (err as Error).message);
      }
      // Zone ids from 100 up; 0-99 are system zones, as in OpenNebula.
      if (zones.lastId < FIRST_USER_ZONE - 1) zones.reserve(FIRST_USER_ZONE - 1);
      const oid = zones.nextOid();
      if (name === '') name = `zone-${oid}`;
      const tx = req.transaction();
      tx.create(zones, new Zone(oid, name, ZoneState.ENABLED, template));
      await tx.commit();
      return oid;
    },
  }),
  method({
    name: 'one.zone.delete',
    params: ['i'],
    run: async (req, [oid]) => {
      const zones = req.core.zones;
      const zone = adminZone(req, oid);
      if (oid < FIRST_USER_ZONE) throw new ApiError(ErrorCode.ACTION, `Cannot delete zone. System Zones (ID < ${FIRST_USER_ZONE}) cannot be deleted.`, oid);
      if (oid === req.core.acl.zoneId) throw new ApiError(ErrorCode.ACTION, `Cannot delete zone. Zone ${oid} is the zone this oned serves.`, oid);
      const tx = req.transaction();
      tx.delete(zones, zone);
      await tx.commit();
      await req.core.acl.delZidRules(oid);
      return oid;
    },
  }),
  method({
    name: 'one.zone.info',
    params: ['i', { opt: 'b', def: false }],
    run: (req, [oid]) => new EscapedString(req.authorized(req.core.zones, oid, AuthOp.USE_NO_LCK).toEscapedXml()),
  }),
  method({
    name: 'one.zone.update',
    params: ['i', 's', { opt: 'i', def: 0 }],
    run: async (req, [oid, text, type]) => {
      if (type !== 0 && type !== 1) throw new ApiError(ErrorCode.XML_RPC_API, `Wrong update type ${type}: use 0 (replace) or 1 (merge).`, oid);
      const zone = adminZone(req, oid);
      const tmpl = zoneTemplate(text, ErrorCode.ACTION, oid);
      const tx = req.transaction();
      tx.touch(req.core.zones, zone);
      if (type === 0) zone.template = tmpl;
      else zone.template.merge(tmpl);
      // OpenNebula keeps an ENDPOINT in every zone: "-" when an update drops it.
      if ((zone.template.get('ENDPOINT') ?? '') === '') zone.template.set('ENDPOINT', '-');
      await tx.commit();
      return oid;
    },
  }),
  method({
    name: 'one.zone.rename',
    params: ['i', 's'],
    run: async (req, [oid, name]) => {
      const zones = req.core.zones;
      const zone = adminZone(req, oid);
      checkName(name, ErrorCode.ACTION, '', oid);
      checkNameFree(zones, name, -1, ErrorCode.ACTION, oid);
      const tx = req.transaction();
      tx.touch(zones, zone);
      zones.rename(zone, name);
      await tx.commit();
      return oid;
    },
  }),
  method({
    name: 'one.zone.enable',
    params: ['i', 'b'],
    run: (req, [oid, enable]) =>
      serverChange(req, oid, (zone) => {
        zone.state = enable ? ZoneState.ENABLED : ZoneState.DISABLED;
      }),
  }),
  method({
    name: 'one.zone.addserver',
    params: ['i', 's'],
    run: (req, [zid, text]) => {
      const tmpl = parseTemplate(text, ErrorCode.ACTION, undefined, zid);
      const server = tmpl.getVector('SERVER');
      const name = server?.get('NAME') ?? '';
      const endpoint = server?.get('ENDPOINT') ?? '';
      if (!server || name === '' || endpoint === '') throw new ApiError(ErrorCode.ACTION, 'Cannot add server: the template needs SERVER = [ NAME, ENDPOINT ].', zid);
      return serverChange(req, zid, (zone) => {
        if (zone.servers.some((s) => s.name === name)) throw new ApiError(ErrorCode.ACTION, `Cannot add server: zone ${zid} already has a server named ${name}.`, zid);
        zone.servers.push({ id: zone.nextServerId(), name, endpoint });
      });
    },
  }),
  method({
    name: 'one.zone.delserver',
    params: ['i', 'i'],
    run: (req, [zid, sid]) => serverChange(req, zid, (zone) => void zone.servers.splice(serverIndex(zone, sid), 1)),
  }),
  method({
    name: 'one.zone.resetserver',
    params: ['i', 'i'],
    // Raft's log of that server would be reset; there is no Raft log here, so only the check remains.
    run: (req, [zid, sid]) => {
      serverIndex(adminZone(req, zid), sid);
      return zid;
    },
  }),
  method({
    name: 'one.zone.raftstatus',
    params: [],
    run: (req) => {
      req.requireAdmin('get the Raft status');
      // Front-end HA (src/ha): TERM is the leader lock's epoch; VOTEDFOR names the leader (-1: none known), the
      // server a Raft follower votes for: OpenNebula's elements and order, nothing added (its XSD is a sequence).
      const r = req.core.raftStatus?.() ?? { serverId: -1, state: RAFT_SOLO, leaderId: -1, term: 0 };
      const vote = r.state === RAFT_SOLO ? -1 : r.leaderId;
      return `<RAFT><SERVER_ID>${r.serverId}</SERVER_ID><STATE>${r.state}</STATE><TERM>${r.term}</TERM><VOTEDFOR>${vote}</VOTEDFOR><COMMIT>0</COMMIT><LOG_INDEX>0</LOG_INDEX><LOG_TERM>${r.state === RAFT_SOLO ? -1 : r.term}</LOG_TERM><FEDLOG_INDEX>-1</FEDLOG_INDEX></RAFT>`;
    },
  }),
  method({
    name: 'one.zonepool.info',
    params: [],
    run: (req) => {
      const zones = req.core.zones;
      return new EscapedString(zones.toEscapedXml(inListOrder(req, zones.list({ visible: req.core.authz.visibility(req.caller, 'ZONE') }))));
    },
  }),
];
