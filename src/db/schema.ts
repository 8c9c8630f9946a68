/**
 * The database schema as data: tables described once and rendered into each backend's DDL, and
 * the list of versioned migrations that build it. To change the schema, append a migration;
 * never edit one that has shipped, since databases out there already recorded it as applied.
 */
import type { Backend, Database, Write } from './database.js';
import { moveLeasesToTable } from '../vnet/lease-table.js';
import { GROUP_QUOTAS_TABLE, moveQuotasToTables, USER_QUOTAS_TABLE } from '../auth/quota-table.js';

/** Column types by what they hold; each backend spells them its own way (see {@link columnType}). */
export type ColumnType = 'integer' | 'bigint' | 'text' | `varchar(${number})`;

/** A table as the migrations create it. */
export interface Table {
  readonly name: string;
  /** Column name to type, in table order. */
  readonly columns: Readonly<Record<string, ColumnType>>;
  /** The columns upserts conflict on. Always NOT NULL. */
  readonly primaryKey: readonly string[];
  readonly notNull?: readonly string[];
  /** Sets of columns whose values no two rows may share. */
  readonly unique?: readonly (readonly string[])[];
  /** Sets of columns indexed for lookups. */
  readonly indexes?: readonly (readonly string[])[];
}

/** One step of the schema's history, recorded in `db_versioning` once applied. */
export interface Migration {
  /** 1, 2, 3, ... in order; the schema version the database is at once this is applied. */
  readonly version: number;
  /** Stored in `db_versioning.comment` (at most 256 characters). */
  readonly description: string;
  /** Tables this migration creates, so that writes know their keys. */
  readonly tables: readonly Table[];
  /** The DDL to run, in order, for the given backend. */
  statements(backend: Backend): readonly string[];
  /**
   * A data step SQL cannot express (reading the XML of bodies): it reads the database as the
   * previous version left it and returns writes, committed with the DDL and the version record.
   */
  upgrade?(db: Pick<Database, 'query'>): Promise<Write[]>;
}

/**
 * An OpenNebula pool table: one row per object, its XML in `body` and the owner, group and
 * permission columns that listings filter on without parsing the XML.
 * @param namesUniquePer `pool`: no two objects share a name (users, groups); `owner`: no two
 *   objects of the same owner do (VMs, images, templates, ...).
 */
export function poolTable(name: string, namesUniquePer: 'pool' | 'owner'): Table {
  return {
    name,
    columns: {
      oid: 'integer',
      name: 'varchar(128)',
      body: 'text',
      uid: 'integer',
      gid: 'integer',
      owner_u: 'integer',
      group_u: 'integer',
      other_u: 'integer',
    },
    primaryKey: ['oid'],
    notNull: ['name'],
    unique: [namesUniquePer === 'pool' ? ['name'] : ['name', 'uid']],
    indexes: [['uid'], ['gid']],
  };
}

/** A migration that only creates tables. */
function creating(version: number, description: string, tables: readonly Table[]): Migration {
  return { version, description, tables, statements: (backend) => tables.flatMap((t) => createTable(t, backend)) };
}

const dbVersioning: Table = {
  name: 'db_versioning',
  columns: { oid: 'integer', version: 'integer', timestamp: 'bigint', comment: 'varchar(256)' },
  primaryKey: ['oid'],
};

const poolControl: Table = {
  name: 'pool_control',
  columns: { tablename: 'varchar(32)', last_oid: 'bigint' },
  primaryKey: ['tablename'],
};

const systemAttributes: Table = {
  name: 'system_attributes',
  columns: { name: 'varchar(128)', body: 'text' },
  primaryKey: ['name'],
};

const acl: Table = {
  name: 'acl',
  columns: { oid: 'integer', userset: 'bigint', resource: 'bigint', rights: 'bigint', zone: 'bigint' },
  primaryKey: ['oid'],
  unique: [['userset', 'resource', 'rights', 'zone']],
};

/**
 * Hosts, as OpenNebula stores them: a pool table plus the host's state and cluster id, so SQL
 * can count hosts per state or cluster without reading bodies.
 */
const hostPool: Table = (() => {
  const table = poolTable('host_pool', 'pool');
  return { ...table, columns: { ...table.columns, state: 'integer', cid: 'integer' }, indexes: [...(table.indexes ?? []), ['cid']] };
})();

