/** `one.system.version` and `one.system.config`. */
import { method, type MethodDef } from '../request-manager.js';

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
          const shown = new Map(db);
          shown.delete('PASSWD');
          config.set('DB', shown);
        } else {
          config.remove('DB');
        }
      }
      return config.toXml('OPENNEBULA_CONFIGURATION');
    },
  }),
];
