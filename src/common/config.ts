/**
 * oned.conf: OpenNebula's template syntax. The defaults ship in share/etc/oned.conf; a site's
 * file overrides them attribute by attribute, and for single-instance vectors (DB, LOG) key by
 * key, so `DB = [ BACKEND = "postgresql" ]` keeps the other DB defaults. The per-driver lists
 * (TM_MAD_CONF, DS_MAD_CONF, ...) are merged by NAME: a site entry replaces the default entry of
 * the same NAME, and the other defaults stay.
 */
import { readFileSync, existsSync } from 'node:fs';
import { Template, TemplateSyntaxError, type Vector } from './template/index.js';

export class ConfigError extends Error {}

/** Reads a configuration file, naming the file in syntax errors. */
export function readConfigFile(path: string): Template {
  const text = readFileSync(path, 'utf8');
  try {
    return Template.parse(text);
  } catch (err) {
    if (err instanceof TemplateSyntaxError) throw new ConfigError(`${path}: ${err.message}`);
    throw err;
  }
}

/** Vectors that describe one driver each, merged by their NAME. */
const BY_NAME = new Set(['TM_MAD_CONF', 'DS_MAD_CONF', 'AUTH_MAD_CONF', 'MARKET_MAD_CONF', 'VN_MAD_CONF']);

/** The defaults overridden by the site's file, if it exists. */
export function loadConfig(defaultsPath: string, sitePath: string): Template {
  const config = readConfigFile(defaultsPath);
  if (!existsSync(sitePath)) return config;
  const site = readConfigFile(sitePath);
  const seen = new Set<string>();
  for (const attr of site.attributes()) {
    if (seen.has(attr.name)) continue;
    seen.add(attr.name);
    const mine = site.getAll(attr.name);
    const defaults = config.getAll(attr.name);
    if (BY_NAME.has(attr.name)) {
      const named = (a: { value: string | Vector }) => (typeof a.value === 'string' ? undefined : a.value.get('NAME'));
      const replaced = new Set(mine.map(named));
      const kept = defaults.filter((a) => named(a) === undefined || !replaced.has(named(a)));
      config.remove(attr.name);
      for (const a of [...kept, ...mine]) config.add(a.name, a.value);
      continue;
    }
    const only = mine[0]!.value;
    const def = defaults[0]?.value;
    if (mine.length === 1 && defaults.length === 1 && typeof only !== 'string' && typeof def !== 'string' && def) {
      const merged: Vector = new Map(def);
      for (const [k, v] of only) merged.set(k, v);
      config.set(attr.name, merged);
    } else {
      config.remove(attr.name);
      for (const a of mine) config.add(a.name, a.value);
    }
  }
  return config;
}

/** Typed reads of configuration values, with errors that name the attribute. */
export class ConfigReader {
  constructor(readonly template: Template) {}

  string(name: string, fallback = ''): string {
    return this.template.get(name) ?? fallback;
  }

  int(name: string, fallback: number): number {
    const v = this.template.get(name);
    if (v === undefined || v === '') return fallback;
    if (!/^-?\d+$/.test(v.trim())) throw new ConfigError(`${name} must be an integer, got "${v}"`);
    return Number.parseInt(v, 10);
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.template.get(name);
    if (v === undefined || v === '') return fallback;
    return /^(yes|true|1|on)$/i.test(v.trim());
  }

  vector(name: string): Vector {
    return this.template.getVector(name) ?? new Map();
  }
}
