/**
 * The MarketPlace Manager: oned's side of the marketplace driver (MARKET_MAD). It has the
 * driver store an exported image in a marketplace (IMPORT: the app goes READY with SOURCE, MD5,
 * SIZE and FORMAT, or ERROR), remove an app's data (DELETE) and monitor the marketplaces
 * (MONITOR, every MONITORING_INTERVAL_MARKET seconds and at once for a marketplace not monitored
 * yet): their capacity, and for catalogue (PUBLIC) marketplaces the apps they list, which it
 * creates, updates and removes.
 */
import type { Logger } from '../common/log.js';
import { Template, TemplateSyntaxError } from '../common/template/index.js';
import { xmlElement } from '../common/xml.js';
import type { Database } from '../db/database.js';
import { decodePayload, type Driver, type DriverReply } from '../mad/index.js';
import { Permissions, Transaction } from '../pool/index.js';
import type { MarketMadConf } from './market-conf.js';
import { AppState, AppType, MarketplaceApp, appTypeOf, type AppFields, type Marketplace, type MarketplaceAppPool, type MarketplacePool } from './marketplace.js';
import { DriverOperations } from '../mad/driver-operations.js';

export interface MarketManagerOptions {
  readonly markets: MarketplacePool;
  readonly apps: MarketplaceAppPool;
  readonly db: Database;
  readonly log: Logger;
  /** The MARKET_MAD process; undefined when oned.conf configures none (every action fails). */
  readonly driver: Driver | undefined;
  readonly conf: ReadonlyMap<string, MarketMadConf>;
  /** Seconds between two monitorings of a marketplace (0: only the first one). */
  readonly monitorIntervalSec: number;
}

const IMPORT_TIMEOUT_MS = 6 * 3600_000;
const SHORT_TIMEOUT_MS = 300_000;
const TICK_MS = 1000;
/** Permissions of the apps a catalogue lists: owner use+manage, group and others use. */
const CATALOGUE_APP_PERMISSIONS = 0o644;

/** Base64 of `<MARKET_DRIVER_ACTION_DATA>` around the given XML elements. */
export function marketActionData(...elements: string[]): string {
  return Buffer.from(`<MARKET_DRIVER_ACTION_DATA>${elements.join('')}</MARKET_DRIVER_ACTION_DATA>`).toString('base64');
}

/** What an IMPORT answers: SOURCE, MD5, SIZE (MB), FORMAT. */
export function parseImportReply(info: string): { source: string; md5: string; size: number; format: string } {
  const t = Template.parse(decodePayload(info));
  const source = (t.get('SOURCE') ?? '').trim();
  if (source === '') throw new Error('the marketplace driver answered IMPORT without a SOURCE');
  return { source, md5: (t.get('MD5') ?? '').trim(), size: Math.max(0, Math.ceil(Number(t.get('SIZE') ?? 0)) || 0), format: (t.get('FORMAT') ?? '').trim() };
}

/** What a MONITOR answers: the capacity (when the driver gives it) and the apps a catalogue lists. */
export interface MonitorResult {
  readonly capacity?: { totalMb: number; freeMb: number; usedMb: number };
  readonly apps: Template[];
}

export function parseMonitorReply(info: string): MonitorResult {
  const t = Template.parse(decodePayload(info));
  const mb = (k: string) => Math.max(0, Math.floor(Number(t.get(k) ?? 0)) || 0);
  const capacity = t.has('TOTAL_MB') ? { totalMb: mb('TOTAL_MB'), freeMb: mb('FREE_MB'), usedMb: mb('USED_MB') } : undefined;
  const apps: Template[] = [];
  for (const a of t.getAll('APP')) {
    if (typeof a.value !== 'string') continue;
    apps.push(Template.parse(Buffer.from(a.value, 'base64').toString('utf8')));
  }
  return { capacity, apps };
}

/**
 * Moves an app template's own attributes (SOURCE, MD5, SIZE, FORMAT, DESCRIPTION, VERSION,
 * APPTEMPLATE64, TYPE, REGTIME, ORIGIN_ID) out of it into app fields; the rest stays in the template.
 */
