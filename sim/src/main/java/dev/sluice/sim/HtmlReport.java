package dev.sluice.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A self-contained HTML page (inline CSS and SVG; no scripts, fonts or anything fetched) comparing the runs
 * side by side — sync | async: permits in use against the limit, the queue, arrivals and rejections over time,
 * the figures and the parameters.
 */
public final class HtmlReport {

    private static final String BLUE = "#2563eb";
    private static final String INK = "#0f172a";
    private static final String AMBER = "#d97706";
    private static final String SLATE = "#64748b";
    private static final String RED = "#dc2626";
    private static final String PURPLE = "#9333ea";
    private static final String BAND = "#fef3c7";

    private static final int W = 600;
    private static final int H = 200;
    private static final int ML = 50;
    private static final int MR = 14;
    private static final int MT = 12;
    private static final int MB = 28;

    private HtmlReport() {
    }

    /** The page for a scenario and its sync and/or async results (either may be {@code null}, not both). */
    public static String render(Scenario scenario, SimulationResult sync, SimulationResult async) {
        if (sync == null && async == null) {
            throw new IllegalArgumentException("nothing to report: no result");
        }
        List<SimulationResult> results = new ArrayList<>();
        if (sync != null) {
            results.add(sync);
        }
        if (async != null) {
            results.add(async);
        }
        double xMax = 0;
        for (SimulationResult r : results) {
            xMax = Math.max(xMax, r.figures().endTime());
        }
        StringBuilder b = new StringBuilder(200_000);
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>Sluice simulation — ").append(Fmt.html(scenario.name())).append("</title>\n")
                .append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n<main>\n");

        // Header.
        b.append("<header>\n<p class=\"eyebrow\">Sluice · traffic simulation</p>\n")
                .append("<h1>Scenario <span class=\"name\">").append(Fmt.html(scenario.name())).append("</span></h1>\n")
                .append("<p class=\"lede\">One semaphore with a limit of <b>").append(Fmt.html(limitText(scenario)))
                .append("</b>, offered ").append(Fmt.html(scenario.arrival().describe()))
                .append(", each request holding its permit for <b>").append(Fmt.html(scenario.service().spec()))
                .append("</b>. ");
        if (results.size() == 2) {
            b.append("Left, <b>sync</b>: clients try to acquire and are rejected when the gate is full")
                    .append(scenario.retries() > 0 ? " (retrying up to " + scenario.retries() + " times with backoff)" : "")
                    .append(". Right, <b>async</b>: a FIFO queue in front of the gate, granted in order as permits free.");
        } else {
            b.append(results.getFirst().mode() == Mode.SYNC
                    ? "Mode <b>sync</b>: clients try to acquire and are rejected when the gate is full."
                    : "Mode <b>async</b>: a FIFO queue in front of the gate, granted in order as permits free.");
        }
        b.append("</p>\n</header>\n");

        // Headline cards.
        b.append("<section class=\"cards\">\n");
        card(b, "Rejected", results, r -> Fmt.pct(r.figures().rejectedPct()), "of offered requests never got a permit");
        card(b, "Utilization", results, r -> Fmt.pct(r.figures().utilizationPct()), "of the permit-seconds the limit allowed");
        card(b, "Wait p99", results, r -> Fmt.seconds(r.figures().waitP99()), "arrival → grant, granted requests");
        card(b, "Max waiting", results, r -> Fmt.count(r.figures().maxWaiting()), "longest queue");
        b.append("</section>\n");
        if (sync != null && async != null) {
            b.append("<p class=\"summary\">").append(narrative(scenario, sync.figures(), async.figures())).append("</p>\n");
        }

        // Charts.
        b.append("<section class=\"charts cols-").append(results.size()).append("\">\n");
        for (SimulationResult r : results) {
            b.append("<h2 class=\"col-head\">").append(r.mode().label()).append(" <span>")
                    .append(r.mode() == Mode.SYNC ? "try-acquire, rejected when full" : "FIFO queue in front of the gate")
                    .append("</span></h2>\n");
        }
        List<double[]> bands = bands(scenario, xMax);
        // Row 1: in use against the limit.
        double yInUse = 1;
        for (SimulationResult r : results) {
            yInUse = Math.max(yInUse, max(r.series().inUse()));
        }
        yInUse = Math.max(yInUse, scenario.limit().maxLimit());
        for (SimulationResult r : results) {
            Series s = r.series();
            Chart c = new Chart(xMax, yInUse * 1.08, bands);
            c.area(mid(s), s.inUse(), BLUE);
            c.step(limitXs(scenario, xMax), limitYs(scenario, xMax), INK, false);
            figure(b, r.mode(), "Permits in use against the limit", c.svg("Permits in use and the limit over time, " + r.mode().label()),
                    legend(bands.isEmpty() ? null : "burst", new String[] {"in use (mean per bucket)", BLUE}, new String[] {"limit", INK}));
        }
        // Row 2: waiting.
        double yWait = 1;
        for (SimulationResult r : results) {
            yWait = Math.max(yWait, max(r.series().waiting()));
        }
        for (SimulationResult r : results) {
            Series s = r.series();
            Chart c = new Chart(xMax, yWait * 1.08, bands);
            c.area(mid(s), s.waiting(), AMBER);
            if (r.mode() == Mode.SYNC) {
                c.note("no queue: nothing waits — the excess is rejected");
            }
            figure(b, r.mode(), "Waiting in the queue", c.svg("Queue length over time, " + r.mode().label()),
                    legend(bands.isEmpty() ? null : "burst", new String[] {"waiting (mean per bucket)", AMBER}));
        }
        // Row 3: arrivals and rejections per second.
        double yRate = 1;
        boolean anyRetries = false;
        for (SimulationResult r : results) {
            Series s = r.series();
            yRate = Math.max(yRate, max(perSecond(s.arrivals(), s)));
            yRate = Math.max(yRate, max(perSecond(s.retries(), s)));
            anyRetries |= sum(s.retries()) > 0;
        }
        for (SimulationResult r : results) {
            Series s = r.series();
            Chart c = new Chart(xMax, yRate * 1.08, bands);
            c.line(mid(s), perSecond(s.arrivals(), s), SLATE, false);
            if (anyRetries) {
                c.line(mid(s), perSecond(s.retries(), s), PURPLE, true);
            }
            c.area(mid(s), perSecond(s.rejections(), s), RED);
            String[][] items = anyRetries
                    ? new String[][] {{"arrivals/s", SLATE}, {"rejections/s", RED}, {"retried tries/s", PURPLE}}
                    : new String[][] {{"arrivals/s", SLATE}, {"rejections/s", RED}};
            figure(b, r.mode(), "Arrivals and rejections per second", c.svg("Arrival and rejection rates over time, " + r.mode().label()),
                    legend(bands.isEmpty() ? null : "burst", items));
        }
        b.append("</section>\n");

        // Figures table.
        b.append("<section class=\"panel\">\n<h2>Figures</h2>\n<table class=\"figures\">\n<thead><tr><th></th>");
        for (SimulationResult r : results) {
            b.append("<th class=\"num\">").append(r.mode().label()).append("</th>");
        }
        b.append("<th class=\"what\">what it is</th></tr></thead>\n<tbody>\n");
        row(b, results, "offered", r -> Fmt.count(r.figures().offered()), "requests that arrived (a retry is not a new request)");
        row(b, results, "completed", r -> Fmt.count(r.figures().completed()), "granted and finished");
        row(b, results, "rejected", r -> Fmt.pct(r.figures().rejectedPct()) + " · " + Fmt.count(r.figures().rejected()),
                "share of offered requests finally turned away (after any retries)");
        row(b, results, "utilization", r -> Fmt.pct(r.figures().utilizationPct()),
                "permit-seconds used ÷ permit-seconds the limit made available");
        row(b, results, "wait mean", r -> Fmt.seconds(r.figures().waitMean()), "arrival → grant, over granted requests");
        row(b, results, "wait p50", r -> Fmt.seconds(r.figures().waitP50()), "");
        row(b, results, "wait p95", r -> Fmt.seconds(r.figures().waitP95()), "");
        row(b, results, "wait p99", r -> Fmt.seconds(r.figures().waitP99()), "sync: retry delays count as waiting");
        row(b, results, "max waiting", r -> Fmt.count(r.figures().maxWaiting()), "longest queue (0 without one)");
        row(b, results, "drain time", r -> Fmt.seconds(r.figures().drainTime()), "last arrival → last request finished");
        row(b, results, "attempts", r -> Fmt.count(r.figures().attempts()), "tries, retries included");
        row(b, results, "simulated", r -> Durations.format(Math.round(r.figures().endTime() * 10) / 10.0), "until drained");
        b.append("</tbody>\n</table>\n</section>\n");

        // Parameters.
        b.append("<section class=\"panel\">\n<h2>Parameters</h2>\n<table class=\"params\">\n<tbody>\n");
        for (Map.Entry<String, String> e : scenario.parameters().entrySet()) {
            b.append("<tr><th>").append(Fmt.html(e.getKey())).append("</th><td>").append(Fmt.html(e.getValue())).append("</td></tr>\n");
        }
        b.append("</tbody>\n</table>\n</section>\n");

        b.append("<footer>Generated by <code>sluice simulate</code> — a deterministic discrete-event simulation: ")
                .append("the same parameters and seed give the same page. Levels are time-weighted means per bucket of ")
                .append(Durations.format(round3(results.getFirst().series().bucketWidth())))
                .append("; rates are counts per bucket divided by its width.</footer>\n");
        b.append("</main>\n</body>\n</html>\n");
        return b.toString();
    }

