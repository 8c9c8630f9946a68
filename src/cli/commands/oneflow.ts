/**
 * `oneflow`: services, through oneflow-server (as OpenNebula's): list, show, delete, recover,
 * scale, action (on a role's VMs), chown, chgrp, chmod, rename.
 */
import type { FlowClient, FlowDocument } from '../../flow/client.js';
import { roleStateName, serviceStateName, type RoleBody, type ServiceBody } from '../../flow/model.js';
import { CliError, type CommandDef, type SubcommandDef } from '../command.js';
import { dateTime } from '../format.js';
import { printList, type Column } from '../output.js';
import { arg, wholeNumber } from './common-subcommands.js';
import { docIds, eachDoc, flowClient, flowSubcommand, ownershipSubcommands, permissionText, printedAsJson } from './flow-common.js';
import { pairs, section, subTable } from './show-sections.js';

type Service = FlowDocument<ServiceBody>;

const services = (c: FlowClient) => c.listServices<ServiceBody>();

/** `oneflow list` columns (OpenNebula's). */
export const serviceColumns: Column<Service>[] = [
  { name: 'ID', width: 4, value: (s) => s.ID },
  { name: 'USER', width: 12, left: true, value: (s) => s.UNAME },
  { name: 'GROUP', width: 12, left: true, value: (s) => s.GNAME },
  { name: 'NAME', width: 24, left: true, value: (s) => s.NAME },
  { name: 'STARTTIME', width: 14, left: true, value: (s) => (s.TEMPLATE.BODY.start_time ? dateTime(s.TEMPLATE.BODY.start_time) : '-') },
  { name: 'STATE', width: 17, left: true, value: (s) => serviceStateName(Number(s.TEMPLATE.BODY.state)) },
];

function roleText(r: RoleBody): string {
  const nodes = (r.nodes ?? []).map((n) => {
    const vm = n.vm_info?.VM ?? {};
    return [String(n.deploy_id), vm.NAME ?? '', vm.UNAME ?? '', vm.GNAME ?? '', vm.STATE ?? '', vm.LCM_STATE ?? '', vm.HOSTNAME ?? ''];
  });
  const policies = (r.elasticity_policies ?? []).map((p) => [p.type, String(p.adjust), p.expression_evaluated ?? p.expression, `${p.true_evals ?? 0}/${p.period_number ?? 1}`, `${p.period ?? 60}s`]);
  return [
    section(`ROLE ${r.name}`, pairs([
      ['ROLE STATE', roleStateName(Number(r.state ?? 0))],
      ['PARENTS', (r.parents ?? []).join(', ')],
      ['VM TEMPLATE', String(r.vm_template)],
      ['CARDINALITY', String(r.cardinality)],
      ['MIN VMS', r.min_vms === undefined ? '' : String(r.min_vms)],
      ['MAX VMS', r.max_vms === undefined ? '' : String(r.max_vms)],
      ['COOLDOWN', r.cooldown === undefined ? '' : `${r.cooldown}s`],
    ])),
    section('NODES INFORMATION', subTable([['VM_ID', 6], ['NAME', 28, 'left'], ['USER', 10, 'left'], ['GROUP', 10, 'left'], ['STATE', 5], ['LCM', 4], ['HOST', 10, 'left']], nodes)),
    ...(policies.length ? [section('ELASTICITY RULES', subTable([['ADJUST', 18, 'left'], ['', 4], ['EXPRESSION', 30, 'left'], ['EVALS', 6], ['PERIOD', 7]], policies))] : []),
  ].join('\n');
}

function showText(s: Service): string {
  const b = s.TEMPLATE.BODY;
  return [
    section(`SERVICE ${s.ID} INFORMATION`, pairs([
      ['ID', s.ID],
      ['NAME', s.NAME],
      ['USER', s.UNAME],
      ['GROUP', s.GNAME],
      ['STRATEGY', b.deployment],
      ['SERVICE STATE', serviceStateName(Number(b.state))],
      ['START TIME', b.start_time ? dateTime(b.start_time) : '-'],
    ])),
    section('PERMISSIONS', permissionText(s)),
    ...b.roles.map(roleText),
    section('LOG MESSAGES', (b.log ?? []).map((l) => `${dateTime(l.timestamp)} [${l.severity}] ${l.message}`).join('\n')),
  ].join('\n').trimEnd();
}

