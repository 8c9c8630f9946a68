/**
 * The pools the operations center lists, and the row of each member a table shows: a few
 * fields read once per poll, so filtering, sorting and paging 20,000 VMs is work on small
 * records, never on XML.
 */
import { child, childText, parseXmlTree, select, type XmlNode } from '../../common/xml-tree.js';

export type Row = Record<string, string | number | string[]>;

export interface PoolKind {
  /** `vm`, `host`...: the path of the API (`/api/pool/vm`). */
  readonly name: string;
  /** The listing method and its arguments after the session. */
  readonly method: string;
  readonly args: readonly (number | boolean | string)[];
  /** The members' element in the listing. */
  readonly element: string;
  readonly row: (n: XmlNode) => Row;
  /** Fields a search matches (besides ID). */
  readonly search: readonly string[];
}

const text = (n: XmlNode, path: string): string => {
  let cur: XmlNode | undefined = n;
  for (const p of path.split('/')) cur = cur && child(cur, p);
  return cur?.text.trim() ?? '';
};
const num = (n: XmlNode, path: string): number => {
  const t = text(n, path);
  return t === '' ? 0 : Number(t);
};

/** ID, NAME, owner and group: what every owned object's row starts with. */
function owned(n: XmlNode): Row {
  return {
    ID: num(n, 'ID'),
    NAME: text(n, 'NAME'),
    UID: num(n, 'UID'),
    UNAME: text(n, 'UNAME'),
    GID: num(n, 'GID'),
    GNAME: text(n, 'GNAME'),
  };
}

/** How many resources of a kind a VDC has: `ALL` when one entry stands for every one of a zone. */
function vdcCount(n: XmlNode, kind: string): string | number {
  const ids = select(n, `${kind}S/${kind}/${kind}_ID`).map((c) => c.text.trim());
  return ids.includes('-10') ? 'ALL' : ids.length;
}

/** A VM's row, in one pass over its children (this runs for every VM of every changed listing). */
function vmRow(n: XmlNode): Row {
  const r: Row = { ID: 0, NAME: '', UID: 0, UNAME: '', GID: 0, GNAME: '', STATE: 0, LCM_STATE: 0, HOST: '', HID: -1, IPS: [], CPU: 0, VCPU: 0, MEMORY: 0, STIME: 0 };
  for (const c of n.children) {
    switch (c.name) {
      case 'ID':
      case 'UID':
      case 'GID':
      case 'STATE':
      case 'LCM_STATE':
      case 'STIME':
        r[c.name] = Number(c.text);
        break;
      case 'NAME':
      case 'UNAME':
      case 'GNAME':
        r[c.name] = c.text;
        break;
      case 'TEMPLATE': {
        const ips: string[] = [];
        for (const t of c.children) {
          if (t.name === 'NIC') {
            const ip = childText(t, 'IP') || childText(t, 'IP6_GLOBAL');
            if (ip) ips.push(ip);
          } else if (t.name === 'CPU' || t.name === 'VCPU' || t.name === 'MEMORY') r[t.name] = Number(t.text) || 0;
        }
        r.IPS = ips;
        break;
      }
      case 'HISTORY_RECORDS': {
        const last = c.children[c.children.length - 1];
        if (last) {
          r.HOST = childText(last, 'HOSTNAME');
          r.HID = Number(childText(last, 'HID') || -1);
        }
        break;
      }
    }
  }
  return r;
}

function hostRow(n: XmlNode): Row {
  return {
    ID: num(n, 'ID'),
    NAME: text(n, 'NAME'),
    STATE: num(n, 'STATE'),
    CLUSTER_ID: num(n, 'CLUSTER_ID'),
    CLUSTER: text(n, 'CLUSTER'),
    IM_MAD: text(n, 'IM_MAD'),
    VM_MAD: text(n, 'VM_MAD'),
    RUNNING_VMS: num(n, 'HOST_SHARE/RUNNING_VMS'),
    CPU_USAGE: num(n, 'HOST_SHARE/CPU_USAGE'),
    MAX_CPU: num(n, 'HOST_SHARE/MAX_CPU') || num(n, 'HOST_SHARE/TOTAL_CPU'),
    MEM_USAGE: num(n, 'HOST_SHARE/MEM_USAGE'),
    MAX_MEM: num(n, 'HOST_SHARE/MAX_MEM') || num(n, 'HOST_SHARE/TOTAL_MEM'),
  };
}

