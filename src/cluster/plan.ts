/**
 * A cluster's optimization plan (OpenNebula 7.x `PLAN` in the cluster's XML): the migrations
 * `one.cluster.optimize` proposes, each an ACTION with its own state, and the plan's state.
 * 7.4 keeps plans in a table of their own; here the plan is part of the cluster's body, shown
 * (as in 7.4) while its state is not NONE.
 */
import type { XmlNode } from '../common/xml-tree.js';
import { childInt, childText } from '../common/xml-tree.js';
import { xmlElement } from '../common/xml.js';

/** States of a plan and of its actions, 7.4's numbers. */
export const PlanState = { NONE: -1, READY: 0, APPLYING: 1, DONE: 2, ERROR: 3, TIMEOUT: 4 } as const;
export type PlanStateValue = (typeof PlanState)[keyof typeof PlanState];

export interface PlanAction {
  readonly id: number;
  readonly vmId: number;
  state: PlanStateValue;
  /** `migrate` for optimization plans. */
  readonly operation: string;
  readonly hostId: number;
  readonly dsId: number;
  /** When the action was started (epoch seconds), 0 before. */
  timestamp: number;
}

export class Plan {
  constructor(
    public state: PlanStateValue,
    readonly actions: PlanAction[],
  ) {}

  /** The next action to start, if any. */
  nextReady(): PlanAction | undefined {
    return this.actions.find((a) => a.state === PlanState.READY);
  }

  /**
   * Once no action is READY or APPLYING: DONE, or ERROR when one failed, else TIMEOUT when one
   * timed out (7.4's order).
   */
  checkCompleted(): void {
    if (this.actions.some((a) => a.state === PlanState.READY || a.state === PlanState.APPLYING)) return;
    if (this.actions.some((a) => a.state === PlanState.ERROR)) this.state = PlanState.ERROR;
    else if (this.actions.some((a) => a.state === PlanState.TIMEOUT)) this.state = PlanState.TIMEOUT;
    else this.state = PlanState.DONE;
  }

  toXml(cid: number): string {
    let xml = `<PLAN><ID>${cid}</ID><STATE>${this.state}</STATE>`;
    for (const a of this.actions) {
      xml +=
        `<ACTION><ID>${a.id}</ID><VM_ID>${a.vmId}</VM_ID><STATE>${a.state}</STATE>${xmlElement('OPERATION', a.operation)}` +
        `<HOST_ID>${a.hostId}</HOST_ID><DS_ID>${a.dsId}</DS_ID><TIMESTAMP>${a.timestamp}</TIMESTAMP></ACTION>`;
    }
    return `${xml}</PLAN>`;
  }

  static fromXml(node: XmlNode): Plan {
    const actions = (node.children ?? [])
      .filter((c) => c.name === 'ACTION')
      .map((a, i) => ({
        id: childInt(a, 'ID', i),
        vmId: childInt(a, 'VM_ID', -1),
        state: childInt(a, 'STATE', PlanState.READY) as PlanStateValue,
        operation: childText(a, 'OPERATION'),
        hostId: childInt(a, 'HOST_ID', -1),
        dsId: childInt(a, 'DS_ID', -1),
        timestamp: childInt(a, 'TIMESTAMP', 0),
      }));
    return new Plan(childInt(node, 'STATE', PlanState.NONE) as PlanStateValue, actions);
  }
}
