/**
 * The Image Manager: oned's side of the datastore driver (DATASTORE_MAD). It has the driver
 * store images (CP, MKFS, CLONE), remove them (RM), measure what a PATH holds (STAT) and monitor
 * the datastores' capacity (MONITOR, every DATASTORE_MONITORING_INTERVAL seconds, and at once
 * for a datastore oned has not monitored yet). API calls answer before the driver does: the
 * reply moves the image out of LOCKED (or DELETE) later.
 */
import type { Logger } from '../common/log.js';
import { Template, TemplateSyntaxError } from '../common/template/index.js';
import { xmlElement } from '../common/xml.js';
import type { Database } from '../db/database.js';
import { DatastoreType, type Datastore, type DatastorePool } from '../datastore/index.js';
import { decodePayload, type Driver, type DriverReply } from '../mad/index.js';
import { Transaction } from '../pool/index.js';
import { ImageState, type Image } from './image.js';
import type { ImagePool } from './image-pool.js';

export interface ImageManagerOptions {
  readonly images: ImagePool;
  readonly datastores: DatastorePool;
  readonly db: Database;
  readonly log: Logger;
  /** The DATASTORE_MAD process; undefined when oned.conf configures none (every action fails). */
  readonly driver: Driver | undefined;
  /** Seconds between two monitorings of a datastore (0: only the first one). */
  readonly monitorIntervalSec: number;
  /** DATASTORE_LOCATION, sent with MONITOR of system datastores. */
  readonly location: string;
}

/** How long a copy, clone or mkfs may take: images can be large. */
const COPY_TIMEOUT_MS = 6 * 3600_000;
/** How long STAT, RM and MONITOR may take. */
const SHORT_TIMEOUT_MS = 120_000;
/** How often the manager looks for datastores due for monitoring. */
const TICK_MS = 1000;

/** The outcome of STAT: the size in MB, or the driver's message. */
export type StatResult = { ok: true; sizeMb: number } | { ok: false; message: string };

/** Base64 of `<DS_DRIVER_ACTION_DATA>` around the given XML elements, as requests carry it. */
export function actionData(...elements: string[]): string {
  return Buffer.from(`<DS_DRIVER_ACTION_DATA>${elements.join('')}</DS_DRIVER_ACTION_DATA>`).toString('base64');
}

/**
 * What CP and CLONE answer: `<source> <format>`, then optional `KEY=VALUE` words (the fs driver
 * sends MD5 and SHA1 of what it stored) that go into the image template.
 */
export function parseCopyReply(info: string): { source: string; format: string; attributes: [string, string][] } {
  const [source = '', format = '', ...rest] = info.trim().split(/\s+/);
  const attributes: [string, string][] = [];
  for (const word of rest) {
    const eq = word.indexOf('=');
    if (eq > 0 && /^[A-Z0-9_]+$/.test(word.slice(0, eq))) attributes.push([word.slice(0, eq), word.slice(eq + 1)]);
  }
  return { source, format, attributes };
}

