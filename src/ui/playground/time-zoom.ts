// d3-zoom on a timeline's SVG, horizontal only, as a small disposable object (React renders the
// SVG; d3 only listens on it and keeps the transform). The transform is relative to a base scale
// that ends at the time viewed, so a view that shows "now" keeps showing it as the run plays,
// and a view panned back keeps its distance from now. The right edge never goes past now.
import {
  select,
  zoom,
  zoomIdentity,
  zoomTransform,
  type ZoomBehavior,
  type ZoomTransform,
} from 'd3';

export interface TimeZoom {
  /** Zooms by factor k (> 1: in) about the right edge. */
  zoomBy(k: number): void;
  /** Moves the view by px pixels (> 0: earlier). */
  panBy(px: number): void;
  /** Back to the first zoom, ending at now. */
  reset(): void;
  destroy(): void;
}

export interface TimeZoomOptions {
  /** The plot's left and right edges and height, in SVG units. */
  x0: number;
  x1: number;
  height: number;
  /** The zoom it starts at and resets to. */
  initialK: number;
  minK: number;
  maxK: number;
  onChange(t: ZoomTransform): void;
}

/** The transform at zoom k whose right edge is the base scale's right edge (now). */
export function anchoredRight(k: number, x1: number): ZoomTransform {
  return zoomIdentity.translate(x1 * (1 - k), 0).scale(k);
}

export function attachTimeZoom(svg: SVGSVGElement, o: TimeZoomOptions): TimeZoom {
  const sel = select(svg);
  const behavior: ZoomBehavior<SVGSVGElement, unknown> = zoom<SVGSVGElement, unknown>()
    .scaleExtent([o.minK, o.maxK])
    .extent([
      [o.x0, 0],
      [o.x1, o.height],
    ])
    // Unbounded into the past, never past now.
    .translateExtent([
      [-1e15, 0],
      [o.x1, o.height],
    ])
    .on('zoom', (e: { transform: ZoomTransform }) => o.onChange(e.transform));
  sel.call(behavior).call(behavior.transform, anchoredRight(o.initialK, o.x1));
  return {
    zoomBy: (k) => behavior.scaleBy(sel, k, [o.x1, o.height / 2]),
    panBy: (px) => behavior.translateBy(sel, px / zoomTransform(svg).k, 0),
    reset: () => behavior.transform(sel, anchoredRight(o.initialK, o.x1)),
    destroy: () => {
      sel.on('.zoom', null);
    },
  };
}
