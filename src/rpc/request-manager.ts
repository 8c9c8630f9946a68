/**
 * The Request Manager: the table of API methods and the path every call takes through it:
 * parameter check, authentication, the method, and OpenNebula's response envelope.
 */
import { ApiError, ErrorCode } from './api-error.js';
import { checkParams, type Args, type ParamSpec } from './params.js';
import { FaultCode, XmlRpcFault, type CallContext, type MethodCall, type XmlRpcValue } from './xmlrpc/index.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import { LogLevel } from '../common/log.js';
import type { Core } from './core.js';
import { Request } from './request.js';
import { afterRecovery } from '../pool/index.js';
import { notifyApiHooks } from './api-hooks.js';
import { ZoneState } from '../zone/zone.js';

/** One API method: its name, the parameters after the session, and its body. */
export interface MethodDef<P extends readonly ParamSpec[] = readonly ParamSpec[]> {
  readonly name: string;
  readonly params: P;
  /** Positions (0-based, after the session) of secrets that must never be logged. */
  readonly secrets?: readonly number[];
  /** The successful result is a secret (a login token): masked in api hooks' CALL_INFO. */
  readonly secretResult?: boolean;
  readonly run: (req: Request, args: Args<P>) => XmlRpcValue | Promise<XmlRpcValue>;
}

/** Declares a method; the generic keeps `run`'s arguments typed by the signature. */
export function method<const P extends readonly ParamSpec[]>(def: MethodDef<P>): MethodDef {
  return def as unknown as MethodDef;
}

export class RequestManager {
  private readonly methods = new Map<string, MethodDef>();
  private nextId = 0;

  constructor(
    private readonly core: Core,
    private readonly authn: Authenticator,
    /** On a federation slave: sends writes of federated objects to the master (src/zone/federation). */
    private readonly forwarder?: { forwards(method: string): boolean; call(method: string, params: readonly XmlRpcValue[]): Promise<XmlRpcValue> },
    /** Refuses user names and addresses with too many failed logins lately (LOGIN_THROTTLE). */
    private readonly throttle?: LoginThrottle,
  ) {}

  register(defs: Iterable<MethodDef>): void {
    for (const d of defs) {
      if (this.methods.has(d.name)) throw new Error(`method ${d.name} registered twice`);
      this.methods.set(d.name, d);
    }
  }

  /** Names of the registered methods, sorted. */
  methodNames(): string[] {
    return [...this.methods.keys()].sort();
  }

