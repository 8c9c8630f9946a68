/** The VM template pool: table `template_pool` (OpenNebula's name), names unique per owner. */
import type { XmlNode } from '../common/xml-tree.js';
import { Pool } from '../pool/index.js';
import { VmTemplate } from './vm-template.js';

export class VmTemplatePool extends Pool<VmTemplate> {
  constructor() {
    super({ table: 'template_pool', type: 'TEMPLATE', root: 'VMTEMPLATE_POOL', nameScope: 'owner' });
  }

  protected fromXml(node: XmlNode): VmTemplate {
    return VmTemplate.fromXml(node);
  }
}
