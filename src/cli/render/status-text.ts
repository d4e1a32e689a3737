import type { TpmStatus } from '../../snapshot/tpm-status.js';
import { summarizeTpm } from '../../snapshot/tpm-summary.js';
import { formatDuration } from '../../text/duration.js';
import { wrapIndented, wrapParagraph } from '../../text/wrap.js';
import { PLAIN_LAYOUT, type TextLayout } from '../terminal-style.js';

/**
 * The human view of a status: the facts an admin looks for first, aligned, one screen. A value
 * too long for the terminal wraps under itself.
 */
export function renderStatus(s: TpmStatus, options: { verbose: boolean; layout?: TextLayout }): string {
  const { width } = options.layout ?? PLAIN_LAYOUT;
  const out: string[] = [];
  // Each entry is one paragraph: a line break inside one came from the TPM (a vendor string, a
  // certificate field) and is shown escaped, like any control character, by the terminal filter
  // inside the wrapping (src/text/terminal-safe.ts).
  const push = (...lines: string[]) => {
    for (const l of lines) out.push(...wrapIndented(l, width));
  };
  const line = (label: string, value: string) =>
    out.push(...wrapParagraph(`  ${label.padEnd(20)} `, value, 23, width));
  const heading = (text: string) => push('', text);
  const yes = (b: boolean) => (b ? 'yes' : 'no');

  push(`TPM status of ${s.tpm.uri}${s.tpm.lab ? '   [LAB: throwaway software TPM, not this machine]' : ''}`);
  // Only a missing device (TPM_ABSENT) says "no TPM"; a TPM that did not answer (permission
  // denied, TBS refused, a timeout, nothing listening) may well be there: its presence is unknown.
  const absent = s.present === false || s.errors.some((e) => e.code === 'TPM_ABSENT');
  line(
    'Present',
    s.present === true
      ? s.started === false
        ? 'yes, but not started (TPM2_Startup not sent)'
        : 'yes'
      : absent
        ? 'NO'
        : 'unknown (the TPM could not be reached; see below)',
  );
  line('Summary', summaryLine(s));
  const id = s.identity;
  if (id) {
    line(
      'Specification',
      `TPM ${id.family}, level ${id.level}, revision ${id.revision}${id.specDate ? ` (${id.specDate})` : ''}`,
    );
    line('Manufacturer', `${id.manufacturer.name} (${id.manufacturer.id}, ${id.manufacturer.code})`);
    line('Vendor string', id.vendorString ? `"${id.vendorString}"` : '(none)');
    line('Firmware', id.firmwareVersion);
  }
  if (s.selfTest)
    line(
      'Self test',
      s.selfTest.ok ? 'passed' : `FAILED: ${s.selfTest.name} (${s.selfTest.code}) ${s.selfTest.message}`,
    );

  if (s.permanent || s.startupClear) {
    heading('Flags');
    if (s.permanent) line('TPMA_PERMANENT', `${s.permanent.value}  ${flagList(s.permanent.flags)}`);
    if (s.startupClear)
      line('TPMA_STARTUP_CLEAR', `${s.startupClear.value}  ${flagList(s.startupClear.flags)}`);
  }
  const da = s.dictionaryAttack;
  if (da) {
    heading('Dictionary attack protection');
    line('Locked out', da.inLockout ? 'YES: DA-protected keys refuse authorisation' : 'no');
    line('Failed tries', `${da.failedTries} of ${da.maxTries} allowed`);
    line('Recovery', `one failure forgiven every ${formatDuration(da.recoveryTimeSeconds)}`);
    line(
      'Lockout auth retry',
      `after ${formatDuration(da.lockoutRecoverySeconds)} following a wrong lockout auth`,
    );
    line('Lockout auth set', yes(da.lockoutAuthSet));
  }
  if (s.pcrBanks) {
    heading('PCR banks');
    if (s.pcrBanks.length === 0) line('Allocated', 'none');
    for (const bank of s.pcrBanks) {
      line(bank.hashAlg, `${bank.pcrs.length} PCRs (${ranges(bank.pcrs)})`);
      if (options.verbose) {
        for (const [pcr, value] of Object.entries(bank.values)) push(`    ${pcr.padStart(2)}: ${value}`);
      }
    }
  }
  if (s.persistentObjects) {
    heading(`Persistent objects (${s.persistentObjects.length})`);
    for (const o of s.persistentObjects) {
      if (o.error) {
        push(`  ${o.handle}  ${o.hierarchy.padEnd(11)} UNREADABLE: ${o.error}`);
        continue;
      }
      const key = o.keyBits ? `${o.type} ${o.keyBits}` : o.curve ? `${o.type} ${o.curve}` : o.type;
      push(`  ${o.handle}  ${o.hierarchy.padEnd(11)} ${key.padEnd(16)} ${o.purpose}`);
      if (options.verbose) push(`              ${o.attributes}`);
    }
  }
  if (s.nvIndices) {
    heading(`NV indices (${s.nvIndices.length})`);
    for (const nv of s.nvIndices) {
      push(
        `  ${nv.index}  ${nv.hierarchy.padEnd(8)} ${`${nv.size} B`.padEnd(7)} ${nv.type.padEnd(9)} ${nv.purpose}`,
      );
      if (options.verbose) push(`              ${nv.attributes}`);
    }
  }
  if (s.transientHandles)
    line('Transient handles', s.transientHandles.length === 0 ? 'none' : s.transientHandles.join(' '));
  const c = s.capacity;
  if (c) {
    heading('Capacity');
    line(
      'Persistent objects',
      `${c.persistentLoaded ?? '?'} stored, room for ${c.persistentAvailable ?? '?'} more`,
    );
    line('Transient slots', `${c.transientAvailable ?? '?'} free`);
    line('NV indices', `${c.nvIndicesDefined ?? '?'} defined`);
  }
  const e = s.endorsement;
  if (e) {
    heading(`Endorsement key certificates (${e.certificates.length})`);
    if (e.certificates.length === 0)
      line('None in NV', 'Intel PTT and AMD fTPM often keep them online instead');
    for (const cert of e.certificates) {
      push(`  ${cert.nvIndex}  ${cert.label}`);
      if (cert.error) {
        push(`    ERROR: ${cert.error}`);
        continue;
      }
      push(`    subject   ${cert.subject}`);
      push(`    issuer    ${cert.issuer}`);
      push(
        `    valid     ${cert.notBefore} to ${cert.notAfter}${cert.validNow === false ? '  (NOT valid now)' : ''}`,
      );
      const verdict =
        cert.matches === true
          ? 'yes'
          : cert.matches === false
            ? 'NO: the certificate is for another key'
            : 'unknown';
      push(
        `    matches EK  ${verdict}${cert.ek.handle ? ` (${cert.ek.source} EK ${cert.ek.handle})` : cert.ek.source === 'computed' ? ' (computed from the template)' : ''}${cert.reason ? `: ${cert.reason}` : ''}`,
      );
    }
  }
  if (options.verbose && s.algorithms) {
    heading('Algorithms');
    push(`  ${s.algorithms.map((a) => a.name).join(' ')}`);
    if (s.eccCurves) push(`  curves: ${s.eccCurves.join(' ')}`);
  }
  if (options.verbose && s.properties) {
    heading('Properties');
    for (const [name, value] of Object.entries(s.properties)) {
      push(`  ${name.padEnd(32)} 0x${value.toString(16).padStart(8, '0')}  ${value}`);
    }
  }
  if (s.clock && options.verbose) {
    heading('Clock');
    line(
      'Clock',
      `${s.clock.clockMs} ms since the last clear; resets ${s.clock.resetCount}, restarts ${s.clock.restartCount}`,
    );
  }
  if (s.errors.length > 0) {
    heading('Could not read');
    for (const err of s.errors) push(`  ${err.section}: ${err.message}`);
  }
  out.push('');
  return `${out.join('\n')}\n`;
}

