/**
 * `onevm`: create, list, show and drive virtual machines (deploy, migrate, every action,
 * recover, disk and NIC hotplug, resize, updateconf, update, rename, permissions, locks, top).
 */
import { sgSubcommands } from './onesecgroup.js';
import { childText } from '../../common/xml-tree.js';
import { VirtualMachine, type Oca } from '../../oca/index.js';
import { CliError, type CliContext, type CommandDef, type OptionDef, type SubcommandDef } from '../command.js';
import { printList, type Column } from '../output.js';
import {
  showSubcommand,
  chmodSubcommand,
  chownSubcommand,
  renameSubcommand,
  lockSubcommands,
  rangeArg,
  updateSubcommand,
} from '../subcommands.js';
import { delaySeconds, eachId, readTemplateFile, refresh } from '../actions.js';
import { dateTime, size } from '../format.js';
import { arg, chgrpSubcommand, NIC_ATTACH_OPTIONS, nicFromOptions, printId, wholeNumber } from './common-subcommands.js';
import { duration, pairs, permissionRows, section, subTable, templateText } from './show-sections.js';
import { lcmStateName, vmActionName, vmShortState, vmStateName } from './states.js';
import { schedSection, schedSubcommands, scheduleTemplate, SCHEDULE_OPTIONS } from './vm-schedule.js';
import { resizeSubcommand, updateconfSubcommand } from './onevm-resize.js';
import { diskOpsSubcommands } from './vm-disk-ops.js';
import { pciSection, pciSubcommands } from './vm-pci.js';
import { snapshotSection, snapshotSubcommands } from './vm-snapshot.js';
import { backupSections, vmBackupSubcommands } from './vm-backup.js';
import { diskSnapshotSection, diskSnapshotSubcommands } from './disk-snapshot.js';
import { hasTemplateOptions, HOLD, multiple, MULTIPLE, templateFromOptions, VM_TEMPLATE_OPTIONS } from './vm-template-options.js';

const vms = (one: Oca) => one.vms;

/** How long a VM has existed (to its end when DONE). */
function lifetime(vm: VirtualMachine, now: number): number {
  const stime = vm.int('STIME');
  const etime = vm.int('ETIME');
  return (etime > 0 ? etime : now) - stime;
}

/** `onevm list` columns: OpenNebula's, with widths that fit 80 columns. */
export function vmColumns(now = Math.floor(Date.now() / 1000)): Column<VirtualMachine>[] {
  return [
    { name: 'ID', width: 5, value: (vm) => String(vm.id) },
    { name: 'USER', width: 8, left: true, value: (vm) => vm.uname },
    { name: 'GROUP', width: 8, left: true, value: (vm) => vm.gname },
    { name: 'NAME', width: 14, left: true, value: (vm) => vm.name },
    { name: 'STAT', width: 4, left: true, value: (vm) => vmShortState(vm.state, vm.lcmState) },
    { name: 'UCPU', width: 4, value: (vm) => vm.get('MONITORING/CPU') || '0' },
    { name: 'UMEM', width: 7, value: (vm) => size(vm.int('MONITORING/MEMORY') || 0) },
    { name: 'HOST', width: 10, left: true, value: (vm) => vm.hostname },
    { name: 'TIME', width: 11, value: (vm) => duration(lifetime(vm, now)) },
    { name: 'CPU', width: 4, value: (vm) => vm.get('TEMPLATE/CPU'), default: false },
    { name: 'MEM', width: 7, value: (vm) => size(vm.int('TEMPLATE/MEMORY'), 'M'), default: false },
    { name: 'IP', width: 15, left: true, value: (vm) => vm.all('TEMPLATE/NIC').map((n) => childText(n, 'IP')).filter(Boolean).join(','), default: false },
  ];
}

async function listVms(ctx: CliContext): Promise<void> {
  const xml = await ctx.one.vms.listXml(-2, -1, -1, -1);
  printList(ctx, vmColumns(), ctx.one.vms.parseList(xml), xml, 'VM_POOL');
}

