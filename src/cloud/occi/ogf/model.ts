/**
 * The OGF OCCI 1.2 model occi-server serves (OCCI Core and Infrastructure): the kinds, actions
 * and mixins of its query interface, each with its attribute definitions. The user's VM
 * templates become os_tpl mixins and the configured instance types resource_tpl mixins.
 */
import type { InstanceType } from '../config.js';

export const CORE = 'http://schemas.ogf.org/occi/core#';
export const INFRA = 'http://schemas.ogf.org/occi/infrastructure#';
export const COMPUTE_ACTION = 'http://schemas.ogf.org/occi/infrastructure/compute/action#';
export const STORAGE_ACTION = 'http://schemas.ogf.org/occi/infrastructure/storage/action#';
/** Schemes of this server's own mixins (the templates of a cloud are its own, not OGF's). */
export const OS_TPL = 'http://nebula-ts.org/occi/os_tpl#';
export const RESOURCE_TPL = 'http://nebula-ts.org/occi/resource_tpl#';

/** Where OGF OCCI lives on the server (the XML API has the root paths). */
export const PREFIX = '/occi1.2';

export type AttributeType = 'string' | 'number' | 'boolean';

export interface AttributeDef {
  readonly name: string;
  readonly type: AttributeType;
  readonly mutable: boolean;
  readonly required: boolean;
  readonly description: string;
  readonly default?: string | number | boolean;
}

export interface Category {
  readonly term: string;
  readonly scheme: string;
  readonly class: 'kind' | 'mixin' | 'action';
  readonly title: string;
  readonly attributes: readonly AttributeDef[];
  /** Kinds: the parent kind. */
  readonly parent?: string;
  /** Mixins: the mixins they depend on, and the kinds they apply to. */
  readonly depends?: readonly string[];
  readonly applies?: readonly string[];
  readonly actions?: readonly string[];
  readonly location?: string;
}

export const id = (c: { scheme: string; term: string }) => c.scheme + c.term;

const attr = (name: string, type: AttributeType, mutable: boolean, required: boolean, description: string, dflt?: string | number | boolean): AttributeDef => ({
  name,
  type,
  mutable,
  required,
  description,
  ...(dflt === undefined ? {} : { default: dflt }),
});

const ENTITY_ATTRS = [attr('occi.core.id', 'string', false, false, 'The identifier of the entity'), attr('occi.core.title', 'string', true, false, 'The name of the entity')];
const RESOURCE_ATTRS = [...ENTITY_ATTRS, attr('occi.core.summary', 'string', true, false, 'A description of the resource')];
const LINK_ATTRS = [...ENTITY_ATTRS, attr('occi.core.source', 'string', false, true, 'The resource the link goes from'), attr('occi.core.target', 'string', false, true, 'The resource the link goes to')];

function action(scheme: string, term: string, title: string, methods?: string[]): Category {
  return {
    term,
    scheme,
    class: 'action',
    title,
    attributes: methods ? [attr('method', 'string', true, false, `How: ${methods.join(', ')}`, methods[0])] : [],
  };
}

export const ACTIONS = {
  start: action(COMPUTE_ACTION, 'start', 'Start the compute (resume or release it)'),
  stop: action(COMPUTE_ACTION, 'stop', 'Stop the compute (power it off)', ['graceful', 'acpioff', 'poweroff']),
  restart: action(COMPUTE_ACTION, 'restart', 'Restart the compute', ['graceful', 'warm', 'cold']),
  suspend: action(COMPUTE_ACTION, 'suspend', 'Suspend the compute', ['suspend', 'hibernate']),
  online: action(STORAGE_ACTION, 'online', 'Enable the storage'),
  offline: action(STORAGE_ACTION, 'offline', 'Disable the storage'),
} as const;

export const COMPUTE_ACTIONS = [ACTIONS.start, ACTIONS.stop, ACTIONS.restart, ACTIONS.suspend];
export const STORAGE_ACTIONS = [ACTIONS.online, ACTIONS.offline];

function kind(term: string, scheme: string, title: string, parent: string | undefined, attributes: AttributeDef[], actions: Category[] = [], located = true): Category {
  return {
    term,
    scheme,
    class: 'kind',
    title,
    attributes,
    ...(parent ? { parent } : {}),
    actions: actions.map(id),
    ...(located ? { location: `${PREFIX}/${term}/` } : {}),
  };
}

