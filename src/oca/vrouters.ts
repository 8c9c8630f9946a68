/**
 * Virtual routers in the client library (`one.vrouter.*`, `one.vrouterpool.info`): the owned
 * object methods (info, update, rename, chown, chmod, lock, unlock, delete, list) and allocate,
 * instantiate, attachNic, detachNic. Objects are OneObject: `ids('VMS')`, `get('TEMPLATE/NIC')`...
 */
import { OneObject } from './objects.js';
import { OwnedResource } from './resources.js';

export class VirtualRouterResource extends OwnedResource<OneObject> {
  /** A router from a template (NAME, NIC = [ NETWORK_ID, FLOATING_IP = YES ]..., KEEPALIVED_ID, KEEPALIVED_PASSWORD). */
  allocate(template: string): Promise<number> {
    return this.id('one.vrouter.allocate', template);
  }
  /**
   * Makes `count` VMs of the router from VM template `templateId` (-1: the one used last), named
   * by `name` with `%i` the VM's number (empty: `vr-<router>-%i`), on hold if `hold`;
   * `extra` is merged into each VM's template. Answers the router's id.
   */
  instantiate(id: number, count: number, templateId = -1, name = '', hold = false, extra = ''): Promise<number> {
    return this.id('one.vrouter.instantiate', id, count, templateId, name, hold, extra);
  }
  /** Adds a NIC (`NIC = [ NETWORK_ID = 3, FLOATING_IP = YES ]`) to the router and each of its VMs. */
  attachNic(id: number, template: string): Promise<number> {
    return this.id('one.vrouter.attachnic', id, template);
  }
  /** Removes NIC `nicId` from the router and each of its VMs. */
  detachNic(id: number, nicId: number): Promise<number> {
    return this.id('one.vrouter.detachnic', id, nicId);
  }
}