/** The sections of `onevm show`. */
export function vmShowText(vm: VirtualMachine): string {
  const history = vm.all('HISTORY_RECORDS/HISTORY');
  const last = history[history.length - 1];
  const lock = vm.get('LOCK/LOCKED');
  const info = pairs(
    [
      ['ID', String(vm.id)],
      ['NAME', vm.name],
      ['USER', vm.uname],
      ['GROUP', vm.gname],
      ['STATE', vmStateName(vm.state)],
      ['LCM_STATE', lcmStateName(vm.lcmState)],
      ['LOCK', lock ? ({ '1': 'Use', '2': 'Manage', '3': 'Admin', '4': 'All' } as Record<string, string>)[lock] ?? lock : 'None'],
      ['RESCHED', vm.get('RESCHED') === '1' ? 'Yes' : 'No'],
      ['HOST', vm.hostname || '-'],
      ['CLUSTER ID', last ? childText(last, 'CID') : '-'],
      ['START TIME', dateTime(vm.int('STIME'))],
      ['END TIME', dateTime(vm.int('ETIME'))],
      ['DEPLOY ID', vm.get('DEPLOY_ID') || '-'],
    ]
  );
  const monitoring = pairs(
    [
      ['CPU', vm.get('MONITORING/CPU') || '-'],
      ['MEMORY', vm.get('MONITORING/MEMORY') ? size(vm.int('MONITORING/MEMORY')) : '-'],
      ['NETTX', vm.get('MONITORING/NETTX') ? size(Math.round(vm.int('MONITORING/NETTX') / 1024)) : '-'],
      ['NETRX', vm.get('MONITORING/NETRX') ? size(Math.round(vm.int('MONITORING/NETRX') / 1024)) : '-'],
    ]
  );
  const out = [
    section(`VIRTUAL MACHINE ${vm.id} INFORMATION`, info),
    section('VIRTUAL MACHINE MONITORING', monitoring),
    section('PERMISSIONS', pairs(permissionRows(vm))),
  ];
  const disks = vm.all('TEMPLATE/DISK');
  if (disks.length) {
    const rows = disks.map((d) => [
      childText(d, 'DISK_ID'),
      childText(d, 'DATASTORE') || '-',
      childText(d, 'TARGET'),
      childText(d, 'IMAGE') || childText(d, 'TYPE') || '-',
      size(Number(childText(d, 'SIZE')), 'M'),
      childText(d, 'TYPE') || 'file',
      childText(d, 'SAVE') === 'YES' ? 'YES' : 'NO',
    ]);
    out.push(section('VM DISKS', subTable([['ID', 3], ['DATASTORE', 10, 'left'], ['TARGET', 6, 'left'], ['IMAGE', 24, 'left'], ['SIZE', 7], ['TYPE', 6, 'left'], ['SAVE', 4, 'left']], rows)));
  }
  const nics = vm.all('TEMPLATE/NIC');
  if (nics.length) {
    const rows = nics.map((n) => [childText(n, 'NIC_ID'), childText(n, 'NETWORK') || '-', childText(n, 'BRIDGE') || '-', childText(n, 'IP') || '-', childText(n, 'MAC') || '-']);
    out.push(section('VM NICS', subTable([['ID', 3], ['NETWORK', 16, 'left'], ['BRIDGE', 10, 'left'], ['IP', 15, 'left'], ['MAC', 17, 'left']], rows)));
  }
  const pci = pciSection(vm);
  if (pci) out.push(pci);
  if (history.length) {
    const rows = history.map((h) => {
      const stime = Number(childText(h, 'STIME'));
      const etime = Number(childText(h, 'ETIME'));
      const end = etime > 0 ? etime : Math.floor(Date.now() / 1000);
      return [childText(h, 'SEQ'), childText(h, 'UID') || '-', childText(h, 'HOSTNAME'), vmActionName(Number(childText(h, 'ACTION'))), childText(h, 'DS_ID'), dateTime(stime), duration(end - stime)];
    });
    out.push(section('VIRTUAL MACHINE HISTORY', subTable([['SEQ', 3], ['UID', 4], ['HOST', 12, 'left'], ['ACTION', 12, 'left'], ['DS', 3], ['START', 14, 'left'], ['TIME', 13]], rows)));
  }
  const snapshots = snapshotSection(vm);
  if (snapshots) out.push(snapshots);
  const diskSnapshots = diskSnapshotSection(vm);
  if (diskSnapshots) out.push(diskSnapshots);
  const sched = schedSection(vm);
  if (sched) out.push(sched);
  const backups = backupSections(vm);
  if (backups) out.push(backups);
  out.push(section('USER TEMPLATE', templateText(vm.all('USER_TEMPLATE')[0])));
  out.push(section('VIRTUAL MACHINE TEMPLATE', templateText(vm.all('TEMPLATE')[0])));
  return out.join('\n').trimEnd();
}

