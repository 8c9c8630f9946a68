/** The logged-in user's own record (`one.user.info -1`): quotas, defaults and template. */
import { useQuery } from '@tanstack/react-query';
import { call, type Tree } from '../../api';
import { useMe } from '../../session';

/** Keyed under `vm`: the live feed refreshes it when the user's VMs change, and so their quota usage. */
export function useMyUser() {
  const me = useMe();
  return useQuery({ queryKey: ['vm', 'me', me.uid], queryFn: async () => (await call<Tree>('one.user.info', -1)).USER as Tree });
}