    // ---- page pieces ----

    private static String narrative(Scenario s, Figures sync, Figures async) {
        StringBuilder n = new StringBuilder();
        n.append("Without a queue (<b>sync</b>), <b>").append(Fmt.pct(sync.rejectedPct())).append("</b> of requests (")
                .append(Fmt.count(sync.rejected())).append(" of ").append(Fmt.count(sync.offered())).append(") were turned away");
        if (s.retries() > 0) {
            n.append(" even after up to ").append(s.retries()).append(" retries each");
        }
        n.append(". With the queue (<b>async</b>), ");
        if (async.rejected() == 0) {
            n.append("none were: ");
        } else {
            n.append(Fmt.pct(async.rejectedPct())).append(" were: ");
        }
        if (async.maxWaiting() > 0) {
            n.append("up to ").append(Fmt.count(async.maxWaiting())).append(" requests waited at once, ")
                    .append(Fmt.seconds(async.waitMean())).append(" on average (p99 ").append(Fmt.seconds(async.waitP99()))
                    .append("), and the gate stayed busy while the backlog drained");
        } else {
            n.append("nothing ever had to wait");
        }
        n.append(" — utilization ").append(Fmt.pct(sync.utilizationPct())).append(" sync vs ")
                .append(Fmt.pct(async.utilizationPct())).append(" async.");
        return n.toString();
    }

