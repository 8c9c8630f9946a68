import { Navigate, useParams } from 'react-router';
import type { Page } from '../page';
import { CloudHome } from './CloudHome';
import { CloudVm } from './CloudVm';
import { Console } from './Console';
import { Launch } from './Launch';
import { LaunchForm } from './LaunchForm';
import { Quotas } from './Quotas';
import { Serial } from './Serial';
import { Settings } from './Settings';

/** A VM link of the admin view opened by a cloud user (a shared URL): the cloud view's page of that VM. */
function ToCloudVm() {
  return <Navigate replace to={`/cloud/vms/${useParams().id}`} />;
}

export const pages: Page[] = [
  { path: '/vms/:id', view: 'cloud', element: <ToCloudVm /> },
  { path: '/', view: 'cloud', element: <CloudHome /> },
  { path: '/launch', label: 'Launch a VM', section: 'Cloud', view: 'cloud', element: <Launch /> },
  { path: '/launch/:id', view: 'cloud', element: <LaunchForm /> },
  { path: '/quotas', label: 'My quotas', section: 'Cloud', view: 'cloud', element: <Quotas /> },
  { path: '/cloud/vms/:id', view: 'cloud', element: <CloudVm /> },
  { path: '/vms/:id/console', view: 'both', element: <Console /> },
  { path: '/vms/:id/serial', view: 'both', element: <Serial /> },
  { path: '/settings', view: 'both', element: <Settings /> },
];
