/**
 * What oned.conf says of object template attributes: the `*_RESTRICTED_ATTR` lists (only
 * members of the oneadmin group may set or change them) and the `*_ENCRYPTED_ATTR` lists
 * (stored encrypted with oned's key, shown in clear only to admins asking `info(id, decrypt)`).
 */
import type { ConfigReader } from './config.js';
import { AttributeRules, type Template } from './template/index.js';
import type { SecretBox } from './secret-box.js';
import { xmlEscape, xmlEscapeText } from './xml.js';

/** Object kinds with a `<KIND>_RESTRICTED_ATTR` list (VM covers VM templates too). */
export type RestrictedKind = 'VM' | 'IMAGE' | 'VNET' | 'USER' | 'GROUP';
/** Object kinds with a `<KIND>_ENCRYPTED_ATTR` list (VM covers VM templates too). */
import { SecretMask } from './secret-mask.js';

export type EncryptedKind = 'CLUSTER' | 'DATASTORE' | 'DOCUMENT' | 'HOST' | 'IMAGE' | 'USER' | 'VM' | 'VNET' | 'VROUTER';

const RESTRICTED_KINDS: readonly RestrictedKind[] = ['VM', 'IMAGE', 'VNET', 'USER', 'GROUP'];
const ENCRYPTED_KINDS: readonly EncryptedKind[] = ['CLUSTER', 'DATASTORE', 'DOCUMENT', 'HOST', 'IMAGE', 'USER', 'VM', 'VNET', 'VROUTER'];

function listOf(config: ConfigReader, name: string): string[] {
  return config.template.getAll(name).flatMap((a) => (typeof a.value === 'string' ? [a.value] : []));
}

/** Attributes encrypted whatever oned.conf lists: secrets oned itself makes. */
const ALWAYS_ENCRYPTED: Partial<Record<EncryptedKind, readonly string[]>> = {
  // Each user's EC2 secret access key (the EC2 server checks request signatures with it).
  USER: ['EC2_SECRET_KEY'],
};

export class AttributePolicy {
  private readonly restrictedRules = new Map<RestrictedKind, AttributeRules>();
  private readonly encryptedRules = new Map<EncryptedKind, AttributeRules>();

  constructor(config: ConfigReader, readonly box: SecretBox) {
    for (const k of RESTRICTED_KINDS) this.restrictedRules.set(k, AttributeRules.parse(listOf(config, `${k}_RESTRICTED_ATTR`)));
    for (const k of ENCRYPTED_KINDS) {
      const list = listOf(config, `${k}_ENCRYPTED_ATTR`);
      for (const always of ALWAYS_ENCRYPTED[k] ?? []) if (!list.includes(always)) list.push(always);
      this.encryptedRules.set(k, AttributeRules.parse(list));
    }
  }

  /** Masks the values of every kind's encrypted attributes in text that leaves oned (secret-mask.ts). */
  get secretMask(): SecretMask {
    return (this.#mask ??= new SecretMask([...this.encryptedRules.values()].flatMap((r) => r.entries())));
  }

  #mask: SecretMask | undefined;

  restricted(kind: RestrictedKind): AttributeRules {
    return this.restrictedRules.get(kind)!;
  }

  encrypted(kind: EncryptedKind): AttributeRules {
    return this.encryptedRules.get(kind)!;
  }

  /** Encrypts, in place, the listed values of `t` that are not encrypted yet. */
  encrypt(kind: EncryptedKind, ...templates: Template[]): void {
    const rules = this.encrypted(kind);
    if (rules.isEmpty) return;
    for (const t of templates) rules.transform(t, (v, entry) => this.box.encrypt(v, `${kind}:${entry}`));
  }

  /** Whether `value` of `entry` (`NAME` or `NAME/KEY`) of a `kind` template is stored encrypted. */
  isEncrypted(kind: EncryptedKind, entry: string, value: string): boolean {
    return this.box.decrypt(value, `${kind}:${entry}`) !== null;
  }

  /** The clear text of a value of `entry` (`NAME` or `NAME/KEY`) of a `kind` template, or the value as it is. */
  reveal(kind: EncryptedKind, entry: string, value: string): string {
    return this.box.reveal(value, `${kind}:${entry}`);
  }

  /** A copy of `t` with the listed values in clear (for drivers: context, deployment files). */
  decrypted(kind: EncryptedKind, t: Template): Template {
    const copy = t.clone();
    const rules = this.encrypted(kind);
    if (!rules.isEmpty) rules.transform(copy, (v, entry) => this.box.reveal(v, `${kind}:${entry}`));
    return copy;
  }

  /**
   * The object XML `xml` (rendered from `templates`) with each encrypted value of those templates
   * in clear. A ciphertext is base64 with a random IV, so it occurs nowhere else in the XML.
   */
  decryptedXml(kind: EncryptedKind, xml: string, ...templates: Template[]): string {
    return this.substitute(kind, xml, templates, xmlEscape);
  }

  /** decryptedXml for XML escaped once more (xmlEscapeText), as it travels in an XML-RPC string. */
  decryptedEscapedXml(kind: EncryptedKind, escaped: string, ...templates: Template[]): string {
    return this.substitute(kind, escaped, templates, (plain) => xmlEscapeText(xmlEscape(plain)));
  }

  /** decryptedEscapedXml of the listed entries (`NAME` or `NAME/KEY`) only. */
  decryptedEntriesEscapedXml(kind: EncryptedKind, escaped: string, entries: readonly string[], ...templates: Template[]): string {
    return this.substitute(kind, escaped, templates, (plain) => xmlEscapeText(xmlEscape(plain)), entries);
  }

  private substitute(kind: EncryptedKind, xml: string, templates: readonly Template[], escape: (plain: string) => string, only?: readonly string[]): string {
    const rules = this.encrypted(kind);
    if (rules.isEmpty) return xml;
    let out = xml;
    for (const t of templates) {
      for (const [v, entry] of rules.values(t)) {
        if (only && !only.includes(entry)) continue;
        const plain = this.box.decrypt(v, `${kind}:${entry}`);
        if (plain !== null) out = out.split(v).join(escape(plain));
      }
    }
    return out;
  }
}
