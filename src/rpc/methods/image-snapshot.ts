/**
 * Snapshots of an image not in use: `one.image.snapshotdelete`, `snapshotrevert`,
 * `snapshotflatten` (`i id, i snap_id`). The image is LOCKED with its TARGET_SNAPSHOT while the
 * datastore driver works (SNAP_DELETE, SNAP_REVERT, SNAP_FLATTEN), then READY again; a failure
 * leaves the snapshots as they were and says why in the image's ERROR.
 */
import { AuthOp } from '../../auth/operation.js';
import { ImageState, imageStateName, type Image } from '../../image/index.js';
import { DiskSnapshots } from '../../vm/disk-snapshots.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';

type Op = { action: 'SNAP_DELETE' | 'SNAP_REVERT' | 'SNAP_FLATTEN'; verb: string; apply: (image: Image, snapId: number) => void };

const OPS: Record<string, Op> = {
  delete: { action: 'SNAP_DELETE', verb: 'delete snapshot', apply: (image, id) => image.snapshots.remove(id) },
  revert: { action: 'SNAP_REVERT', verb: 'revert to snapshot', apply: (image, id) => image.snapshots.activate(id) },
  // The image keeps the snapshot's content and has no snapshots any more.
  flatten: { action: 'SNAP_FLATTEN', verb: 'flatten snapshot', apply: (image) => (image.snapshots = new DiskSnapshots(-1, image.snapshots.allowOrphans)) },
};

async function snapshotOp(req: Request, name: keyof typeof OPS, oid: number, snapId: number): Promise<number> {
  const op = OPS[name]!;
  const image = req.authorized(req.core.images, oid, AuthOp.MANAGE);
  const what = `Cannot ${op.verb} ${snapId} of image ${oid}`;
  if (image.state !== ImageState.READY) {
    throw new ApiError(ErrorCode.ACTION, `${what}: the image is ${imageStateName(image.state)}; only a READY image (not used by any VM) can be changed.`, oid);
  }
  if (!image.snapshots.snaps.has(snapId)) throw new ApiError(ErrorCode.ACTION, `${what}: snapshot ${snapId} does not exist.`, oid);
  if (name === 'delete') {
    const problem = image.snapshots.deleteError(snapId);
    if (problem) throw new ApiError(ErrorCode.ACTION, `${what}: ${problem}.`, oid);
  }
  const ds = req.core.datastores.get(image.fields.datastoreId);
  if (!ds) throw new ApiError(ErrorCode.ACTION, `${what}: its datastore ${image.fields.datastoreId} does not exist.`, oid);
  const tx = req.transaction();
  tx.touch(req.core.images, image);
  image.setState(ImageState.LOCKED);
  image.fields.targetSnapshot = snapId;
  await tx.commit();
  const images = req.core.images;
  req.core.imageManager.snapshotAction(op.action, image, ds, (done, reply) => {
    const current = images.get(oid);
    if (!current || current.state !== ImageState.LOCKED) return;
    done.touch(images, current);
    current.fields.targetSnapshot = -1;
    if (reply.ok) op.apply(current, snapId);
    current.ready();
    if (!reply.ok) current.template.set('ERROR', `Error in ${op.action} of snapshot ${snapId}: ${reply.info || 'driver failure'}`);
  });
  return oid;
}

export const imageSnapshotMethods: MethodDef[] = (['delete', 'revert', 'flatten'] as const).map((name) =>
  method({
    name: `one.image.snapshot${name}`,
    params: ['i', 'i'],
    run: (req, [oid, snapId]) => snapshotOp(req, name, oid, snapId),
  }),
);
