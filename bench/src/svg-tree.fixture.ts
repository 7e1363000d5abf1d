// Test helper: parses a chart with a real XML parser (failing on malformed markup) into a small
// tree the specs can query by element name and class.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface SvgNode {
  name: string;
  attrs: Record<string, string>;
  children: SvgNode[];
  /** The node's own text, entities decoded. */
  text: string;
}

type RawNode = Record<string, unknown>;

function convert(raw: RawNode): SvgNode | string {
  if ('#text' in raw) return String(raw['#text']);
  const name = Object.keys(raw).find((key) => key !== ':@');
  if (!name) throw new Error('element without a name');
  const attrs = (raw[':@'] ?? {}) as Record<string, string>;
  const parts = (raw[name] as RawNode[]).map(convert);
  return {
    name,
    attrs,
    children: parts.filter((part): part is SvgNode => typeof part !== 'string'),
    text: parts.filter((part): part is string => typeof part === 'string').join(''),
  };
}

/** The root element of a well-formed SVG document; throws with the parser's message otherwise. */
export function parseSvg(svg: string): SvgNode {
  const valid = XMLValidator.validate(svg);
  if (valid !== true) throw new Error(`malformed SVG: ${valid.err.msg} (line ${valid.err.line})`);
  const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false, parseTagValue: false, trimValues: false });
  const roots = (parser.parse(svg) as RawNode[]).map(convert).filter((node): node is SvgNode => typeof node !== 'string');
  if (roots.length !== 1 || roots[0]?.name !== 'svg') throw new Error(`expected one <svg> root, got ${roots.map((r) => r.name).join(', ')}`);
  return roots[0];
}

export function descendants(node: SvgNode): SvgNode[] {
  return node.children.flatMap((child) => [child, ...descendants(child)]);
}

/** Elements of that name carrying every class given. */
export function select(node: SvgNode, name: string, ...classes: string[]): SvgNode[] {
  return descendants(node).filter((n) => n.name === name && classes.every((c) => (n.attrs.class ?? '').split(' ').includes(c)));
}

export const numberAttr = (node: SvgNode, name: string): number => Number(node.attrs[name]);

const GEOMETRY = ['x', 'y', 'x1', 'y1', 'x2', 'y2', 'cx', 'cy', 'r', 'width', 'height'];

/** Every coordinate of the document, polyline points included. */
export function coordinates(root: SvgNode): number[] {
  return [root, ...descendants(root)].flatMap((node) => [
    ...GEOMETRY.filter((name) => name in node.attrs).map((name) => numberAttr(node, name)),
    ...(node.attrs.points ?? '').split(/[ ,]/).filter(Boolean).map(Number),
  ]);
}

/** A polyline's vertices. */
export const vertices = (node: SvgNode): [number, number][] =>
  (node.attrs.points ?? '').split(' ').map((pair) => pair.split(',').map(Number) as [number, number]);
