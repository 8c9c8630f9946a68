/** A VM template: the description `one.template.instantiate` makes VMs from. */
import type { XmlNode } from '../common/xml-tree.js';
import { child, childInt, childText } from '../common/xml-tree.js';
import { xmlElement } from '../common/xml.js';
import type { Template } from '../common/template/index.js';
import { PoolObject, Permissions, templateFromNode, type Lock, type Ownership } from '../pool/index.js';

/** The constructor arguments of a template object, in order. */
type TemplateObjectArgs = [oid: number, name: string, owner: Ownership, perms: Permissions, regtime: number, template: Template, lock: Lock | null];

/**
 * An owned template of the VMTEMPLATE shape (ID, owner, NAME, LOCK, PERMISSIONS, REGTIME,
 * TEMPLATE): VM templates, and network templates (src/vntemplate), which only differ in their
 * root element.
 */
export abstract class TemplateObject extends PoolObject {
  /** The XML root element. */
  protected abstract readonly root: string;

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
      `<${this.root}>${this.idAndOwnerXml()}` +
      `${xmlElement('NAME', this.name)}${this.lockXml()}${this.perms.toXml()}<REGTIME>${this.regtime}</REGTIME>${this.template.toXml()}</${this.root}>`
    );
  }

  /** The constructor arguments a stored document gives. */
  protected static argsFromXml(node: XmlNode): TemplateObjectArgs {
    return [
      childInt(node, 'ID'),
      childText(node, 'NAME'),
      PoolObject.ownerFromXml(node),
      Permissions.fromXml(child(node, 'PERMISSIONS')),
      childInt(node, 'REGTIME'),
      templateFromNode(child(node, 'TEMPLATE')),
      PoolObject.lockFromXml(node),
    ];
  }
}

export class VmTemplate extends TemplateObject {
  readonly type = 'TEMPLATE' as const;
  protected readonly root = 'VMTEMPLATE';

  static fromXml(node: XmlNode): VmTemplate {
    return new VmTemplate(...TemplateObject.argsFromXml(node));
  }
}
