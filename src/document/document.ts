/**
 * A document: OpenNebula's generic object (a typed template with owner, permissions and lock),
 * used by tools to store their own objects (OneFlow services, for example).
 */
import type { XmlNode } from '../common/xml-tree.js';
import { child, childInt, childText } from '../common/xml-tree.js';
import { xmlElement } from '../common/xml.js';
import type { Template } from '../common/template/index.js';
import { PoolObject, Permissions, templateFromNode, type Lock, type Ownership } from '../pool/index.js';

export class Document extends PoolObject {
  readonly type = 'DOCUMENT' as const;

  constructor(oid: number, name: string, owner: Ownership, perms: Permissions, readonly docType: number, public template: Template, lock: Lock | null = null) {
    super(oid, name, owner, perms, lock);
  }

  protected renderXml(): string {
    return (
      `<DOCUMENT>${this.idAndOwnerXml()}` +
      `${xmlElement('NAME', this.name)}<TYPE>${this.docType}</TYPE>${this.perms.toXml()}${this.lockXml()}${this.template.toXml()}</DOCUMENT>`
    );
  }

  static fromXml(node: XmlNode): Document {
    return new Document(
      childInt(node, 'ID'),
      childText(node, 'NAME'),
      PoolObject.ownerFromXml(node),
      Permissions.fromXml(child(node, 'PERMISSIONS')),
      childInt(node, 'TYPE'),
      templateFromNode(child(node, 'TEMPLATE')),
      PoolObject.lockFromXml(node),
    );
  }
}
