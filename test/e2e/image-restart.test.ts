/**
 * Images whose datastore operation was under way when oned stopped or died: the dummy datastore
 * driver is scripted (`one_datastore -a`) to take long over CP, CLONE and RM, oned is killed
 * (SIGKILL) or stopped (SIGTERM) meanwhile, and after the restart every image ends READY, in
 * ERROR saying why, or removed, with the owner's DATASTORE quota and the datastore's IMAGES
 * list matching what is left.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { childInt, childText, parseXmlTree, type XmlNode } from '../../src/common/xml-tree.js';
import type { Oned } from './harness.js';
import { Code, addUser, idList, must, okId, okXml, onEveryBackend, templateOf } from './api-helpers.js';

const State = { READY: 1, LOCKED: 4, ERROR: 5, CLONE: 6, DELETE: 7 } as const;

/** Where the dummy datastore's scripted outcomes are (one file per action). */
const actions = mkdtempSync(join(tmpdir(), 'nebula-ds-actions-'));
after(() => rmSync(actions, { recursive: true, force: true }));

/** Scripts the next outcomes of `action` (`success 60`: answer after a minute). */
const script = (action: string, ...lines: string[]) => writeFileSync(join(actions, action), `${lines.join('\n')}\n`);

/** Every action answers at once again. */
function unscript(): void {
  for (const a of ['cp', 'clone', 'rm', 'mkfs']) rmSync(join(actions, a), { force: true });
}

const conf = `DATASTORE_MAD = [ ARGUMENTS = "-t 15 -d dummy,fs -s shared,ssh,dummy -a ${actions}" ]\n`;

/** Polls until `want` holds for the image (or it is gone, when `want` is null); returns its last XML. */
async function until(oned: Oned, id: number, want: ((img: XmlNode) => boolean) | null): Promise<XmlNode | undefined> {
  for (let i = 0; i < 300; i++) {
    const r = await oned.call('one.image.info', [id]);
    if (r[0] === false) {
      assert.equal(r[2], Code.NO_EXISTS, String(r[1]));
      if (want === null) return undefined;
      assert.fail(`image ${id} is gone`);
    }
    const img = parseXmlTree(String(r[1]));
    if (want?.(img)) return img;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.fail(`image ${id} did not get where expected: ${JSON.stringify(templateOf(await okXml(oned, 'one.image.info', [id])))}`);
}

const state = (s: number) => (img: XmlNode) => childInt(img, 'STATE') === s;

onEveryBackend(
  'images across an oned restart in the middle of a datastore operation',
  (get) => {
    let ds = -1;
    let user: { id: number; session: string };

    /** IMAGES_USED and SIZE_USED of the user's DATASTORE quota of `ds`. */
    const usage = async () => {
      const q = must(must(await okXml(get(), 'one.user.info', [user.id]), 'DATASTORE_QUOTA'), 'DATASTORE');
      return [childInt(q, 'IMAGES_USED'), childInt(q, 'SIZE_USED')];
    };
    const dsImages = async () => idList(await okXml(get(), 'one.datastore.info', [ds]), 'IMAGES');

    before(async () => {
      const oned = get();
      ds = await okId(oned, 'one.datastore.allocate', ['NAME = "slow-dummy"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', -1]);
      await okId(oned, 'one.datastore.chmod', [ds, -1, -1, -1, -1, -1, -1, 1, -1, -1]);
      user = await addUser(oned, 'restart-user');
    });
    after(unscript);

    test('SIGKILL during CP, CLONE and RM: after the restart they are issued again; a retry that fails leaves ERROR saying so', async () => {
      const oned = get();
      unscript();
      const origin = await okId(oned, 'one.image.allocate', ['NAME = "origin"\nPATH = "/origin.img"', ds], user.session);
      const doomed = await okId(oned, 'one.image.allocate', ['NAME = "doomed"\nPATH = "/doomed.img"', ds], user.session);
      await until(oned, origin, state(State.READY));
      await until(oned, doomed, state(State.READY));

      // Every operation now takes a minute: none answers before oned dies.
      for (const a of ['cp', 'clone', 'rm']) script(a, 'success 60');
      const copied = await okId(oned, 'one.image.allocate', ['NAME = "copied"\nPATH = "/copied.img"', ds], user.session);
      const failing = await okId(oned, 'one.image.allocate', ['NAME = "failing"\nPATH = "/failing.img"', ds], user.session);
      const clone = await okId(oned, 'one.image.clone', [origin, 'cloned', -1], user.session);
      await okId(oned, 'one.image.delete', [doomed], user.session);
      assert.equal(childInt(await okXml(oned, 'one.image.info', [origin]), 'STATE'), State.CLONE);
      assert.equal(childInt(await okXml(oned, 'one.image.info', [doomed]), 'STATE'), State.DELETE);
      for (const id of [copied, failing, clone]) assert.equal(childInt(await okXml(oned, 'one.image.info', [id]), 'STATE'), State.LOCKED);
      assert.deepEqual(await usage(), [4, 4 * 1024], 'doomed was given back at delete; the other four count');

      assert.equal(await oned.signal('SIGKILL'), 'SIGKILL');
      // After the restart: the first CP (copied, the lower id) succeeds, the second fails.
      script('cp', 'success', 'failure');
      script('clone', 'success');
      script('rm', 'success');
      await oned.launch();

      const ok = (await until(oned, copied, state(State.READY)))!;
      assert.equal(childText(ok, 'SOURCE'), 'dummy_path');
      const bad = (await until(oned, failing, state(State.ERROR)))!;
      assert.equal(templateOf(bad).ERROR, 'CP was interrupted by a restart of oned and failed when issued again: Scripted failure of CP');
      const cloned = (await until(oned, clone, state(State.READY)))!;
      assert.equal(childInt(cloned, 'CLONING_ID'), -1);
      const src = (await until(oned, origin, (i) => childInt(i, 'CLONING_OPS') === 0))!;
      assert.deepEqual([childInt(src, 'STATE'), idList(src, 'CLONES')], [State.READY, []]);
      await until(oned, doomed, null);

      // The quota and the datastore's list name exactly the images left.
      assert.deepEqual(await usage(), [4, 4 * 1024]);
      assert.deepEqual((await dsImages()).sort((a, b) => a - b), [origin, copied, failing, clone]);
      // The failed image can be deleted, which gives its quota back.
      await okId(oned, 'one.image.delete', [failing], user.session);
      await until(oned, failing, null);
      assert.deepEqual(await usage(), [3, 3 * 1024]);
      assert.equal((await dsImages()).includes(failing), false);
    });

    test('SIGTERM during a copy: the stop leaves the image LOCKED, not failed, and the next start finishes it', async () => {
      const oned = get();
      script('cp', 'success 60');
      const id = await okId(oned, 'one.image.allocate', ['NAME = "stopped"\nPATH = "/stopped.img"', ds], user.session);
      assert.equal(await oned.signal('SIGTERM'), 0);
      unscript();
      await oned.launch();
      const img = (await until(oned, id, state(State.READY)))!;
      assert.equal(templateOf(img).ERROR, undefined);
      assert.equal(childText(img, 'SOURCE'), 'dummy_path');
      assert.ok((await dsImages()).includes(id));
      assert.deepEqual(await usage(), [4, 4 * 1024]);
    });
  },
  conf,
);
