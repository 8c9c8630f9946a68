/**
 * A table in a panel that scrolls sideways on narrow screens: a caption for screen readers, a
 * head row of column names, and the rows the page renders. `focusable` lets a keyboard scroll a
 * wide table that has nothing focusable inside.
 */
import type { ReactNode } from 'react';

export function HeadedTable({ label, head, children, focusable }: { label: string; head: string[]; children: ReactNode; focusable?: boolean }) {
  return (
    <div className="panel scroll-x" {...(focusable ? { tabIndex: 0, role: 'region', 'aria-label': label } : {})}>
      <table>
        <caption className="visually-hidden">{label}</caption>
        <thead>
          <tr>
            {head.map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
