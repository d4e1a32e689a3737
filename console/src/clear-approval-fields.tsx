import { t } from './texts.js';

/**
 * What a destructive action asks before it starts, for the campaign planner and the "this device"
 * clear alike: who approved it and the ticket (when the gate asks), and the typed word. The server
 * checks each of them again; these fields are a convenience.
 */
export function ClearApprovalFields(props: {
  needsApproval: boolean;
  confirmWord: string | null;
  /** Whether the browser itself holds the form until the word is typed. */
  confirmRequired: boolean;
}) {
  return (
    <>
      {props.needsApproval && (
        <div class="filters">
          <label>
            {t.approvedBy}
            <input name="approvedBy" required autoComplete="off" />
          </label>
          <label>
            {t.ticket}
            <input name="ticket" required autoComplete="off" />
          </label>
        </div>
      )}
      {props.confirmWord !== null && (
        <label>
          {t.typeToConfirm(props.confirmWord)}
          <input name="confirm" required={props.confirmRequired} autoComplete="off" spellcheck={false} />
        </label>
      )}
    </>
  );
}
