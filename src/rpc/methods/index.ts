/** Every API method oned serves, by family. */
import type { MethodDef } from '../request-manager.js';
import { aclMethods } from './acl.js';
import { clusterMethods } from './cluster.js';
import { datastoreMethods } from './datastore.js';
import { documentMethods } from './document.js';
import { groupMethods } from './group.js';
import { hostMethods } from './host.js';
import { imageMethods } from './image.js';
import { systemMethods } from './system.js';
import { userMethods } from './user.js';
import { vmTemplateMethods } from './vm-template.js';
import { vnetMethods } from './vnet.js';
import { vmMethods } from './vm.js';
import { vmPoolMethods } from './vm-pool.js';

export const ALL_METHODS: readonly MethodDef[] = [...systemMethods, ...userMethods, ...groupMethods, ...aclMethods, ...documentMethods, ...hostMethods, ...clusterMethods, ...datastoreMethods, ...vmTemplateMethods, ...imageMethods, ...vnetMethods, ...vmMethods, ...vmPoolMethods];
