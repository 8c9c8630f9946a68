import type { Page } from '../page';
import { ClusterDetail } from './ClusterDetail';
import { ClusterList } from './ClusterList';
import { HostCreate } from './HostCreate';
import { HostDetail } from './HostDetail';
import { HostList } from './HostList';

export const pages: Page[] = [
  { path: '/hosts', label: 'Hosts', section: 'Infrastructure', view: 'admin', element: <HostList /> },
  { path: '/hosts/new', view: 'admin', element: <HostCreate /> },
  { path: '/hosts/:id', view: 'admin', element: <HostDetail /> },
  { path: '/clusters', label: 'Clusters', section: 'Infrastructure', view: 'admin', element: <ClusterList /> },
  { path: '/clusters/:id', view: 'admin', element: <ClusterDetail /> },
];
