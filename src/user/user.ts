/** A user: credentials, groups, login tokens, template and quotas. */
import { randomBytes } from 'node:crypto';
import type { XmlNode } from '../common/xml-tree.js';
import { child, childInt, childText } from '../common/xml-tree.js';
import { xmlElement } from '../common/xml.js';
import { Template } from '../common/template/index.js';
import { PoolObject, Permissions, templateFromNode } from '../pool/index.js';
import { tokenFromXml, tokenToXml, type LoginToken } from '../auth/login-token.js';
import { Quotas } from '../auth/quotas.js';

/** The built-in auth driver: passwords checked by oned itself. */
export const CORE_AUTH = 'core';

/** The driver of the server accounts (serveradmin): they act on behalf of the users they name. */
export const SERVER_CIPHER_AUTH = 'server_cipher';

/** The account the cloud servers (Sunstone, OneFlow, OneGate...) act through, as in OpenNebula. */
export const SERVER_ADMIN_NAME = 'serveradmin';

/** The id serveradmin has in a database bootstrapped by this version (OpenNebula's too). */
export const SERVER_ADMIN_ID = 1;

/** A random secret of 64 hex digits (256 bits), the form of OpenNebula's generated passwords. */
export function randomSecret(): string {
  return randomBytes(32).toString('hex');
}

/**
 * The template of a new user: `TOKEN_PASSWORD`, a random secret the user's OneGate tokens are
 * derived from (OpenNebula 7.4 gives one to every user it creates), and `EC2_SECRET_KEY`.
 * `seal` encrypts the template's secret attributes (the attribute policy's `encrypt`).
 */
export function newUserTemplate(seal?: (t: Template) => void): Template {
  const t = new Template(
    [
      { name: 'TOKEN_PASSWORD', value: randomSecret() },
      { name: EC2_SECRET_KEY, value: newEc2Secret() },
    ],
    { replaceMode: true },
  );
  seal?.(t);
  return t;
}

/** The user's secret access key for the EC2 API (the access key id is the user name); stored encrypted. */
export const EC2_SECRET_KEY = 'EC2_SECRET_KEY';

/** A new EC2 secret access key: 40 characters, as AWS's (30 random bytes in base64). */
export function newEc2Secret(): string {
  return randomBytes(30).toString('base64');
}

/** Characters forbidden in user names on top of the common ones. */
export const USER_NAME_EXTRA_CHARS = ' :\t\n\v\f\r';

export class User extends PoolObject {
  readonly type = 'USER' as const;
  /** Every group the user belongs to, primary (owner.gid) included. */
  readonly groups: Set<number>;

  constructor(
    oid: number,
    name: string,
    gid: number,
    gname: string,
    /** Stored hash for core auth; the driver's secret for others. */
    public password: string,
    public authDriver: string,
    public enabled: boolean,
    groups: Iterable<number>,
    public template: Template,
    public tokens: LoginToken[] = [],
    public quotas: Quotas = new Quotas(),
  ) {
    // Users own themselves; only their owner bits matter (use and manage of their own account).
    super(oid, name, { uid: oid, gid, uname: name, gname }, Permissions.fromOctal(0o600));
    this.groups = new Set(groups);
    this.groups.add(gid);
  }

  get gid(): number {
    return this.owner.gid;
  }

  /** Groups in ascending order, as `<GROUPS>` lists them. */
  sortedGroups(): number[] {
    return [...this.groups].sort((a, b) => a - b);
  }

  protected renderXml(): string {
    let xml = `<USER><ID>${this.oid}</ID><GID>${this.owner.gid}</GID><GROUPS>`;
    for (const g of this.sortedGroups()) xml += `<ID>${g}</ID>`;
    xml += `</GROUPS>${xmlElement('GNAME', this.owner.gname)}${xmlElement('NAME', this.name)}`;
    xml += `${xmlElement('PASSWORD', this.password)}${xmlElement('AUTH_DRIVER', this.authDriver)}<ENABLED>${this.enabled ? 1 : 0}</ENABLED>`;
    for (const t of this.tokens) xml += tokenToXml(t);
    return `${xml}${this.template.toXml()}</USER>`;
  }

  /** The body of the federated row (user_pool): the user without its zone-local quotas. */
  federatedBody(): string {
    return this.toXml();
  }

  /** The whole user, quotas included (what a failed commit puts back; see auth/quota-table.ts for the rows). */
  override toBody(): string {
    return `${this.toXml().slice(0, -'</USER>'.length)}<QUOTAS>${this.quotas.toXml()}</QUOTAS></USER>`;
  }

  static fromXml(node: XmlNode): User {
    const groups = (child(node, 'GROUPS')?.children ?? []).map((c) => Number(c.text));
    const user = new User(
      childInt(node, 'ID'),
      childText(node, 'NAME'),
      childInt(node, 'GID'),
      childText(node, 'GNAME'),
      childText(node, 'PASSWORD'),
      childText(node, 'AUTH_DRIVER') || CORE_AUTH,
      childInt(node, 'ENABLED') === 1,
      groups,
      templateFromNode(child(node, 'TEMPLATE'), { replaceMode: true }),
      node.children.filter((c) => c.name === 'LOGIN_TOKEN').map(tokenFromXml),
      Quotas.fromXml(child(node, 'QUOTAS')),
    );
    return user;
  }
}
