package dev.sluice.sim;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/** Number formatting shared by the reports (locale-independent, deterministic). */
final class Fmt {

    private Fmt() {
    }

    /** {@code v} rounded to at most {@code decimals} places, trailing zeros removed; NaN/infinite → "n/a". */
    static String trim(double v, int decimals) {
        if (!Double.isFinite(v)) {
            return "n/a";
        }
        BigDecimal bd = BigDecimal.valueOf(v).setScale(decimals, RoundingMode.HALF_UP).stripTrailingZeros();
        String s = bd.toPlainString();
        return s.equals("-0") ? "0" : s;
    }

    /** A JSON number, or {@code null} for NaN and infinities. */
    static String json(double v) {
        if (!Double.isFinite(v)) {
            return "null";
        }
        return trim(v, 6);
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String pct(double v) {
        if (!Double.isFinite(v)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.1f%%", v);
    }

    /** Seconds for people: {@code 205 ms}, {@code 3.42 s}, {@code 41.3 s}, {@code 12.5 min}. */
    static String seconds(double s) {
        if (!Double.isFinite(s)) {
            return "n/a";
        }
        if (s == 0) {
            return "0 s";
        }
        if (s < 1) {
            return String.format(Locale.ROOT, "%.0f ms", s * 1000);
        }
        if (s < 10) {
            return String.format(Locale.ROOT, "%.2f s", s);
        }
        if (s < 600) {
            return String.format(Locale.ROOT, "%.1f s", s);
        }
        return String.format(Locale.ROOT, "%.1f min", s / 60);
    }

    static String html(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