    private interface Cell {
        String value(SimulationResult r);
    }

    private static void card(StringBuilder b, String title, List<SimulationResult> results, Cell cell, String hint) {
        b.append("<div class=\"card\"><div class=\"card-title\">").append(Fmt.html(title)).append("</div><div class=\"card-values\">");
        for (SimulationResult r : results) {
            b.append("<div><span class=\"mode\">").append(r.mode().label()).append("</span><span class=\"value\">")
                    .append(Fmt.html(cell.value(r))).append("</span></div>");
        }
        b.append("</div><div class=\"hint\">").append(Fmt.html(hint)).append("</div></div>\n");
    }

    private static void row(StringBuilder b, List<SimulationResult> results, String label, Cell cell, String what) {
        b.append("<tr><th>").append(Fmt.html(label)).append("</th>");
        for (SimulationResult r : results) {
            b.append("<td class=\"num\">").append(Fmt.html(cell.value(r))).append("</td>");
        }
        b.append("<td class=\"what\">").append(Fmt.html(what)).append("</td></tr>\n");
    }

    private static void figure(StringBuilder b, Mode mode, String title, String svg, String legend) {
        b.append("<figure class=\"chart\"><figcaption><span class=\"chart-title\"><span class=\"badge ")
                .append(mode.label()).append("\">").append(mode.label()).append("</span>").append(Fmt.html(title))
                .append("</span>").append(legend).append("</figcaption>\n").append(svg).append("</figure>\n");
    }

    private static String legend(String band, String[]... items) {
        StringBuilder b = new StringBuilder("<span class=\"legend\">");
        for (String[] item : items) {
            b.append("<span><i style=\"background:").append(item[1]).append("\"></i>").append(Fmt.html(item[0])).append("</span>");
        }
        if (band != null) {
            b.append("<span><i class=\"band\"></i>").append(band).append("</span>");
        }
        return b.append("</span>").toString();
    }

