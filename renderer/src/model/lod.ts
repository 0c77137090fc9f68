// Level of detail on the canvas. Canvas text is 12 px or more at zoom 1; below DETAIL_ZOOM it
// would read smaller than 11 px on screen, so the card switches to its overview (label and one
// headline figure) and canvas text is scaled up by `lodScale` so it still reads at 11 px or more.
// The scale moves in quarter steps, so zooming re-renders the canvas only now and then.

/** 12 px text reads at ≥ 11 px on screen from this zoom up. */
export const DETAIL_ZOOM = 11 / 12;

/** Largest scale-up: further out than zoom ≈ 0.23 a canvas is an overview of shapes anyway. */
export const MAX_SCALE = 4;

export function lodScale(zoom: number): number {
  if (!(zoom > 0) || zoom >= DETAIL_ZOOM) return 1;
  return Math.min(MAX_SCALE, Math.ceil((DETAIL_ZOOM / zoom) * 4) / 4);
}

/** On-screen size of canvas text of `px` at `zoom` (what the readability test checks). */
export function screenPx(px: number, zoom: number): number {
  return px * lodScale(zoom) * zoom;
}
