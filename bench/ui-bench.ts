/**
 * Operations center benchmark (issue 12): oned with 2,500 dummy hosts and 20,000 running VMs,
 * sunstone-server, and Debian's Chromium. Measured in the browser:
 * - first rows of the VM list: from navigation start to the DataTable's `rows:vm` performance
 *   mark (the first render with rows), at the first login (5 s after sunstone-server started:
 *   it read the pools at start with its own credentials) and warm (later visits);
 * - filter by name: from the input event to the row count showing the filtered total (a
 *   MutationObserver in the page), for several names;
 * - sunstone-server's own cost: one poll of the 20,000-VM listing (oned call + reading rows).
 * Not a test: see bench/README.md.
 *
 *   node dist/bench/ui-bench.js [--hosts 2500] [--vms 20000] [--runs 5]
 */
import { parseArgs } from 'node:util';
import { Oned, ONEADMIN_PASSWORD } from '../test/e2e/harness.js';
import { SunstoneProcess, launchChromium, logIn } from '../test/e2e/ui-harness.js';
import { measure, ok, printHeading, rssMb, table } from './bench-lib.js';

const CLIENTS = 16;
const CONF = `LOG = [ DEBUG_LEVEL = 1 ]
HOST_MONITORING_INTERVAL = 30
IM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy", ARGUMENTS = "-c 3200 -m 65536" ]
VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]
`;

function options() {
  const { values } = parseArgs({
    options: { hosts: { type: 'string', default: '2500' }, vms: { type: 'string', default: '20000' }, runs: { type: 'string', default: '5' } },
  });
  const num = (k: keyof typeof values) => {
    const n = Number(values[k]);
    if (!(n > 0)) throw new Error(`--${k}: a positive number`);
    return n;
  };
  return { hosts: num('hosts'), vms: num('vms'), runs: num('runs') };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms (${xs.map((x) => x.toFixed(0)).join(', ')})`;

async function main(): Promise<void> {
  const o = options();
  printHeading('Operations center benchmark', 'oned, sunstone-server and Chromium', `sqlite: ${o.hosts} dummy hosts, ${o.vms} running VMs`);
  const oned = await Oned.start({ backend: 'sqlite', conf: CONF });
  let sunstone: SunstoneProcess | undefined;
  const browser = await launchChromium();
  try {
    const hostIds: number[] = [];
    const setup = [
      await measure(oned, 'one.host.allocate', CLIENTS, { count: o.hosts }, async (c, n) => {
        hostIds.push((await ok(c, oned, 'one.host.allocate', [`node${n}`, 'dummy', 'dummy', -1])) as number);
      }),
    ];
    const vmIds: number[] = [];
    setup.push(
      await measure(oned, 'one.vm.allocate', CLIENTS, { count: o.vms }, async (c, n) => {
        vmIds.push((await ok(c, oned, 'one.vm.allocate', [`NAME = "vm${n}"\nCPU = 0.1\nMEMORY = 128\nNIC = [ IP = "10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}" ]`, false])) as number);
      }),
    );
    setup.push(await measure(oned, 'one.vm.deploy', CLIENTS, { count: vmIds.length }, (c, n) => ok(c, oned, 'one.vm.deploy', [vmIds[n]!, hostIds[n % hostIds.length]!, false, -1])));
    console.log(table(setup));
    const poolXml = String(await oned.ok('one.vmpool.info', [-2, -1, -1, -1]));
    console.log(`one.vmpool.info: ${(poolXml.length / 1e6).toFixed(1)} MB of XML for ${o.vms} VMs`);

    sunstone = await SunstoneProcess.start(oned);
    // An admin does not log in the second sunstone-server is up: give its start-up read (with its
    // own credentials) a few seconds, as a first login after `npm start` would.
    await new Promise((r) => setTimeout(r, 5000));
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(sunstone.url);
    await logIn(page, 'oneadmin', ONEADMIN_PASSWORD);

    const firstRows = async (): Promise<number> => {
      await page.goto(`${sunstone!.url}vms`);
      await page.locator('tbody tr[data-id]').first().waitFor({ timeout: 60_000 });
      return page.evaluate("performance.getEntriesByName('rows:vm')[0].startTime") as Promise<number>;
    };
    const cold = await firstRows();
    const warm: number[] = [];
    for (let i = 0; i < o.runs; i++) warm.push(await firstRows());

    // Runs in the page (a string: this file compiles without the DOM library).
    const filter = async (text: string): Promise<number> =>
      page.evaluate(`(async (value) => {
        const input = document.querySelector('input[type=search]');
        const count = document.querySelector('[data-testid=row-count]');
        const before = count.textContent;
        const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
        const t0 = performance.now();
        setValue.call(input, value);
        input.dispatchEvent(new Event('input', { bubbles: true }));
        await new Promise((res) => {
          const obs = new MutationObserver(() => {
            if (count.textContent !== before && !count.textContent.startsWith('Loading')) { obs.disconnect(); res(); }
          });
          obs.observe(count, { childList: true, characterData: true, subtree: true });
        });
        return performance.now() - t0;
      })(${JSON.stringify(text)})`) as Promise<number>;
    const filters: number[] = [];
    const names = ['vm1234', 'vm777', 'vm19999', 'vm5', 'vm42'];
    for (let i = 0; i < o.runs; i++) {
      filters.push(await filter(names[i % names.length]!));
      await filter('');
    }

    // The host list (2,500 hosts) and the dashboard (counts of 20,000 VMs and 2,500 hosts).
    const hostRows: number[] = [];
    for (let i = 0; i < o.runs; i++) {
      await page.goto(`${sunstone!.url}hosts`);
      await page.locator('tbody tr[data-id]').first().waitFor({ timeout: 60_000 });
      hostRows.push((await page.evaluate("performance.getEntriesByName('rows:host')[0].startTime")) as number);
    }
    const dashboard: number[] = [];
    for (let i = 0; i < o.runs; i++) {
      const t0 = Date.now();
      await page.goto(sunstone!.url);
      await page.getByText(`RUNNING: ${o.vms}`).waitFor({ timeout: 60_000 });
      dashboard.push(Date.now() - t0);
    }

    console.log(`\nVM list, first rows (navigation start to first render with rows): first login ${cold.toFixed(0)} ms; warm ${fmt(warm)}`);
    console.log(`VM list, filter by name (input to filtered count shown): ${fmt(filters)}`);
    console.log(`Host list, first rows: ${fmt(hostRows)}`);
    console.log(`Dashboard, from navigation to the VM counts shown (timed outside the page): ${fmt(dashboard)}`);
    console.log(`sunstone-server RSS after the runs: ${rssMb(sunstone.proc.pid!).toFixed(0)} MB; oned RSS: ${rssMb(oned.pid).toFixed(0)} MB`);
    await context.close();
  } finally {
    await browser.close();
    await sunstone?.stop();
    await oned.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
