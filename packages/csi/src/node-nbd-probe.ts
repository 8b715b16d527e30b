// Whether an NBD server has an export, asked in the NBD handshake (no transmission): a failed
// connect of nbdfuse or nbd-client says only, in words, why; this is the protocol's own answer, so
// NodeStageVolume can tell "no such volume" (NOT_FOUND) from "cannot reach it" (UNAVAILABLE).
import { createConnection } from 'node:net';
import { nbdSocketOf } from './node-plan.js';

/**
 * Asks an nbd:// or nbd+unix:// server, by the NBD handshake itself, whether it has the export the URL names:
 * NBD_OPT_INFO for the name, and the first reply says it (NBD_REP_ERR_UNKNOWN: no such export).
 * This is the structured answer behind nbdfuse's and nbd-client's "server has no export named"
 * message, so a failed connect can be told apart without reading their text. 'unreachable' for
 * anything else: no connection, another URL scheme (nbds:// needs TLS first), a server that does
 * not follow the protocol.
 */
export function nbdExportKnown(url: string, timeoutMs = 5000): Promise<'known' | 'unknown' | 'unreachable'> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return Promise.resolve('unreachable');
  }
  const path = nbdSocketOf(url);
  if (u.protocol !== 'nbd:' && !(u.protocol === 'nbd+unix:' && path)) return Promise.resolve('unreachable');
  const name = Buffer.from(decodeURIComponent(u.pathname.replace(/^\//, '')));
  return new Promise((resolve) => {
    const socket = path
      ? createConnection({ path })
      : createConnection({ host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 10809) });
    let buf = Buffer.alloc(0);
    let greeted = false;
    const done = (answer: 'known' | 'unknown' | 'unreachable'): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done('unreachable'), timeoutMs);
    socket.on('error', () => done('unreachable'));
    socket.on('close', () => done('unreachable'));
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!greeted) {
        // NBDMAGIC, IHAVEOPT, 16-bit handshake flags (fixed newstyle is required).
        if (buf.length < 18) return;
        if (
          buf.readBigUInt64BE(0) !== NBD.magic ||
          buf.readBigUInt64BE(8) !== NBD.ihaveopt ||
          !(buf.readUInt16BE(16) & 1)
        )
          return done('unreachable');
        greeted = true;
        buf = buf.subarray(18);
        const opt = Buffer.alloc(16 + 4 + name.length + 2);
        opt.writeBigUInt64BE(NBD.ihaveopt, 0);
        opt.writeUInt32BE(NBD.optInfo, 8);
        opt.writeUInt32BE(4 + name.length + 2, 12);
        opt.writeUInt32BE(name.length, 16);
        name.copy(opt, 20);
        opt.writeUInt16BE(0, 20 + name.length); // no information requests: the export's size comes anyway
        const flags = Buffer.alloc(4);
        flags.writeUInt32BE(1 | 2, 0); // fixed newstyle, no zeroes
        socket.write(Buffer.concat([flags, opt]));
      }
      // Option reply: magic, option, reply type, length, data.
      if (buf.length < 20) return;
      if (buf.readBigUInt64BE(0) !== NBD.replyMagic) return done('unreachable');
      const type = buf.readUInt32BE(12);
      done(
        type === NBD.repErrUnknown ? 'unknown' : type === NBD.repInfo || type === NBD.repAck ? 'known' : 'unreachable',
      );
    });
  });
}

/** The NBD protocol numbers nbdExportKnown needs (doc/proto.md of the NBD project). */
const NBD = {
  magic: 0x4e42444d41474943n, // "NBDMAGIC"
  ihaveopt: 0x49484156454f5054n, // "IHAVEOPT"
  replyMagic: 0x3e889045565a9n,
  optInfo: 6,
  repAck: 1,
  repInfo: 3,
  repErrUnknown: 2 ** 31 + 6,
} as const;