export const POOL_KINDS: Readonly<Record<string, PoolKind>> = {
  vm: { name: 'vm', method: 'one.vmpool.info', args: [-2, -1, -1, -1], element: 'VM', row: vmRow, search: ['NAME', 'UNAME', 'GNAME', 'HOST', 'IPS'] },
  host: { name: 'host', method: 'one.hostpool.info', args: [], element: 'HOST', row: hostRow, search: ['NAME', 'CLUSTER', 'IM_MAD', 'VM_MAD'] },
  cluster: {
    name: 'cluster', method: 'one.clusterpool.info', args: [], element: 'CLUSTER', search: ['NAME'],
    row: (n) => ({ ID: num(n, 'ID'), NAME: text(n, 'NAME'), HOSTS: select(n, 'HOSTS/ID').length, VNETS: select(n, 'VNETS/ID').length, DATASTORES: select(n, 'DATASTORES/ID').length }),
  },
  template: {
    name: 'template', method: 'one.templatepool.info', args: [-2, -1, -1], element: 'VMTEMPLATE', search: ['NAME', 'UNAME', 'GNAME'],
    row: (n) => ({ ...owned(n), REGTIME: num(n, 'REGTIME'), CPU: Number(text(n, 'TEMPLATE/CPU') || 0), MEMORY: Number(text(n, 'TEMPLATE/MEMORY') || 0), VROUTER: text(n, 'TEMPLATE/VROUTER').toUpperCase() === 'YES' ? 'YES' : 'NO' }),
  },
  image: {
    name: 'image', method: 'one.imagepool.info', args: [-2, -1, -1], element: 'IMAGE', search: ['NAME', 'UNAME', 'GNAME', 'DATASTORE'],
    row: (n) => ({ ...owned(n), TYPE: num(n, 'TYPE'), STATE: num(n, 'STATE'), SIZE: num(n, 'SIZE'), DATASTORE_ID: num(n, 'DATASTORE_ID'), DATASTORE: text(n, 'DATASTORE'), PERSISTENT: num(n, 'PERSISTENT'), RUNNING_VMS: num(n, 'RUNNING_VMS'), FILE: num(n, 'TYPE') >= 3 ? 1 : 0 }),
  },
  datastore: {
    name: 'datastore', method: 'one.datastorepool.info', args: [], element: 'DATASTORE', search: ['NAME', 'DS_MAD', 'TM_MAD'],
    row: (n) => ({ ...owned(n), TYPE: num(n, 'TYPE'), STATE: num(n, 'STATE'), DS_MAD: text(n, 'DS_MAD'), TM_MAD: text(n, 'TM_MAD'), TOTAL_MB: num(n, 'TOTAL_MB'), FREE_MB: num(n, 'FREE_MB'), USED_MB: num(n, 'USED_MB'), CLUSTERS: select(n, 'CLUSTERS/ID').map((c) => c.text.trim()) }),
  },
  vnet: {
    name: 'vnet', method: 'one.vnpool.info', args: [-2, -1, -1], element: 'VNET', search: ['NAME', 'UNAME', 'GNAME', 'BRIDGE'],
    row: (n) => ({ ...owned(n), BRIDGE: text(n, 'BRIDGE'), VN_MAD: text(n, 'VN_MAD'), USED_LEASES: num(n, 'USED_LEASES'), STATE: num(n, 'STATE'), SIZE: select(n, 'AR_POOL/AR').reduce((s, ar) => s + Number(childText(ar, 'SIZE') || 0), 0) }),
  },
  user: {
    name: 'user', method: 'one.userpool.info', args: [], element: 'USER', search: ['NAME', 'GNAME', 'AUTH_DRIVER'],
    row: (n) => ({ ID: num(n, 'ID'), NAME: text(n, 'NAME'), GID: num(n, 'GID'), GNAME: text(n, 'GNAME'), AUTH_DRIVER: text(n, 'AUTH_DRIVER'), ENABLED: num(n, 'ENABLED') }),
  },
  group: {
    name: 'group', method: 'one.grouppool.info', args: [], element: 'GROUP', search: ['NAME'],
    row: (n) => ({ ID: num(n, 'ID'), NAME: text(n, 'NAME'), USERS: select(n, 'USERS/ID').length }),
  },
  secgroup: {
    name: 'secgroup', method: 'one.secgrouppool.info', args: [-2, -1, -1], element: 'SECURITY_GROUP', search: ['NAME', 'UNAME', 'GNAME'],
    row: (n) => ({ ...owned(n), RULES: select(n, 'TEMPLATE/RULE').length, UPDATED: select(n, 'UPDATED_VMS/ID').length, OUTDATED: select(n, 'OUTDATED_VMS/ID').length + select(n, 'UPDATING_VMS/ID').length, ERROR: select(n, 'ERROR_VMS/ID').length }),
  },
  vmgroup: {
    name: 'vmgroup', method: 'one.vmgrouppool.info', args: [-2, -1, -1], element: 'VM_GROUP', search: ['NAME', 'UNAME', 'GNAME', 'ROLES'],
    row: (n) => ({ ...owned(n), ROLES: select(n, 'ROLES/ROLE').map((r) => childText(r, 'NAME')), VMS: select(n, 'ROLES/ROLE').reduce((s, r) => s + childText(r, 'VMS').split(',').filter((v) => v.trim() !== '').length, 0) }),
  },
  vrouter: {
    name: 'vrouter', method: 'one.vrouterpool.info', args: [-2, -1, -1], element: 'VROUTER', search: ['NAME', 'UNAME', 'GNAME'],
    row: (n) => ({ ...owned(n), VMS: select(n, 'VMS/ID').length, NICS: select(n, 'TEMPLATE/NIC').length }),
  },
  vntemplate: {
    name: 'vntemplate', method: 'one.vntemplatepool.info', args: [-2, -1, -1], element: 'VNTEMPLATE', search: ['NAME', 'UNAME', 'GNAME', 'VN_MAD'],
    row: (n) => ({ ...owned(n), REGTIME: num(n, 'REGTIME'), VN_MAD: text(n, 'TEMPLATE/VN_MAD') }),
  },
  hook: {
    name: 'hook', method: 'one.hookpool.info', args: [-2, -1, -1], element: 'HOOK', search: ['NAME', 'TYPE', 'COMMAND'],
    row: (n) => ({ ID: num(n, 'ID'), NAME: text(n, 'NAME'), TYPE: text(n, 'TYPE'), COMMAND: text(n, 'TEMPLATE/COMMAND'), ON: text(n, 'TEMPLATE/CALL') || [text(n, 'TEMPLATE/RESOURCE'), text(n, 'TEMPLATE/STATE'), text(n, 'TEMPLATE/LCM_STATE')].filter(Boolean).join(' ') }),
  },
  vdc: {
    name: 'vdc', method: 'one.vdcpool.info', args: [], element: 'VDC', search: ['NAME'],
    row: (n) => ({ ID: num(n, 'ID'), NAME: text(n, 'NAME'), GROUPS: select(n, 'GROUPS/ID').length, CLUSTERS: vdcCount(n, 'CLUSTER'), HOSTS: vdcCount(n, 'HOST'), DATASTORES: vdcCount(n, 'DATASTORE'), VNETS: vdcCount(n, 'VNET') }),
  },
  zone: {
    name: 'zone', method: 'one.zonepool.info', args: [], element: 'ZONE', search: ['NAME', 'ENDPOINT'],
    row: (n) => ({ ID: num(n, 'ID'), NAME: text(n, 'NAME'), ENDPOINT: text(n, 'TEMPLATE/ENDPOINT'), STATE: num(n, 'STATE'), SERVERS: select(n, 'SERVER_POOL/SERVER').length }),
  },
  market: {
    name: 'market', method: 'one.marketpool.info', args: [], element: 'MARKETPLACE', search: ['NAME', 'UNAME', 'MARKET_MAD'],
    row: (n) => ({ ...owned(n), STATE: num(n, 'STATE'), MARKET_MAD: text(n, 'MARKET_MAD'), TOTAL_MB: num(n, 'TOTAL_MB'), FREE_MB: num(n, 'FREE_MB'), USED_MB: num(n, 'USED_MB'), APPS: select(n, 'MARKETPLACEAPPS/ID').length }),
  },
  marketapp: {
    name: 'marketapp', method: 'one.marketapppool.info', args: [-2, -1, -1], element: 'MARKETPLACEAPP', search: ['NAME', 'UNAME', 'MARKETPLACE'],
    row: (n) => ({ ...owned(n), STATE: num(n, 'STATE'), TYPE: num(n, 'TYPE'), SIZE: num(n, 'SIZE'), MARKETPLACE_ID: num(n, 'MARKETPLACE_ID'), MARKETPLACE: text(n, 'MARKETPLACE'), REGTIME: num(n, 'REGTIME') }),
  },
};

/** A listing's rows, and the lower-case text each row is searched in (same positions). */
export interface Listing {
  readonly rows: Row[];
  readonly haystack: string[];
}

/** Reads a pool listing's XML into rows (the heavy part of a poll: parsing and one row per member). */
export function readListing(kind: PoolKind, xml: string): Listing {
  const root = parseXmlTree(xml);
  const rows: Row[] = [];
  const haystack: string[] = [];
  for (const n of root.children) {
    if (n.name !== kind.element) continue;
    const r = kind.row(n);
    rows.push(r);
    haystack.push([r.ID, ...kind.search.map((f) => (Array.isArray(r[f]) ? (r[f] as string[]).join(' ') : r[f]))].join(' ').toLowerCase());
  }
  return { rows, haystack };
}