export function takeAppFields(t: Template, base: Pick<AppFields, 'marketId' | 'market'> & { zoneId?: string }): AppFields {
  const take = (k: string) => {
    const v = t.get(k);
    t.remove(k);
    return (v ?? '').trim();
  };
  const typeText = take('TYPE');
  const regtime = Number(take('REGTIME'));
  const origin = take('ORIGIN_ID');
  return {
    regtime: Number.isInteger(regtime) && regtime > 0 ? regtime : Math.floor(Date.now() / 1000),
    // An app is in its marketplace's zone.
    zoneId: base.zoneId ?? '0',
    originId: /^-?\d+$/.test(origin) ? Number(origin) : -1,
    source: take('SOURCE'),
    md5: take('MD5'),
    size: Math.max(0, Math.ceil(Number(take('SIZE'))) || 0),
    description: take('DESCRIPTION'),
    version: take('VERSION'),
    format: take('FORMAT'),
    appTemplate64: take('APPTEMPLATE64'),
    marketId: base.marketId,
    market: base.market,
    state: AppState.READY,
    appType: (typeText === '' ? AppType.IMAGE : appTypeOf(typeText)) ?? AppType.UNKNOWN,
  };
}

export class MarketManager {
  private timer: NodeJS.Timeout | undefined;
  private readonly lastAsked = new Map<number, number>();
  private readonly ops = new DriverOperations((err) => this.o.log.error('MKP', `Marketplace driver operation failed: ${(err as Error).stack ?? String(err)}`));
  private stopping = false;

  constructor(private readonly o: MarketManagerOptions) {}

  /** Marks the apps whose IMPORT a previous run never saw answered as ERROR, then starts monitoring. */
  async start(): Promise<void> {
    const tx = new Transaction(this.o.db);
    for (const app of this.o.apps.all()) {
      if (app.state !== AppState.INIT) continue;
      tx.touch(this.o.apps, app).fields.state = AppState.ERROR;
      app.template.set('ERROR', 'The export was interrupted by a restart of oned: delete the app and export the image again.');
    }
    await this.commit(tx, 'the apps interrupted by a restart');
    this.timer = setInterval(() => this.tick(Date.now()), TICK_MS);
    this.timer.unref();
    this.tick(Date.now());
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.ops.settled();
  }

  /** The MARKET_MAD_CONF of a marketplace's driver. */
  confOf(market: Marketplace): MarketMadConf | undefined {
    return this.o.conf.get(market.fields.marketMad.toLowerCase());
  }

  /** Whether a marketplace's apps come from its monitoring (a read-only catalogue). */
  isCatalogue(market: Marketplace): boolean {
    const c = this.confOf(market);
    return c === undefined || c.public || !c.appActions.has('create');
  }

  /**
   * IMPORT of an image file (`importSource`, its FORMAT) into the marketplace as app `app` (in
   * INIT, in the pool): the reply makes it READY with SOURCE, MD5, SIZE and FORMAT, or ERROR.
   */
  exportImage(app: MarketplaceApp, market: Marketplace, importSource: string, format: string, sizeMb: number): void {
    const oid = app.oid;
    const data = marketActionData(xmlElement('IMPORT_SOURCE', importSource), xmlElement('FORMAT', format), `<SIZE>${sizeMb}</SIZE>`, '<MD5/>', app.toXml(), market.toXml());
    this.track(this.request('IMPORT', oid, data, IMPORT_TIMEOUT_MS).then((reply) => this.imported(oid, reply)));
  }

  /** DELETE of an app's data (the app has left the pool already); a failure is logged. */
  removeAppData(app: MarketplaceApp, market: Marketplace): void {
    if (!this.confOf(market)?.appActions.has('delete') || app.fields.source === '') return;
    const oid = app.oid;
    this.track(
      this.request('DELETE', oid, marketActionData(app.toXml(), market.toXml()), SHORT_TIMEOUT_MS).then((reply) => {
        if (!reply.ok) this.o.log.error('MKP', `Error removing the data of app ${oid} (${app.fields.source}) from marketplace ${market.oid}: ${reply.info}`);
      }),
    );
  }

  /** Has the marketplace monitored at the next tick (after an update or enable). */
  monitorSoon(marketId: number): void {
    this.lastAsked.delete(marketId);
  }

  private async request(action: string, id: number, data: string, timeoutMs: number): Promise<DriverReply> {
    if (!this.o.driver) return { ok: false, info: 'No MARKET_MAD driver is configured in oned.conf', logs: [] };
    return this.o.driver.request(action, id, [data], { timeoutMs });
  }

  private track(op: Promise<void>): void {
    this.ops.track(op);
  }

  private async commit(tx: Transaction, what: string): Promise<void> {
    try {
      await tx.commit();
    } catch (err) {
      this.o.log.error('MKP', `Cannot store ${what}: ${(err as Error).message}`);
    }
  }