export const KINDS = {
  entity: kind('entity', CORE, 'Entity', undefined, ENTITY_ATTRS, [], false),
  resource: kind('resource', CORE, 'Resource', CORE + 'entity', RESOURCE_ATTRS, [], false),
  link: kind('link', CORE, 'Link', CORE + 'entity', LINK_ATTRS, [], false),
  compute: kind(
    'compute',
    INFRA,
    'Compute resource',
    CORE + 'resource',
    [
      ...RESOURCE_ATTRS,
      attr('occi.compute.cores', 'number', true, false, 'Number of virtual CPU cores'),
      attr('occi.compute.memory', 'number', true, false, 'Memory in GiB'),
      attr('occi.compute.hostname', 'string', true, false, 'Host name of the compute'),
      attr('occi.compute.share', 'number', true, false, 'Share of physical CPUs (OpenNebula CPU)'),
      attr('occi.compute.state', 'string', false, false, 'active, inactive, suspended or error'),
      attr('occi.compute.state.message', 'string', false, false, "OpenNebula's state of the VM"),
    ],
    COMPUTE_ACTIONS,
  ),
  network: kind('network', INFRA, 'Network resource', CORE + 'resource', [
    ...RESOURCE_ATTRS,
    attr('occi.network.vlan', 'number', true, false, 'VLAN id'),
    attr('occi.network.label', 'string', true, false, 'Bridge the network uses'),
    attr('occi.network.state', 'string', false, false, 'active or inactive'),
    attr('occi.network.state.message', 'string', false, false, 'Leases used'),
  ]),
  storage: kind(
    'storage',
    INFRA,
    'Storage resource',
    CORE + 'resource',
    [
      ...RESOURCE_ATTRS,
      attr('occi.storage.size', 'number', true, true, 'Size in GiB'),
      attr('occi.storage.state', 'string', false, false, 'online, offline or error'),
      attr('occi.storage.state.message', 'string', false, false, "OpenNebula's state of the image"),
    ],
    STORAGE_ACTIONS,
  ),
  networkinterface: kind('networkinterface', INFRA, 'Network interface link', CORE + 'link', [
    ...LINK_ATTRS,
    attr('occi.networkinterface.interface', 'string', false, false, 'Interface name in the compute'),
    attr('occi.networkinterface.mac', 'string', false, false, 'MAC address'),
    attr('occi.networkinterface.state', 'string', false, false, 'active, inactive or error'),
  ]),
  storagelink: kind('storagelink', INFRA, 'Storage link', CORE + 'link', [
    ...LINK_ATTRS,
    attr('occi.storagelink.deviceid', 'string', true, false, 'Device the storage appears as (TARGET)'),
    attr('occi.storagelink.mountpoint', 'string', true, false, 'Mount point in the compute'),
    attr('occi.storagelink.state', 'string', false, false, 'active, inactive or error'),
  ]),
} as const;

function mixin(term: string, scheme: string, title: string, attributes: AttributeDef[], depends: string[], applies: string[], location?: string): Category {
  return { term, scheme, class: 'mixin', title, attributes, depends, applies, ...(location ? { location } : {}) };
}

export const MIXINS = {
  os_tpl: mixin('os_tpl', INFRA, 'OS template', [], [], [id(KINDS.compute)], `${PREFIX}/os_tpl/`),
  resource_tpl: mixin('resource_tpl', INFRA, 'Resource template', [], [], [id(KINDS.compute)], `${PREFIX}/resource_tpl/`),
  ipnetwork: mixin(
    'ipnetwork',
    INFRA,
    'IP networking',
    [
      attr('occi.network.address', 'string', true, false, 'IPv4 address range in CIDR notation'),
      attr('occi.network.gateway', 'string', true, false, 'Gateway address'),
      attr('occi.network.allocation', 'string', true, false, 'dynamic or static', 'dynamic'),
    ],
    [],
    [id(KINDS.network)],
    `${PREFIX}/ipnetwork/`,
  ),
  ipnetworkinterface: mixin(
    'ipnetworkinterface',
    INFRA,
    'IP network interface',
    [attr('occi.networkinterface.address', 'string', true, false, 'IP address'), attr('occi.networkinterface.allocation', 'string', true, false, 'dynamic or static', 'dynamic')],
    [],
    [id(KINDS.networkinterface)],
    `${PREFIX}/ipnetworkinterface/`,
  ),
} as const;

/** An os_tpl mixin of a VM template: term `tpl_<id>`. */
export function osTemplateMixin(t: { id: number; name: string }): Category {
  return mixin(`tpl_${t.id}`, OS_TPL, t.name, [], [id(MIXINS.os_tpl)], [id(KINDS.compute)], `${PREFIX}/os_tpl/tpl_${t.id}/`);
}

/** A resource_tpl mixin of an instance type: its name as term, its size as attribute defaults. */
export function resourceTemplateMixin(t: InstanceType): Category {
  return mixin(
    t.name,
    RESOURCE_TPL,
    t.description,
    [attr('occi.compute.cores', 'number', false, false, 'Virtual CPU cores', t.vcpu), attr('occi.compute.memory', 'number', false, false, 'Memory in GiB', t.memory / 1024), attr('occi.compute.share', 'number', false, false, 'CPU share', t.cpu)],
    [id(MIXINS.resource_tpl)],
    [id(KINDS.compute)],
    `${PREFIX}/resource_tpl/${t.name}/`,
  );
}

/** Every category of the query interface, given the user's templates and the instance types. */
export function queryInterface(templates: readonly { id: number; name: string }[], types: readonly InstanceType[]): Category[] {
  return [...Object.values(KINDS), ...Object.values(MIXINS), ...templates.map(osTemplateMixin), ...types.map(resourceTemplateMixin), ...Object.values(ACTIONS)];
}
