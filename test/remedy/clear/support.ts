/**
 * Shared by the clear-run tests and their crash child: a passed preflight gate, a transport that
 * counts the TPM2_Clear commands it sends, and the SRK Name read with our client.
 */
import type { GateResult } from '../../../src/remedy/preflight/gate.js';
import { FlushContext } from '../../../src/tpm/commands/context.js';
import { CreatePrimary } from '../../../src/tpm/commands/hierarchy.js';
import { TPM_RH } from '../../../src/tpm/constants/handles.js';
import { Tpm } from '../../../src/tpm/tpm.js';
import { swtpmTransport } from '../../../src/tpm/transport/swtpm.js';
import type { Transport } from '../../../src/tpm/transport/transport.js';
import { srkTemplate } from '../../../src/verify/clear-fingerprint.js';

/** A gate that passed, with the loss inventory of the state the tests build. */
export function passedGate(): GateResult {
  return {
    passed: true,
    checks: [
      {
        id: 'reason',
        status: 'pass',
        message: 'purpose decommission: no diagnosis needed',
        evidence: [{ source: 'options', field: 'purpose', value: 'decommission' }],
      },
      {
        id: 'rights.clear-authorization',
        status: 'pass',
        message: 'platform authorization is available (lab swtpm)',
        evidence: [{ source: 'tpm', field: 'phEnable', value: true }],
      },
      { id: 'approval', status: 'pass', message: 'approved by Ada (CHG-1)', evidence: [] },
    ],
    inventory: { persistentObjects: ['0x81000005'], nonPlatformNvIndices: ['0x01500016'], windows: [] },
  };
}

/** TPM_CC_Clear (Part 2 §6.5.2) sits at bytes 6-9 of a command. */
export function isClearCommand(command: Uint8Array): boolean {
  return command.length >= 10 && Buffer.from(command).readUInt32BE(6) === 0x126;
}

/** Wraps a transport: calls `onClear` just before each TPM2_Clear goes out. */
export function watchClears(inner: Transport, onClear: (command: Uint8Array) => void): Transport {
  return {
    description: inner.description,
    send: (command) => {
      if (isClearCommand(command)) onClear(command);
      return inner.send(command);
    },
    close: () => inner.close(),
  };
}

export function swtpmClient(port: number, onClear?: (command: Uint8Array) => void): Tpm {
  const transport = swtpmTransport('127.0.0.1', port, { timeoutMs: 30_000 });
  return new Tpm(onClear ? watchClears(transport, onClear) : transport);
}

/**
 * The SRK's Name now: TPM2_CreatePrimary(owner, the default SRK template) as takeClearFingerprint
 * makes it, under the empty owner auth, then flushed; the client is closed afterwards.
 */
export async function srkName(port: number): Promise<string> {
  const tpm = swtpmClient(port);
  const empty = new Uint8Array(0);
  try {
    const created = await tpm.run(CreatePrimary, {
      primaryHandle: TPM_RH.OWNER,
      inSensitive: { userAuth: empty, data: empty },
      inPublic: srkTemplate(),
      outsideInfo: empty,
      creationPCR: [],
    });
    await tpm.run(FlushContext, { flushHandle: created.objectHandle });
    return Buffer.from(created.name).toString('hex');
  } finally {
    await tpm.close();
  }
}

/**
 * A client whose TPM2_CreatePrimary under TPM_RH_OWNER (the SRK) fails the way a broken connection
 * does: the transport throws, no TPM response code. Everything else reaches the swtpm.
 */
export function ownerPrimaryUnreachable(port: number): Tpm {
  const inner = swtpmTransport('127.0.0.1', port, { timeoutMs: 30_000 });
  return new Tpm({
    description: inner.description,
    send: (command) => {
      const b = Buffer.from(command);
      // TPM_CC_CreatePrimary (0x131) at bytes 6-9, its primaryHandle at bytes 10-13.
      if (b.length >= 14 && b.readUInt32BE(6) === 0x131 && b.readUInt32BE(10) === TPM_RH.OWNER) {
        return Promise.reject(new Error('read ECONNRESET (simulated)'));
      }
      return inner.send(command);
    },
    close: () => inner.close(),
  });
}
