/**
 * A zone: one oned of a federation (or the only one), reached at its ENDPOINT. Zones are owned by
 * oneadmin and have no permissions of their own (ACL rules `ZONE/...` and the oneadmin group
 * reach them), as in OpenNebula. A zone keeps a server pool (its HA servers), which this oned
 * records but does not run Raft over (HA stands on PostgreSQL, see docs/zones.md).
 */
import type { XmlNode } from '../common/xml-tree.js';
import { child, childInt, childText } from '../common/xml-tree.js';
import { xmlElement } from '../common/xml.js';
import { Template } from '../common/template/index.js';
import { PoolObject, Permissions, templateFromNode } from '../pool/index.js';

/** STATE of a zone, as `one.zone.enable` sets it. */
export const ZoneState = { ENABLED: 0, DISABLED: 1 } as const;
export type ZoneStateValue = (typeof ZoneState)[keyof typeof ZoneState];
export const ZONE_STATE_NAMES: readonly string[] = ['ENABLED', 'DISABLED'];

/** Ids below this are system zones (0, the first one), which cannot be deleted; new zones start here. */
export const FIRST_USER_ZONE = 100;

/** The zone every cloud has: OpenNebula's name for it. */
export const DEFAULT_ZONE_NAME = 'OpenNebula';

/** One server of a zone's SERVER_POOL (`one.zone.addserver`). */
export interface ZoneServer {
  readonly id: number;
  readonly name: string;
  readonly endpoint: string;
}

export class Zone extends PoolObject {
  readonly type = 'ZONE' as const;
  readonly servers: ZoneServer[];

  constructor(
    oid: number,
    name: string,
    public state: ZoneStateValue,
    public template: Template,
    servers: Iterable<ZoneServer> = [],
  ) {
    super(oid, name, { uid: 0, gid: 0, uname: 'oneadmin', gname: 'oneadmin' }, Permissions.fromOctal(0o600));
    this.servers = [...servers];
  }

  get endpoint(): string {
    return this.template.get('ENDPOINT') ?? '';
  }

  /** The next free server id of the zone's server pool. */
  nextServerId(): number {
    return this.servers.reduce((max, s) => Math.max(max, s.id + 1), 0);
  }

  protected renderXml(): string {
    let servers = '<SERVER_POOL>';
    for (const s of this.servers) servers += `<SERVER>${xmlElement('ENDPOINT', s.endpoint)}<ID>${s.id}</ID>${xmlElement('NAME', s.name)}</SERVER>`;
    servers += '</SERVER_POOL>';
    return `<ZONE><ID>${this.oid}</ID>${xmlElement('NAME', this.name)}<STATE>${this.state}</STATE>${this.template.toXml()}${servers}</ZONE>`;
  }

  static fromXml(node: XmlNode): Zone {
    const servers = (child(node, 'SERVER_POOL')?.children ?? [])
      .filter((s) => s.name === 'SERVER')
      .map((s) => ({ id: childInt(s, 'ID'), name: childText(s, 'NAME'), endpoint: childText(s, 'ENDPOINT') }));
    const state = childInt(node, 'STATE', 0) === ZoneState.DISABLED ? ZoneState.DISABLED : ZoneState.ENABLED;
    return new Zone(childInt(node, 'ID'), childText(node, 'NAME'), state, templateFromNode(child(node, 'TEMPLATE'), { replaceMode: true }), servers);
  }
}
