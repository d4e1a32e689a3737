import { describe, expect, it } from 'vitest';
import type { ErrorLayer } from '../../src/tpm/command.js';
import { ReadClock } from '../../src/tpm/commands/clock.js';
import { Clear } from '../../src/tpm/commands/hierarchy.js';
import { NV_Read, NV_ReadPublic } from '../../src/tpm/commands/nv.js';
import { TPM_RH } from '../../src/tpm/constants/handles.js';
import { RC } from '../../src/tpm/rc/decode-response-code.js';
import { TpmError } from '../../src/tpm/rc/tpm-error.js';
import { password } from '../../src/tpm/session/password.js';
import type { Session } from '../../src/tpm/session/session.js';
import { Tpm } from '../../src/tpm/tpm.js';
import type { Transport } from '../../src/tpm/transport/transport.js';

/** A transport that answers from a queue and records every command. */
class QueueTransport implements Transport {
  readonly description = 'queue://';
  readonly commands: Uint8Array[] = [];
  constructor(private readonly replies: Uint8Array[]) {}
  async send(command: Uint8Array): Promise<Uint8Array> {
    this.commands.push(command);
    const reply = this.replies.shift();
    if (!reply) throw new Error('no reply queued');
    return reply;
  }
  async close(): Promise<void> {}
}

/** A bodiless error response (Part 1 §18.9). */
function errorResponse(rc: number): Uint8Array {
  const out = new Uint8Array(10);
  const v = new DataView(out.buffer);
  v.setUint16(0, 0x8001);
  v.setUint32(2, 10);
  v.setUint32(6, rc);
  return out;
}

/** TPM2_GetCapability(TPM_PROPERTIES) answering one property. */
function propertyResponse(property: number, value: number): Uint8Array {
  const out = new Uint8Array(10 + 1 + 4 + 4 + 8);
  const v = new DataView(out.buffer);
  v.setUint16(0, 0x8001);
  v.setUint32(2, out.length);
  v.setUint32(6, 0);
  v.setUint8(10, 0);
  v.setUint32(11, 6);
  v.setUint32(15, 1);
  v.setUint32(19, property);
  v.setUint32(23, value);
  return out;
}

function commandCode(command: Uint8Array): number {
  return new DataView(command.buffer, command.byteOffset).getUint32(6);
}

const hmac: Session = {
  kind: 'hmac',
  authorize: () => {
    throw new Error('must not be asked to authorise');
  },
  verify: () => {},
};

describe('a non-password session meets a handle without a Name', () => {
  it('fails before anything is sent, naming the handle', async () => {
    const transport = new QueueTransport([]);
    const tpm = new Tpm(transport);
    await expect(
      tpm.run(NV_Read, {
        authHandle: { handle: TPM_RH.OWNER, session: hmac },
        nvIndex: 0x01500016,
        size: 8,
        offset: 0,
      }),
    ).rejects.toThrow(
      /^TPM2_NV_Read: handle nvIndex \(0x01500016\) has no Name, and the hmac session needs the Name of every handle/,
    );
    expect(transport.commands).toEqual([]);
  });

  it('an extra (audit, encryption) session needs the Names too', async () => {
    const transport = new QueueTransport([]);
    const tpm = new Tpm(transport);
    await expect(tpm.run(NV_ReadPublic, { nvIndex: 0x01500016 }, { sessions: [hmac] })).rejects.toThrow(
      /handle nvIndex \(0x01500016\) has no Name/,
    );
    expect(transport.commands).toEqual([]);
  });

  it('password sessions, and handles whose Name is the handle, go through', async () => {
    const transport = new QueueTransport([errorResponse(RC.AUTH_FAIL | 0x900), errorResponse(0x98e)]);
    const tpm = new Tpm(transport);
    const byPassword = tpm.run(NV_Read, {
      authHandle: { handle: TPM_RH.OWNER, session: password('x') },
      nvIndex: 0x01500016,
      size: 8,
      offset: 0,
    });
    await expect(byPassword).rejects.toBeInstanceOf(TpmError);
    const named = tpm.run(NV_Read, {
      authHandle: { handle: TPM_RH.OWNER, session: password() },
      nvIndex: { handle: 0x01500016, name: Uint8Array.of(0, 0x0b, ...new Uint8Array(32)) },
      size: 8,
      offset: 0,
    });
    await expect(named).rejects.toBeInstanceOf(TpmError);
    expect(transport.commands.length).toBe(2);
  });
});

