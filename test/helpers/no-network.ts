/**
 * Preload (`node --import`) that makes every network API of Node throw, and reports each attempt
 * on stderr even if the caller swallows the error. Used with `unshare -rn` where available (a
 * network namespace with no interfaces up), which also stops native code.
 */
import dns from 'node:dns';
import { writeSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';

function refuse(what: string) {
  return (): never => {
    writeSync(2, `NETWORK ATTEMPT: ${what}\n`);
    throw new Error(`network access is disabled in this process (${what})`);
  };
}

const patch = (target: object, names: string[], prefix: string) => {
  for (const name of names) Object.defineProperty(target, name, { value: refuse(`${prefix}.${name}`), configurable: true, writable: true });
};
patch(net.Socket.prototype, ['connect'], 'net.Socket');
patch(net, ['connect', 'createConnection'], 'net');
patch(tls, ['connect'], 'tls');
patch(http, ['request', 'get'], 'http');
patch(https, ['request', 'get'], 'https');
patch(dns, ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveAny'], 'dns');
patch(dns.promises, ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveAny'], 'dns.promises');
patch(globalThis, ['fetch'], 'globalThis');
