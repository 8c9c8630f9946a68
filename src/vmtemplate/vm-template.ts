/** A VM template: the description `one.template.instantiate` makes VMs from. */
import type { XmlNode } from '../common/xml-tree.js';
import { child, childInt, childText } from '../common/xml-tree.js';
import { xmlElement } from '../common/xml.js';
import type { Template } from '../common/template/index.js';
import { PoolObject, Permissions, templateFromNode, type Lock, type Ownership } from '../pool/index.js';

export class VmTemplate extends PoolObject {
  readonly type = 'TEMPLATE' as const;

  constructor(
    oid: number,
    name: string,
    owner: Ownership,
    perms: Permissions,
    /** Registration time, epoch seconds. */
    readonly regtime: number,
    public template: Template,
    lock: Lock | null = null,
  ) {
    super(oid, name, owner, perms, lock);
  }

  protected renderXml(): string {
    return (
      `<VMTEMPLATE>${this.idAndOwnerXml()}` +
      `${xmlElement('NAME', this.name)}${this.lockXml()}${this.perms.toXml()}<REGTIME>${this.regtime}</REGTIME>${this.template.toXml()}</VMTEMPLATE>`
    );
  }

  static fromXml(node: XmlNode): VmTemplate {
    return new VmTemplate(
      childInt(node, 'ID'),
      childText(node, 'NAME'),
      PoolObject.ownerFromXml(node),
      Permissions.fromXml(child(node, 'PERMISSIONS')),
      childInt(node, 'REGTIME'),
      templateFromNode(child(node, 'TEMPLATE')),
      PoolObject.lockFromXml(node),
    );
  }
}
