/**
 * XML-RPC as oned speaks it: the codec, the HTTP server of the /RPC2 endpoint and a small client.
 */
export { Double, EscapedBytes, EscapedString, FaultCode, XmlRpcFault, type MethodCall, type XmlRpcValue } from './value.js';
export { decodeMethodCall, decodeMethodResponse } from './decode.js';
export { encodeFault, encodeMethodCall, encodeResponse, encodeResponseParts } from './encode.js';
export { XmlRpcServer, type CallContext, type CallHandler, type XmlRpcServerOptions } from './server.js';
export { XmlRpcClient, type XmlRpcClientOptions } from './client.js';
