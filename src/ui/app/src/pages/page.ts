import type { ReactNode } from 'react';

/**
 * A page of the app: where it is, how the menu names it, and which view has it. Each area
 * (`pages/vms`, `pages/storage`...) exports its pages from its `index.tsx`; `routes.tsx` joins them.
 */
export interface Page {
  /** Route path (`/vms`, `/vms/:id`). */
  path: string;
  /** Menu label; pages without one are not in the menu (detail pages). */
  label?: string;
  /** Menu group. */
  section?: 'Instances' | 'Services' | 'Templates' | 'Storage' | 'Network' | 'Infrastructure' | 'System' | 'Cloud';
  /** admin: users of the oneadmin group; cloud: everyone else; both. */
  view: 'admin' | 'cloud' | 'both';
  element: ReactNode;
}
