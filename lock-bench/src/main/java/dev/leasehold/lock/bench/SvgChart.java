package dev.leasehold.lock.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Cumulative distribution charts as standalone SVG, written by hand: one panel per group, a line per series, the
 * x axis logarithmic. No plotting service or library is involved.
 */
final class SvgChart {

    /** One line: its name and its values, sorted ascending. */
    record Series(String name, double[] sorted) {}

    /** One panel: a title and its lines. */
    record Panel(String title, List<Series> series) {}

    private static final String[] COLOURS = {
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"
    };

    private static final int PANEL_W = 620;
    private static final int PANEL_H = 340;
    private static final int LEFT = 60;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int PLOT_H = 200;

    private SvgChart() {}

    /** The SVG document: panels laid out {@code columns} to a row, each series' colour the same in every panel. */
    static String cdf(String title, String xLabel, List<Panel> panels, int columns) {
        Map<String, String> colours = new LinkedHashMap<>();
        for (Panel p : panels) {
            for (Series s : p.series()) {
                colours.computeIfAbsent(s.name(), k -> COLOURS[colours.size() % COLOURS.length]);
            }
        }
        int cols = Math.max(1, Math.min(columns, panels.size()));
        int rows = Math.max(1, (panels.size() + cols - 1) / cols);
        int width = cols * PANEL_W;
        int height = 40 + rows * PANEL_H;
        StringBuilder b = new StringBuilder();
        b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        b.append(fmt(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                        + " font-family=\"sans-serif\" font-size=\"11\">\n",
                width, height, width, height));
        b.append(fmt("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", width, height));
        b.append(fmt("<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>\n", escape(title)));
        // One time axis for every panel, so that panels compare at a glance.
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (Panel p : panels) {
            for (Series s : p.series()) {
                for (double v : s.sorted()) {
                    if (v > 0) {
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
                }
            }
        }
        if (hi == 0) {
            lo = 0.1;
            hi = 1;
        }
        int decadeLo = (int) Math.floor(Math.log10(lo));
        int decadeHi = Math.max(decadeLo + 1, (int) Math.ceil(Math.log10(hi)));
        for (int i = 0; i < panels.size(); i++) {
            int x0 = (i % cols) * PANEL_W;
            int y0 = 40 + (i / cols) * PANEL_H;
            panel(b, panels.get(i), x0, y0, xLabel, colours, decadeLo, decadeHi);
        }
        b.append("</svg>\n");
        return b.toString();
    }

    private static void panel(
            StringBuilder b,
            Panel panel,
            int x0,
            int y0,
            String xLabel,
            Map<String, String> colours,
            int decadeLo,
            int decadeHi) {
        int plotW = PANEL_W - LEFT - RIGHT;
        int px = x0 + LEFT;
        int py = y0 + TOP;
        b.append(fmt(
                "<text x=\"%d\" y=\"%d\" font-size=\"13\" font-weight=\"bold\">%s</text>\n",
                px, y0 + 22, escape(panel.title())));
        b.append(fmt(
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>\n",
                px, py, plotW, PLOT_H));
        for (int d = decadeLo; d <= decadeHi; d++) {
            double x = px + (double) (d - decadeLo) / (decadeHi - decadeLo) * plotW;
            b.append(fmt(
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n", x, py, x, py + PLOT_H));
            b.append(fmt(
                    "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                    x, py + PLOT_H + 14, tick(Math.pow(10, d))));
        }
        for (int q = 0; q <= 4; q++) {
            double y = py + PLOT_H - q / 4.0 * PLOT_H;
            b.append(
                    fmt("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", px, y, px + plotW, y));
            b.append(fmt("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d%%</text>\n", px - 4, y + 4, q * 25));
        }
        b.append(fmt(
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                px + plotW / 2, py + PLOT_H + 30, escape(xLabel)));
        int legendY = py + PLOT_H + 46;
        int legendIndex = 0;
        for (Series s : panel.series()) {
            String colour = colours.get(s.name());
            double[] v = s.sorted();
            if (v.length > 0) {
                List<String> points = new ArrayList<>();
                double span = decadeHi - decadeLo;
                for (int i = 0; i < v.length; i++) {
                    double lx = (Math.log10(Math.max(v[i], Math.pow(10, decadeLo))) - decadeLo) / span;
                    double x = px + lx * plotW;
                    // A step function: the fraction rises at each sample.
                    points.add(fmt("%.1f,%.1f", x, py + PLOT_H - (double) i / v.length * PLOT_H));
                    points.add(fmt("%.1f,%.1f", x, py + PLOT_H - (double) (i + 1) / v.length * PLOT_H));
                }
                b.append(fmt(
                        "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\" points=\"%s\"/>\n",
                        colour, String.join(" ", points)));
            }
            int lx = px + (legendIndex % 2) * (plotW / 2);
            int ly = legendY + (legendIndex / 2) * 14;
            b.append(fmt(
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>\n",
                    lx, ly - 4, lx + 16, ly - 4, colour));
            String median = v.length == 0 ? "no data" : fmt("%.2f ms median", Stats.percentile(v, 50));
            b.append(fmt(
                    "<text x=\"%d\" y=\"%d\">%s (n=%d, %s)</text>\n", lx + 20, ly, escape(s.name()), v.length, median));
            legendIndex++;
        }
    }

    private static String tick(double value) {
        if (value >= 1) {
            return fmt("%.0f", value);
        }
        String text = fmt("%.4f", value).replaceAll("0+$", "");
        return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    }

    static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }

    private static String fmt(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
