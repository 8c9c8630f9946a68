import type { Page } from '../page';
import './vms.css';
import { VmDetail } from './VmDetail';
import { VmList } from './VmList';

export const pages: Page[] = [
  { path: '/vms', label: 'VMs', section: 'Instances', view: 'admin', element: <VmList /> },
  { path: '/vms/:id', view: 'admin', element: <VmDetail /> },
];