/** One row per host monitoring sample: the `<MONITORING>` XML the IM recorded at `last_mon_time`. */
const hostMonitoring: Table = {
  name: 'host_monitoring',
  columns: { hid: 'integer', last_mon_time: 'bigint', body: 'text' },
  primaryKey: ['hid', 'last_mon_time'],
  // Retention deletes by age.
  indexes: [['last_mon_time']],
};

/**
 * VMs: a pool table whose names need not be unique (OpenNebula allows twin VM names), with the
 * state and LCM state as columns, indexed for filtered listings and counts.
 */
const vmPool: Table = (() => {
  const table = poolTable('vm_pool', 'owner');
  return { ...table, columns: { ...table.columns, state: 'integer', lcm_state: 'integer' }, unique: [], indexes: [...(table.indexes ?? []), ['state']] };
})();

/** VM history records, one row per record (vid, seq) as OpenNebula keeps them, for accounting by time. */
const history: Table = {
  name: 'history',
  columns: { vid: 'integer', seq: 'integer', body: 'text', stime: 'bigint', etime: 'bigint' },
  primaryKey: ['vid', 'seq'],
  indexes: [['stime'], ['etime']],
};

/** One row per VM monitoring sample: the `<MONITORING>` XML at `last_poll`. */
const vmMonitoring: Table = {
  name: 'vm_monitoring',
  columns: { vid: 'integer', last_poll: 'bigint', body: 'text' },
  primaryKey: ['vid', 'last_poll'],
  indexes: [['last_poll']],
};

/**
 * One row per used lease of a network: owner kind (VM, VNET, VROUTER) and id (-1 with VM: on
 * hold). The bodies in network_pool keep no leases, so a lease change writes only its row.
 */
const networkLease: Table = {
  name: 'network_lease',
  columns: { oid: 'integer', ar_id: 'integer', idx: 'integer', owner_kind: 'varchar(8)', owner_id: 'integer' },
  primaryKey: ['oid', 'ar_id', 'idx'],
  notNull: ['owner_kind', 'owner_id'],
  // The leases a VM (or reservation, router) holds, without scanning every network.
  indexes: [['owner_kind', 'owner_id']],
};

/** The lease state of an AR that is not a lease: NEXT_INDEX, the lease after the last one taken. */
const networkAr: Table = {
  name: 'network_ar',
  columns: { oid: 'integer', ar_id: 'integer', next_index: 'integer' },
  primaryKey: ['oid', 'ar_id'],
  notNull: ['next_index'],
};

/** Showback: the cost of one VM in one month, the `<SHOWBACK>` XML in `body` (one.vmpool.calculateshowback writes it). */
const vmShowback: Table = {
  name: 'vm_showback',
  columns: { vmid: 'integer', year: 'integer', month: 'integer', body: 'text' },
  primaryKey: ['vmid', 'year', 'month'],
  // one.vmpool.showback lists by month.
  indexes: [['year', 'month']],
};

/**
 * One row per execution of an API hook (`hook_pool`): the `<HOOK_EXECUTION_RECORD>` XML in
 * `body`, its return code in `rc`, kept per hook up to the hook's log retention.
 */
const hookLog: Table = {
  name: 'hook_log',
  columns: { hkid: 'integer', exeid: 'integer', timestamp: 'bigint', rc: 'integer', body: 'text' },
  primaryKey: ['hkid', 'exeid'],
  // one.hooklog.info filters by time.
  indexes: [['timestamp']],
};

/**
 * The quotas of users (groups) in one zone: `<QUOTAS>` XML per user (group) id. Kept out of the
 * federated user_pool and group_pool rows, so each zone counts its own usage (see
 * src/auth/quota-table.ts).
 */
function quotaTable(name: string): Table {
  return { name, columns: { oid: 'integer', body: 'text' }, primaryKey: ['oid'] };
}

