/* tracker/svg.h — a few SVG primitives for liqmap and chart, written straight to a file
 * with text escaped; coordinates are doubles (display only, never figures). */
#ifndef WT_TRACKER_SVG_H
#define WT_TRACKER_SVG_H

#include <stdio.h>

/* trk_svg_open: the <svg> header of a w x h canvas on a white background. */
void trk_svg_open(FILE *f, int w, int h, const char *title);
/* trk_svg_text: text at (x, y), XML-escaped; anchor "start", "middle" or "end". */
void trk_svg_text(FILE *f, double x, double y, const char *anchor, int size, const char *fill,
                  const char *text);
/* trk_svg_close: </svg>. Returns: 0; -1 if f is in error. */
int trk_svg_close(FILE *f);

#endif