    private static String limitText(Scenario s) {
        LimitSchedule l = s.limit();
        if (l.isConstant()) {
            return Integer.toString(l.steps().getFirst().limit());
        }
        StringBuilder b = new StringBuilder();
        for (LimitSchedule.Step step : l.steps()) {
            if (!b.isEmpty()) {
                b.append(", then ");
            }
            b.append(step.limit());
            if (step.at() > 0) {
                b.append(" from ").append(Durations.format(step.at()));
            }
        }
        return b.toString();
    }

    private static List<double[]> bands(Scenario s, double xMax) {
        List<double[]> bands = new ArrayList<>();
        if (s.arrival() instanceof ArrivalProcess.Spikes sp) {
            for (int k = 0; sp.burstStart(k) < Math.min(xMax, s.duration()) && k < 2000; k++) {
                bands.add(new double[] {sp.burstStart(k), Math.min(sp.burstEnd(k), s.duration())});
            }
        }
        return bands;
    }

    private static double[] limitXs(Scenario s, double xMax) {
        List<LimitSchedule.Step> steps = s.limit().steps();
        List<Double> xs = new ArrayList<>();
        for (LimitSchedule.Step step : steps) {
            if (step.at() < xMax) {
                xs.add(step.at());
            }
        }
        xs.add(xMax);
        return xs.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double[] limitYs(Scenario s, double xMax) {
        double[] xs = limitXs(s, xMax);
        double[] ys = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            ys[i] = s.limit().limitAt(i == xs.length - 1 ? xs[i - 1] : xs[i]);
        }
        return ys;
    }

    private static double[] mid(Series s) {
        double[] m = new double[s.size()];
        for (int i = 0; i < m.length; i++) {
            m[i] = s.time()[i] + s.bucketWidth() / 2;
        }
        return m;
    }

    private static double[] perSecond(long[] counts, Series s) {
        double[] r = new double[counts.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = counts[i] / s.bucketWidth();
        }
        return r;
    }