export const oneflow: CommandDef = {
  name: 'oneflow',
  description: 'Manages OneFlow services',
  subcommands: [
    ...([
      {
        name: 'list',
        description: 'Lists the services',
        args: [],
        examples: ['oneflow list'],
        async run(ctx) {
          const list = await services(flowClient(ctx));
          if (!printedAsJson(ctx, list)) printList(ctx, serviceColumns, list, '', 'DOCUMENT');
        },
      },
      {
        name: 'show',
        description: 'Shows a service: its roles, their VMs and the log',
        args: [{ name: 'SERVICEID' }],
        examples: ['oneflow show 3'],
        async run(ctx, args) {
          const c = flowClient(ctx);
          const [id] = await docIds(arg(args, 'SERVICEID'), 'service', () => services(c));
          const s = await c.service<ServiceBody>(id!);
          if (!printedAsJson(ctx, { DOCUMENT: s })) ctx.print(showText(s));
        },
      },
      {
        name: 'delete',
        description: 'Undeploys services (children roles first) and deletes them once their VMs are gone',
        args: [{ name: 'RANGE', variadic: true }],
        examples: ['oneflow delete 3', 'oneflow delete 3-5'],
        async run(ctx, args) {
          const c = flowClient(ctx);
          await eachDoc(ctx, await docIds(args.RANGE, 'service', () => services(c)), 'SERVICE', (id) => c.deleteService(id));
        },
      },
      {
        name: 'recover',
        description: 'Retries the failed step of services (or, with --delete, removes them and their VMs)',
        args: [{ name: 'RANGE', variadic: true }],
        options: [{ long: 'delete', description: 'Gives up on the services: their VMs are terminated and the services deleted' }],
        examples: ['oneflow recover 3', 'oneflow recover 3 --delete'],
        async run(ctx, args) {
          const c = flowClient(ctx);
          await eachDoc(ctx, await docIds(args.RANGE, 'service', () => services(c)), 'SERVICE', (id) => c.serviceAction(id, 'recover', ctx.options.delete === true ? { delete: true } : {}));
        },
      },
      {
        name: 'scale',
        description: 'Sets the number of VMs of a role (within its min_vms and max_vms, unless --force)',
        args: [{ name: 'SERVICEID' }, { name: 'ROLE_NAME' }, { name: 'CARDINALITY' }],
        options: [{ long: 'force', description: 'Ignores min_vms and max_vms' }],
        examples: ['oneflow scale 3 app 4'],
        async run(ctx, args) {
          const c = flowClient(ctx);
          const [id] = await docIds(arg(args, 'SERVICEID'), 'service', () => services(c));
          await c.scale(id!, arg(args, 'ROLE_NAME'), wholeNumber(arg(args, 'CARDINALITY'), 'CARDINALITY'), ctx.options.force === true);
        },
      },
      {
        name: 'action',
        description: 'Performs a VM action (poweroff, reboot, hold, release, resume, stop, suspend, undeploy, terminate...) on every VM of a role',
        args: [{ name: 'SERVICEID' }, { name: 'ROLE_NAME' }, { name: 'ACTION' }],
        examples: ['oneflow action 3 app reboot'],
        async run(ctx, args) {
          const c = flowClient(ctx);
          const [id] = await docIds(arg(args, 'SERVICEID'), 'service', () => services(c));
          const action = arg(args, 'ACTION');
          if (!/^[a-z-]+$/.test(action)) throw new CliError(`Not an action: "${action}"`, 1);
          await c.roleAction(id!, arg(args, 'ROLE_NAME'), action);
        },
      },
    ] as SubcommandDef[]).map(flowSubcommand),
    ...ownershipSubcommands('oneflow', 'SERVICEID', 'service', services, (c, id, perform, params) => c.serviceAction(id, perform, params)),
  ],
};
