import type { Diagnosis } from '../diagnose/diagnose.js';
import type { TpmStatus } from '../snapshot/tpm-status.js';
import type { UiMessages } from '../text/messages/en.js';
import type { ThisDeviceWords } from './api-types.js';

/**
 * The words `tpm-doctor diagnose` and `tpm-doctor status` print around the facts of the console's
 * TPM (src/cli/render/diagnosis-text.ts, status-text.ts), from the same catalog entries in the
 * console's language: the verdict's status and next step, the clear line, the findings' group
 * headings and labels, and the status lines. The page shows these, never an enum value.
 */
export function thisDeviceWords(
  diagnosis: Diagnosis,
  status: TpmStatus | null,
  source: { tpm: string; lab: string[] | null },
  ui: UiMessages,
): ThisDeviceWords {
  const v = diagnosis.verdict;
  const step =
    v.status === 'incomplete' && v.nextStep === 'none'
      ? ui['diagnosis.step.collect']
      : ui[`diagnosis.step.${v.nextStep}`];
  const clear = v.clearRecommended
    ? { word: ui['diagnosis.clear.yes'], detail: ui['diagnosis.clear.yes-detail'] }
    : v.clearBlockedBy.length > 0
      ? { word: ui['diagnosis.clear.no'], detail: ui['diagnosis.clear.no-detail'] }
      : { word: ui['diagnosis.clear.not-needed'], detail: '' };
  const count = (severity: string) => diagnosis.findings.filter((f) => f.severity === severity).length;
  return {
    source: `${ui['diagnosis.heading']({ source: `TPM ${source.tpm}` })}${source.lab ? `   ${ui['diagnosis.lab']({ scenarios: source.lab.join(', ') })}` : ''}`,
    verdictLabel: ui['diagnosis.label.verdict'],
    verdict: ui[`diagnosis.status.${v.status}`],
    nextStepLabel: ui['diagnosis.label.next-step'],
    nextStep: `${step}${v.because.length > 0 ? `  (${v.because.join(', ')})` : ''}`,
    clearLabel: ui['diagnosis.label.clear'],
    clear: clear.word,
    clearDetail: clear.detail,
    severityHeadings: {
      error: ui['diagnosis.severity.error']({ count: count('error') }),
      warning: ui['diagnosis.severity.warning']({ count: count('warning') }),
      info: ui['diagnosis.severity.info']({ count: count('info') }),
    },
    why: ui['diagnosis.finding.why'].trim(),
    fix: ui['diagnosis.finding.fix'].trim(),
    seeNextStep: ui['diagnosis.finding.see-next-step'],
    destroysKeys: ui['diagnosis.finding.destroys-keys'],
    couldNotRead: ui['diagnosis.could-not-read'],
    status: status === null ? [] : statusLines(status, ui),
  };
}

/** The lines of `tpm-doctor status` an admin looks for first, in its words (status-text.ts). */
function statusLines(s: TpmStatus, ui: UiMessages): { label: string; value: string }[] {
  const unknown = ui['status.unknown'];
  // Only a missing device (TPM_ABSENT) says "no TPM"; a TPM that did not answer may well be there.
  const absent = s.present === false || s.errors.some((e) => e.code === 'TPM_ABSENT');
  const lines = [
    {
      label: ui['status.label.present'],
      value:
        s.present === true
          ? s.started === false
            ? ui['status.present.not-started']
            : ui['status.yes']
          : absent
            ? ui['status.NO']
            : ui['status.present.unknown'],
    },
  ];
  const id = s.identity;
  lines.push(
    {
      label: ui['status.label.manufacturer'],
      value: id ? `${id.manufacturer.name} (${id.manufacturer.id}, ${id.manufacturer.code})` : unknown,
    },
    { label: ui['status.label.firmware'], value: id?.firmwareVersion ?? unknown },
    {
      label: ui['status.label.specification'],
      value: id ? `TPM ${id.family}, level ${id.level}, revision ${id.revision}` : unknown,
    },
  );
  const da = s.dictionaryAttack;
  lines.push(
    {
      label: ui['status.label.locked-out'],
      value: da ? (da.inLockout ? ui['status.locked-out.yes'] : ui['status.no']) : unknown,
    },
    {
      label: ui['status.label.failed-tries'],
      value: da ? ui['status.failed-tries']({ failed: da.failedTries, max: da.maxTries }) : unknown,
    },
    {
      label: ui['status.label.persistent'],
      value: s.persistentObjects ? String(s.persistentObjects.length) : unknown,
    },
  );
  return lines;
}
