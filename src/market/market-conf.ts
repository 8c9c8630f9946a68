/**
 * MARKET_MAD_CONF: what oned.conf says of each marketplace driver (one vector per NAME):
 * REQUIRED_ATTRS a marketplace of that driver must have, APP_ACTIONS (create, delete, monitor)
 * and PUBLIC (a catalogue whose apps come from its monitoring). The drivers MARKET_MAD's `-m`
 * list names are the ones marketplaces may use.
 */
import { Template, type Vector } from '../common/template/index.js';
import type { ConfigReader } from '../common/config.js';
import { dashList } from '../datastore/datastore-drivers.js';

export interface MarketMadConf {
  readonly name: string;
  readonly requiredAttrs: readonly string[];
  readonly appActions: ReadonlySet<string>;
  readonly public: boolean;
}

/** OpenNebula 7.4's entries for the drivers this project ships, used when oned.conf has none. */
const FALLBACK = `
MARKET_MAD_CONF = [ NAME = "one", SUNSTONE_NAME = "OpenNebula.org Marketplace", REQUIRED_ATTRS = "", APP_ACTIONS = "monitor", PUBLIC = "yes" ]
MARKET_MAD_CONF = [ NAME = "http", SUNSTONE_NAME = "HTTP server", REQUIRED_ATTRS = "BASE_URL,PUBLIC_DIR", APP_ACTIONS = "create, delete, monitor" ]
`;

function list(text: string | undefined): string[] {
  return (text ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function fromVector(v: Vector): MarketMadConf {
  return {
    name: (v.get('NAME') ?? '').trim(),
    requiredAttrs: list(v.get('REQUIRED_ATTRS')).map((s) => s.toUpperCase()),
    appActions: new Set(list(v.get('APP_ACTIONS')).map((s) => s.toLowerCase())),
    public: /^(yes|true)$/i.test((v.get('PUBLIC') ?? '').trim()),
  };
}

/** The MARKET_MAD_CONF entries by lower-case NAME (the fallback when oned.conf has none). */
export function marketMadConf(config: Template): Map<string, MarketMadConf> {
  const out = new Map<string, MarketMadConf>();
  let attrs = config.getAll('MARKET_MAD_CONF');
  if (attrs.length === 0) attrs = Template.parse(FALLBACK).getAll('MARKET_MAD_CONF');
  for (const a of attrs) {
    if (typeof a.value === 'string') continue;
    const c = fromVector(a.value);
    if (c.name !== '' && !out.has(c.name.toLowerCase())) out.set(c.name.toLowerCase(), c);
  }
  return out;
}

/** The MARKET_MAD names marketplaces may use: MARKET_MAD's `-m` list, else every configured one. */
export function marketDrivers(config: ConfigReader, conf: ReadonlyMap<string, MarketMadConf>): Set<string> {
  const given = dashList(config.vector('MARKET_MAD').get('ARGUMENTS') ?? '', '-m');
  return new Set((given ?? [...conf.keys()]).map((s) => s.toLowerCase()));
}
