/** The Hook Manager and the hook definitions of oned.conf (VM_HOOK, HOST_HOOK). */
export { HookManager, type HookManagerOptions, type HostHookSubject } from './hook-manager.js';
export {
  HOST_HOOK_EVENTS,
  HookConfigError,
  VM_HOOK_EVENTS,
  hookArguments,
  hooksFromConfig,
  vmHookMatches,
  type HostHook,
  type HostHookEvent,
  type VmHook,
  type VmHookEvent,
  type VmHookSubject,
  type VmStateNames,
} from './hook.js';
export { callInfoXml, objectHookArguments, type ApiCallInfo, type HookObjects } from './hook-manager.js';
export { HOOK_RESOURCES, HOOK_TYPES, HookObject, HookPool, checkHookTemplate, hookableCall, type HookCheckContext, type HookResource, type HookStateNames, type HookType } from './hook-object.js';
export { HookLog, joinArguments, type HookExecution, type HookLogFilter, type HookRun } from './hook-log.js';