describe('error layers', () => {
  it('by default, TPM_RC_LOCKOUT on a lockout-authorised command reads TPM_PT_LOCKOUT_RECOVERY in the same turn', async () => {
    const transport = new QueueTransport([errorResponse(RC.LOCKOUT), propertyResponse(0x211, 77)]);
    const tpm = new Tpm(transport);
    const error = await tpm.run(Clear, { authHandle: TPM_RH.LOCKOUT }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TpmError);
    expect((error as TpmError).lockoutAuthBlocked).toBe(true);
    expect((error as TpmError).lockoutRecoverySeconds).toBe(77);
    expect((error as TpmError).message).toContain('(77 s on this TPM)');
    expect(transport.commands.map(commandCode)).toEqual([0x126, 0x17a]);
  });

  it('TPM_RC_LOCKOUT through platform authorisation, or another code through lockout, reads nothing more', async () => {
    const transport = new QueueTransport([errorResponse(RC.LOCKOUT), errorResponse(RC.DISABLED)]);
    const tpm = new Tpm(transport);
    const viaPlatform = await tpm.run(Clear, { authHandle: TPM_RH.PLATFORM }).catch((e: unknown) => e);
    expect((viaPlatform as TpmError).lockoutAuthBlocked).toBe(false);
    const disabled = await tpm.run(Clear, { authHandle: TPM_RH.LOCKOUT }).catch((e: unknown) => e);
    expect((disabled as TpmError).is(RC.DISABLED)).toBe(true);
    expect(transport.commands.map(commandCode)).toEqual([0x126, 0x126]);
  });

  it('when the recovery time cannot be read, the error says so in general terms', async () => {
    const transport = new QueueTransport([errorResponse(RC.LOCKOUT), errorResponse(RC.FAILURE)]);
    const tpm = new Tpm(transport);
    const error = await tpm.run(Clear, { authHandle: TPM_RH.LOCKOUT }).catch((e: unknown) => e);
    expect((error as TpmError).lockoutRecoverySeconds).toBeUndefined();
    expect((error as TpmError).message).toContain('blocked for TPM_PT_LOCKOUT_RECOVERY seconds after');
  });

  it('custom layers run in order; one that throws leaves the error as it was', async () => {
    const seen: string[] = [];
    const failing: ErrorLayer = async () => {
      seen.push('failing');
      throw new Error('layer bug');
    };
    const rewrap: ErrorLayer = async (error) => {
      seen.push(`rewrap ${error.decoded.name}`);
      return new TpmError(error.responseCode, {
        command: 'renamed',
        commandCode: error.commandCode,
        authHandles: error.authHandles,
      });
    };
    const tpm = new Tpm(new QueueTransport([errorResponse(RC.FAILURE)]), { errorLayers: [failing, rewrap] });
    const error = await tpm.run(ReadClock, {}).catch((e: unknown) => e);
    expect(seen).toEqual(['failing', 'rewrap TPM_RC_FAILURE']);
    expect((error as TpmError).command).toBe('renamed');
  });

  it('no layers: a lockout-blocked error is not enriched', async () => {
    const transport = new QueueTransport([errorResponse(RC.LOCKOUT)]);
    const tpm = new Tpm(transport, { errorLayers: [] });
    const error = await tpm.run(Clear, { authHandle: TPM_RH.LOCKOUT }).catch((e: unknown) => e);
    expect((error as TpmError).lockoutAuthBlocked).toBe(true);
    expect((error as TpmError).lockoutRecoverySeconds).toBeUndefined();
    expect(transport.commands.length).toBe(1);
  });
});

describe('a failing command inside an error layer', () => {
  it('is not explained by the layers again, so a layer cannot loop', async () => {
    let calls = 0;
    const rereads: ErrorLayer = async (error, tpm) => {
      calls++;
      await tpm.run(ReadClock, {}).catch(() => undefined);
      return error;
    };
    const transport = new QueueTransport([errorResponse(RC.FAILURE), errorResponse(RC.FAILURE)]);
    const tpm = new Tpm(transport, { errorLayers: [rereads] });
    await expect(tpm.run(ReadClock, {})).rejects.toBeInstanceOf(TpmError);
    expect(calls).toBe(1);
    expect(transport.commands.length).toBe(2);
  });
});