  private async imported(oid: number, reply: DriverReply): Promise<void> {
    const { apps, log } = this.o;
    if (this.stopping && !reply.ok) return; // start() of the next run marks it
    const app = apps.get(oid);
    if (!app || app.state !== AppState.INIT) return;
    const tx = new Transaction(this.o.db);
    tx.touch(apps, app);
    let message = reply.info || `Error importing app ${oid}`;
    if (reply.ok) {
      try {
        const r = parseImportReply(reply.info);
        Object.assign(app.fields, { source: r.source, md5: r.md5, size: r.size, format: r.format || app.fields.format, state: AppState.READY });
        app.template.remove('ERROR');
        log.info('MKP', `App ${oid} exported to marketplace ${app.fields.marketId}: ${r.source}`);
        message = '';
      } catch (err) {
        message = (err as Error).message;
      }
    }
    if (message) {
      app.fields.state = AppState.ERROR;
      app.template.set('ERROR', message);
      log.error('MKP', `App ${oid}: export failed: ${message}`);
    }
    await this.commit(tx, `the result of the export of app ${oid}`);
  }

  private tick(now: number): void {
    const intervalMs = this.o.monitorIntervalSec * 1000;
    for (const m of this.o.markets.all()) {
      if (!m.enabled) continue;
      const last = this.lastAsked.get(m.oid);
      if (last !== undefined && (intervalMs === 0 || now - last < intervalMs)) continue;
      this.lastAsked.set(m.oid, now);
      this.track(this.monitor(m));
    }
    for (const oid of this.lastAsked.keys()) if (!this.o.markets.get(oid)) this.lastAsked.delete(oid);
  }

  private async monitor(market: Marketplace): Promise<void> {
    const { markets, log } = this.o;
    const oid = market.oid;
    const reply = await this.request('MONITOR', oid, marketActionData(market.toXml()), SHORT_TIMEOUT_MS);
    const current = markets.get(oid);
    if (!current) return;
    if (!reply.ok) {
      if (this.stopping) return;
      log.error('MKP', `Error monitoring marketplace ${oid}: ${reply.info}`);
      const tx = new Transaction(this.o.db);
      tx.touch(markets, current).template.set('ERROR', reply.info);
      await this.commit(tx, `the monitoring error of marketplace ${oid}`);
      return;
    }
    let result: MonitorResult;
    try {
      result = parseMonitorReply(reply.info);
    } catch (err) {
      log.error('MKP', `Monitoring data of marketplace ${oid} is not a template: ${err instanceof TemplateSyntaxError ? err.message : String(err)}`);
      return;
    }
    const tx = new Transaction(this.o.db);
    tx.touch(markets, current);
    current.template.remove('ERROR');
    if (result.capacity) Object.assign(current.fields, result.capacity);
    if (this.isCatalogue(current)) this.syncApps(tx, current, result.apps);
    await this.commit(tx, `the monitoring of marketplace ${oid}`);
    log.debug('MKP', `Marketplace ${current.name} (${oid}) monitored: ${current.apps.size} apps`);
  }

  /** Makes a catalogue marketplace's apps those its monitoring listed (matched by NAME). */
  private syncApps(tx: Transaction, market: Marketplace, listed: Template[]): void {
    const { apps, log } = this.o;
    const byName = new Map<string, MarketplaceApp>();
    for (const id of market.apps) {
      const a = apps.get(id);
      if (a) byName.set(a.name, a);
    }
    const seen = new Set<number>();
    for (const t of listed) {
      const name = (t.get('NAME') ?? '').trim();
      t.remove('NAME');
      if (name === '') continue;
      const fields = takeAppFields(t, { marketId: market.oid, market: market.name, zoneId: market.fields.zoneId });
      const existing = byName.get(name);
      if (existing) {
        seen.add(existing.oid);
        const keep = existing.fields.state === AppState.DISABLED ? AppState.DISABLED : AppState.READY;
        const same = JSON.stringify({ ...existing.fields, regtime: 0 }) === JSON.stringify({ ...fields, state: keep, regtime: 0 }) && existing.template.toXml() === t.toXml();
        if (same) continue;
        tx.touch(apps, existing).fields = { ...fields, state: keep, regtime: existing.fields.regtime };
        existing.template = t;
        continue;
      }
      const clash = apps.getByName(name, market.owner.uid);
      if (clash) {
        log.warn('MKP', `Marketplace ${market.oid} lists app "${name}", a name user ${market.owner.uid} already has (app ${clash.oid}): skipped`);
        continue;
      }
      const app = tx.create(apps, new MarketplaceApp(apps.nextOid(), name, { ...market.owner }, Permissions.fromOctal(CATALOGUE_APP_PERMISSIONS), fields, t));
      market.apps.add(app.oid);
      seen.add(app.oid);
    }
    for (const id of [...market.apps]) {
      if (seen.has(id)) continue;
      const a = apps.get(id);
      market.apps.delete(id);
      if (a) tx.delete(apps, a);
    }
  }
}
