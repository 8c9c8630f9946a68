import type { Page } from '../page';
import { Dashboard } from './Dashboard';

export const pages: Page[] = [{ path: '/', view: 'admin', element: <Dashboard /> }];