    private static double max(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, x);
        }
        return m;
    }

    private static long sum(long[] v) {
        long s = 0;
        for (long x : v) {
            s += x;
        }
        return s;
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** One SVG line chart with a time axis. */
    private static final class Chart {
        private final double xMax;
        private final double yMax;
        private final double yStep;
        private final StringBuilder body = new StringBuilder();
        private final List<double[]> bands;
        private String note;

        Chart(double xMax, double yMaxRaw, List<double[]> bands) {
            this.xMax = xMax > 0 ? xMax : 1;
            this.yStep = niceStep(yMaxRaw, 6);
            this.yMax = Math.max(yStep, Math.ceil(yMaxRaw / yStep - 1e-9) * yStep);
            this.bands = bands;
        }

        double x(double t) {
            return ML + (W - ML - MR) * Math.min(1, Math.max(0, t / xMax));
        }

        double y(double v) {
            return MT + (H - MT - MB) * (1 - Math.min(1, Math.max(0, v / yMax)));
        }

        void area(double[] xs, double[] ys, String color) {
            if (xs.length == 0) {
                return;
            }
            StringBuilder d = new StringBuilder();
            d.append('M').append(c(x(0))).append(',').append(c(y(0)));
            d.append('L').append(c(x(0))).append(',').append(c(y(ys[0])));
            for (int i = 0; i < xs.length; i++) {
                d.append('L').append(c(x(xs[i]))).append(',').append(c(y(ys[i])));
            }
            double lastX = xs[xs.length - 1];
            d.append('L').append(c(x(lastX))).append(',').append(c(y(0))).append('Z');
            body.append("<path d=\"").append(d).append("\" fill=\"").append(color).append("\" fill-opacity=\"0.16\" stroke=\"none\"/>\n");
            line(xs, ys, color, false);
        }

        void line(double[] xs, double[] ys, String color, boolean dashed) {
            if (xs.length == 0) {
                return;
            }
            StringBuilder d = new StringBuilder();
            for (int i = 0; i < xs.length; i++) {
                d.append(i == 0 ? 'M' : 'L').append(c(x(xs[i]))).append(',').append(c(y(ys[i])));
            }
            body.append("<path d=\"").append(d).append("\" fill=\"none\" stroke=\"").append(color)
                    .append("\" stroke-width=\"1.5\" stroke-linejoin=\"round\"")
                    .append(dashed ? " stroke-dasharray=\"4 3\"" : "").append("/>\n");
        }

        /** A step line: value ys[i] from xs[i] to xs[i+1]. */
        void step(double[] xs, double[] ys, String color, boolean dashed) {
            StringBuilder d = new StringBuilder();
            for (int i = 0; i < xs.length; i++) {
                if (i == 0) {
                    d.append('M').append(c(x(xs[0]))).append(',').append(c(y(ys[0])));
                } else {
                    d.append('H').append(c(x(xs[i])));
                    if (i < xs.length - 1) {
                        d.append('V').append(c(y(ys[i])));
                    }
                }
            }
            body.append("<path d=\"").append(d).append("\" fill=\"none\" stroke=\"").append(color)
                    .append("\" stroke-width=\"2\"").append(dashed ? " stroke-dasharray=\"5 4\"" : "").append("/>\n");
        }

        void note(String text) {
            this.note = text;
        }

        String svg(String label) {
            StringBuilder s = new StringBuilder();
            s.append("<svg viewBox=\"0 0 ").append(W).append(' ').append(H)
                    .append("\" role=\"img\" aria-label=\"").append(Fmt.html(label)).append("\">\n");
            for (double[] band : bands) {
                s.append("<rect x=\"").append(c(x(band[0]))).append("\" y=\"").append(MT).append("\" width=\"")
                        .append(c(Math.max(0.5, x(band[1]) - x(band[0])))).append("\" height=\"").append(H - MT - MB)
                        .append("\" fill=\"").append(BAND).append("\"/>\n");
            }
            // Horizontal grid and y labels.
            for (double v = 0; v <= yMax + yStep * 1e-6; v += yStep) {
                double yy = y(v);
                s.append("<line x1=\"").append(ML).append("\" x2=\"").append(W - MR).append("\" y1=\"").append(c(yy))
                        .append("\" y2=\"").append(c(yy)).append("\" class=\"").append(v == 0 ? "axis" : "grid").append("\"/>\n");
                s.append("<text x=\"").append(ML - 6).append("\" y=\"").append(c(yy + 3.5)).append("\" class=\"yl\">")
                        .append(yLabel(v)).append("</text>\n");
            }
            // Time axis.
            double xStep = timeStep(xMax);
            for (double t = 0; t <= xMax + 1e-9; t += xStep) {
                double xx = x(t);
                s.append("<line x1=\"").append(c(xx)).append("\" x2=\"").append(c(xx)).append("\" y1=\"").append(H - MB)
                        .append("\" y2=\"").append(H - MB + 4).append("\" class=\"axis\"/>\n");
                s.append("<text x=\"").append(c(xx)).append("\" y=\"").append(H - MB + 16).append("\" class=\"xl\">")
                        .append(timeLabel(t)).append("</text>\n");
            }
            s.append(body);
            if (note != null) {
                s.append("<text x=\"").append((ML + W - MR) / 2).append("\" y=\"").append((MT + H - MB) / 2)
                        .append("\" class=\"note\">").append(Fmt.html(note)).append("</text>\n");
            }
            return s.append("</svg>\n").toString();
        }

        private String yLabel(double v) {
            if (v >= 10_000) {
                return Fmt.trim(v / 1000, 1) + "k";
            }
            return Fmt.trim(v, 2);
        }

        private static double niceStep(double max, int ticks) {
            double raw = Math.max(max, 1e-9) / ticks;
            double mag = Math.pow(10, Math.floor(Math.log10(raw)));
            double norm = raw / mag;
            double nice = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10;
            double step = nice * mag;
            return max >= 1 && step < 1 ? 1 : step;
        }

        private static double timeStep(double xMax) {
            double[] steps = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400};
            for (double st : steps) {
                if (xMax / st <= 8) {
                    return st;
                }
            }
            return niceStep(xMax, 8);
        }

        private static String timeLabel(double t) {
            if (t == 0) {
                return "0";
            }
            long s = Math.round(t);
            if (s % 3600 == 0) {
                return s / 3600 + "h";
            }
            if (s % 60 == 0) {
                return s / 60 + "m";
            }
            return s + "s";
        }

        private static String c(double v) {
            double r = Math.round(v * 10) / 10.0;
            return r == Math.rint(r) ? Long.toString((long) r) : Double.toString(r);
        }
    }

    private static final String CSS = """
            :root { color-scheme: light; }
            * { box-sizing: border-box; }
            body { margin: 0; background: #f8fafc; color: #0f172a;
              font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
            main { max-width: 1280px; margin: 0 auto; padding: 32px 28px 48px; }
            header { margin-bottom: 20px; }
            .eyebrow { margin: 0; color: #2563eb; font-weight: 600; font-size: 13px; letter-spacing: .06em; text-transform: uppercase; }
            h1 { margin: 4px 0 8px; font-size: 28px; letter-spacing: -.01em; }
            h1 .name { color: #334155; }
            .lede { margin: 0; max-width: 920px; color: #334155; }
            h2 { font-size: 17px; margin: 0 0 12px; }
            .cards { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 14px; margin: 22px 0 14px; }
            .card { background: #fff; border: 1px solid #e2e8f0; border-radius: 12px; padding: 14px 16px; }
            .card-title { font-size: 12px; font-weight: 600; color: #64748b; text-transform: uppercase; letter-spacing: .05em; }
            .card-values { display: flex; gap: 22px; margin: 6px 0 2px; }
            .card-values > div { display: flex; flex-direction: column; }
            .card .mode { font-size: 12px; color: #64748b; }
            .card .value { font-size: 22px; font-weight: 650; font-variant-numeric: tabular-nums; }
            .card .hint { font-size: 12px; color: #94a3b8; }
            .summary { background: #eff6ff; border: 1px solid #dbeafe; border-radius: 12px; padding: 12px 16px; margin: 0 0 22px; color: #1e3a8a; }
            .charts { display: grid; gap: 14px 18px; margin-bottom: 22px; }
            .charts.cols-2 { grid-template-columns: repeat(2, minmax(0, 1fr)); }
            .charts.cols-1 { grid-template-columns: minmax(0, 1fr); }
            .col-head { margin: 6px 0 0; font-size: 18px; text-transform: lowercase; }
            .col-head span { font-size: 14px; font-weight: 400; color: #64748b; margin-left: 6px; text-transform: none; }
            figure.chart { margin: 0; background: #fff; border: 1px solid #e2e8f0; border-radius: 12px; padding: 12px 14px 6px; }
            figcaption { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 4px 12px; font-size: 13px; margin-bottom: 4px; }
            .chart-title { font-weight: 600; }
            .badge { display: inline-block; font-size: 11px; font-weight: 600; border-radius: 6px; padding: 0 6px; margin-right: 8px;
              vertical-align: 1px; }
            .badge.sync { background: #fee2e2; color: #991b1b; }
            .badge.async { background: #dbeafe; color: #1e40af; }
            .legend { display: flex; flex-wrap: wrap; gap: 4px 12px; color: #475569; font-size: 12px; }
            .legend span { display: inline-flex; align-items: center; gap: 5px; }
            .legend i { display: inline-block; width: 14px; height: 3px; border-radius: 2px; }
            .legend i.band { height: 10px; background: #fef3c7; border: 1px solid #fde68a; }
            svg { display: block; width: 100%; height: auto; }
            svg .grid { stroke: #eef2f6; stroke-width: 1; }
            svg .axis { stroke: #94a3b8; stroke-width: 1; }
            svg text { font: 11px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: #64748b; }
            svg .yl { text-anchor: end; font-variant-numeric: tabular-nums; }
            svg .xl { text-anchor: middle; }
            svg .note { text-anchor: middle; font-size: 13px; fill: #94a3b8; font-style: italic; }
            .panel { background: #fff; border: 1px solid #e2e8f0; border-radius: 12px; padding: 16px 18px; margin-bottom: 18px; }
            table { border-collapse: collapse; width: 100%; font-size: 14px; }
            th, td { text-align: left; padding: 7px 12px; border-bottom: 1px solid #f1f5f9; vertical-align: top; }
            thead th { font-size: 12px; color: #64748b; text-transform: uppercase; letter-spacing: .05em; border-bottom: 1px solid #e2e8f0; }
            tbody th { font-weight: 600; white-space: nowrap; width: 1%; }
            .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
            thead th.num { text-align: right; }
            .what { color: #64748b; font-size: 13px; }
            .params td { color: #334155; }
            footer { color: #94a3b8; font-size: 12px; margin-top: 18px; }
            code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
            @media (max-width: 900px) {
              .cards { grid-template-columns: repeat(2, minmax(0, 1fr)); }
              .charts.cols-2 { grid-template-columns: minmax(0, 1fr); }
            }
            @media print { body { background: #fff; } main { padding: 0; } }
            """;
}
