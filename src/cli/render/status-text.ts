import type { TpmStatus } from '../../snapshot/tpm-status.js';
import { summarizeTpm } from '../../snapshot/tpm-summary.js';
import { displayWidth } from '../../text/display-width.js';
import { formatDuration } from '../../text/duration.js';
import { EN, type UiMessages } from '../../text/messages/en.js';
import type { Language } from '../../text/messages/language.js';
import { wrapIndented, wrapParagraph } from '../../text/wrap.js';
import { PLAIN_LAYOUT, type TextLayout } from '../terminal-style.js';

/**
 * The human view of a status: the facts an admin looks for first, aligned, one screen. A value
 * too long for the terminal wraps under itself.
 */
export function renderStatus(
  s: TpmStatus,
  options: { verbose: boolean; layout?: TextLayout; ui?: UiMessages; language?: Language },
): string {
  const { width } = options.layout ?? PLAIN_LAYOUT;
  const ui = options.ui ?? EN;
  const language = options.language ?? 'en';
  const out: string[] = [];
  // Each entry is one paragraph: a line break inside one came from the TPM (a vendor string, a
  // certificate field) and is shown escaped, like any control character, by the terminal filter
  // inside the wrapping (src/text/terminal-safe.ts).
  const push = (...lines: string[]) => {
    for (const l of lines) out.push(...wrapIndented(l, width));
  };
  // Labels padded by the columns they take (a Japanese label is two a character).
  const line = (label: string, value: string) =>
    out.push(
      ...wrapParagraph(`  ${label}${' '.repeat(Math.max(1, 21 - displayWidth(label)))}`, value, 23, width),
    );
  const heading = (text: string) => push('', text);

  push(`${ui['status.heading']({ uri: s.tpm.uri })}${s.tpm.lab ? ui['status.lab'] : ''}`);
  // Only a missing device (TPM_ABSENT) says "no TPM"; a TPM that did not answer (permission
  // denied, TBS refused, a timeout, nothing listening) may well be there: its presence is unknown.
  const absent = s.present === false || s.errors.some((e) => e.code === 'TPM_ABSENT');
  line(
    ui['status.label.present'],
    s.present === true
      ? s.started === false
        ? ui['status.present.not-started']
        : ui['status.yes']
      : absent
        ? ui['status.NO']
        : ui['status.present.unknown'],
  );
  line(ui['status.label.summary'], summaryLine(s, ui));
  const id = s.identity;
  if (id) {
    line(
      ui['status.label.specification'],
      `TPM ${id.family}, level ${id.level}, revision ${id.revision}${id.specDate ? ` (${id.specDate})` : ''}`,
    );
    line(
      ui['status.label.manufacturer'],
      `${id.manufacturer.name} (${id.manufacturer.id}, ${id.manufacturer.code})`,
    );
    line(
      ui['status.label.vendor-string'],
      id.vendorString ? `"${id.vendorString}"` : ui['status.none-parenthesised'],
    );
    line(ui['status.label.firmware'], id.firmwareVersion);
  }
  if (s.selfTest)
    line(
      ui['status.label.self-test'],
      s.selfTest.ok
        ? ui['status.self-test.passed']
        : `${ui['status.self-test.failed']}: ${s.selfTest.name} (${s.selfTest.code}) ${s.selfTest.message}`,
    );

  if (s.permanent || s.startupClear) {
    heading(ui['status.heading.flags']);
    if (s.permanent) line('TPMA_PERMANENT', `${s.permanent.value}  ${flagList(s.permanent.flags, ui)}`);
    if (s.startupClear)
      line('TPMA_STARTUP_CLEAR', `${s.startupClear.value}  ${flagList(s.startupClear.flags, ui)}`);
  }
  const da = s.dictionaryAttack;
  if (da) {
    heading(ui['status.heading.dictionary-attack']);
    line(ui['status.label.locked-out'], da.inLockout ? ui['status.locked-out.yes'] : ui['status.no']);
    line(
      ui['status.label.failed-tries'],
      ui['status.failed-tries']({ failed: da.failedTries, max: da.maxTries }),
    );
    line(
      ui['status.label.recovery'],
      ui['status.recovery']({ every: formatDuration(da.recoveryTimeSeconds, language) }),
    );
    line(
      ui['status.label.lockout-retry'],
      ui['status.lockout-retry']({ after: formatDuration(da.lockoutRecoverySeconds, language) }),
    );
    line(
      ui['status.label.lockout-auth-set'],
      da.lockoutAuthSet ? ui['status.lockout-auth-set.yes'] : ui['status.lockout-auth-set.no'],
    );
  }
  if (s.pcrBanks) {
    heading(ui['status.heading.pcr-banks']);
    if (s.pcrBanks.length === 0) line(ui['status.label.allocated'], ui['status.none']);
    for (const bank of s.pcrBanks) {
      line(bank.hashAlg, ui['status.pcr-count']({ count: bank.pcrs.length, ranges: ranges(bank.pcrs) }));
      if (options.verbose) {
        for (const [pcr, value] of Object.entries(bank.values)) push(`    ${pcr.padStart(2)}: ${value}`);
      }
    }
  }
  if (s.persistentObjects) {
    heading(ui['status.heading.persistent']({ count: s.persistentObjects.length }));
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
    heading(ui['status.heading.nv']({ count: s.nvIndices.length }));
    for (const nv of s.nvIndices) {
      push(
        `  ${nv.index}  ${nv.hierarchy.padEnd(8)} ${`${nv.size} B`.padEnd(7)} ${nv.type.padEnd(9)} ${nv.purpose}`,
      );
      if (options.verbose) push(`              ${nv.attributes}`);
    }
  }
  if (s.transientHandles)
    line(
      ui['status.label.transient'],
      s.transientHandles.length === 0 ? ui['status.none'] : s.transientHandles.join(' '),
    );
  const c = s.capacity;
  if (c) {
    heading(ui['status.heading.capacity']);
    line(
      ui['status.label.persistent'],
      ui['status.capacity.persistent']({
        stored: String(c.persistentLoaded ?? '?'),
        room: String(c.persistentAvailable ?? '?'),
      }),
    );
    line(
      ui['status.label.transient-slots'],
      ui['status.capacity.transient']({ free: String(c.transientAvailable ?? '?') }),
    );
    line(ui['status.label.nv'], ui['status.capacity.nv']({ defined: String(c.nvIndicesDefined ?? '?') }));
  }
  const e = s.endorsement;
  if (e) {
    heading(ui['status.heading.ek-certificates']({ count: e.certificates.length }));
    if (e.certificates.length === 0) line(ui['status.label.none-in-nv'], ui['status.ek.none-in-nv']);
    for (const cert of e.certificates) {
      push(`  ${cert.nvIndex}  ${cert.label}`);
      if (cert.error) {
        push(`    ${ui['status.ek.error']({ error: cert.error })}`);
        continue;
      }
      // The labels in one column, at least two spaces after the widest of the first three.
      const labels = {
        subject: ui['status.ek.subject'],
        issuer: ui['status.ek.issuer'],
        valid: ui['status.ek.valid'],
        matches: ui['status.ek.matches'],
      };
      const column = Math.max(
        10,
        ...[labels.subject, labels.issuer, labels.valid].map((label) => displayWidth(label) + 2),
      );
      const label = (text: string) => `    ${text}${' '.repeat(Math.max(2, column - displayWidth(text)))}`;
      push(`${label(labels.subject)}${cert.subject}`);
      push(`${label(labels.issuer)}${cert.issuer}`);
      push(
        `${label(labels.valid)}${ui['status.ek.valid-range']({ from: String(cert.notBefore), to: String(cert.notAfter) })}${cert.validNow === false ? ui['status.ek.not-valid-now'] : ''}`,
      );
      const verdict =
        cert.matches === true
          ? ui['status.ek.matches.yes']
          : cert.matches === false
            ? ui['status.ek.matches.no']
            : ui['status.ek.matches.unknown'];
      push(
        `${label(labels.matches)}${verdict}${cert.ek.handle ? (cert.ek.source === 'persistent' ? ui['status.ek.source.persistent']({ handle: cert.ek.handle }) : ` (${cert.ek.source} EK ${cert.ek.handle})`) : cert.ek.source === 'computed' ? ui['status.ek.source.computed'] : ''}${cert.reason ? `: ${cert.reason}` : ''}`,
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
    heading(ui['diagnosis.could-not-read']);
    for (const err of s.errors) push(`  ${err.section}: ${err.message}`);
  }
  out.push('');
  return `${out.join('\n')}\n`;
}

/** Get-Tpm's answers in one line, each "unknown" when its facts could not be read. */
function summaryLine(s: TpmStatus, ui: UiMessages): string {
  const summary = summarizeTpm(s);
  const say = (fact: boolean | null, yes = ui['status.yes'], no = ui['status.NO']) =>
    fact === null ? ui['status.unknown'] : fact ? yes : no;
  return ui['status.summary']({
    ready: say(summary.ready),
    enabled: say(summary.enabled),
    ownerAuthSet: say(summary.ownerAuthSet, ui['status.yes'], ui['status.no']),
    lockedOut: say(summary.lockedOut, ui['status.YES'], ui['status.no']),
    clearAllowed: say(summary.clearAllowed),
  });
}

function flagList(flags: Record<string, boolean>, ui: UiMessages): string {
  const on = Object.keys(flags).filter((name) => flags[name]);
  const off = Object.keys(flags).filter((name) => !flags[name]);
  return ui['status.flags']({
    set: on.join(' ') || ui['status.none'],
    clear: off.join(' ') || ui['status.none'],
  });
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