const HARD: OptionDef = { long: 'hard', description: 'Does not wait for the guest: the hypervisor stops it at once' };

/**
 * A `one.vm.action` subcommand on a RANGE of VMs (`hard`: the action takes --hard); with
 * --schedule it adds a scheduled action to each VM instead.
 */
function actionSubcommand(name: string, description: string, hard = false): SubcommandDef {
  return {
    name,
    description,
    args: [rangeArg('vm')],
    options: [...(hard ? [HARD] : []), ...SCHEDULE_OPTIONS],
    examples: [`onevm ${name} 3`, `onevm ${name} 3-5${hard ? ' --hard' : ''}`, `onevm ${name} myvm`, `onevm ${name} 3 --schedule "12/24 18:00"`, `onevm ${name} 3 --schedule +3600 --weekly 1,5 --end 10`],
    run: async (ctx, args) => {
      const action = hard && ctx.options['hard'] ? `${name}-hard` : name;
      const scheduled = scheduleTemplate(ctx, action);
      if (scheduled !== null) {
        await eachId(ctx, 'vm', args['RANGE'], `${action} scheduled`, (id) => ctx.one.vms.schedAdd(id, scheduled));
        return;
      }
      await eachId(ctx, 'vm', args['RANGE'], action, (id) => ctx.one.vms.action(action, id));
    },
  };
}

/** `one.vm.recover` operations, by option. */
const RECOVER: ReadonlyArray<readonly [string, number, string]> = [
  ['failure', 0, 'Recovers the VM by failing the pending operation'],
  ['success', 1, 'Recovers the VM by succeeding the pending operation'],
  ['retry', 2, 'Retries the pending operation'],
  ['delete', 3, 'Deletes the VM, freeing its resources'],
  ['recreate', 4, 'Deletes the VM and creates it again, PENDING, with the same id'],
  ['delete-db', 5, 'Deletes the VM from the database only (nothing is done on the host)'],
];

async function createVms(ctx: CliContext, args: Record<string, string | string[] | undefined>): Promise<void> {
  const file = arg(args, 'FILE');
  if (!file && !hasTemplateOptions(ctx)) throw new CliError('A template FILE or options (--cpu, --memory, --disk, --nic...) are needed: onevm create vm.tmpl');
  const parts = [file ? readTemplateFile(file) : '', await templateFromOptions(ctx)].filter(Boolean);
  const count = multiple(ctx);
  for (let i = 0; i < count; i++) printId(ctx, await ctx.one.vms.allocate(parts.join('\n'), ctx.options['hold'] === true));
}

