/**
 * Request bodies of OpenNebula's OCCI API read into the specs of resources.ts: a COMPUTE to
 * create (its INSTANCE_TYPE, DISKs by STORAGE href, NICs by NETWORK href, CONTEXT), the STATE a
 * PUT asks for, the ACTIONs of `/compute/{id}/action` and `/storage/{id}/action`, NETWORK and
 * STORAGE descriptions. Anything missing or unknown is a 400 saying what.
 */
import type { InstanceType } from '../config.js';
import { badRequest } from '../errors.js';
import { idOfHref, type ComputeSpec, type NetworkSpec, type StorageSpec } from '../resources.js';
import { childEl, childrenEl, parseXml, textOf, type Element } from '../xml.js';

function root(body: string, name: string): Element {
  const el = parseXml(body);
  if (el.name !== name) throw badRequest(`Expected a <${name}> document, not <${el.name}>`);
  return el;
}

function yesNo(el: Element, name: string): boolean | undefined {
  const v = textOf(el, name).toUpperCase();
  if (v === '') return undefined;
  if (v !== 'YES' && v !== 'NO') throw badRequest(`${name} must be YES or NO, not "${textOf(el, name)}"`);
  return v === 'YES';
}

function positiveInt(el: Element, name: string): number | undefined {
  const v = textOf(el, name);
  if (v === '') return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw badRequest(`${name} must be a positive whole number, not "${v}"`);
  return Number(v);
}

function positiveNumber(el: Element, name: string): number | undefined {
  const v = textOf(el, name);
  if (v === '') return undefined;
  if (!/^\d+(\.\d+)?$/.test(v) || !(Number(v) > 0)) throw badRequest(`${name} must be a positive number, not "${v}"`);
  return Number(v);
}

/** A STORAGE or NETWORK reference: its `href` attribute (or text). */
function hrefOf(el: Element): string {
  return el.attrs.href ?? el.text.trim();
}

export function parseCompute(body: string, types: readonly InstanceType[]): ComputeSpec {
  const el = root(body, 'COMPUTE');
  const typeEl = childEl(el, 'INSTANCE_TYPE');
  let instanceType: InstanceType | undefined;
  if (typeEl) {
    const ref = (typeEl.attrs.href ?? typeEl.text).trim().replace(/\/$/, '');
    const name = ref.slice(ref.lastIndexOf('/') + 1);
    instanceType = types.find((t) => t.name === name);
    if (!instanceType) throw badRequest(`Unknown INSTANCE_TYPE "${name}" (known: ${types.map((t) => t.name).join(', ')})`);
  }
  const disks = childrenEl(el, 'DISK').map((d) => {
    const storage = childEl(d, 'STORAGE');
    if (!storage) throw badRequest('Each DISK needs a STORAGE with the href of an image');
    return { imageId: idOfHref(hrefOf(storage), 'storage'), target: textOf(d, 'TARGET') || undefined };
  });
  const nics = childrenEl(el, 'NIC').map((n) => {
    const network = childEl(n, 'NETWORK');
    if (!network) throw badRequest('Each NIC needs a NETWORK with the href of a network');
    return { networkId: idOfHref(hrefOf(network), 'network'), ip: textOf(n, 'IP') || undefined };
  });
  const context = childEl(el, 'CONTEXT');
  return {
    name: textOf(el, 'NAME') || undefined,
    instanceType,
    cpu: positiveNumber(el, 'CPU'),
    memory: positiveInt(el, 'MEMORY'),
    disks,
    nics,
    context: context ? context.children.map((c) => [c.name, c.text] as [string, string]) : [],
  };
}

/** What a `<STATE>` of a PUT asks for, as `one.vm.action` names (or `recover-recreate` for RESUBMIT). */
const STATE_ACTIONS: Record<string, string> = {
  STOPPED: 'stop',
  SUSPENDED: 'suspend',
  RESUME: 'resume',
  CANCEL: 'poweroff-hard',
  SHUTDOWN: 'terminate',
  REBOOT: 'reboot',
  RESET: 'reboot-hard',
  RESTART: 'reboot-hard',
  POWEROFF: 'poweroff',
  RESUBMIT: 'recover-recreate',
  DONE: 'terminate-hard',
};

export interface ComputeUpdate {
  /** The oned action the STATE asks for. */
  action?: string;
  /** DISKs to save as new images (`one.vm.disksaveas`). */
  saveAs: { diskId: number; name: string }[];
}