/** Every migration, oldest first. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  creating(1, 'Initial schema: versioning, pool control, system attributes, users, groups, ACL rules, documents', [
    dbVersioning,
    poolControl,
    systemAttributes,
    poolTable('user_pool', 'pool'),
    poolTable('group_pool', 'pool'),
    acl,
    poolTable('document_pool', 'owner'),
  ]),
  creating(2, 'Hosts and clusters: host_pool, host_monitoring, cluster_pool', [hostPool, hostMonitoring, poolTable('cluster_pool', 'pool')]),
  creating(3, 'VM templates: template_pool', [poolTable('template_pool', 'owner')]),
  creating(4, 'Datastores: datastore_pool', [poolTable('datastore_pool', 'pool')]),
  creating(5, 'Images: image_pool', [poolTable('image_pool', 'owner')]),
  creating(6, 'Virtual networks: network_pool', [poolTable('network_pool', 'owner')]),
  creating(7, 'Virtual machines: vm_pool, history, vm_monitoring', [vmPool, history, vmMonitoring]),
  {
    ...creating(8, 'Network leases: network_lease and network_ar, filled from the leases network_pool bodies held', [networkLease, networkAr]),
    upgrade: moveLeasesToTable,
  },
  creating(9, 'Showback: vm_showback', [vmShowback]),
  creating(10, 'Backup jobs: backupjob_pool', [poolTable('backupjob_pool', 'owner')]),
  creating(11, 'Security groups, VM groups, virtual routers, network templates, hooks, marketplaces', [
    poolTable('secgroup_pool', 'owner'),
    poolTable('vmgroup_pool', 'owner'),
    poolTable('vrouter_pool', 'owner'),
    poolTable('vn_template_pool', 'owner'),
    poolTable('hook_pool', 'pool'),
    hookLog,
    poolTable('marketplace_pool', 'pool'),
    poolTable('marketplaceapp_pool', 'owner'),
  ]),
  {
    ...creating(12, 'Zones: zone_pool; zone-local quotas of users and groups: user_quotas and group_quotas, filled from their bodies', [
      poolTable('zone_pool', 'pool'),
      quotaTable(USER_QUOTAS_TABLE),
      quotaTable(GROUP_QUOTAS_TABLE),
    ]),
    upgrade: moveQuotasToTables,
  },
  creating(13, 'VDCs: vdc_pool', [poolTable('vdc_pool', 'pool')]),
];

/** The schema version this program writes: that of the last migration. */
export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]!.version;

const TABLES: ReadonlyMap<string, Table> = new Map(MIGRATIONS.flatMap((m) => m.tables).map((t) => [t.name, t]));

/** The tables a database at schema `version` has, in the order their migrations created them. */
export function tablesAt(version: number): Table[] {
  return MIGRATIONS.filter((m) => m.version <= version).flatMap((m) => m.tables);
}

/** The table of that name as the latest schema has it, if any. */
export function tableNamed(name: string): Table | undefined {
  return TABLES.get(name);
}

/** How the backend spells a column type. MySQL's TEXT holds only 64 KiB, so text is LONGTEXT there. */
function columnType(type: ColumnType, backend: Backend): string {
  switch (type) {
    case 'integer':
      return backend === 'mysql' ? 'INT' : 'INTEGER';
    case 'bigint':
      return 'BIGINT';
    case 'text':
      return backend === 'mysql' ? 'LONGTEXT' : 'TEXT';
    default:
      return type.toUpperCase();
  }
}

/**
 * CREATE TABLE (and, outside MySQL, CREATE INDEX) statements for a table. All are IF NOT EXISTS
 * because MySQL commits DDL at once: a migration cut short there is completed by running it again.
 */
function createTable(table: Table, backend: Backend): string[] {
  const notNull = new Set([...table.primaryKey, ...(table.notNull ?? [])]);
  const lines = Object.entries(table.columns).map(
    ([column, type]) => `${column} ${columnType(type, backend)}${notNull.has(column) ? ' NOT NULL' : ''}`,
  );
  lines.push(`PRIMARY KEY (${table.primaryKey.join(', ')})`);
  for (const columns of table.unique ?? []) lines.push(`UNIQUE (${columns.join(', ')})`);
  const indexes = (table.indexes ?? []).map((columns) => ({ name: `${table.name}_${columns.join('_')}_idx`, columns }));
  if (backend === 'mysql') {
    // MySQL has no CREATE INDEX IF NOT EXISTS (MariaDB does); indexes declared in the table work in both.
    for (const index of indexes) lines.push(`INDEX ${index.name} (${index.columns.join(', ')})`);
    return [
      `CREATE TABLE IF NOT EXISTS ${table.name} (${lines.join(', ')}) ` +
        'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
    ];
  }
  return [
    `CREATE TABLE IF NOT EXISTS ${table.name} (${lines.join(', ')})`,
    ...indexes.map((index) => `CREATE INDEX IF NOT EXISTS ${index.name} ON ${table.name} (${index.columns.join(', ')})`),
  ];
}
