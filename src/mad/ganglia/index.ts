/** The ganglia information driver: host and VM monitoring from gmond/gmetad's XML. */
export { parseGangliaXml, GangliaXmlReader, GangliaDump, type GangliaHost, type GangliaMetric } from './gmond-xml.js';
export { hostReport, type HostReport, type NetCounters } from './host-template.js';
export { vmsInformation, VMS_METRIC, type VmsInformation } from './vms-info.js';
export { DumpCache, readDump, type Endpoint } from './source.js';
export { gangliaImActions, parseEndpoint, GMOND_PORT, type GangliaImConfig } from './im.js';
