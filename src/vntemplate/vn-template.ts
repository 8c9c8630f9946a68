/**
 * A virtual network template (OpenNebula 7.4 `VNTEMPLATE`): a network description (VN_MAD,
 * BRIDGE, AR = [...], DNS...) that `one.vntemplate.instantiate` makes networks from. It has the
 * VM template's shape (ID, owner, NAME, LOCK, PERMISSIONS, REGTIME, TEMPLATE); the pool keeps it
 * in `vn_template_pool`, names unique per owner.
 */
import type { XmlNode } from '../common/xml-tree.js';
import { Pool } from '../pool/index.js';
import { TemplateObject } from '../vmtemplate/vm-template.js';

export class VnTemplate extends TemplateObject {
  readonly type = 'VNTEMPLATE' as const;
  protected readonly root = 'VNTEMPLATE';

  static fromXml(node: XmlNode): VnTemplate {
    return new VnTemplate(...TemplateObject.argsFromXml(node));
  }
}

/** The network template pool: table `vn_template_pool`, names unique per owner. */
export class VnTemplatePool extends Pool<VnTemplate> {
  constructor() {
    super({ table: 'vn_template_pool', type: 'VNTEMPLATE', root: 'VNTEMPLATE_POOL', nameScope: 'owner' });
  }

  protected fromXml(node: XmlNode): VnTemplate {
    return VnTemplate.fromXml(node);
  }
}