export class ImageManager {
  private timer: NodeJS.Timeout | undefined;
  /** When each datastore was last asked (epoch ms), in memory: a restart monitors them all. */
  private readonly lastAsked = new Map<number, number>();
  /** Driver operations in flight, which stop() waits for. */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly o: ImageManagerOptions) {}

  /** Starts monitoring datastores: every one at once, then every interval. */
  start(): void {
    this.timer = setInterval(() => this.tick(Date.now()), TICK_MS);
    this.timer.unref();
    this.tick(Date.now());
  }

  /** Stops monitoring; waits for the driver operations in flight. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  /** Size in MB of what `template`'s PATH names, asked to the datastore's driver (STAT). */
  async stat(template: Template, ds: Datastore): Promise<StatResult> {
    const reply = await this.request('STAT', -1, actionData(template.toXml('IMAGE'), ds.toXml()), SHORT_TIMEOUT_MS);
    const size = Number(reply.info.trim());
    if (!reply.ok) return { ok: false, message: reply.info || 'Cannot determine the image size' };
    if (!Number.isFinite(size) || size < 0) return { ok: false, message: `Datastore driver answered STAT with "${reply.info}", not a size in MB` };
    return { ok: true, sizeMb: Math.ceil(size) };
  }

  /**
   * Has the driver store a new image, LOCKED in the pool already: CP from its PATH, or MKFS of
   * an empty datablock. The reply makes it READY (SOURCE, FORMAT set) or ERROR.
   */
  register(image: Image, ds: Datastore): void {
    const action = image.fields.path === '' ? 'MKFS' : 'CP';
    const data = actionData(image.toXml(), ds.toXml());
    this.track(this.request(action, image.oid, data, COPY_TIMEOUT_MS).then((reply) => this.stored(image.oid, -1, action, reply)));
  }

  /**
   * Has the driver copy `source` into `ds` as image `clone` (LOCKED, with CLONING_ID set; the
   * source counted in CLONING_OPS). The reply makes the clone READY or ERROR and the source
   * leave CLONE when it was its last clone.
   */
  clone(clone: Image, source: Image, ds: Datastore): void {
    const data = actionData(source.toXml(), ds.toXml());
    this.track(this.request('CLONE', clone.oid, data, COPY_TIMEOUT_MS).then((reply) => this.stored(clone.oid, source.oid, 'CLONE', reply)));
  }

  /**
   * Has the driver remove an image (in DELETE state, quotas given back already); the reply
   * drops it from the pool and its datastore, whatever the driver says (a failure is logged:
   * the admin removes the SOURCE by hand, as OpenNebula asks).
   */
  remove(image: Image, ds: Datastore | undefined): void {
    const data = actionData(image.toXml(), ds?.toXml() ?? '');
    const oid = image.oid;
    this.track(this.request('RM', oid, data, SHORT_TIMEOUT_MS).then((reply) => this.removed(oid, reply)));
  }

  private async request(action: string, id: number, data: string, timeoutMs: number): Promise<DriverReply> {
    if (!this.o.driver) return { ok: false, info: 'No DATASTORE_MAD driver is configured in oned.conf', logs: [] };
    return this.o.driver.request(action, id, [data], { timeoutMs });
  }

  private track(op: Promise<void>): void {
    const p = op
      .catch((err: unknown) => this.o.log.error('ImM', `Datastore driver operation failed: ${(err as Error).stack ?? String(err)}`))
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async commit(tx: Transaction, what: string): Promise<void> {
    try {
      await tx.commit();
    } catch (err) {
      this.o.log.error('ImM', `Cannot store ${what}: ${(err as Error).message}`);
    }
  }

  /** A CP, MKFS or CLONE answered. */
  private async stored(oid: number, sourceId: number, action: string, reply: DriverReply): Promise<void> {
    const { images, log } = this.o;
    // The driver call yielded: look the images up again.
    const image = images.get(oid);
    const source = sourceId >= 0 ? images.get(sourceId) : undefined;
    const tx = new Transaction(this.o.db);
    if (source) {
      tx.touch(images, source);
      source.fields.cloningOps = Math.max(0, source.fields.cloningOps - 1);
      source.clones.delete(oid);
      if (source.fields.cloningOps === 0 && source.state === ImageState.CLONE) source.ready();
    }
    if (image && image.state === ImageState.LOCKED) {
      tx.touch(images, image);
      image.fields.cloningId = -1;
      if (reply.ok) {
        const { source: stored, format, attributes } = parseCopyReply(reply.info);
        image.fields.source = stored;
        if (action !== 'MKFS' && format) image.fields.format = format;
        if (!image.fields.format) image.fields.format = 'raw';
        for (const [k, v] of attributes) image.template.set(k, v);
        image.ready();
        log.info('ImM', `Image ${oid} stored by ${action}: ${stored}`);
      } else {
        const message = reply.info || `Error in ${action} of image ${oid}`;
        image.failed(message);
        log.error('ImM', `Image ${oid}: ${action} failed: ${message}`);
      }
    }
    await this.commit(tx, `the result of ${action} of image ${oid}`);
  }

  /** An RM answered: the image leaves the pool and its datastore. */
  private async removed(oid: number, reply: DriverReply): Promise<void> {
    const { images, datastores, log } = this.o;
    const image = images.get(oid);
    if (!image) return;
    if (!reply.ok) {
      log.error('ImM', `Error removing image ${oid} from datastore: ${reply.info}. Manually remove image source ${image.fields.source} to completely delete the image`);
    }
    const tx = new Transaction(this.o.db);
    const ds = datastores.get(image.fields.datastoreId);
    if (ds) tx.touch(datastores, ds).images.delete(oid);
    tx.delete(images, image);
    await this.commit(tx, `the deletion of image ${oid}`);
  }

  /** Starts the datastore monitorings that are due. */
  private tick(now: number): void {
    const intervalMs = this.o.monitorIntervalSec * 1000;
    for (const ds of this.o.datastores.all()) {
      const last = this.lastAsked.get(ds.oid);
      if (last !== undefined && (intervalMs === 0 || now - last < intervalMs)) continue;
      this.lastAsked.set(ds.oid, now);
      this.track(this.monitor(ds));
    }
    for (const oid of this.lastAsked.keys()) if (!this.o.datastores.get(oid)) this.lastAsked.delete(oid);
  }

  /** MONITOR of one datastore: TOTAL_MB, FREE_MB and USED_MB. */
  private async monitor(ds: Datastore): Promise<void> {
    const { datastores, log } = this.o;
    const extra = ds.fields.dsType === DatastoreType.SYSTEM_DS ? `${xmlElement('DATASTORE_LOCATION', this.o.location)}<MONITOR_VM_DISKS>0</MONITOR_VM_DISKS>` : '';
    const oid = ds.oid;
    const reply = await this.request('MONITOR', oid, actionData(ds.toXml(), extra), SHORT_TIMEOUT_MS);
    if (!reply.ok) {
      log.error('ImM', `Error monitoring datastore ${oid}: ${reply.info}`);
      return;
    }
    let probe: Template;
    try {
      probe = Template.parse(decodePayload(reply.info));
    } catch (err) {
      log.error('ImM', `Monitoring data of datastore ${oid} is not a template: ${err instanceof TemplateSyntaxError ? err.message : String(err)}`);
      return;
    }
    const mb = (k: string) => Math.max(0, Math.floor(Number(probe.get(k) ?? 0)) || 0);
    const current = datastores.get(oid);
    if (!current) return;
    const tx = new Transaction(this.o.db);
    tx.touch(datastores, current).setCapacity({ totalMb: mb('TOTAL_MB'), freeMb: mb('FREE_MB'), usedMb: mb('USED_MB') });
    await this.commit(tx, `the capacity of datastore ${oid}`);
    log.debug('ImM', `Datastore ${ds.name} (${oid}) monitored: ${mb('FREE_MB')} of ${mb('TOTAL_MB')} MB free`);
  }
}
