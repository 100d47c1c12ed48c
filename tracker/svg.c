/* tracker/svg.c — SVG output helpers. Invariant: every text written is XML-escaped, so an
 * entity name can never break the document. */
#include "tracker/svg.h"

static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

void trk_svg_open(FILE *f, int w, int h, const char *title)
{
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n<title>",
            w, h, w, h);
    esc(f, title);
    fprintf(f, "</title>\n<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", w, h);
}

void trk_svg_text(FILE *f, double x, double y, const char *anchor, int size, const char *fill,
                  const char *text)
{
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\" fill=\"%s\">", x, y,
            anchor, size, fill);
    esc(f, text);
    fputs("</text>\n", f);
}

int trk_svg_close(FILE *f)
{
    fputs("</svg>\n", f);
    return ferror(f) ? -1 : 0;
}
