/** `one.system.version` and `one.system.config`. */
import { method, type MethodDef } from '../request-manager.js';

/**
 * What `one.system.config` shows for ONE_KEY: OpenNebula 7.4 lists the key, masked. Ours (the
 * key of encrypted attributes, see secret-box.ts) never leaves oned either.
 */
const MASKED_KEY = '0'.repeat(64);

/** The DB keys each backend uses; the others are not shown (7.4 shows BACKEND and TIMEOUT for sqlite). */
const DB_KEYS: Record<string, readonly string[]> = {
  sqlite: ['BACKEND', 'TIMEOUT'],
};

export const systemMethods: MethodDef[] = [
  method({ name: 'one.system.version', params: [], run: (req) => req.core.version }),
  method({
    name: 'one.system.config',
    params: [],
    run: (req) => {
      // The database password never leaves oned; non-admins do not see the DB settings at all.
      const config = req.core.config.template.clone();
      const db = config.getVector('DB');
      if (db) {
        if (req.caller.isAdmin) {
          const keys = DB_KEYS[db.get('BACKEND') ?? ''];
          const shown = new Map([...db].filter(([k]) => k !== 'PASSWD' && (!keys || keys.includes(k))));
          config.set('DB', shown);
        } else {
          config.remove('DB');
        }
      }
      // A slave's FEDERATION_MASTER_DB password stays in oned too.
      const masterDb = config.getVector('FEDERATION_MASTER_DB');
      if (masterDb) {
        if (req.caller.isAdmin) config.set('FEDERATION_MASTER_DB', new Map([...masterDb].filter(([k]) => k !== 'PASSWD')));
        else config.remove('FEDERATION_MASTER_DB');
      }
      config.set('ONE_KEY', MASKED_KEY);
      // Where datastores are: an empty DATASTORE_LOCATION means $ONE_LOCATION/var/datastores.
      if ((config.get('DATASTORE_LOCATION') ?? '') === '') config.set('DATASTORE_LOCATION', req.core.datastores.location);
      // Templates write vector keys starting with XML as ONE_XML... (XML names may not start with
      // "xml"); oned.conf's RAFT/XMLRPC_TIMEOUT_MS is listed under its own name, as 7.4 does.
      return config.toXml('OPENNEBULA_CONFIGURATION').replace(/<(\/?)ONE_(XML[A-Z0-9_]*)>/g, '<$1$2>');
    },
  }),
];
