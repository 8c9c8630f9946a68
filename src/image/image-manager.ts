/**
 * The Image Manager: oned's side of the datastore driver (DATASTORE_MAD). It has the driver
 * store images (CP, MKFS, CLONE), remove them (RM), measure what a PATH holds (STAT) and monitor
 * the datastores' capacity (MONITOR, every DATASTORE_MONITORING_INTERVAL seconds, and at once
 * for a datastore oned has not monitored yet). API calls answer before the driver does: the
 * reply moves the image out of LOCKED (or DELETE) later.
 *
 * A reply lost because oned stopped or died is not lost for good: on start, the manager
 * re-issues every operation the stored images are still waiting for (see `resume`), and on stop
 * it leaves the images of the operations cut short as they are, for the next start to resume.
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
import { DriverOperations } from '../mad/driver-operations.js';

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
  private readonly ops = new DriverOperations((err) => this.o.log.error('ImM', `Datastore driver operation failed: ${(err as Error).stack ?? String(err)}`));
  /** Set by stop(): oned is stopping (see `cutShort`). */
  private stopping = false;

  constructor(private readonly o: ImageManagerOptions) {}

  /**
   * Resumes the operations a previous run left unanswered (see `resume`), then starts
   * monitoring datastores: every one at once, then every interval.
   */
  start(): void {
    this.resume();
    this.timer = setInterval(() => this.tick(Date.now()), TICK_MS);
    this.timer.unref();
    this.tick(Date.now());
  }

  /**
   * Stops monitoring; waits for the driver operations in flight. Those the stopping driver cuts
   * short leave their images LOCKED (or in DELETE), to be resumed by the next start.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.ops.settled();
  }

  /**
   * What a restart does with the images whose driver reply the previous run of oned never got
   * (it stopped or died meanwhile): a LOCKED image has its CP, MKFS or CLONE issued again (they
   * write to a fresh SOURCE, so a half-made copy is never reused), an image in DELETE its RM
   * (which succeeds when the file is gone already). The replies then end them as usual: READY,
   * ERROR with the reason, or removed. A source image left in CLONE counts again only the
   * clones still being made, and is READY when there are none. Quotas and the datastores'
   * IMAGES lists need no change: they were updated when the operation began. Runs once, at
   * start, before the API serves.
   */
  resume(): void {
    const { images, datastores, log } = this.o;
    const tx = new Transaction(this.o.db);
    const copies: Image[] = [];
    const removals: Image[] = [];
    const sources: Image[] = [];
    for (const image of images.all()) {
      if (image.state === ImageState.LOCKED && image.fields.targetSnapshot >= 0) {
        // An image snapshot action (SNAP_*) cut short: the image is as the driver left it.
        log.info('ImM', `Image ${image.oid}: snapshot operation on ${image.fields.targetSnapshot} interrupted by a restart of oned; the image is READY again`);
        tx.touch(images, image).fields.targetSnapshot = -1;
        image.ready();
        continue;
      }
      // A 3.x save-as image with its SOURCE waits for its VM's epilog, not for a driver.
      if (image.state === ImageState.LOCKED && !(isSavedAs(image) && image.fields.source !== '')) copies.push(image);
      else if (image.state === ImageState.DELETE) removals.push(image);
      if (image.state === ImageState.CLONE || image.clones.size > 0) sources.push(image);
    }
    for (const image of copies) {
      const ds = datastores.get(image.fields.datastoreId);
      const source = image.fields.cloningId >= 0 ? images.get(image.fields.cloningId) : undefined;
      const action = image.fields.cloningId >= 0 ? 'CLONE' : image.fields.path === '' ? 'MKFS' : 'CP';
      const missing = !ds ? `its datastore ${image.fields.datastoreId} no longer exists` : action === 'CLONE' && !source ? `the image it was cloned from (${image.fields.cloningId}) no longer exists` : '';
      if (missing) {
        tx.touch(images, image);
        image.fields.cloningId = -1;
        image.failed(`${action} was interrupted by a restart of oned and cannot be retried: ${missing}. Delete the image and register it again.`);
        log.error('ImM', `Image ${image.oid}: ${action} interrupted by a restart, not retried: ${missing}`);
        continue;
      }
      log.info('ImM', `Image ${image.oid}: ${action} was interrupted by a restart of oned, issuing it again`);
      if (action === 'CLONE') this.store(image, source!.oid, action, actionData(source!.toXml(), ds!.toXml()), true);
      else this.store(image, -1, action, actionData(image.toXml(), ds!.toXml()), true);
    }
    // After the copies: a clone that cannot be retried no longer counts in its source.
    for (const image of sources) this.recountClones(tx, image);
    for (const image of removals) {
      log.info('ImM', `Image ${image.oid}: RM was interrupted by a restart of oned, issuing it again`);
      this.remove(image, datastores.get(image.fields.datastoreId));
    }
    this.track(this.commit(tx, 'the images resumed after a restart'));
  }

  /** A source image counts as cloning only the clones still LOCKED waiting for it (resume). */
  private recountClones(tx: Transaction, image: Image): void {
    const pending = [...image.clones].filter((id) => {
      const clone = this.o.images.get(id);
      return clone !== undefined && clone.state === ImageState.LOCKED && clone.fields.cloningId === image.oid;
    });
    if (pending.length === image.clones.size && pending.length === image.fields.cloningOps && (pending.length > 0 || image.state !== ImageState.CLONE)) return;
    tx.touch(this.o.images, image);
    image.clones.clear();
    for (const id of pending) image.clones.add(id);
    image.fields.cloningOps = pending.length;
    if (pending.length === 0 && image.state === ImageState.CLONE) image.ready();
    this.o.log.info('ImM', `Image ${image.oid}: ${pending.length} clones still being made after a restart`);
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
    this.store(image, -1, image.fields.path === '' ? 'MKFS' : 'CP', actionData(image.toXml(), ds.toXml()), false);
  }

  /**
   * MKFS of the image a 3.x `one.vm.savedisk` makes (template SAVED_VM_ID): resolves once the
   * driver answered. The image keeps LOCKED with its SOURCE: the VM's epilog fills it (MVDS)
   * and its release makes it READY (ImagePool.savedAsReady).
   */
  registerSaved(image: Image, ds: Datastore): Promise<void> {
    const oid = image.oid;
    const done = this.request('MKFS', oid, actionData(image.toXml(), ds.toXml()), COPY_TIMEOUT_MS).then((reply) => this.stored(oid, -1, 'MKFS', reply, false));
    this.track(done);
    return done;
  }

  /**
   * Has the driver copy `source` into `ds` as image `clone` (LOCKED, with CLONING_ID set; the
   * source counted in CLONING_OPS). The reply makes the clone READY or ERROR and the source
   * leave CLONE when it was its last clone.
   */
  clone(clone: Image, source: Image, ds: Datastore): void {
    this.store(clone, source.oid, 'CLONE', actionData(source.toXml(), ds.toXml()), false);
  }

  /** Sends a CP, MKFS or CLONE for `image` (from image `sourceId` for a CLONE); `resumed` after a restart. */
  private store(image: Image, sourceId: number, action: string, data: string, resumed: boolean): void {
    const oid = image.oid;
    this.track(this.request(action, oid, data, COPY_TIMEOUT_MS).then((reply) => this.stored(oid, sourceId, action, reply, resumed)));
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

  /** RESTORE of a backup image (one.image.restore, see src/backup/restore.ts): the driver's reply. */
  restoreRequest(imageId: number, data: string): Promise<DriverReply> {
    return this.request('RESTORE', imageId, data, COPY_TIMEOUT_MS);
  }

  /**
   * Sends an image snapshot action (SNAP_DELETE, SNAP_REVERT, SNAP_FLATTEN) for an image the
   * caller has LOCKED with its TARGET_SNAPSHOT; `done` applies the reply in a new transaction.
   */
  snapshotAction(action: string, image: Image, ds: Datastore, done: (tx: Transaction, reply: DriverReply) => void): void {
    const data = actionData(image.toXml(), ds.toXml());
    const oid = image.oid;
    this.track(
      this.request(action, oid, data, COPY_TIMEOUT_MS).then(async (reply) => {
        if (this.cutShort(reply)) return;
        const tx = new Transaction(this.o.db);
        done(tx, reply);
        await this.commit(tx, `image ${oid}`);
      }),
    );
  }

  private async request(action: string, id: number, data: string, timeoutMs: number): Promise<DriverReply> {
    if (!this.o.driver) return { ok: false, info: 'No DATASTORE_MAD driver is configured in oned.conf', logs: [] };
    // A TIMEOUT in the DATASTORE_MAD entry bounds every request, copies included.
    return this.o.driver.request(action, id, [data], { timeoutMs: this.o.driver.configuredTimeoutMs ?? timeoutMs });
  }

  /**
   * Whether a failed reply only says that oned is stopping its driver, not that the operation
   * failed: the image then stays as it is, for the next start to resume.
   */
  private cutShort(reply: DriverReply): boolean {
    const state = this.o.driver?.state;
    return !reply.ok && this.stopping && (state === 'stopping' || state === 'stopped');
  }

  private track(op: Promise<void>): void {
    this.ops.track(op);
  }

  private async commit(tx: Transaction, what: string): Promise<void> {
    try {
      await tx.commit();
    } catch (err) {
      this.o.log.error('ImM', `Cannot store ${what}: ${(err as Error).message}`);
    }
  }

  /** A CP, MKFS or CLONE answered. */
  private async stored(oid: number, sourceId: number, action: string, reply: DriverReply, resumed: boolean): Promise<void> {
    const { images, log } = this.o;
    if (this.cutShort(reply)) {
      log.info('ImM', `Image ${oid}: ${action} cut short by the stop of oned, resumed at the next start`);
      return;
    }
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
        image.fields.modtime = Math.floor(Date.now() / 1000);
        if (!isSavedAs(image)) image.ready();
        log.info('ImM', `Image ${oid} stored by ${action}: ${stored}`);
      } else {
        const reason = reply.info || `Error in ${action} of image ${oid}`;
        const message = resumed ? `${action} was interrupted by a restart of oned and failed when issued again: ${reason}` : reason;
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
    if (this.cutShort(reply)) {
      log.info('ImM', `Image ${oid}: RM cut short by the stop of oned, resumed at the next start`);
      return;
    }
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

/** An image a 3.x `one.vm.savedisk` made: filled by its VM's epilog. */
export function isSavedAs(image: Image): boolean {
  return image.template.get('SAVED_VM_ID') !== undefined;
}
