/**
 * Masks the values of secret attributes in template text (`NAME = "value"`, inside vectors too,
 * and `<NAME>value</NAME>` in XML), for copies of a call's arguments that leave oned (api hooks'
 * CALL_INFO). Which names are secret: every *_ENCRYPTED_ATTR entry (its last component), plus
 * PASSWORD and PASSWD.
 */
const ALWAYS = ['PASSWORD', 'PASSWD'];

export class SecretMask {
  private readonly names: ReadonlySet<string>;
  private readonly xml: RegExp | null;

  constructor(entries: Iterable<string>) {
    const names = new Set(ALWAYS);
    for (const e of entries) names.add(e.slice(e.lastIndexOf('/') + 1).toUpperCase());
    this.names = names;
    const alternatives = [...names].map((n) => n.replace(/[^A-Z0-9_]/g, '')).filter((n) => n !== '');
    this.xml = alternatives.length === 0 ? null : new RegExp(`<(${alternatives.join('|')})>[\\s\\S]*?</\\1>`, 'gi');
  }

  /** `text` with each secret attribute's value replaced by "****" (unchanged without "="/"<"). */
  mask(text: string): string {
    let out = text;
    if (out.includes('=')) {
      out = out.replace(/([A-Za-z0-9_]+)(\s*=\s*)("(?:[^"\\]|\\.)*"?|\[|[^,\]\n]*)/g, (m: string, name: string, eq: string) => (this.names.has(name.toUpperCase()) ? `${name}${eq}"****"` : m));
    }
    if (this.xml && out.includes('<')) out = out.replace(this.xml, (_m, name: string) => `<${name}>****</${name}>`);
    return out;
  }
}
