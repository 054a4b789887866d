// Saving a chart as a standalone SVG file: the drawn <svg> with the theme's computed styles
// written inline (the stylesheet and its variables do not travel with the file).
import { downloadBlob } from './download';

const STYLE_PROPS = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-dasharray',
  'stroke-opacity',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'text-anchor',
  'dominant-baseline',
] as const;

/** The SVG text of `svg`, every element carrying its computed style, on the page's background. */
export function standaloneSvg(svg: SVGSVGElement, background: string): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const from = [svg, ...svg.querySelectorAll('*')];
  const to = [copy, ...copy.querySelectorAll('*')];
  from.forEach((el, i) => {
    const target = to[i];
    if (!target) return;
    const cs = getComputedStyle(el);
    const style = STYLE_PROPS.map((p) => `${p}:${cs.getPropertyValue(p)}`).join(';');
    target.setAttribute('style', style);
    target.removeAttribute('class');
  });
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const vb = svg.viewBox.baseVal;
  if (vb && vb.width > 0) {
    copy.setAttribute('width', String(vb.width));
    copy.setAttribute('height', String(vb.height));
  }
  const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  bg.setAttribute('width', '100%');
  bg.setAttribute('height', '100%');
  bg.setAttribute('fill', background);
  copy.insertBefore(bg, copy.firstChild);
  return new XMLSerializer().serializeToString(copy);
}

/**
 * The colour `value` resolves to beside `near`. A custom property reads back as written
 * (`light-dark(#fff, #171b22)`), which means nothing in a file without the page's theme, so a
 * probe element resolves it the way the page does.
 */
function resolvedColor(near: Element, value: string): string {
  const host = near.parentElement ?? document.body;
  const probe = document.createElement('span');
  probe.style.color = value;
  host.appendChild(probe);
  const color = getComputedStyle(probe).color;
  probe.remove();
  return color;
}

/** Downloads `svg` as `filename`. */
export function downloadSvg(svg: SVGSVGElement, filename: string): void {
  const background = resolvedColor(svg, 'var(--card)') || '#ffffff';
  downloadBlob(new Blob([standaloneSvg(svg, background)], { type: 'image/svg+xml' }), filename);
}
