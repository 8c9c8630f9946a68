/**
 * PCI passthrough requests of a VM (`TEMPLATE/PCI`), as OpenNebula 7.4 reads them: a device by
 * `SHORT_ADDRESS` (`02:00.0`), or by any of `VENDOR`, `DEVICE`, `CLASS` (hex ids as `lspci -n`
 * prints them: `10de`, `0863`, `0302`). Each request gets a `PCI_ID` (0, 1, ...); once the VM is
 * placed on a host it also carries the host device's ADDRESS, BUS, DOMAIN, FUNCTION, SLOT and
 * NUMA_NODE (what the deployment file's `<hostdev>` names). Matching is shared by oned (which
 * assigns the devices when it places the VM) and the scheduler (which only picks hosts that have
 * them free).
 */
import type { Template, Vector } from '../common/template/index.js';

/** The template's PCI vectors. */
function vectors(t: Template, name: string): Vector[] {
  return t.getAll(name).flatMap((a) => (typeof a.value === 'string' ? [] : [a.value]));
}

/** What a request may name, and the form of each. */
const KEYS: readonly [string, RegExp, string][] = [
  ['VENDOR', /^[0-9a-f]{4}$/i, 'a 4-digit hex vendor id such as 10de'],
  ['DEVICE', /^[0-9a-f]{4}$/i, 'a 4-digit hex device id such as 0863'],
  ['CLASS', /^[0-9a-f]{4}$/i, 'a 4-digit hex class such as 0302'],
  ['SHORT_ADDRESS', /^[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/i, 'a bus:slot.function address such as 02:00.0'],
];

/** Attributes a placed request takes from its host device. */
export const PCI_PLACEMENT = ['ADDRESS', 'BUS', 'DOMAIN', 'FUNCTION', 'SLOT', 'NUMA_NODE'] as const;

/** Why `pci` is no valid request, or null. */
export function pciRequestProblem(pci: Vector, what = 'PCI'): string | null {
  let named = 0;
  for (const [key, form, words] of KEYS) {
    const v = pci.get(key);
    if (v === undefined || v.trim() === '') continue;
    if (!form.test(v.trim())) return `${what}: ${key} must be ${words}, not "${v}"`;
    named++;
  }
  if (named === 0) return `${what} must name its device: SHORT_ADDRESS, or VENDOR, DEVICE and/or CLASS`;
  return null;
}

/** Checks the template's PCI requests and numbers them (PCI_ID from 0); the problem, or null. */
export function preparePci(t: Template): string | null {
  const all = vectors(t, 'PCI');
  for (let i = 0; i < all.length; i++) {
    const problem = pciRequestProblem(all[i]!, `PCI ${i}`);
    if (problem) return problem;
    all[i]!.set('PCI_ID', String(i));
  }
  return null;
}

/** The next PCI_ID of the VM (one more than the highest). */
export function nextPciId(t: Template): number {
  return vectors(t, 'PCI').reduce((m, p) => Math.max(m, Number(p.get('PCI_ID') ?? -1)), -1) + 1;
}

const same = (a: string | undefined, b: string | undefined) => (a ?? '').trim().toLowerCase() === (b ?? '').trim().toLowerCase();

/** Whether host device `device` is what request `req` asks for. */
export function pciMatches(device: ReadonlyMap<string, string>, req: ReadonlyMap<string, string>): boolean {
  const short = req.get('SHORT_ADDRESS');
  if (short !== undefined && short.trim() !== '') return same(device.get('SHORT_ADDRESS'), short);
  for (const key of ['VENDOR', 'DEVICE', 'CLASS']) {
    const v = req.get(key);
    if (v !== undefined && v.trim() !== '' && !same(device.get(key), v)) return false;
  }
  return true;
}

/**
 * A device for each request among the `free` ones, each used once (requests by address first,
 * so a vendor-wide one does not take the device another names); undefined when one has none.
 */
export function choosePci<D extends ReadonlyMap<string, string>>(free: readonly D[], requests: readonly ReadonlyMap<string, string>[]): D[] | undefined {
  const taken = new Set<D>();
  const out: D[] = new Array(requests.length);
  const order = requests.map((_, i) => i).sort((a, b) => Number(!requests[a]!.get('SHORT_ADDRESS')) - Number(!requests[b]!.get('SHORT_ADDRESS')));
  for (const i of order) {
    const d = free.find((f) => !taken.has(f) && pciMatches(f, requests[i]!));
    if (!d) return undefined;
    taken.add(d);
    out[i] = d;
  }
  return out;
}

/** Copies the host device's placement into the request. */
export function placePci(req: Vector, device: ReadonlyMap<string, string>): void {
  for (const k of PCI_PLACEMENT) {
    const v = device.get(k);
    if (v !== undefined) req.set(k, v);
  }
}

/** A request as a readable phrase ("VENDOR 10de, CLASS 0302"). */
export function pciWords(req: ReadonlyMap<string, string>): string {
  return ['SHORT_ADDRESS', 'VENDOR', 'DEVICE', 'CLASS'].filter((k) => (req.get(k) ?? '').trim() !== '').map((k) => `${k} ${req.get(k)}`).join(', ');
}
