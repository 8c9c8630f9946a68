/**
 * `oneacct`'s reading of `one.vmpool.accounting`: OpenNebula's date arguments, the records of a
 * group, records per user and the times as its tables print them.
 */
import { childText, type XmlNode } from '../common/xml-tree.js';

const DATE_FORMS: readonly [RegExp, (m: RegExpExecArray) => [number, number, number]][] = [
  [/^(\d{4})[-/](\d{1,2})[-/](\d{1,2})/, (m) => [+m[1]!, +m[2]!, +m[3]!]],
  [/^(\d{1,2})\/(\d{1,2})\/(\d{4})/, (m) => [+m[3]!, +m[1]!, +m[2]!]],
];

/**
 * Epoch seconds of a date argument in local time: `2026-12-01`, `2026/12/01` or `12/01/2026`,
 * optionally followed by ` HH:MM` or ` HH:MM:SS`; undefined when the text is none of these.
 */
export function parseDateArg(text: string): number | undefined {
  const t = text.trim();
  for (const [re, ymd] of DATE_FORMS) {
    const m = re.exec(t);
    if (!m) continue;
    const rest = t.slice(m[0].length);
    const time = /^(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(rest);
    if (!time) return undefined;
    const [y, mo, d] = ymd(m);
    const [h, mi, s] = [Number(time[1] ?? 0), Number(time[2] ?? 0), Number(time[3] ?? 0)];
    const date = new Date(y, mo - 1, d, h, mi, s);
    // Reject what Date would roll over (02/30, 25:00).
    if (date.getMonth() !== mo - 1 || date.getDate() !== d || date.getHours() !== h || mi > 59 || s > 59) return undefined;
    return Math.floor(date.getTime() / 1000);
  }
  return undefined;
}

/**
 * The records with their VM element: OpenNebula's accounting nests the VM in each record; where
 * oned left it out, it is taken from `vmPool` (a `VM_POOL` listing including DONE VMs).
 */
export function withVms(records: readonly XmlNode[], vmPool: XmlNode): XmlNode[] {
  const byId = new Map(vmPool.children.filter((c) => c.name === 'VM').map((vm) => [childText(vm, 'ID'), vm]));
  return records.map((h) => {
    if (h.children.some((c) => c.name === 'VM')) return h;
    const vm = byId.get(childText(h, 'OID'));
    return vm ? { name: h.name, text: h.text, children: [...h.children, vm] } : h;
  });
}

/** Whether some record lacks its VM element (and `withVms` is needed). */
export function missingVms(records: readonly XmlNode[]): boolean {
  return records.some((h) => !h.children.some((c) => c.name === 'VM'));
}

/** The owner of a history record: its VM's, else the record's own fields. */
export function recordOwner(h: XmlNode): { uid: string; uname: string; gid: string } {
  const vm = h.children.find((c) => c.name === 'VM');
  return {
    uid: (vm && childText(vm, 'UID')) || childText(h, 'UID'),
    uname: (vm && childText(vm, 'UNAME')) || '',
    gid: (vm && childText(vm, 'GID')) || childText(h, 'GID'),
  };
}

/** Records per user id, in the order users first appear (each user's records in document order). */
export function recordsByUser(records: readonly XmlNode[]): Map<string, XmlNode[]> {
  const byUser = new Map<string, XmlNode[]>();
  for (const h of records) {
    const uid = recordOwner(h).uid;
    let list = byUser.get(uid);
    if (!list) byUser.set(uid, (list = []));
    list.push(h);
  }
  return byUser;
}

const escape = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** An element written back as XML (for a document rebuilt from some of its records). */
export function nodeXml(n: XmlNode): string {
  return `<${n.name}>${n.children.length > 0 ? n.children.map(nodeXml).join('') : escape(n.text)}</${n.name}>`;
}
