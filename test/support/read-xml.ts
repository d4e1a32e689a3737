/**
 * A small, strict XML reader for tests of XML that tpm-doctor writes (task definitions): elements,
 * attributes, text and the five predefined entities; it throws on anything else (a mismatched or
 * unclosed tag, a stray '<' or '&', a DOCTYPE), so a test that reads a document has also checked
 * that it is well-formed for this subset. Not for untrusted input.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&([a-z]+);|&/g, (m, name: string | undefined) => {
    const c = name === undefined ? undefined : ENTITIES[name];
    if (c === undefined) throw new Error(`XML: bare '&' or unknown entity ${m}`);
    return c;
  });
}

export function readXml(source: string): XmlElement {
  let at = 0;
  const text = source.replace(/^\uFEFF/, '');
  const declaration = /^<\?xml[^?]*\?>\s*/.exec(text);
  if (declaration) at = declaration[0].length;
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  while (at < text.length) {
    const lt = text.indexOf('<', at);
    const chunk = text.slice(at, lt === -1 ? text.length : lt);
    const top = stack[stack.length - 1]!;
    if (chunk.includes('>')) throw new Error(`XML: stray '>' at ${at}`);
    top.text += decode(chunk);
    if (lt === -1) break;
    const close = /^<\/([A-Za-z_][\w.-]*)\s*>/.exec(text.slice(lt));
    if (close) {
      const open = stack.pop();
      if (!open || open.name !== close[1]) throw new Error(`XML: </${close[1]}> closes <${open?.name}>`);
      at = lt + close[0].length;
      continue;
    }
    const tag = /^<([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*"[^"<]*")*)\s*(\/?)>/.exec(
      text.slice(lt),
    );
    if (!tag) throw new Error(`XML: cannot read the tag at ${lt}: ${text.slice(lt, lt + 40)}`);
    const attributes: Record<string, string> = {};
    for (const a of tag[2]!.matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*"([^"<]*)"/g)) {
      if (a[1]! in attributes) throw new Error(`XML: attribute ${a[1]} twice`);
      attributes[a[1]!] = decode(a[2]!);
    }
    const element: XmlElement = { name: tag[1]!, attributes, children: [], text: '' };
    top.children.push(element);
    if (tag[3] !== '/') stack.push(element);
    at = lt + tag[0].length;
  }
  if (stack.length !== 1) throw new Error(`XML: <${stack[stack.length - 1]!.name}> is not closed`);
  if (root.children.length !== 1 || root.text.trim() !== '')
    throw new Error('XML: expected one root element');
  return root.children[0]!;
}

/** The one child element of that name (throws when there is none or more than one). */
export function child(element: XmlElement, name: string): XmlElement {
  const found = element.children.filter((c) => c.name === name);
  if (found.length !== 1) throw new Error(`<${element.name}> has ${found.length} <${name}>`);
  return found[0]!;
}

/** The text of the element at a path of child names. */
export function textAt(element: XmlElement, ...names: string[]): string {
  return names.reduce(child, element).text;
}