export const onevm: CommandDef = {
  name: 'onevm',
  description: 'Manages OpenNebula virtual machines',
  subcommands: [
    {
      name: 'create',
      description: 'Creates VMs from a template FILE and/or options',
      args: [{ name: 'FILE', optional: true }],
      options: [...VM_TEMPLATE_OPTIONS, MULTIPLE, HOLD],
      examples: ['onevm create vm.tmpl', 'onevm create --name web --cpu 1 --memory 512 --disk ubuntu --nic private', 'onevm create vm.tmpl -m 3 --hold'],
      run: createVms,
    },
    {
      name: 'list',
      description: 'Lists the VMs (all but DONE ones)',
      args: [],
      examples: ['onevm list', 'onevm list --filter STAT=runn', 'onevm list --list ID,NAME,HOST --csv', 'onevm list --json'],
      run: (ctx) => listVms(ctx),
    },
    showSubcommand('vm', 'VMID', 'Shows a VM: state, host, monitoring, disks, NICs, history and template', (one) => one.vms, vmShowText, ['onevm show 3', 'onevm show myvm --json']),
    {
      name: 'top',
      description: 'Lists the VMs again every few seconds, until interrupted',
      args: [],
      options: [{ long: 'delay', short: 'd', value: 'SECONDS', description: 'Seconds between refreshes (default 1)' }],
      examples: ['onevm top', 'onevm top -d 5'],
      run: (ctx) => refresh(ctx, delaySeconds(ctx.options['delay']), () => listVms(ctx)),
    },
    {
      name: 'deploy',
      description: 'Starts VMs on a host (and system datastore), bypassing the scheduler',
      args: [{ name: 'RANGE', kind: 'vm', range: true }, { name: 'HOSTID', kind: 'host' }, { name: 'DATASTOREID', kind: 'datastore', optional: true }],
      options: [{ long: 'enforce', short: 'e', description: 'Enforces the host capacity checks' }],
      examples: ['onevm deploy 3 node01', 'onevm deploy 3-5 2 0 --enforce'],
      run: async (ctx, args) => {
        const host = await ctx.resolve('host', arg(args, 'HOSTID'));
        const ds = args['DATASTOREID'] ? await ctx.resolve('datastore', arg(args, 'DATASTOREID')) : -1;
        await eachId(ctx, 'vm', args['RANGE'], `deploying on host ${host}`, (id) => ctx.one.vms.deploy(id, host, ctx.options['enforce'] === true, ds));
      },
    },
    {
      name: 'migrate',
      description: 'Moves VMs to another host (--live: without stopping them)',
      args: [{ name: 'RANGE', kind: 'vm', range: true }, { name: 'HOSTID', kind: 'host' }, { name: 'DATASTOREID', kind: 'datastore', optional: true }],
      options: [
        { long: 'live', description: 'Live migration: the VM keeps running' },
        { long: 'enforce', short: 'e', description: 'Enforces the host capacity checks' },
      ],
      examples: ['onevm migrate 3 node02', 'onevm migrate myvm node02 --live'],
      run: async (ctx, args) => {
        const host = await ctx.resolve('host', arg(args, 'HOSTID'));
        const ds = args['DATASTOREID'] ? await ctx.resolve('datastore', arg(args, 'DATASTOREID')) : -1;
        await eachId(ctx, 'vm', args['RANGE'], `migrating to host ${host}`, (id) => ctx.one.vms.migrate(id, host, ctx.options['live'] === true, ctx.options['enforce'] === true, ds));
      },
    },
    actionSubcommand('terminate', 'Shuts the VMs down and deletes them (--hard: powers them off at once)', true),
    actionSubcommand('undeploy', 'Shuts the VMs down, moving their disks to the front-end and freeing the host', true),
    actionSubcommand('poweroff', 'Powers the VMs off, keeping their host and disks', true),
    actionSubcommand('reboot', 'Reboots the VMs (--hard: resets them)', true),
    actionSubcommand('hold', 'Keeps PENDING VMs from being scheduled'),
    actionSubcommand('release', 'Releases VMs on HOLD to the scheduler'),
    actionSubcommand('stop', 'Saves the VMs and moves their files to the front-end'),
    actionSubcommand('suspend', 'Saves the VMs on their host'),
    actionSubcommand('resume', 'Starts VMs that are STOPPED, SUSPENDED, UNDEPLOYED or POWEROFF again'),
    actionSubcommand('resched', 'Asks the scheduler to move the VMs to another host'),
    actionSubcommand('unresched', 'Cancels a resched'),
    ...schedSubcommands,
    ...snapshotSubcommands,
    ...vmBackupSubcommands,
    ...diskSnapshotSubcommands,
    {
      name: 'recover',
      description: 'Recovers VMs stuck in an operation (give one of its options)',
      args: [rangeArg('vm')],
      options: RECOVER.map(([long, , description]) => ({ long, description })),
      examples: ['onevm recover 3 --success', 'onevm recover 3 --retry', 'onevm recover 3-5 --delete'],
      run: async (ctx, args) => {
        const chosen = RECOVER.filter(([long]) => ctx.options[long] === true);
        if (chosen.length !== 1) throw new CliError('Give exactly one of --success, --failure, --retry, --delete, --recreate, --delete-db');
        await eachId(ctx, 'vm', args['RANGE'], `recover --${chosen[0]![0]}`, (id) => ctx.one.vms.recover(id, chosen[0]![1]));
      },
    },
    {
      name: 'disk-attach',
      description: 'Attaches a disk: an image (--image) or a DISK template in --file',
      args: [{ name: 'VMID', kind: 'vm' }],
      options: [
        { long: 'image', short: 'i', value: 'IMAGE', description: 'Image (id or name) to attach' },
        { long: 'target', value: 'TARGET', description: 'Device name in the guest (vdb, sdc...)' },
        { long: 'file', short: 'f', value: 'FILE', description: 'File with a DISK = [ ... ] template' },
      ],
      examples: ['onevm disk-attach 3 --image data', 'onevm disk-attach myvm --file disk.tmpl'],
      run: async (ctx, args) => {
        const o = ctx.options;
        let disk: string;
        if (typeof o['file'] === 'string') disk = readTemplateFile(o['file']);
        else if (typeof o['image'] === 'string') {
          const target = typeof o['target'] === 'string' ? `, TARGET = "${o['target']}"` : '';
          disk = `DISK = [ IMAGE_ID = ${await ctx.resolve('image', o['image'])}${target} ]`;
        } else throw new CliError('Say which disk: --image IMAGE or --file FILE');
        await ctx.one.vms.attachDisk(await ctx.resolve('vm', arg(args, 'VMID')), disk);
      },
    },
    {
      name: 'disk-detach',
      description: 'Detaches a disk',
      args: [{ name: 'VMID', kind: 'vm' }, { name: 'DISKID' }],
      examples: ['onevm disk-detach 3 1'],
      run: async (ctx, args) => {
        const vm = await ctx.resolve('vm', arg(args, 'VMID'));
        await ctx.one.vms.detachDisk(vm, wholeNumber(arg(args, 'DISKID'), 'DISKID'));
      },
    },
    {
      name: 'saveas',
      description: 'Saves a disk into a new image when the VM shuts down (OpenNebula 3.x; prints the image ID at once)',
      args: [{ name: 'VMID', kind: 'vm' }, { name: 'DISKID' }, { name: 'IMAGE_NAME' }],
      options: [{ long: 'type', short: 't', value: 'TYPE', description: 'Type of the new image (default: that of the disk\'s image)' }],
      examples: ['onevm saveas 3 0 web-golden', 'onevm saveas web 1 data-copy -t DATABLOCK'],
      run: async (ctx, args) => {
        const vm = await ctx.resolve('vm', arg(args, 'VMID'));
        const type = typeof ctx.options['type'] === 'string' ? ctx.options['type'] : '';
        const id = await ctx.one.vms.savedisk(vm, wholeNumber(arg(args, 'DISKID'), 'DISKID'), arg(args, 'IMAGE_NAME'), type);
        printId(ctx, id, 'Image ID');
      },
    },
    {
      name: 'nic-attach',
      description: 'Attaches a NIC on a network (--network) or from a NIC template in --file',
      args: [{ name: 'VMID', kind: 'vm' }],
      options: NIC_ATTACH_OPTIONS,
      examples: ['onevm nic-attach 3 --network private', 'onevm nic-attach 3 --network private --ip 10.0.0.9'],
      run: async (ctx, args) => {
        const nic = await nicFromOptions(ctx);
        await ctx.one.vms.attachNic(await ctx.resolve('vm', arg(args, 'VMID')), nic);
      },
    },
    {
      name: 'nic-detach',
      description: 'Detaches a NIC',
      args: [{ name: 'VMID', kind: 'vm' }, { name: 'NICID' }],
      examples: ['onevm nic-detach 3 1'],
      run: async (ctx, args) => {
        const vm = await ctx.resolve('vm', arg(args, 'VMID'));
        await ctx.one.vms.detachNic(vm, wholeNumber(arg(args, 'NICID'), 'NICID'));
      },
    },
    ...sgSubcommands,
    resizeSubcommand,
    ...diskOpsSubcommands,
    ...pciSubcommands,
    updateconfSubcommand,
    updateSubcommand('vm', 'VMID', vms, ['onevm update 3 new.tmpl', 'onevm update 3 extra.tmpl --append'], 'USER_TEMPLATE'),
    renameSubcommand('vm', 'VMID', vms, ['onevm rename 3 new-name']),
    chmodSubcommand('vm', vms, ['onevm chmod 3 640', 'onevm chmod 3-5 660']),
    chownSubcommand('vm', vms, ['onevm chown 3 alice', 'onevm chown 3,4 alice users']),
    chgrpSubcommand('vm', vms, ['onevm chgrp 3 users']),
    ...lockSubcommands('vm', vms, ['onevm lock 3', 'onevm lock 3-5 --admin'], ['onevm unlock 3']),
  ],
};
