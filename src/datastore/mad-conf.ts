/**
 * oned.conf's TM_MAD_CONF and DS_MAD_CONF: what each transfer and datastore driver is like
 * (OpenNebula 7.4 ships one entry per driver). Datastores of a driver take their defaults from
 * it (CLONE_TARGET, LN_TARGET, SHARED, DS_MIGRATE, ALLOW_ORPHANS, DISK_TYPE... from TM_MAD_CONF;
 * REQUIRED_ATTRS, PERSISTENT_ONLY... from DS_MAD_CONF).
 */
import type { ConfigReader } from '../common/config.js';

/** One TM_MAD_CONF entry: the transfer driver NAME and its attributes, as oned.conf gives them. */
export interface TmMadConf {
  readonly name: string;
  /** Every attribute but NAME, upper-case keys, values as written (e.g. SHARED → "YES"). */
  readonly attributes: ReadonlyMap<string, string>;
  /** CLONE_TARGET, LN_TARGET: SELF, SYSTEM or NONE (undefined when not set). */
  readonly cloneTarget: string | undefined;
  readonly lnTarget: string | undefined;
  /** SHARED = YES. */
  readonly shared: boolean;
  /** DS_MIGRATE = YES. */
  readonly dsMigrate: boolean;
  /** TM_MAD_SYSTEM: the system-datastore TM drivers this one can deploy with ("ssh" → ["ssh"]). */
  readonly tmMadSystem: readonly string[];
}

/** One DS_MAD_CONF entry. */
export interface DsMadConf {
  readonly name: string;
  readonly attributes: ReadonlyMap<string, string>;
  /** REQUIRED_ATTRS, split on commas (empty when none). */
  readonly requiredAttrs: readonly string[];
  /** PERSISTENT_ONLY = YES. */
  readonly persistentOnly: boolean;
  /** MARKETPLACE_ACTIONS, split on commas. */
  readonly marketplaceActions: readonly string[];
}

const yes = (v: string | undefined) => (v ?? '').trim().toUpperCase() === 'YES';
const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');

/** The TM_MAD_CONF and DS_MAD_CONF entries of oned.conf, by driver name. */
export class StorageMadConf {
  private readonly tmByName = new Map<string, TmMadConf>();
  private readonly dsByName = new Map<string, DsMadConf>();

  constructor(tm: Iterable<ReadonlyMap<string, string>>, ds: Iterable<ReadonlyMap<string, string>>) {
    for (const v of tm) {
      const name = v.get('NAME');
      if (!name) continue;
      const attributes = withoutName(v);
      this.tmByName.set(name, {
        name,
        attributes,
        cloneTarget: attributes.get('CLONE_TARGET'),
        lnTarget: attributes.get('LN_TARGET'),
        shared: yes(attributes.get('SHARED')),
        dsMigrate: yes(attributes.get('DS_MIGRATE')),
        tmMadSystem: list(attributes.get('TM_MAD_SYSTEM')),
      });
    }
    for (const v of ds) {
      const name = v.get('NAME');
      if (!name) continue;
      const attributes = withoutName(v);
      this.dsByName.set(name, {
        name,
        attributes,
        requiredAttrs: list(attributes.get('REQUIRED_ATTRS')),
        persistentOnly: yes(attributes.get('PERSISTENT_ONLY')),
        marketplaceActions: list(attributes.get('MARKETPLACE_ACTIONS')),
      });
    }
  }

  /** Reads every TM_MAD_CONF and DS_MAD_CONF vector of the configuration (the first of a NAME wins, as in oned). */
  static fromConfig(config: ConfigReader): StorageMadConf {
    const vectors = (name: string) =>
      config.template.getAll(name).flatMap((a) => (typeof a.value === 'string' ? [] : [a.value])).filter((v, i, all) => all.findIndex((w) => w.get('NAME') === v.get('NAME')) === i);
    return new StorageMadConf(vectors('TM_MAD_CONF'), vectors('DS_MAD_CONF'));
  }

  /** The TM_MAD_CONF of a transfer driver, or undefined when oned.conf has none for it. */
  tm(name: string): TmMadConf | undefined {
    return this.tmByName.get(name);
  }

  /** The DS_MAD_CONF of a datastore driver, or undefined when oned.conf has none for it. */
  ds(name: string): DsMadConf | undefined {
    return this.dsByName.get(name);
  }

  get tmNames(): string[] {
    return [...this.tmByName.keys()];
  }

  get dsNames(): string[] {
    return [...this.dsByName.keys()];
  }
}

function withoutName(v: ReadonlyMap<string, string>): ReadonlyMap<string, string> {
  const out = new Map(v);
  out.delete('NAME');
  return out;
}
