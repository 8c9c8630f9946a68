/** The document pool: table `document_pool`, names unique per owner. */
import type { XmlNode } from '../common/xml-tree.js';
import { Pool } from '../pool/index.js';
import { Document } from './document.js';

export class DocumentPool extends Pool<Document> {
  constructor() {
    super({ table: 'document_pool', type: 'DOCUMENT', root: 'DOCUMENT_POOL', nameScope: 'owner' });
  }

  protected fromXml(node: XmlNode): Document {
    return Document.fromXml(node);
  }
}