/** Get-Tpm's answers in one line, each "unknown" when its facts could not be read. */
function summaryLine(s: TpmStatus): string {
  const summary = summarizeTpm(s);
  const say = (fact: boolean | null, yes = 'yes', no = 'NO') => (fact === null ? 'unknown' : fact ? yes : no);
  return [
    `ready ${say(summary.ready)}`,
    `enabled ${say(summary.enabled)}`,
    `owner auth set ${say(summary.ownerAuthSet, 'yes', 'no')}`,
    `locked out ${say(summary.lockedOut, 'YES', 'no')}`,
    `clear allowed ${say(summary.clearAllowed)}`,
  ].join(', ');
}

function flagList(flags: Record<string, boolean>): string {
  const on = Object.keys(flags).filter((name) => flags[name]);
  const off = Object.keys(flags).filter((name) => !flags[name]);
  return `set: ${on.join(' ') || 'none'};  clear: ${off.join(' ') || 'none'}`;
}

function ranges(pcrs: number[]): string {
  const parts: string[] = [];
  let start = pcrs[0];
  for (let i = 1; i <= pcrs.length; i++) {
    if (pcrs[i] !== (pcrs[i - 1] ?? 0) + 1) {
      const end = pcrs[i - 1];
      parts.push(start === end ? `${start}` : `${start}-${end}`);
      start = pcrs[i];
    }
  }
  return parts.join(',');
}
