/**
 * PowerShell writes its error stream as CLIXML, not text, when stderr is not a terminal and the
 * script came as -EncodedCommand: a `#< CLIXML` line, then serialized records (`<S S="Error">`
 * strings for error lines, `<Obj S="progress">` records for progress). Each string is XML-escaped,
 * and characters XML cannot carry (CR, LF, ESC) are written as `_xHHHH_` ("_x000D__x000A_" for a
 * line break); an underscore that would look like one is written `_x005F_`. This turns the error
 * strings back into the text PowerShell would have shown, and leaves progress records out; text
 * outside the CLIXML block is kept as it is.
 * ("about_PowerShell_exe", -OutputFormat;
 * https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_powershell_exe)
 */
export function readablePowerShellStderr(stderr: string): string {
  const marker = stderr.indexOf('#< CLIXML');
  if (marker < 0) return stderr;
  const before = stderr.slice(0, marker);
  const block = stderr.slice(marker + '#< CLIXML'.length);
  const end = block.lastIndexOf('</Objs>');
  const xml = end < 0 ? block : block.slice(0, end);
  const after = end < 0 ? '' : block.slice(end + '</Objs>'.length);
  const errors = [...xml.matchAll(/<S S="Error">([\s\S]*?)<\/S>/g)].map((m) =>
    unescapeSerialized(unescapeXml(m[1] ?? '')),
  );
  // The terminal colours PowerShell 7 puts around an error mean nothing in a message.
  const text = errors.join('').replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
  return `${before}${text}${after.trim() === '' ? '' : after}`;
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (entity, name: string) => {
    switch (name) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default: {
        const code = name.startsWith('#x') ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
        return code <= 0x10ffff ? String.fromCodePoint(code) : entity;
      }
    }
  });
}

/** `_xHHHH_` back to its character (PowerShell's serializer writes these for XML-unsafe ones). */
function unescapeSerialized(text: string): string {
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}
