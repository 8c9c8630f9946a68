/**
 * Security groups in the client library (`one.secgroup.*`, `one.secgrouppool.info`): the owned
 * object methods (info, update, rename, chown, chmod, delete, list) and allocate, clone, commit.
 * Objects are OneObject: `ids('UPDATED_VMS')`, `all('TEMPLATE/RULE')`...
 */
import { OneObject } from './objects.js';
import { OwnedResource } from './resources.js';

export class SecurityGroupResource extends OwnedResource<OneObject> {
  /** A group from a template (NAME, DESCRIPTION, RULE = [ PROTOCOL, RULE_TYPE, RANGE, IP, SIZE, NETWORK_ID... ]). */
  allocate(template: string): Promise<number> {
    return this.id('one.secgroup.allocate', template);
  }
  clone(id: number, name: string): Promise<number> {
    return this.id('one.secgroup.clone', id, name);
  }
  /** Sends the rules to the hosts of the group's VMs again (all, or with `recovery` only those outdated or in error). */
  commit(id: number, recovery = false): Promise<number> {
    return this.id('one.secgroup.commit', id, recovery);
  }
}
