/**
 * oned.conf's FEDERATION section (OpenNebula's keys) and, for a slave, FEDERATION_MASTER_DB: where
 * the master zone's PostgreSQL database is, which the slave's database subscribes to.
 *
 *     FEDERATION = [ MODE = "SLAVE", ZONE_ID = 100, MASTER_ONED = "http://master:2633/RPC2" ]
 *     FEDERATION_MASTER_DB = [ SERVER = "master", PORT = 5432, USER = "oneadmin", PASSWD = "...", DB_NAME = "opennebula" ]
 */
import type { ConfigReader } from '../../common/config.js';
import { FIRST_USER_ZONE } from '../zone.js';

export type FederationMode = 'STANDALONE' | 'MASTER' | 'SLAVE';
const MODES: readonly FederationMode[] = ['STANDALONE', 'MASTER', 'SLAVE'];

/** Where the master's database is (a slave's subscription connects there). */
export interface MasterDb {
  readonly server: string;
  readonly port: number;
  readonly user: string;
  readonly passwd: string;
  readonly dbName: string;
}

export interface FederationConfig {
  readonly mode: FederationMode;
  /** The zone this oned serves. */
  readonly zoneId: number;
  /** The master's XML-RPC endpoint (slaves forward federated writes there). */
  readonly masterOned: string;
  readonly masterDb?: MasterDb;
}

/** Reads and checks the federation settings; throws an Error naming what is wrong. */
export function federationConfig(config: ConfigReader): FederationConfig {
  const fed = config.vector('FEDERATION');
  const mode = (fed.get('MODE') || 'STANDALONE').toUpperCase() as FederationMode;
  if (!MODES.includes(mode)) throw new Error(`FEDERATION MODE "${fed.get('MODE')}" is not valid: use STANDALONE, MASTER or SLAVE`);
  const zoneText = fed.get('ZONE_ID') ?? '0';
  const zoneId = zoneText === '' ? 0 : Number(zoneText);
  if (!Number.isInteger(zoneId) || zoneId < 0) throw new Error(`FEDERATION ZONE_ID must be a zone id (an integer >= 0), got "${zoneText}"`);
  const masterOned = (fed.get('MASTER_ONED') ?? '').trim();
  if (mode !== 'SLAVE') return { mode, zoneId, masterOned };
  // Zones below 100 are system zones (0, the master's); a slave's zone is one made with onezone create.
  if (zoneId < FIRST_USER_ZONE) throw new Error(`FEDERATION ZONE_ID = ${zoneId} is a system zone (the master's is 0): a slave serves a zone created on the master with onezone create (id ${FIRST_USER_ZONE} or more)`);
  if (masterOned === '') throw new Error('FEDERATION MODE = SLAVE needs MASTER_ONED, the master zone\'s XML-RPC endpoint (http://master:2633/RPC2)');
  if (!/^https?:\/\//.test(masterOned)) throw new Error(`FEDERATION MASTER_ONED must be an http(s) URL, got "${masterOned}"`);
  const db = config.vector('FEDERATION_MASTER_DB');
  const server = db.get('SERVER') ?? '';
  if (server === '') throw new Error('FEDERATION MODE = SLAVE needs FEDERATION_MASTER_DB = [ SERVER, PORT, USER, PASSWD, DB_NAME ]: the master zone\'s PostgreSQL database, which this zone\'s database subscribes to');
  const port = Number(db.get('PORT') || 5432);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`FEDERATION_MASTER_DB PORT must be a TCP port, got "${db.get('PORT')}"`);
  return {
    mode,
    zoneId,
    masterOned,
    masterDb: { server, port, user: db.get('USER') || 'oneadmin', passwd: db.get('PASSWD') ?? '', dbName: db.get('DB_NAME') || 'opennebula' },
  };
}