  /** Serves one call; the XML-RPC server's handler. */
  handle = async (call: MethodCall, ctx: CallContext): Promise<XmlRpcValue> => {
    const def = this.methods.get(call.method);
    if (!def) throw new XmlRpcFault(FaultCode.NO_SUCH_METHOD, `Unknown method ${JSON.stringify(call.method)}`);
    const session = call.params[0];
    if (typeof session !== 'string') {
      throw new XmlRpcFault(FaultCode.TYPE, `Parameter 1 of ${def.name} must be the session string "user:password"`);
    }
    const args = checkParams(def.name, def.params, call.params);
    const log = this.core.log;
    // The master authenticates, authorizes and answers; its answer is this call's.
    if (this.forwarder?.forwards(def.name)) {
      log.debug('ReM', `${def.name} forwarded to the federation master`);
      return this.forwarder.call(def.name, call.params);
    }
    const reqId = this.nextId++;

    // A session without a colon is all secret (a bare password or token): no name to log or count.
    const colon = session.indexOf(':');
    const name = colon < 0 ? '' : session.slice(0, colon);
    const wait = this.throttle?.refused(name, ctx.remoteAddress) ?? 0;
    if (wait > 0) {
      log.log('ReM', LogLevel.WARNING, `Req:${reqId} IP:${ctx.remoteAddress} ${def.name} refused for ${JSON.stringify(name)}: too many failed logins (LOGIN_THROTTLE), ${wait} s left`);
      return failure(def.name, new ApiError(ErrorCode.AUTHENTICATION, `User couldn't be authenticated, aborting call. Too many failed login attempts: try again in ${wait} s.`));
    }
    const caller = await this.authn.authenticate(session);
    if (!caller) {
      this.throttle?.failed(name, ctx.remoteAddress);
      log.log('ReM', LogLevel.WARNING, `Req:${reqId} IP:${ctx.remoteAddress} ${def.name} authentication failed for ${JSON.stringify(name)}`);
      return failure(def.name, new ApiError(ErrorCode.AUTHENTICATION, "User couldn't be authenticated, aborting call."));
    }
    if (log.enabled(LogLevel.DEBUG)) {
      log.debug('ReM', `Req:${reqId} UID:${caller.uid} IP:${ctx.remoteAddress} ${def.name} invoked ${formatArgs(args, def.secrets)}`);
    }
    const disabled = zoneDisabled(this.core, def.name);
    if (disabled) return this.answered(def, session, args, failure(def.name, disabled));
    try {
      const gate = afterRecovery(this.core.db);
      const epoch = typeof gate === 'number' ? gate : await gate;
      const value = await def.run(new Request(this.core, def.name, caller, reqId, epoch), args);
      if (log.enabled(LogLevel.DEBUG)) log.debug('ReM', `Req:${reqId} UID:${caller.uid} ${def.name} result SUCCESS`);
      return this.answered(def, session, args, [true, value, 0]);
    } catch (err) {
      if (err instanceof XmlRpcFault) throw err;
      const apiError = err instanceof ApiError ? err : new ApiError(ErrorCode.INTERNAL, `Internal error: ${(err as Error).message ?? String(err)}`);
      if (!(err instanceof ApiError)) log.error('ReM', `Req:${reqId} ${def.name}: ${(err as Error).stack ?? String(err)}`);
      log.log('ReM', LogLevel.INFO, `Req:${reqId} UID:${caller.uid} ${def.name} result FAILURE ${apiError.message}`);
      return this.answered(def, session, args, failure(def.name, apiError));
    }
  };

  /** The response, once the api hooks of the method (if any) have been told about the call. */
  private answered(def: MethodDef, session: string, args: readonly XmlRpcValue[], response: XmlRpcValue[]): XmlRpcValue[] {
    try {
      notifyApiHooks(this.core, def.name, session, args, def.secrets ?? [], response, def.secretResult);
    } catch (err) {
      this.core.log.error('HKM', `Cannot run the api hooks of ${def.name}: ${(err as Error).message}`);
    }
    return response;
  }
}

/** Calls a disabled zone still serves: reads, logins, and the zone methods (so it can be enabled again). */
const READ_ONLY = /\.(info|infoextended|infoset|monitoring|accounting|showback|raftstatus|version|config|login|waitpending)$|^one\.zone\./;

/** The refusal of a call that changes something while this oned's zone is DISABLED (`onezone disable`), or null. */
function zoneDisabled(core: Core, method: string): ApiError | null {
  const zoneId = core.acl.zoneId;
  if (core.zones?.get(zoneId)?.state !== ZoneState.DISABLED || READ_ONLY.test(method)) return null;
  return new ApiError(ErrorCode.INTERNAL, `Cannot process the request: zone ${zoneId} is disabled, only read-only calls are served (onezone enable ${zoneId}).`);
}

/**
 * OpenNebula 7.4's failure envelope: `[false, "[method] message", code, object id (i4), -1 (i8)]`.
 * The fifth element is the i8 slot 7.4 keeps for a 64-bit result; on failure it is always -1.
 */
function failure(method: string, err: ApiError): XmlRpcValue[] {
  return [false, `[${method}] ${err.message}`, err.code, err.oid, -1n];
}

/** Arguments for the log: strings shortened, secrets masked. */
function formatArgs(args: readonly XmlRpcValue[], secrets: readonly number[] = []): string {
  return args
    .map((a, i) => {
      if (secrets.includes(i)) return '****';
      // A template shows no value: only up to its first "=" (the first attribute's name).
      const eq = typeof a === 'string' ? a.indexOf('=') : -1;
      if (typeof a === 'string' && eq >= 0) return `"${a.slice(0, Math.min(eq, 20)).trimEnd()} =..."`;
      if (typeof a === 'string') return a.length > 20 ? `"${a.slice(0, 20)}..."` : `"${a}"`;
      return Array.isArray(a) ? '[...]' : String(a);
    })
    .join(', ');
}
