package dev.sluice.core;

import java.util.regex.Pattern;

/** Validation of the names that appear in paths and bodies. */
public final class Names {
    private Names() {}

    private static final Pattern SEMAPHORE = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");
    private static final Pattern CHANNEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    public static final String DEFAULT_CHANNEL = "default";

    public static String semaphore(String name) {
        if (name == null || !SEMAPHORE.matcher(name).matches()) {
            throw SluiceException.invalid("semaphore name must match [a-z0-9][a-z0-9._-]{0,127}, got "
                    + quoted(name));
        }
        return name;
    }

    /** Returns the channel, {@value #DEFAULT_CHANNEL} when absent. */
    public static String channel(String channel) {
        if (channel == null) {
            return DEFAULT_CHANNEL;
        }
        if (!CHANNEL.matcher(channel).matches()) {
            throw SluiceException.invalid("channel must match [A-Za-z0-9][A-Za-z0-9._:-]{0,127}, got "
                    + quoted(channel));
        }
        return channel;
    }

    private static String quoted(String s) {
        if (s == null) {
            return "nothing";
        }
        String shown = s.length() > 40 ? s.substring(0, 40) + "…" : s;
        return "\"" + shown + "\"";
    }
}