export function parseComputeUpdate(body: string): ComputeUpdate {
  const el = root(body, 'COMPUTE');
  const state = textOf(el, 'STATE').toUpperCase();
  const saveAs = childrenEl(el, 'DISK').flatMap((d) => {
    const s = childEl(d, 'SAVE_AS');
    if (!s) return [];
    const diskId = d.attrs.id;
    if (diskId === undefined || !/^\d+$/.test(diskId)) throw badRequest('A DISK to SAVE_AS needs its id attribute');
    const name = (s.attrs.name ?? s.text).trim();
    if (!name) throw badRequest('SAVE_AS needs the name of the new image');
    return [{ diskId: Number(diskId), name }];
  });
  if (state === '' && saveAs.length === 0) throw badRequest('Nothing to change: give a STATE (or a DISK to SAVE_AS)');
  if (state !== '' && !STATE_ACTIONS[state]) throw badRequest(`Unknown STATE "${state}" (one of ${Object.keys(STATE_ACTIONS).join(', ')})`);
  return { action: state ? STATE_ACTIONS[state] : undefined, saveAs };
}

export interface ActionRequest {
  perform: string;
  params: Element;
}

export function parseAction(body: string, allowed: readonly string[]): ActionRequest {
  const el = root(body, 'ACTION');
  const perform = textOf(el, 'PERFORM').toLowerCase();
  if (!allowed.includes(perform)) throw badRequest(`PERFORM must be one of ${allowed.join(', ')}, not "${textOf(el, 'PERFORM')}"`);
  return { perform, params: childEl(el, 'PARAMS') ?? { name: 'PARAMS', attrs: {}, children: [], text: '' } };
}

/** `<PARAMS><DISK><STORAGE href=".."/><TARGET>..</TARGET></DISK></PARAMS>`. */
export function attachDiskParams(params: Element): { imageId: number; target?: string } {
  const disk = childEl(params, 'DISK');
  const storage = disk && childEl(disk, 'STORAGE');
  if (!disk || !storage) throw badRequest('attachdisk needs PARAMS/DISK/STORAGE with the href of an image');
  return { imageId: idOfHref(hrefOf(storage), 'storage'), target: textOf(disk, 'TARGET') || undefined };
}

/** `<PARAMS><DISK id="1"/></PARAMS>`. */
export function detachDiskParams(params: Element): number {
  const disk = childEl(params, 'DISK');
  const id = disk?.attrs.id ?? (disk ? textOf(disk, 'ID') : '');
  if (!id || !/^\d+$/.test(id)) throw badRequest('detachdisk needs PARAMS/DISK with the id attribute of the disk');
  return Number(id);
}

export function parseNetwork(body: string): NetworkSpec {
  const el = root(body, 'NETWORK');
  const sizeText = textOf(el, 'SIZE');
  const classes: Record<string, number> = { A: 16777214, B: 65534, C: 254 };
  let size: number | undefined;
  if (sizeText !== '') {
    size = classes[sizeText.toUpperCase()] ?? (/^\d+$/.test(sizeText) ? Number(sizeText) : Number.NaN);
    if (Number.isNaN(size)) throw badRequest(`SIZE must be a number of addresses (or B or C), not "${sizeText}"`);
  }
  return {
    name: textOf(el, 'NAME'),
    description: textOf(el, 'DESCRIPTION') || undefined,
    address: textOf(el, 'ADDRESS') || undefined,
    size,
    public: yesNo(el, 'PUBLIC'),
  };
}

/** `<NETWORK><PUBLIC>YES</PUBLIC></NETWORK>`. */
export function parseNetworkUpdate(body: string): { public: boolean } {
  const p = yesNo(root(body, 'NETWORK'), 'PUBLIC');
  if (p === undefined) throw badRequest('Nothing to change: give PUBLIC YES or NO');
  return { public: p };
}

export function parseStorage(body: string): StorageSpec {
  const el = root(body, 'STORAGE');
  return {
    name: textOf(el, 'NAME'),
    description: textOf(el, 'DESCRIPTION') || undefined,
    type: textOf(el, 'TYPE') || undefined,
    size: positiveInt(el, 'SIZE'),
    fstype: textOf(el, 'FSTYPE') || undefined,
    path: textOf(el, 'PATH') || textOf(el, 'URL') || undefined,
    persistent: yesNo(el, 'PERSISTENT'),
    public: yesNo(el, 'PUBLIC'),
  };
}

/** `<STORAGE><PERSISTENT>..</PERSISTENT><PUBLIC>..</PUBLIC></STORAGE>`. */
export function parseStorageUpdate(body: string): { persistent?: boolean; public?: boolean } {
  const el = root(body, 'STORAGE');
  const out = { persistent: yesNo(el, 'PERSISTENT'), public: yesNo(el, 'PUBLIC') };
  if (out.persistent === undefined && out.public === undefined) throw badRequest('Nothing to change: give PERSISTENT or PUBLIC, YES or NO');
  return out;
}
