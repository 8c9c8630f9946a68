/**
 * VM groups in the client library (`one.vmgroup.*`, `one.vmgrouppool.info`): the owned object
 * methods (info, update, rename, chown, chmod, lock, unlock, delete, list) and allocate and the
 * role methods. Objects are OneObject: `get('ROLES/ROLE/NAME')`, `get('TEMPLATE/AFFINED')`...
 * A VM joins or leaves a group with `oca.vms.vmGroupAdd` / `vmGroupDel`.
 */
import { OneObject } from './objects.js';
import { OwnedResource } from './resources.js';

export class VmGroupResource extends OwnedResource<OneObject> {
  /** A group from a template: NAME, ROLE = [ NAME, POLICY, HOST_AFFINED, HOST_ANTI_AFFINED ]..., AFFINED / ANTI_AFFINED = "a, b". */
  allocate(template: string): Promise<number> {
    return this.id('one.vmgroup.allocate', template);
  }
  /** Adds a role: `ROLE = [ NAME = "db", POLICY = "AFFINED" ]`. */
  roleAdd(id: number, template: string): Promise<number> {
    return this.id('one.vmgroup.roleadd', id, template);
  }
  /** Deletes a role without VMs. */
  roleDelete(id: number, roleId: number): Promise<number> {
    return this.id('one.vmgroup.roledelete', id, roleId);
  }
  /** Merges `ROLE = [ ... ]` into a role without VMs. */
  roleUpdate(id: number, roleId: number, template: string): Promise<number> {
    return this.id('one.vmgroup.roleupdate', id, roleId, template);
  }
}
