/**
 * `onevm resize` (CPU, VCPU and MEMORY, `one.vm.resize`) and `onevm updateconf` (boot and device
 * configuration, `one.vm.updateconf`), as OpenNebula's CLI.
 */
import { child } from '../../common/xml-tree.js';
import { UpdateMode } from '../../oca/index.js';
import { CliError, type SubcommandDef } from '../command.js';
import { readTemplateFile, templateFromFileOrEditor } from '../actions.js';
import { templateLines } from '../output.js';
import { arg } from './common-subcommands.js';
import { memoryMb } from './vm-template-options.js';

export const resizeSubcommand: SubcommandDef = {
  name: 'resize',
  description: 'Changes the CPU, VCPU and MEMORY of a VM: powered off (or pending), or running when its driver and VCPU_MAX / MEMORY_MAX allow',
  args: [{ name: 'VMID', kind: 'vm' }],
  options: [
    { long: 'cpu', value: 'CPU', description: 'New CPU (share of a physical CPU, e.g. 0.5)' },
    { long: 'vcpu', value: 'VCPU', description: 'New number of virtual CPUs' },
    { long: 'memory', value: 'MEMORY', description: 'New memory in MB (or with a unit: 512M, 2G)' },
    { long: 'enforce', short: 'e', description: 'Checks that the host has the capacity (always done for users outside oneadmin)' },
    { long: 'file', short: 'f', value: 'FILE', description: 'File with the CPU / VCPU / MEMORY template' },
  ],
  examples: ['onevm resize 3 --cpu 2 --vcpu 2 --memory 2G', 'onevm resize myvm --memory 1024 --enforce'],
  run: async (ctx, args) => {
    const o = ctx.options;
    const lines: string[] = [];
    if (typeof o['file'] === 'string') lines.push(readTemplateFile(o['file']));
    if (typeof o['cpu'] === 'string') {
      if (!/^\d+(\.\d+)?$/.test(o['cpu']) || Number(o['cpu']) <= 0) throw new CliError(`--cpu must be a positive number such as 0.5 or 2, not "${o['cpu']}"`);
      lines.push(`CPU = ${o['cpu']}`);
    }
    if (typeof o['vcpu'] === 'string') {
      if (!/^[1-9]\d*$/.test(o['vcpu'])) throw new CliError(`--vcpu must be a whole positive number, not "${o['vcpu']}"`);
      lines.push(`VCPU = ${o['vcpu']}`);
    }
    if (typeof o['memory'] === 'string') lines.push(`MEMORY = ${memoryMb(o['memory'])}`);
    if (lines.length === 0) throw new CliError('Say what to resize: --cpu, --vcpu, --memory or --file FILE');
    await ctx.one.vms.resize(await ctx.resolve('vm', arg(args, 'VMID')), lines.join('\n'), o['enforce'] === true);
  },
};

/** The sections of TEMPLATE that `updateconf` changes, shown in the editor. */
const CONF_SECTIONS = new Set(['OS', 'FEATURES', 'INPUT', 'GRAPHICS', 'VIDEO', 'RAW', 'CPU_MODEL', 'BACKUP_CONFIG', 'CONTEXT']);

export const updateconfSubcommand: SubcommandDef = {
  name: 'updateconf',
  description: 'Updates the configuration of a VM (OS, FEATURES, INPUT, GRAPHICS, VIDEO, RAW, CPU_MODEL, BACKUP_CONFIG, CONTEXT) from FILE or $EDITOR',
  args: [{ name: 'VMID', kind: 'vm' }, { name: 'FILE', optional: true }],
  options: [{ long: 'append', short: 'a', description: 'Merges into the configuration instead of replacing it' }],
  examples: ['onevm updateconf 3 conf.tmpl', 'onevm updateconf myvm', 'onevm updateconf 3 graphics.tmpl --append'],
  run: async (ctx, args) => {
    const id = await ctx.resolve('vm', arg(args, 'VMID'));
    const file = args['FILE'] as string | undefined;
    let current = '';
    if (file === undefined) {
      const template = child((await ctx.one.vms.info(id)).node, 'TEMPLATE');
      const conf = template && { ...template, children: template.children.filter((c) => CONF_SECTIONS.has(c.name)) };
      current = templateLines(conf).join('\n');
    }
    await ctx.one.vms.updateConf(id, templateFromFileOrEditor(file, current), ctx.options['append'] === true ? UpdateMode.MERGE : UpdateMode.REPLACE);
  },
};
